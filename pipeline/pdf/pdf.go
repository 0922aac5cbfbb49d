// Package pdf reads the text of PDF documents (through ledongthuc/pdf).
package pdf

import (
	"bytes"
	"fmt"
	"strings"

	pdflib "github.com/ledongthuc/pdf"
)

// maxPages bounds the pages read from one PDF.
const maxPages = 10000

// Text returns the text of a PDF document, page after page, and its
// title from the document information dictionary (or ""). Malformed PDFs
// are an error, never a panic.
func Text(data []byte) (text, title string, err error) {
	// The PDF library panics on some malformed input; a page served to us
	// is untrusted, so turn that into an error.
	defer func() {
		if r := recover(); r != nil {
			text, title, err = "", "", fmt.Errorf("read PDF: malformed document (%v)", r)
		}
	}()
	r, err := pdflib.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", "", fmt.Errorf("read PDF: %w", err)
	}
	var sb strings.Builder
	// The declared page count is untrusted: stop at the first missing page.
	for i := 1; i <= min(r.NumPage(), maxPages); i++ {
		page := r.Page(i)
		if page.V.IsNull() {
			break
		}
		pageText, err := page.GetPlainText(nil)
		if err != nil {
			return "", "", fmt.Errorf("read PDF page %d: %w", i, err)
		}
		sb.WriteString(pageText)
		sb.WriteString("\n")
	}
	title = strings.TrimSpace(r.Trailer().Key("Info").Key("Title").Text())
	return normalizeLines(sb.String()), title, nil
}

// normalizeLines trims every line, drops empty ones and joins the rest with
// newlines: one paragraph (or PDF text line) a line.
func normalizeLines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

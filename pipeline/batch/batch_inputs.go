package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/veille/veille/schema"
	"golang.org/x/net/html"
)

// ListFormat is the layout of a file given to `extract batch`.
type ListFormat string

// The list formats ParseList understands.
const (
	// FormatURLList is one URL a line, # comments and blank lines ignored.
	FormatURLList ListFormat = "urls"
	// FormatPocketCSV is Pocket's CSV export (title,url,time_added,tags,status).
	FormatPocketCSV ListFormat = "pocket-csv"
	// FormatBookmarks is the Netscape bookmark HTML that browsers and
	// read-later services export (Pocket's older HTML export included).
	FormatBookmarks ListFormat = "bookmarks-html"
)

// DetectListFormat guesses the format of a list file from its name and its
// first bytes: HTML that looks like bookmarks, CSV with a "url" column, else
// a plain URL list.
func DetectListFormat(name string, data []byte) ListFormat {
	head := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n"))
	if len(head) > 4096 {
		head = head[:4096]
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(head, []byte("<!doctype netscape-bookmark-file")),
		ext == ".html" || ext == ".htm",
		bytes.HasPrefix(head, []byte("<")) && bytes.Contains(head, []byte("<a ")):
		return FormatBookmarks
	case ext == ".csv" || csvHeaderHasURL(head):
		return FormatPocketCSV
	}
	return FormatURLList
}

// csvHeaderHasURL reports whether the first line of head is a CSV header
// with a "url" column.
func csvHeaderHasURL(head []byte) bool {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if !bytes.Contains(line, []byte(",")) {
		return false
	}
	for _, f := range strings.Split(strings.TrimSpace(string(line)), ",") {
		if strings.Trim(strings.TrimSpace(f), `"`) == "url" {
			return true
		}
	}
	return false
}

// ParseList reads the URLs of a list file in the given format.
func ParseList(format ListFormat, r io.Reader) ([]string, error) {
	switch format {
	case FormatURLList:
		return ParseURLList(r)
	case FormatPocketCSV:
		return ParsePocketCSV(r)
	case FormatBookmarks:
		return ParseBookmarksHTML(r)
	}
	return nil, fmt.Errorf("unknown list format %q", format)
}

// BadLine is a line of a URL list that holds no http(s) URL.
type BadLine struct {
	Line int
	Err  error
}

// BadLinesError lists the lines of a URL list that hold no URL; the list's
// other URLs are returned with it.
type BadLinesError struct {
	Lines []BadLine
}

func (e *BadLinesError) Error() string {
	msg := fmt.Sprintf("line %d: %v", e.Lines[0].Line, e.Lines[0].Err)
	if n := len(e.Lines) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more lines)", n)
	}
	return msg
}

// ParseURLList reads one URL a line. Blank lines and lines starting with #
// are ignored, as is a comment after a URL (" # ..."). Lines that are not
// absolute http(s) URLs are returned in a *[BadLinesError], with the URLs
// of the other lines.
func ParseURLList(r io.Reader) ([]string, error) {
	var urls []string
	var bad []BadLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := schema.CheckWebURL(line); err != nil {
			bad = append(bad, BadLine{Line: n, Err: err})
			continue
		}
		urls = append(urls, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read URL list: %w", err)
	}
	if len(bad) > 0 {
		return urls, &BadLinesError{Lines: bad}
	}
	return urls, nil
}

// ParsePocketCSV reads the url column of a Pocket CSV export. Rows whose
// url is empty or not an http(s) URL are skipped (Pocket exports notes and
// app-internal links too).
func ParsePocketCSV(r io.Reader) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read Pocket CSV header: %w", err)
	}
	col := -1
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), "url") {
			col = i
			break
		}
	}
	if col < 0 {
		return nil, errors.New("Pocket CSV: no url column in the header")
	}
	var urls []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return urls, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read Pocket CSV: %w", err)
		}
		if col < len(rec) {
			if u := strings.TrimSpace(rec[col]); schema.CheckWebURL(u) == nil {
				urls = append(urls, u)
			}
		}
	}
}

// ParseBookmarksHTML reads the http(s) links (<a href>) of a Netscape
// bookmark file, in document order.
func ParseBookmarksHTML(r io.Reader) ([]string, error) {
	z := html.NewTokenizer(r)
	var urls []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return urls, nil
			}
			return nil, fmt.Errorf("read bookmark HTML: %w", z.Err())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "a" || !hasAttr {
				continue
			}
			if href := hrefOf(z); schema.CheckWebURL(href) == nil {
				urls = append(urls, href)
			}
		}
	}
}

// hrefOf returns the href attribute of the tag z is on.
func hrefOf(z *html.Tokenizer) string {
	for {
		key, val, more := z.TagAttr()
		if string(key) == "href" {
			return strings.TrimSpace(string(val))
		}
		if !more {
			return ""
		}
	}
}

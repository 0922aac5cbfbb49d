package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"unicode"

	"github.com/veille/veille/pipeline/extract"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/pipeline/pdf"
	"github.com/veille/veille/schema"
)

// Loader turns an input — an http(s) URL or a local file — into a Document
// with its extracted text, kept in the store so that a URL is fetched once.
type Loader struct {
	// Store keeps documents. Nil means nothing is looked up or saved.
	Store DocumentStore
	// Fetcher gets http(s) pages. Nil means a Fetcher with default settings.
	Fetcher *fetch.Fetcher
}

// Source is a resolved input: a URL to fetch, or a local file to read.
type Source struct {
	// URL is the input as a URL: as given for http(s), file://… for a file.
	URL string
	// Path is the local file, "" for an http(s) URL.
	Path string
}

// ResolveInput tells whether input is an http(s) URL, a file:// URL or the
// path of an existing local file.
func ResolveInput(input string) (Source, error) {
	lower := strings.ToLower(input)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return Source{URL: input}, nil
	case strings.HasPrefix(lower, "file://"):
		u, err := url.Parse(input)
		if err != nil {
			return Source{}, fmt.Errorf("input %s: %w", input, err)
		}
		return Source{URL: input, Path: u.Path}, nil
	}
	info, err := os.Stat(input)
	if err != nil {
		return Source{}, fmt.Errorf("input %s: neither an http(s) URL nor a readable file (%w)", input, err)
	}
	if info.IsDir() {
		return Source{}, fmt.Errorf("input %s: is a directory, not a page file", input)
	}
	fileURL, err := fetch.FileURL(input)
	if err != nil {
		return Source{}, err
	}
	return Source{URL: fileURL, Path: input}, nil
}

// Load returns the document for input (a URL or a file path). A file that
// is a saved copy of a web page (it declares its http(s) canonical URL) is
// that page's document. A URL already
// in the store is served from it unless refresh is set (or the store holds
// only the stand-in of an imported card, see schema.MethodImported); otherwise the page
// is fetched (files are always read again), its text extracted and the
// document saved in one transaction. A page that yields no text is an error
// and leaves the store unchanged.
func (l *Loader) Load(ctx context.Context, input string, refresh bool) (schema.Document, error) {
	src, err := ResolveInput(input)
	if err != nil {
		return schema.Document{}, err
	}
	canonical, err := schema.CanonicalURL(src.URL)
	if err != nil {
		return schema.Document{}, fmt.Errorf("input %s: %w", input, err)
	}
	if l.Store != nil && !refresh && src.Path == "" {
		doc, err := l.Store.GetDocument(ctx, canonical)
		switch {
		case err == nil && doc.Method != schema.MethodImported:
			return doc, nil
		case err != nil && !errors.Is(err, schema.ErrNotFound):
			return schema.Document{}, err
		}
	}
	page, err := l.read(ctx, src)
	if err != nil {
		return schema.Document{}, err
	}
	doc, err := DocumentFromPage(page)
	if err != nil {
		return schema.Document{}, err
	}
	if src.Path != "" {
		canonical = savedCopyOf(doc, canonical)
	}
	doc.CanonicalURL, doc.ID = canonical, schema.DocumentID(canonical)
	if l.Store != nil {
		if err := l.Store.SaveDocument(ctx, doc); err != nil {
			return schema.Document{}, err
		}
	}
	return doc, nil
}

// savedCopyOf is the canonical URL of a local file's document: the web
// page it is a saved copy of when it declares one (so that the page read
// from disk and fetched from the web are one document), else fileCanonical.
func savedCopyOf(doc schema.Document, fileCanonical string) string {
	if source := doc.SourceURL(); source != doc.URL {
		if canonical, err := schema.CanonicalURL(source); err == nil {
			return canonical
		}
	}
	return fileCanonical
}

// read fetches or reads the source's page.
func (l *Loader) read(ctx context.Context, src Source) (fetch.Page, error) {
	f := l.Fetcher
	if f == nil {
		f = fetch.New(fetch.Config{})
	}
	if src.Path != "" {
		return f.ReadFile(src.Path)
	}
	return f.Fetch(ctx, src.URL)
}

// DocumentFromPage extracts a page's text by its content type — main-text
// extraction for HTML, the text itself for plain text and markdown, the
// text of a PDF — and returns the document, without its ID and canonical
// URL. A page with no text is an error wrapping extract.ErrEmpty.
func DocumentFromPage(page fetch.Page) (schema.Document, error) {
	doc := schema.Document{
		URL:         page.URL,
		FinalURL:    page.FinalURL,
		Status:      page.Status,
		ContentType: page.ContentType,
		FetchedAt:   page.FetchedAt,
		ContentHash: schema.ContentHash(page.Body),
		Body:        page.Body,
	}
	switch fetch.KindOf(page.ContentType) {
	case fetch.KindHTML:
		ex, err := extract.HTML(page.Body, page.FinalURL)
		if err != nil {
			return schema.Document{}, fmt.Errorf("extract %s: %w", page.URL, err)
		}
		doc.Text, doc.Metadata, doc.Method = ex.Text, ex.Metadata, ex.Method
	case fetch.KindText:
		doc.Text = cleanText(string(page.Body))
		doc.Metadata.Title = firstHeading(doc.Text)
		doc.Method = "plain"
	case fetch.KindPDF:
		text, title, err := pdf.Text(page.Body)
		if err != nil {
			return schema.Document{}, fmt.Errorf("extract %s: %w", page.URL, err)
		}
		doc.Text, doc.Metadata.Title, doc.Method = cleanText(text), title, "pdf"
	default:
		return schema.Document{}, &fetch.UnsupportedTypeError{ContentType: page.ContentType, URL: page.URL}
	}
	if strings.TrimSpace(doc.Text) == "" {
		return schema.Document{}, fmt.Errorf("extract %s: %w", page.URL, extract.ErrEmpty)
	}
	return doc, nil
}

// cleanText is a plain-text or PDF body as stored and shown: Windows line
// breaks made "\n", control characters other than line feed and tab
// dropped (an escape sequence in a page must not reach a terminal), and
// white space trimmed at both ends.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// firstHeading returns the text of a markdown document's first "# " heading
// line, or "".
func firstHeading(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if title, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok {
			return strings.TrimSpace(title)
		}
	}
	return ""
}

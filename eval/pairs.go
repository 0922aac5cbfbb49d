package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/veille/veille/schema"
)

// DocumentStore holds the pages cards are made from. When a page is not
// stored, GetDocument's error wraps [schema.ErrNotFound].
type DocumentStore interface {
	GetDocument(ctx context.Context, canonicalURL string) (schema.Document, error)
	SaveDocument(ctx context.Context, doc schema.Document) error
}

// PageReader reads the page file at path (article.txt or page.html) as the
// document of the page at url.
type PageReader func(path, url string) (schema.Document, error)

// pageFiles are the page files a gold card may have beside it (the layout
// of ../shared/gold/pairs/<id>/: card.md, article.txt or page.html, and
// page.json), in order of preference.
func pageFiles() []string { return []string{"article.txt", "page.html"} }

// storePageBeside stores, under the gold card's URL, the page file beside
// the gold card at goldFile (the first of [pageFiles] there), with the
// title and language of the page.json beside it. It does nothing when there
// is no page file.
func (m *Maker) storePageBeside(ctx context.Context, goldFile, url string) error {
	canonical, err := schema.CanonicalURL(url)
	if err != nil {
		return fmt.Errorf("gold card URL: %w", err)
	}
	dir := filepath.Dir(goldFile)
	for _, name := range pageFiles() {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		doc, err := m.ReadPage(path, url)
		if err != nil {
			return err
		}
		doc.CanonicalURL, doc.ID = canonical, schema.DocumentID(canonical)
		if err := readPageJSON(filepath.Join(dir, "page.json"), &doc.Metadata); err != nil {
			return err
		}
		return m.Documents.SaveDocument(ctx, doc)
	}
	return nil
}

// readPageJSON fills the title and language of md from a gold pair's
// page.json at path, when there is one.
func readPageJSON(path string, md *schema.Metadata) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var page struct {
		Title string `json:"title"`
		Lang  string `json:"lang"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if page.Title != "" {
		md.Title = page.Title
	}
	if page.Lang != "" {
		md.Lang = page.Lang
	}
	return nil
}

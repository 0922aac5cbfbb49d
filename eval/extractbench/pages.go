// Package extractbench scores main-text extraction against an article
// extraction benchmark (an html/ folder of pages and a ground-truth.json),
// by shared 4-word shingles, as the benchmark itself does.
package extractbench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/veille/veille/pipeline/extract"
)

// Page is one page of an article-extraction benchmark directory.
type Page struct {
	// ID is the file name without ".html.gz".
	ID string
	// HTML is the decompressed page.
	HTML []byte
}

// prediction is the benchmark's per-page prediction record.
type prediction struct {
	ArticleBody string `json:"articleBody"`
}

// WritePredictions extracts the main text of every dir/html/*.html.gz
// page and writes one JSON object {"<id>": {"articleBody": "…"}}, the
// prediction format of the article-extraction benchmark. A page whose
// extraction fails gets an empty articleBody, as the benchmark expects one
// entry per page.
func WritePredictions(ctx context.Context, dir string, w io.Writer) error {
	pages, err := LoadPages(dir)
	if err != nil {
		return err
	}
	out := make(map[string]prediction, len(pages))
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("benchmark %s: %w", dir, err)
		}
		text := ""
		if ex, err := extract.HTML(p.HTML, ""); err == nil {
			text = ex.Text
		}
		out[p.ID] = prediction{ArticleBody: text}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("benchmark %s: write predictions: %w", dir, err)
	}
	return nil
}

// LoadPages reads and decompresses dir/html/*.html.gz, sorted by ID.
func LoadPages(dir string) ([]Page, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil {
		return nil, fmt.Errorf("benchmark %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("benchmark %s: no html/*.html.gz pages", dir)
	}
	sort.Strings(paths)
	pages := make([]Page, 0, len(paths))
	for _, path := range paths {
		body, err := readGzipFile(path)
		if err != nil {
			return nil, err
		}
		id := strings.TrimSuffix(filepath.Base(path), ".html.gz")
		pages = append(pages, Page{ID: id, HTML: body})
	}
	return pages, nil
}

// readGzipFile returns the decompressed content of a .gz file.
func readGzipFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer zr.Close()
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return body, nil
}

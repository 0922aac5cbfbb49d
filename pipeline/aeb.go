package pipeline

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
)

// BenchmarkPage is one page of an article-extraction benchmark directory.
type BenchmarkPage struct {
	// ID is the file name without ".html.gz".
	ID string
	// HTML is the decompressed page.
	HTML []byte
}

// benchmarkPrediction is the benchmark's per-page prediction record.
type benchmarkPrediction struct {
	ArticleBody string `json:"articleBody"`
}

// BenchmarkPredictions extracts the main text of every dir/html/*.html.gz
// page and writes one JSON object {"<id>": {"articleBody": "…"}}, the
// prediction format of the article-extraction benchmark. A page whose
// extraction fails gets an empty articleBody, as the benchmark expects one
// entry per page.
func BenchmarkPredictions(ctx context.Context, dir string, w io.Writer) error {
	pages, err := LoadBenchmarkPages(dir)
	if err != nil {
		return err
	}
	out := make(map[string]benchmarkPrediction, len(pages))
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("benchmark %s: %w", dir, err)
		}
		text := ""
		if ex, err := ExtractHTML(p.HTML, ""); err == nil {
			text = ex.Text
		}
		out[p.ID] = benchmarkPrediction{ArticleBody: text}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("benchmark %s: write predictions: %w", dir, err)
	}
	return nil
}

// LoadBenchmarkPages reads and decompresses dir/html/*.html.gz, sorted by ID.
func LoadBenchmarkPages(dir string) ([]BenchmarkPage, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil {
		return nil, fmt.Errorf("benchmark %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("benchmark %s: no html/*.html.gz pages", dir)
	}
	sort.Strings(paths)
	pages := make([]BenchmarkPage, 0, len(paths))
	for _, path := range paths {
		body, err := readGzipFile(path)
		if err != nil {
			return nil, err
		}
		id := strings.TrimSuffix(filepath.Base(path), ".html.gz")
		pages = append(pages, BenchmarkPage{ID: id, HTML: body})
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

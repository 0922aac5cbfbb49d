package fetch

import (
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// fileTypes maps the file name endings veille reads to their media types.
// A ".gz" after an HTML ending means a gzip-compressed page.
var fileTypes = []struct{ suffix, mediaType string }{
	{".html.gz", "text/html"},
	{".htm.gz", "text/html"},
	{".html", "text/html"},
	{".htm", "text/html"},
	{".xhtml", "application/xhtml+xml"},
	{".txt", "text/plain"},
	{".md", "text/markdown"},
	{".markdown", "text/markdown"},
	{".pdf", "application/pdf"},
}

// FileURL returns the file:// URL of a local path, made absolute.
func FileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("file URL of %s: %w", path, err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// ReadFile reads a local page (.html, .htm, .html.gz, .txt, .md or .pdf),
// applying the same size cap, charset decoding and checks as Fetch. The
// page's URL is the file's file:// URL.
func ReadFile(path string, maxBytes int64) (Page, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBodyBytes
	}
	fileURL, err := FileURL(path)
	if err != nil {
		return Page{}, err
	}
	mt := fileMediaType(path)
	if mt == "" {
		return Page{}, &UnsupportedTypeError{ContentType: guessMediaType(path), URL: fileURL}
	}
	body, err := readFileBody(path, maxBytes)
	if err != nil {
		return Page{}, fmt.Errorf("read %s: %w", path, err)
	}
	page, err := pageFromBody(body, mt, fileURL)
	if err != nil {
		return Page{}, fmt.Errorf("read %s: %w", path, err)
	}
	if info, err := os.Stat(path); err == nil {
		page.FetchedAt = info.ModTime().UTC()
	}
	return page, nil
}

// fileMediaType returns the media type a file's name announces, or "".
func fileMediaType(path string) string {
	name := strings.ToLower(filepath.Base(path))
	for _, ft := range fileTypes {
		if strings.HasSuffix(name, ft.suffix) {
			return ft.mediaType
		}
	}
	return ""
}

// guessMediaType names the type of an unsupported file from its extension,
// for the error message.
func guessMediaType(path string) string {
	if mt := mediaType(mime.TypeByExtension(filepath.Ext(path))); mt != "" {
		return mt
	}
	return "application/octet-stream"
}

// readFileBody reads a file, gunzipping a .gz one, up to max bytes.
func readFileBody(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	return readBody(r, "", max)
}

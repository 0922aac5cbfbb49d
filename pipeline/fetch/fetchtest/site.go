// Package fetchtest serves test pages over HTTP for the tests of the
// fetcher and of the packages built on it: compressed bodies, charsets,
// PDFs, redirects, loops, slow and failing servers.
package fetchtest

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/text/encoding/charmap"
)

// fixtureDir is pipeline/fetch/testdata/fetch, wherever the test runs.
func fixtureDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "fetch")
}

// Fixture returns a file of pipeline/fetch/testdata/fetch.
func Fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir(), name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Compress encodes b with an HTTP content coding.
func Compress(tb testing.TB, coding string, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw-deflate":
		fw, err := flate.NewWriter(&buf, flate.DefaultCompression)
		if err != nil {
			tb.Fatal(err)
		}
		w = fw
	case "br":
		w = brotli.NewWriter(&buf)
	default:
		tb.Fatalf("unknown coding %s", coding)
	}
	if _, err := w.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// RandomBytes returns n bytes of deterministic garbage.
func RandomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// Site serves the pages the fetch and loader tests need; it counts
// requests per path and records the last User-Agent.
type Site struct {
	*httptest.Server
	mu        sync.Mutex
	hits      map[string]int
	userAgent string
}

// Hits returns how many requests path received.
func (s *Site) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// UserAgent returns the User-Agent of the last request.
func (s *Site) UserAgent() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userAgent
}

// NewSite starts the site; it is closed when the test ends.
func NewSite(t *testing.T) *Site {
	t.Helper()
	article := Fixture(t, "article.html")
	latin1, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(strings.ReplaceAll(string(article), "Saint-Exemple", "Saint-Étienne-Exemple")))
	if err != nil {
		t.Fatal(err)
	}
	site := &Site{hits: map[string]int{}}
	mux := http.NewServeMux()
	serve := func(path, contentType, coding string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			} else {
				w.Header()["Content-Type"] = nil // stop net/http from sniffing
			}
			if coding != "" {
				w.Header().Set("Content-Encoding", coding)
			}
			w.Write(body)
		})
	}
	serve("/article", "text/html; charset=utf-8", "", article)
	serve("/gzip", "text/html", "gzip", Compress(t, "gzip", article))
	serve("/deflate", "text/html", "deflate", Compress(t, "deflate", article))
	serve("/raw-deflate", "text/html", "deflate", Compress(t, "raw-deflate", article))
	serve("/br", "text/html", "br", Compress(t, "br", article))
	serve("/latin1-header", "text/html; charset=ISO-8859-1", "", latin1)
	serve("/latin1-meta", "text/html", "", bytes.Replace(latin1, []byte(`<meta charset="utf-8">`), []byte(`<meta charset="iso-8859-1">`), 1))
	serve("/no-type", "", "", article)
	serve("/note.md", "text/markdown; charset=utf-8", "", Fixture(t, "note.md"))
	serve("/report.pdf", "application/pdf", "", Fixture(t, "report.pdf"))
	serve("/octet-pdf", "application/octet-stream", "", Fixture(t, "report.pdf"))
	serve("/zip", "application/zip", "", []byte("PK\x03\x04"))
	serve("/image", "image/png", "", []byte("\x89PNG\r\n\x1a\n"))
	serve("/empty", "text/html", "", nil)
	serve("/blank", "text/html", "", []byte("  \n\t "))
	serve("/binary", "text/html", "", RandomBytes(4096))
	serve("/invalid-utf8", "text/html; charset=utf-8", "", append([]byte("<html><body><p>"), RandomBytes(4096)...))
	serve("/big", "text/html", "", bytes.Repeat([]byte("<p>word</p>\n"), 200_000))
	serve("/gzip-bomb", "text/html", "gzip", Compress(t, "gzip", bytes.Repeat([]byte("<p>word</p>\n"), 2_000_000)))
	serve("/truncated", "text/html", "", article[:len(article)*3/4])
	serve("/malformed", "text/html", "", []byte("<html><body><p></b></i></td></tr></table></div></body></html></p>"))
	serve("/no-text", "text/html", "", []byte(`<html><head><title>Only a title</title></head><body><script>var x = 1;</script><img src="a.png"></body></html>`))
	mux.HandleFunc("/chunked-big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for range 300 {
			w.Write(bytes.Repeat([]byte("x"), 64<<10))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "30")
		}
		http.Error(w, "nope", code)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			http.Redirect(w, r, "/article", http.StatusFound)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", http.StatusFound) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	site.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site.mu.Lock()
		site.hits[r.URL.Path]++
		site.userAgent = r.UserAgent()
		site.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(site.Close)
	return site
}

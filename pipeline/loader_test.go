package pipeline

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/batch"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/pipeline/fetch/fetchtest"
	"github.com/veille/veille/pipeline/offline"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func documentCount(t *testing.T, st *sqlite.Store) int {
	t.Helper()
	n, err := st.DocumentCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoadServesFromStoreUnlessRefresh(t *testing.T) {
	ctx := context.Background()
	site := fetchtest.NewSite(t)
	st := openStore(t)
	l := &Loader{Store: st, Fetcher: testFetcher()}
	input := site.URL + "/article?utm_source=newsletter#top"

	doc, err := l.Load(ctx, input, false)
	if err != nil {
		t.Fatal(err)
	}
	wantCanonical := site.URL + "/article"
	if doc.CanonicalURL != wantCanonical || doc.ID != schema.DocumentID(wantCanonical) || doc.URL != input {
		t.Errorf("canonical %s, ID %s, URL %s", doc.CanonicalURL, doc.ID, doc.URL)
	}
	if !strings.Contains(doc.Text, "forty percent") || strings.Contains(doc.Text, "All rights reserved") {
		t.Errorf("extracted text:\n%s", doc.Text)
	}
	if doc.Metadata.Title == "" || doc.Method == "" || doc.ContentHash == "" || doc.Status != 200 {
		t.Errorf("document lacks fields: %+v", doc)
	}

	again, err := l.Load(ctx, wantCanonical, false)
	if err != nil {
		t.Fatal(err)
	}
	if site.Hits("/article") != 1 {
		t.Errorf("second Load fetched again: %d requests", site.Hits("/article"))
	}
	if again.Text != doc.Text || again.ID != doc.ID {
		t.Error("the stored document differs from the fetched one")
	}

	if _, err := l.Load(ctx, input, true); err != nil {
		t.Fatal(err)
	}
	if site.Hits("/article") != 2 {
		t.Errorf("refresh did not fetch again: %d requests", site.Hits("/article"))
	}
	if n := documentCount(t, st); n != 1 {
		t.Errorf("%d documents stored, want 1", n)
	}
}

func TestLoadContentTypes(t *testing.T) {
	ctx := context.Background()
	site := fetchtest.NewSite(t)
	l := &Loader{Store: openStore(t), Fetcher: testFetcher()}
	tests := []struct {
		path, method, title, text string
	}{
		{"/note.md", "plain", "Field notes", "Heat pumps worked through the cold snap.\nThe library saved the most."},
		{"/report.pdf", "pdf", "Heat pump report", "Heat pumps in public buildings\nThe energy bill fell by forty percent."},
		{"/octet-pdf", "pdf", "Heat pump report", "Heat pumps in public buildings"},
		{"/br", "", "Municipal heat pumps cut winter bills", "forty percent"},
		{"/truncated", "", "Municipal heat pumps cut winter bills", "Residents were less convinced"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			doc, err := l.Load(ctx, site.URL+tt.path, false)
			if err != nil {
				t.Fatal(err)
			}
			if tt.method != "" && doc.Method != tt.method {
				t.Errorf("method %q, want %q", doc.Method, tt.method)
			}
			if doc.Metadata.Title != tt.title {
				t.Errorf("title %q, want %q", doc.Metadata.Title, tt.title)
			}
			if !strings.Contains(doc.Text, tt.text) {
				t.Errorf("text %q lacks %q", doc.Text, tt.text)
			}
		})
	}
}

func TestLoadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gzPath := filepath.Join(dir, "article.html.gz")
	f, err := os.Create(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write(fetchtest.Fixture(t, "article.html"))
	zw.Close()
	f.Close()
	st := openStore(t)
	l := &Loader{Store: st}
	tests := []struct{ path, method, text string }{
		{filepath.Join("fetch", "testdata", "fetch", "article.html"), "", "forty percent"},
		{gzPath, "", "forty percent"},
		{filepath.Join("fetch", "testdata", "fetch", "note.txt"), "plain", "Plain text notes about heat pumps.\nSecond line."},
		{filepath.Join("fetch", "testdata", "fetch", "note.md"), "plain", "# Field notes"},
		{filepath.Join("fetch", "testdata", "fetch", "report.pdf"), "pdf", "forty percent"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			doc, err := l.Load(ctx, tt.path, false)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(doc.URL, "file:///") || doc.Status != 0 {
				t.Errorf("URL %s, status %d", doc.URL, doc.Status)
			}
			if tt.method != "" && doc.Method != tt.method {
				t.Errorf("method %q, want %q", doc.Method, tt.method)
			}
			if !strings.Contains(doc.Text, tt.text) {
				t.Errorf("text %q lacks %q", doc.Text, tt.text)
			}
			byURL, err := l.Load(ctx, doc.URL, false)
			if err != nil || byURL.ID != doc.ID {
				t.Errorf("loading %s by its file URL: ID %s, %v; want %s", tt.path, byURL.ID, err, doc.ID)
			}
		})
	}
	// article.html and its gzipped copy are saved copies of one web page:
	// one document.
	if n := documentCount(t, st); n != len(tests)-1 {
		t.Errorf("%d documents stored, want %d", n, len(tests)-1)
	}
}

// TestSavedCopyIsThePagesDocument checks that a saved copy of a web page
// and the page fetched from the web are one document, however it came in.
func TestSavedCopyIsThePagesDocument(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	// A fetcher that can reach nothing: the page must come from the store.
	l := &Loader{Store: st, Fetcher: fetch.New(fetch.Config{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no network in this test")
	}})}
	saved, err := l.Load(ctx, filepath.Join("fetch", "testdata", "fetch", "article.html"), false)
	if err != nil {
		t.Fatal(err)
	}
	declared := "https://gazette.example.com/2026/01/heat-pumps"
	if saved.CanonicalURL != declared || saved.ID != schema.DocumentID(declared) {
		t.Errorf("saved copy: canonical %s, ID %s; want the page's", saved.CanonicalURL, saved.ID)
	}
	fetched, err := l.Load(ctx, declared, false)
	if err != nil || fetched.ID != saved.ID {
		t.Errorf("the page by its URL: ID %s (%v); want the saved copy's document, not a fetch", fetched.ID, err)
	}
	if n := documentCount(t, st); n != 1 {
		t.Errorf("%d documents, want 1", n)
	}
}

// TestLoadBadInput covers every bad input of the issue through Load: one
// error line naming the input and the cause, and nothing stored.
func TestLoadBadInput(t *testing.T) {
	ctx := context.Background()
	site := fetchtest.NewSite(t)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "archive.zip")
	os.WriteFile(zipPath, []byte("PK\x03\x04"), 0o644)
	emptyPath := filepath.Join(dir, "empty.html")
	os.WriteFile(emptyPath, nil, 0o644)
	badPDF := filepath.Join(dir, "broken.pdf")
	os.WriteFile(badPDF, []byte("%PDF-1.4\nnot really a pdf\n%%EOF\n"), 0o644)

	tests := []struct {
		name, input, want string
		wantErr           error
	}{
		{"404", site.URL + "/status/404", "HTTP 404", nil},
		{"503", site.URL + "/status/503", "HTTP 503", nil},
		{"timeout", site.URL + "/slow", "timed out", context.DeadlineExceeded},
		{"redirect loop", site.URL + "/loop/a", "redirect loop", fetch.ErrRedirectLoop},
		{"oversize", site.URL + "/big", "over the 1 MB limit", fetch.ErrBodyTooLarge},
		{"invalid UTF-8", site.URL + "/invalid-utf8", "not valid UTF-8", fetch.ErrInvalidUTF8},
		{"empty page", site.URL + "/empty", "empty body", fetch.ErrEmptyBody},
		{"binary as text/html", site.URL + "/binary", "binary", fetch.ErrBinaryBody},
		{"malformed HTML", site.URL + "/malformed", "extract " + site.URL + "/malformed", nil},
		{"empty extraction", site.URL + "/no-text", "extract " + site.URL + "/no-text", nil},
		{"unsupported type", site.URL + "/zip", "unsupported content type application/zip for", nil},
		{"unsupported file", zipPath, "unsupported content type application/zip for file://", nil},
		{"empty file", emptyPath, "empty body", fetch.ErrEmptyBody},
		{"broken PDF", badPDF, "read PDF", nil},
		{"missing file", filepath.Join(dir, "nope.html"), "neither an http(s) URL nor a readable file", nil},
		{"not a URL", "example.com/page", "neither an http(s) URL nor a readable file", nil},
		{"directory", dir, "is a directory", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			l := &Loader{Store: st, Fetcher: testFetcher()}
			_, err := l.Load(ctx, tt.input, false)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			name := filepath.Base(tt.input)
			if !strings.Contains(msg, name) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and %q", msg, name, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
			if n := documentCount(t, st); n != 0 {
				t.Errorf("%d documents stored after a failure", n)
			}
		})
	}
}

// TestLoadBenchmarkPages loads real pages of the extraction benchmark,
// served gzip-encoded by a test server, into a store.
func TestLoadBenchmarkPages(t *testing.T) {
	dir := aebDir(t)
	paths, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil || len(paths) < 5 {
		t.Fatalf("benchmark pages: %v (%d)", err, len(paths))
	}
	// The gzip files are served as they are, with Content-Encoding: gzip.
	srv := httptest.NewServer(http.StripPrefix("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		http.ServeFileFS(w, r, os.DirFS(filepath.Join(dir, "html")), r.URL.Path)
	})))
	defer srv.Close()
	st := openStore(t)
	l := &Loader{Store: st, Fetcher: testFetcher()}
	for _, p := range paths[:5] {
		doc, err := l.Load(context.Background(), srv.URL+"/"+filepath.Base(p), false)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		if len(doc.Text) < 200 || doc.Metadata.Title == "" {
			t.Errorf("%s: %d characters of text, title %q", filepath.Base(p), len(doc.Text), doc.Metadata.Title)
		}
	}
	if n := documentCount(t, st); n != 5 {
		t.Errorf("%d documents stored, want 5", n)
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"windows line breaks", "a\r\nb\r\n", "a\nb"},
		{"terminal escape dropped", "safe \x1b[2Jtext\x07", "safe [2Jtext"},
		{"C1 control dropped", "a\u009bb", "ab"},
		{"tabs and line feeds kept", "\ta\tb\nc", "a\tb\nc"},
		{"blank", " \n\t ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanText(tt.in); got != tt.want {
				t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// testFetcher is a Fetcher with short limits, so failure cases run fast.
func testFetcher() *fetch.Fetcher {
	return fetch.New(fetch.Config{UserAgent: fetch.UserAgent("1.2.3"), ConnectTimeout: time.Second,
		Timeout: 500 * time.Millisecond, MaxBodyBytes: 1 << 20})
}

// aebDir locates the extraction benchmark in ../shared beside the module
// root, skipping the test when it is absent.
func aebDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "aeb"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "html")); err != nil {
		tb.Skipf("benchmark data absent (%s): %v", dir, err)
	}
	return dir
}

// TestMakeCardPublicOnly: a batch job found in a remote digest or feed is
// not fetched from this machine; the same URL listed by the user is.
func TestMakeCardPublicOnly(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, strings.Repeat("A page served on this machine only, for its own users. ", 20))
	}))
	defer srv.Close()
	r := &Runner{Loader: &Loader{Fetcher: testFetcher()}, Model: offline.Model{}}
	if _, err := r.MakeCard(t.Context(), batch.Job{URL: srv.URL + "/a", PublicOnly: true}); !errors.Is(err, fetch.ErrPrivateAddress) {
		t.Errorf("public-only job on a local server: err = %v, want fetch.ErrPrivateAddress", err)
	}
	if _, err := r.MakeCard(t.Context(), batch.Job{URL: srv.URL + "/a"}); err != nil {
		t.Errorf("job the user listed: %v", err)
	}
}

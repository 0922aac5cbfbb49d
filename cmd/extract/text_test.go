package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

// pageServer serves the pipeline's fetch fixtures and a few failing pages,
// counting requests.
func pageServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	fixtures := filepath.Join("..", "..", "pipeline", "fetch", "testdata", "fetch")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
			return
		case "/archive.zip":
			w.Header().Set("Content-Type", "application/zip")
			w.Write([]byte("PK\x03\x04"))
			return
		}
		body, err := os.ReadFile(filepath.Join(fixtures, filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestTextCommand(t *testing.T) {
	srv, hits := pageServer(t)
	db := filepath.Join(t.TempDir(), "veille.db")
	url := srv.URL + "/article.html?utm_source=test"

	stdout, stderr, code := runExtract(t, "", "text", "--db", db, url)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "forty percent") || strings.Contains(stdout, "All rights reserved") {
		t.Errorf("text output:\n%s", stdout)
	}

	stdout, stderr, code = runExtract(t, "", "text", "--db", db, "--json", url)
	if code != exitOK {
		t.Fatalf("--json: exit %d: %s", code, stderr)
	}
	var doc schema.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("--json output is not a document: %v\n%s", err, stdout)
	}
	canonical := srv.URL + "/article.html"
	if doc.CanonicalURL != canonical || doc.ID != schema.DocumentID(canonical) || doc.Method == "" ||
		doc.Metadata.Title != "Municipal heat pumps cut winter bills" {
		t.Errorf("--json document: %+v", doc)
	}
	if hits.Load() != 1 {
		t.Errorf("the second call fetched again (%d requests), want it served from the store", hits.Load())
	}
	if _, stderr, code = runExtract(t, "", "text", "--db", db, "--refresh", url); code != exitOK {
		t.Fatalf("--refresh: exit %d: %s", code, stderr)
	}
	if hits.Load() != 2 {
		t.Errorf("--refresh did not fetch again (%d requests)", hits.Load())
	}
}

func TestTextCommandFailures(t *testing.T) {
	srv, _ := pageServer(t)
	tests := []struct{ name, input, want string }{
		{"HTTP error", srv.URL + "/missing", "fetch " + srv.URL + "/missing: HTTP 404 Not Found"},
		{"unsupported type", srv.URL + "/archive.zip", "unsupported content type application/zip for " + srv.URL + "/archive.zip"},
		{"missing file", "no/such/page.html", "input no/such/page.html: neither an http(s) URL nor a readable file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "veille.db")
			stdout, stderr, code := runExtract(t, "", "text", "--db", db, tt.input)
			if code != exitFailure {
				t.Errorf("exit %d, want %d", code, exitFailure)
			}
			if stdout != "" || !strings.HasPrefix(stderr, "extract: ") || !strings.Contains(stderr, tt.want) ||
				strings.Count(stderr, "\n") != 1 {
				t.Errorf("stdout %q, stderr %q: want one line with %q", stdout, stderr, tt.want)
			}
			assertNoDocuments(t, db)
		})
	}
}

// assertNoDocuments checks that a failed command left no document row.
func assertNoDocuments(t *testing.T, db string) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.DocumentCount(t.Context()); err != nil || n != 0 {
		t.Errorf("%d documents stored (%v), want none", n, err)
	}
}

func TestTextCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"text"}, {"text", "a", "b"}, {"text", "--benchmark", "dir", "extra"}, {"text", "--fetch-timeout", "0s", "x.html"}} {
		if _, _, code := runExtract(t, "", args...); code != exitUsage {
			t.Errorf("extract %v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestLinksCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "veille.db")
	file := filepath.Join("..", "..", "pipeline", "extract", "testdata", "extract", "digest.html")
	stdout, stderr, code := runExtract(t, "", "links", "--db", db, file)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "https://www.axios.com/2022/12/01/united-airlines-batteries?utm_source=newsletter\t20250615\tAirlines face electrification challenges\n" +
		"https://mariedolle.substack.com/p/les-universites-face-a-lia\t20250615\tLes universités face à l'IA\n" +
		"https://arxiv.org/abs/2603.23714\t20250615\tA paper on arXiv\n" +
		"https://www.bbc.com/news/articles/cy4wnw04e8wo\t20250615\tthe BBC report\n"
	if stdout != want {
		t.Errorf("links output:\n%s\nwant:\n%s", stdout, want)
	}
	stdout, _, code = runExtract(t, "", "links", "--db", db, "--json", file)
	var links []struct {
		URL    string      `json:"url"`
		Origin schema.Link `json:"origin"`
	}
	if err := json.Unmarshal([]byte(stdout), &links); code != exitOK || err != nil || len(links) != 4 ||
		links[0].Origin.URL != "https://signals.substack.com/p/20250615" {
		t.Errorf("--json: exit %d, %v, %+v", code, err, links)
	}

	_, stderr, code = runExtract(t, "", "links", "--db", db, filepath.Join("..", "..", "pipeline", "fetch", "testdata", "fetch", "note.txt"))
	if code != exitFailure || !strings.Contains(stderr, "no links to list") {
		t.Errorf("links of a text file: exit %d, %q", code, stderr)
	}
}

func TestTextCommandBenchmark(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "html"), 0o755); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join("..", "..", "pipeline", "fetch", "testdata", "fetch", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(page)
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "html", "p1.html.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runExtract(t, "", "text", "--benchmark", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var predictions map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal([]byte(stdout), &predictions); err != nil {
		t.Fatalf("output is not predictions: %v\n%s", err, stdout)
	}
	if !strings.Contains(predictions["p1"].ArticleBody, "forty percent") {
		t.Errorf("predictions: %+v", predictions)
	}
}

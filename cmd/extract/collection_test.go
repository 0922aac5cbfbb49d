package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// collectionDB makes a database with the offline cards of three local
// pages: a saved news article (declaring its canonical address and date), a
// markdown note and a social post.
func collectionDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "veille.db")
	for _, page := range []string{
		filepath.Join("..", "..", "pipeline", "fetch", "testdata", "fetch", "article.html"),
		filepath.Join("..", "..", "pipeline", "fetch", "testdata", "fetch", "note.md"),
		filepath.Join("..", "..", "pipeline", "extract", "testdata", "extract", "social.html"),
	} {
		if _, stderr, code := runExtract(t, "", "run", "--db", db, "--provider", "offline", page); code != exitOK {
			t.Fatalf("run %s: exit %d: %s", page, code, stderr)
		}
	}
	return db
}

const articleURL = "https://gazette.example.com/2026/01/heat-pumps"

func TestListCommand(t *testing.T) {
	db := collectionDB(t)
	tests := []struct {
		name  string
		args  []string
		lines int
		first string // what the first line holds
	}{
		{"all, newest first", nil, 3, ""},
		{"since a date", []string{"--since", "2026-02-01"}, 2, ""},
		{"until a date", []string{"--until", "2026-02-01"}, 1, "Municipal heat pumps"},
		{"by host", []string{"--host", "www.gazette.example.com"}, 1, "gazette.example.com"},
		{"by provider", []string{"--provider", "openai"}, 0, ""},
		{"limit", []string{"--limit", "1"}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runExtract(t, "", append([]string{"list", "--db", db}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := nonEmptyLines(stdout)
			if len(lines) != tt.lines || (tt.first != "" && !strings.Contains(lines[0], tt.first)) {
				t.Errorf("list %v:\n%s", tt.args, stdout)
			}
		})
	}
	stdout, _, _ := runExtract(t, "", "list", "--db", db, "--json")
	for _, line := range nonEmptyLines(stdout) {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		for _, k := range []string{"id", "url", "title", "published", "provider"} {
			if _, ok := v[k]; !ok {
				t.Errorf("line has no %q: %s", k, line)
			}
		}
	}
}

func TestShowCommand(t *testing.T) {
	db := collectionDB(t)
	ran, _, _ := runExtract(t, "", "run", "--db", db, "--provider", "offline",
		filepath.Join("..", "..", "pipeline", "fetch", "testdata", "fetch", "article.html"))
	listed, _, _ := runExtract(t, "", "list", "--db", db, "--json", "--host", "gazette.example.com")
	var card struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal([]byte(listed), &card); err != nil || card.Version != 2 {
		t.Fatalf("listed %q (%v): want the second version", listed, err)
	}
	for _, key := range []string{card.ID, articleURL} {
		shown, stderr, code := runExtract(t, "", "show", "--db", db, key)
		if code != exitOK || shown != ran {
			t.Errorf("show %s: exit %d (%s); differs from what run printed:\n%s", key, code, stderr, shown)
		}
	}
	again, _, _ := runExtract(t, "", "list", "--db", db, "--json", "--host", "gazette.example.com")
	if again != listed {
		t.Errorf("show made a new version: %s", again)
	}
	js, _, _ := runExtract(t, "", "show", "--db", db, "--json", card.ID)
	var shown map[string]any
	if err := json.Unmarshal([]byte(js), &shown); err != nil || shown["published"] != "2026-01-14T00:00:00Z" {
		t.Errorf("show --json = %s (%v), want the page's date as published", js, err)
	}
	source, _, _ := runExtract(t, "", "show", "--db", db, "--source", card.ID)
	if !strings.Contains(source, "[1>") || !strings.Contains(source, "<1]") || !strings.Contains(source, "[1] signals #1") {
		t.Errorf("show --source marks no evidence:\n%s", source)
	}
}

func TestCollectionCommandsBadInput(t *testing.T) {
	db := collectionDB(t)
	missing := filepath.Join(t.TempDir(), "nope.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown id", []string{"show", "--db", db, "00000000000000000000000000000000"}, exitFailure, "no card in this database"},
		{"unknown URL", []string{"show", "--db", db, "https://nowhere.example/x"}, exitFailure, "no card in this database"},
		{"not an id nor a URL", []string{"show", "--db", db, "::"}, exitFailure, "neither a card ID nor a URL"},
		{"missing database", []string{"list", "--db", missing}, exitFailure, "no such file"},
		{"bad --since", []string{"list", "--db", db, "--since", "yesterday"}, exitUsage, `--since "yesterday"`},
		{"until before since", []string{"list", "--db", db, "--since", "2026-02-01", "--until", "2026-01-01"}, exitUsage, "is not after"},
		{"bad limit", []string{"search", "--db", db, "--limit", "0", "x"}, exitUsage, "--limit 0"},
		{"search needs a query", []string{"search", "--db", db}, exitUsage, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runExtract(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and one line with %q", code, stderr, stdout, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("list created %s", missing)
	}
}

func TestSearchCommand(t *testing.T) {
	db := collectionDB(t)
	tests := []struct {
		query string
		hits  int
	}{
		{"heat pumps", 2},
		{"HEAT PUMP", 2},  // case and plural
		{"pétition", 1},   // accents fold: the page says "petition"
		{"percent", 1},    // page text
		{`"`, 0},          // any input is a query
		{"-", 0},          // a lone operator
		{"*", 0},          // a lone wildcard
		{"heat OR", 0},    // FTS syntax is plain words: "or" is not in the pages
		{"(pumps)", 2},    // punctuation
		{"title:heat", 0}, // no column filter
		{"zzzzzz", 0},     // nothing
		{strings.Repeat("heat ", 2000), 2},
	}
	for _, tt := range tests {
		stdout, stderr, code := runExtract(t, "", "search", "--db", db, "--json", tt.query)
		if code != exitOK {
			t.Errorf("search %.20q: exit %d: %s", tt.query, code, stderr)
			continue
		}
		lines := nonEmptyLines(stdout)
		if len(lines) != tt.hits {
			t.Errorf("search %.20q: %d hits, want %d:\n%s", tt.query, len(lines), tt.hits, stdout)
		}
		if tt.hits == 0 && !strings.Contains(stderr, "no card matches") {
			t.Errorf("search %.20q: no hit and no message: %q", tt.query, stderr)
		}
		for _, l := range lines {
			var hit struct {
				ID, URL, Title, Snippet string
				Score                   float64
			}
			if err := json.Unmarshal([]byte(l), &hit); err != nil || hit.ID == "" || hit.Score <= 0 || !strings.Contains(hit.Snippet, "**") {
				t.Errorf("search %.20q: line %s (%v)", tt.query, l, err)
			}
		}
	}
}

func TestServeCommand(t *testing.T) {
	db := collectionDB(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr strings.Builder
	errw := &lockedWriter{w: &stderr}
	a := &app{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: errw,
		getenv: func(string) string { return "" }}
	go func() { done <- a.run(ctx, []string{"serve", "--db", db, "--addr", addr}) }()
	var resp *http.Response
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/cards?q=heat"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("serve never answered: %v", err)
	}
	sc := bufio.NewScanner(resp.Body)
	marks := 0
	for sc.Scan() {
		marks += strings.Count(sc.Text(), "<mark>")
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || marks == 0 || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /cards?q=heat: %s, %d marks, CSP %q", resp.Status, marks, resp.Header.Get("Content-Security-Policy"))
	}
	// A second server on the same address: one line naming it.
	_, errLine, code := runExtract(t, "", "serve", "--db", db, "--addr", addr)
	if code != exitFailure || !strings.Contains(errLine, "cannot listen on "+addr) {
		t.Errorf("second serve: exit %d, %q", code, errLine)
	}
	cancel()
	if code := <-done; code != exitOK {
		errw.mu.Lock()
		t.Errorf("serve stopped with exit %d: %s", code, stderr.String())
		errw.mu.Unlock()
	}
}

func TestExportSiteAndClosest(t *testing.T) {
	db := collectionDB(t)
	dir := filepath.Join(t.TempDir(), "site")
	if _, stderr, code := runExtract(t, "", "export", "--db", db, "--format", "site", "-o", dir); code != exitOK {
		t.Fatalf("export site: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"index.html", "feed.atom", "search.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("site has no %s: %v", f, err)
		}
	}
	md, stderr, code := runExtract(t, "", "export", "--db", db, "--format", "md", "--closest", "2", "-o", "-")
	if code != exitOK || !strings.Contains(md, "## Closest") {
		t.Errorf("export --closest: exit %d (%s):\n%s", code, stderr, md)
	}
	_, stderr, code = runExtract(t, "", "export", "--db", db, "--format", "csv", "--closest", "2", "-o", "-")
	if code != exitUsage || !strings.Contains(stderr, "--closest") {
		t.Errorf("--closest with csv: exit %d, %q", code, stderr)
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// lockedWriter serialises writes from the goroutines of a running command.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestImportCommand(t *testing.T) {
	src := collectionDB(t)
	cards := t.TempDir()
	if _, stderr, code := runExtract(t, "", "export", "--db", src, "--format", "md", "-o", cards); code != exitOK {
		t.Fatalf("export: %s", stderr)
	}
	jsonCard := `{"url": "https://b.example/post", "title": "A JSON card", "published": "2025-03-04", "keywords": ["k"]}`
	if err := os.WriteFile(filepath.Join(cards, "b.json"), []byte(jsonCard), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cards, "broken.md"), []byte("# __T__\n\nnot a link line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "imported.db")
	stdout, stderr, code := runExtract(t, "", "import", "--db", db, cards)
	if code != exitFailure || !strings.Contains(stdout, "4 cards: 4 new") ||
		!strings.Contains(stderr, "broken.md:3:") || !strings.Contains(stderr, "extract: clustered 14 rows") ||
		strings.Count(stderr, "\n") != 3 {
		t.Fatalf("first import: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	stdout, _, _ = runExtract(t, "", "import", "--db", db, cards)
	if !strings.Contains(stdout, "4 cards: 0 new, 0 new versions, 4 unchanged") {
		t.Errorf("second import changed something: %s", stdout)
	}
	listed, _, _ := runExtract(t, "", "list", "--db", db, "--json", "--host", "b.example")
	if !strings.Contains(listed, `"published":"2025-03-04T00:00:00Z"`) || !strings.Contains(listed, `"provider":"imported"`) {
		t.Errorf("imported JSON card: %s", listed)
	}
}

func TestRelatedCommand(t *testing.T) {
	db := collectionDB(t)
	stdout, stderr, code := runExtract(t, "", "related", "--db", db, "--json", articleURL)
	if code != exitOK || !strings.Contains(stderr, "offline text similarity") {
		t.Fatalf("offline related: exit %d: %s", code, stderr)
	}
	for _, l := range nonEmptyLines(stdout) {
		if strings.Contains(l, "gazette.example.com") {
			t.Errorf("related lists the card itself: %s", l)
		}
	}
	// With embeddings from a fake OpenAI-compatible server: one vector a
	// card, the closest being the card whose text shares the most words.
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.URL.Path != "/v1/embeddings" ||
			req.Model != "text-embedding-3-small" || r.Header.Get("Authorization") != "Bearer k" {
			t.Errorf("request %s %+v (%v)", r.URL.Path, req, err)
		}
		mu.Lock()
		requests++
		mu.Unlock()
		type item struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		var data []item
		for i, text := range req.Input {
			heat := float32(strings.Count(strings.ToLower(text), "heat"))
			data = append(data, item{i, []float32{1, heat, float32(len(text) % 7)}})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	}))
	defer srv.Close()
	env := map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": srv.URL + "/v1"}
	a := &app{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{},
		getenv: func(k string) string { return env[k] }}
	for run := 0; run < 2; run++ {
		out := &strings.Builder{}
		a.stdout = out
		if code := a.run(context.Background(), []string{"related", "--db", db, "--json", articleURL}); code != exitOK {
			t.Fatalf("related with embeddings: exit %d: %s", code, a.stderr)
		}
		if lines := nonEmptyLines(out.String()); len(lines) != 2 {
			t.Errorf("run %d: %d related cards, want the 2 others:\n%s", run, len(lines), out)
		}
	}
	if requests != 1 {
		t.Errorf("%d embeddings requests for two runs, want 1: each card is embedded once", requests)
	}
}

// TestRunAfterImportFetchesThePage checks that an imported card's page,
// never fetched, is fetched when run is asked for it: the store's stand-in
// document has no text to make a card from.
func TestRunAfterImportFetchesThePage(t *testing.T) {
	srv, hits := pageServer(t)
	page := srv.URL + "/article.html"
	dir := t.TempDir()
	card := `{"url": "` + page + `", "title": "Imported", "published": "2025-01-02"}`
	if err := os.WriteFile(filepath.Join(dir, "c.json"), []byte(card), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "veille.db")
	if _, stderr, code := runExtract(t, "", "import", "--db", db, dir); code != exitOK {
		t.Fatalf("import: %s", stderr)
	}
	stdout, stderr, code := runExtract(t, "", "run", "--db", db, "--provider", "offline", "--json", page)
	if code != exitOK || hits.Load() != 1 || !strings.Contains(stdout, `"version":2`) {
		t.Fatalf("run after import: exit %d, %d fetches: %s\n%s", code, hits.Load(), stderr, stdout)
	}
}

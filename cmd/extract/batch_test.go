package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

// batchSite is an httptest web site for batch tests: articles under
// /a/<n>, a 404 under /gone, a page that fails once with 503 under /flaky,
// a digest page and an RSS feed.
type batchSite struct {
	srv     *httptest.Server
	fetches atomic.Int64
	mu      sync.Mutex
	flaky   int
	fetched []time.Time // when each article was fetched
}

// articleHTML is a small news page whose text extraction finds n in it.
func articleHTML(n string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html><html lang=\"en\"><head><title>Cargo bikes %s</title></head><body><article><h1>Cargo bikes in city %s</h1>", n, n)
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d of article %s: councils are piloting shared electric cargo bikes to replace delivery vans in dense districts, and riders share narrow streets with cars while shops report fewer emissions.</p>", i, n)
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

func newBatchSite(t testing.TB) *batchSite {
	t.Helper()
	s := &batchSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("/a/{n}", func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		s.fetched = append(s.fetched, time.Now())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articleHTML(r.PathValue("n")))
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		http.NotFound(w, r)
	})
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		s.flaky++
		first := s.flaky == 1
		s.mu.Unlock()
		if first {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articleHTML("flaky"))
	})
	mux.HandleFunc("/digest/issue-12", func(w http.ResponseWriter, r *http.Request) {
		// The digest links to the site under another host name: links back
		// to the digest's own host are not its content.
		other := strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Issue 12</title></head><body><nav><a href="%s/about">About</a></nav>
			<article class="post-content"><p>This week: <a href="%s/a/d1">cargo bikes</a> and
			<a href="%s/a/d2">more cargo bikes</a>.</p></article></body></html>`, s.srv.URL, other, other)
	})
	mux.HandleFunc("/digest/issue-13", func(w http.ResponseWriter, r *http.Request) {
		other := strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Issue 13</title></head><body><article class="post-content">
			<p>Back on <a href="%s/a/d1">cargo bikes</a>.</p></article></body></html>`, other)
	})
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
			<item><link>%s/a/feed-1</link></item><item><link>%s/a/feed-2</link></item></channel></rss>`, s.srv.URL, s.srv.URL)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// fakeOpenAI is an OpenAI-compatible chat server answering every request
// with testdata/batch/answer.json after delay. It counts the requests, the
// requests in flight, the answers it wrote in full, the open connections,
// and the requests made for each article of a batchSite (by the article
// number in the page text).
type fakeOpenAI struct {
	srv      *httptest.Server
	requests atomic.Int64
	inFlight atomic.Int64
	answered atomic.Int64
	conns    atomic.Int64

	mu         sync.Mutex
	perArticle map[string]int
}

// articleInPrompt finds the article number in a request for an articleHTML
// page.
var articleInPrompt = regexp.MustCompile(`of article ([^:\\"]+):`)

func newFakeOpenAI(t testing.TB, delay time.Duration) *fakeOpenAI {
	t.Helper()
	answer, err := os.ReadFile(filepath.Join("testdata", "batch", "answer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Validate(answer); err != nil {
		t.Fatalf("testdata answer is invalid: %v", err)
	}
	resp, err := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": string(answer)}}},
		"usage": map[string]any{"prompt_tokens": 1000, "completion_tokens": 400, "total_tokens": 1400},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOpenAI{perArticle: map[string]int{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
			// A chat-only server: the embeddings requests of the
			// clustering after a batch fail (a warning), and are not
			// counted with the chat requests.
			http.NotFound(w, r)
			return
		}
		f.requests.Add(1)
		f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		body, _ := io.ReadAll(r.Body)
		if m := articleInPrompt.FindSubmatch(body); m != nil {
			f.mu.Lock()
			f.perArticle[string(m[1])]++
			f.mu.Unlock()
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if _, err := w.Write(append(resp, '\n')); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		f.answered.Add(1)
	}))
	f.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			f.conns.Add(1)
		case http.StateClosed, http.StateHijacked:
			f.conns.Add(-1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// requestsPerArticle returns how many requests were made for each article.
func (f *fakeOpenAI) requestsPerArticle() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.perArticle)
}

// env is the environment that points the openai provider at f.
func (f *fakeOpenAI) env() map[string]string {
	return map[string]string{"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": f.srv.URL + "/v1"}
}

// runBatchCmd runs extract in-process with env as its environment.
func runBatchCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return env[k] }}
	code = a.run(context.Background(), args)
	return out.String(), errOut.String(), code
}

// writeList writes a URL list file and returns its path.
func writeList(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reading-list.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// storedCards returns the latest card of every document.
func storedCards(t testing.TB, db string) []schema.StoredCard {
	t.Helper()
	cards, err := openBatchStore(t, db).LatestCards(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return cards
}

// articleURLs returns the site's first n article URLs.
func (s *batchSite) articleURLs(n int) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("%s/a/%d", s.srv.URL, i)
	}
	return urls
}

// openBatchStore opens the store at db for the rest of the test.
func openBatchStore(t testing.TB, db string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestBatchEndToEnd(t *testing.T) {
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0)
	db := filepath.Join(t.TempDir(), "veille.db")
	list := writeList(t,
		"# reading list",
		site.srv.URL+"/a/1",
		site.srv.URL+"/a/1?utm_source=newsletter # duplicate once canonical",
		site.srv.URL+"/a/2",
		site.srv.URL+"/gone",
		site.srv.URL+"/flaky",
	)
	args := []string{"batch", "--db", db, "--provider", "openai", "--host-rps", "0", "--retry-base", "10ms",
		"--strict", "--feed", site.srv.URL + "/feed.xml", "--digest", site.srv.URL + "/digest/issue-12", list}
	stdout, stderr, code := runBatchCmd(t, model.env(), args...)
	if code != exitFailure {
		t.Fatalf("--strict with a 404: exit %d, want %d\nstdout %s\nstderr %s", code, exitFailure, stdout, stderr)
	}
	for _, want := range []string{"queued 8, done 7, skipped 0, failed 1", "failed: http 404 ×1",
		"feeds: 2 items, 2 new, 0 seen in earlier batches", "rows", "quote their page"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary %q lacks %q", stdout, want)
		}
	}
	cards := storedCards(t, db)
	if len(cards) != 7 {
		t.Fatalf("%d cards stored, want 7", len(cards))
	}
	origins := 0
	for _, c := range cards {
		if strings.Contains(c.URL, "/a/d") {
			origins++
			if !strings.Contains(c.Markdown, "(from page [issue-12]("+site.srv.URL+"/digest/issue-12).)") {
				t.Errorf("card of %s lacks its digest origin: %.200s", c.URL, c.Markdown)
			}
		}
	}
	if origins != 2 {
		t.Errorf("%d cards from the digest, want 2", origins)
	}

	// The same command again: nothing to fetch, nothing to ask the model.
	fetches, requests := site.fetches.Load(), model.requests.Load()
	stdout, stderr, code = runBatchCmd(t, model.env(), args...)
	if code != exitOK {
		t.Fatalf("second run: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	// Skipped: the list's 4 documents (the 404 failed for good) and the
	// digest's 2; the feed has no new item.
	if !strings.Contains(stdout, "queued 0, done 0, skipped 6, failed 0") ||
		!strings.Contains(stdout, "feeds: 2 items, 0 new, 2 seen in earlier batches") {
		t.Errorf("second summary = %q", stdout)
	}
	if site.fetches.Load() != fetches || model.requests.Load() != requests {
		t.Errorf("second run fetched %d pages and sent %d model requests, want none",
			site.fetches.Load()-fetches, model.requests.Load()-requests)
	}

	stdout, _, code = runBatchCmd(t, nil, "batch", "--db", db, "--status")
	if code != exitOK || !strings.Contains(stdout, "queue: 0 pending") || strings.Count(stdout, "\nrun ") != 2 {
		t.Errorf("--status: exit %d, output:\n%s", code, stdout)
	}
}

func TestBatchRecordsAttemptsWithCause(t *testing.T) {
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0)
	db := filepath.Join(t.TempDir(), "veille.db")
	list := writeList(t, site.srv.URL+"/gone", site.srv.URL+"/flaky")
	_, stderr, code := runBatchCmd(t, model.env(), "batch", "--db", db, "--provider", "openai", "--host-rps", "0",
		"--retry-base", "10ms", list)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	attempts, err := openBatchStore(t, db).RunAttempts(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, a := range attempts {
		path := strings.TrimPrefix(a.URL, site.srv.URL)
		got[path] = append(got[path], a.Outcome+"/"+a.Cause)
	}
	want := map[string][]string{
		"/gone":  {"failed/http 404"},
		"/flaky": {"retry/http 503", "done/"},
	}
	for path, w := range want {
		if strings.Join(got[path], ",") != strings.Join(w, ",") {
			t.Errorf("%s attempts = %v, want %v", path, got[path], w)
		}
	}
}

func TestBatchMaxDocsLeavesJobsQueued(t *testing.T) {
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0)
	db := filepath.Join(t.TempDir(), "veille.db")
	list := writeList(t, site.articleURLs(5)...)
	base := []string{"batch", "--db", db, "--provider", "openai", "--host-rps", "0", "--concurrency", "1"}
	stdout, stderr, code := runBatchCmd(t, model.env(), append(base, "--max-docs", "2", list)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "stopped (--max-docs 2 reached)") || !strings.Contains(stdout, "left in queue 3") {
		t.Errorf("summary = %q", stdout)
	}
	if n := len(storedCards(t, db)); n != 2 {
		t.Errorf("%d cards after --max-docs 2", n)
	}
	// Next night, no input: the queued jobs are worked. Logs are JSON.
	stdout, stderr, code = runBatchCmd(t, model.env(), append(base, "--log-format", "json", "--progress-every", "10ms")...)
	if code != exitOK || !strings.Contains(stdout, "done 3") {
		t.Errorf("resume: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["msg"] == nil {
			t.Errorf("--log-format json wrote %q", line)
		}
	}
	if !strings.Contains(stderr, `"msg":"batch summary"`) {
		t.Errorf("no summary log record in %s", stderr)
	}
	if n := len(storedCards(t, db)); n != 5 {
		t.Errorf("%d cards after resuming, want 5", n)
	}
}

func TestBatchUsageAndInputErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "veille.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"bad concurrency", []string{"--concurrency", "0"}, exitUsage, "--concurrency"},
		{"bad log format", []string{"--log-format", "xml"}, exitUsage, "--log-format"},
		{"status with inputs", []string{"--status", "list.txt"}, exitUsage, "no inputs"},
		{"missing list", []string{"--provider", "offline", "does-not-exist.txt"}, exitFailure, "input does-not-exist.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runBatchCmd(t, nil, append([]string{"batch", "--db", db}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
	// A line that holds no URL: refused with --strict, skipped with a
	// warning naming the file and the line otherwise. The good line is a
	// page of a local server.
	srv, _ := pageServer(t)
	bad := writeList(t, srv.URL+"/article.html", "not a url")
	_, stderr, code := runBatchCmd(t, nil, "batch", "--db", db, "--provider", "offline", "--strict", bad)
	if code != exitFailure || !strings.Contains(stderr, "line 2: not an http(s) URL") {
		t.Errorf("bad list with --strict: exit %d, stderr %q", code, stderr)
	}
	stdout, stderr, code := runBatchCmd(t, nil, "batch", "--db", db, "--provider", "offline", bad)
	if code != exitOK || !strings.Contains(stderr, "skipped a line that holds no URL") ||
		!strings.Contains(stderr, "line=2") || !strings.Contains(stderr, bad) || !strings.Contains(stdout, "done 1") {
		t.Errorf("bad list: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

// TestBatchRemakesOfflineCards checks that the cards a night without a
// model made are made again once a model is at hand, unless --keep-offline.
func TestBatchRemakesOfflineCards(t *testing.T) {
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0)
	db := filepath.Join(t.TempDir(), "veille.db")
	list := writeList(t, site.srv.URL+"/a/1", site.srv.URL+"/a/2")
	run := func(env map[string]string, extra ...string) string {
		t.Helper()
		args := append([]string{"batch", "--db", db, "--host-rps", "0"}, extra...)
		stdout, stderr, code := runBatchCmd(t, env, append(args, list)...)
		if code != exitOK {
			t.Fatalf("batch %v: exit %d\n%s", extra, code, stderr)
		}
		return stdout
	}
	run(nil, "--provider", "offline")
	if out := run(nil, "--provider", "offline"); !strings.Contains(out, "done 0, skipped 2") {
		t.Errorf("offline again: %s; want the offline cards kept", out)
	}
	if out := run(model.env(), "--provider", "openai", "--keep-offline"); !strings.Contains(out, "done 0, skipped 2") {
		t.Errorf("--keep-offline: %s; want the offline cards kept", out)
	}
	if out := run(model.env(), "--provider", "openai"); !strings.Contains(out, "done 2, skipped 0") ||
		!strings.Contains(out, "done: 0 new cards, 2 remade over offline-baseline cards") {
		t.Errorf("with a model: %s; want both cards made again, and said so", out)
	}
	for _, c := range storedCards(t, db) {
		if c.Provider != "openai" || c.Version != 2 {
			t.Errorf("card of %s: provider %s, version %d; want openai's second version", c.URL, c.Provider, c.Version)
		}
	}
	if out := run(model.env(), "--provider", "openai"); !strings.Contains(out, "done 0, skipped 2") {
		t.Errorf("model cards again: %s; want them kept", out)
	}
}

// TestBatchSummaryOnce checks that with text logs the summary is printed
// once, on stdout, not again as a log line.
func TestBatchSummaryOnce(t *testing.T) {
	site := newBatchSite(t)
	db := filepath.Join(t.TempDir(), "veille.db")
	stdout, stderr, code := runBatchCmd(t, nil, "batch", "--db", db, "--provider", "offline", "--host-rps", "0",
		writeList(t, site.srv.URL+"/a/1"))
	if code != exitOK || !strings.Contains(stdout, "done 1") || strings.Contains(stderr, "batch summary") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

// TestBatchSummaryListsFailures checks that the summary says with which
// model and where, splits what was skipped, names the failed URLs, and
// that --status --failed lists them all.
func TestBatchSummaryListsFailures(t *testing.T) {
	site := newBatchSite(t)
	db := filepath.Join(t.TempDir(), "veille.db")
	list := writeList(t, site.srv.URL+"/a/1", site.srv.URL+"/gone")
	stdout, stderr, code := runBatchCmd(t, nil, "batch", "--db", db, "--provider", "offline", "--host-rps", "0", list)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"cards made with offline baseline, kept in " + db, site.srv.URL + "/gone: http 404"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, _ = runBatchCmd(t, nil, "batch", "--db", db, "--status", "--failed")
	if !strings.Contains(stdout, "run 1: 1 failed") || !strings.Contains(stdout, site.srv.URL+"/gone: http 404 (") {
		t.Errorf("--status --failed:\n%s", stdout)
	}
	stdout, _, _ = runBatchCmd(t, nil, "batch", "--db", db, "--provider", "offline", "--host-rps", "0", list)
	if !strings.Contains(stdout, "skipped: 1 already carded, 1 failed before, 0 carded while queued") {
		t.Errorf("second run's summary does not split what it skipped:\n%s", stdout)
	}
	stdout, _, code = runBatchCmd(t, nil, "batch", "--db", db, "--status", "--failed")
	if code != exitOK || !strings.Contains(stdout, "run 2: 0 failed") {
		t.Errorf("--status --failed after a run without failure: exit %d\n%s", code, stdout)
	}
	_, stderr, code = runBatchCmd(t, nil, "batch", "--db", db, "--failed")
	if code != exitUsage || !strings.Contains(stderr, "--failed goes with --status") {
		t.Errorf("--failed alone: exit %d, %q", code, stderr)
	}
}

// TestBatchRecordsWhereDocumentsWereFound checks that a document keeps
// every list, digest and feed that brought it, with their tags — a second
// digest linking a carded article included — and that show --json says so.
func TestBatchRecordsWhereDocumentsWereFound(t *testing.T) {
	site := newBatchSite(t)
	db := filepath.Join(t.TempDir(), "veille.db")
	pocket := filepath.Join(t.TempDir(), "pocket.csv")
	csv := "title,url,time_added,tags,status\nBikes," + site.srv.URL + "/a/p1,1700000000,mobility|city,unread\n"
	if err := os.WriteFile(pocket, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	batch := func(inputs ...string) {
		t.Helper()
		args := append([]string{"batch", "--db", db, "--provider", "offline", "--host-rps", "0"}, inputs...)
		if _, stderr, code := runBatchCmd(t, nil, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", inputs, code, stderr)
		}
	}
	batch("--digest", site.srv.URL+"/digest/issue-12", "--feed", site.srv.URL+"/feed.xml", pocket)
	batch("--digest", site.srv.URL+"/digest/issue-13") // d1 has a card already

	foundIn := func(url string) []schema.Mention {
		t.Helper()
		stdout, stderr, code := runBatchCmd(t, nil, "show", "--db", db, "--json", url)
		if code != exitOK {
			t.Fatalf("show %s: exit %d\n%s", url, code, stderr)
		}
		var out struct {
			FoundIn []schema.Mention `json:"found_in"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("show --json: %v\n%s", err, stdout)
		}
		return out.FoundIn
	}
	other := strings.Replace(site.srv.URL, "127.0.0.1", "localhost", 1)
	var sources []string
	for _, m := range foundIn(other + "/a/d1") {
		sources = append(sources, m.Kind+" "+strings.TrimPrefix(m.Source, site.srv.URL)+" "+m.Label)
	}
	if want := []string{"digest /digest/issue-12 issue-12", "digest /digest/issue-13 issue-13"}; !slices.Equal(sources, want) {
		t.Errorf("d1 found in %q, want %q", sources, want)
	}
	if ms := foundIn(site.srv.URL + "/a/p1"); len(ms) != 1 || ms[0].Kind != schema.MentionList ||
		ms[0].Source != pocket || !slices.Equal(ms[0].Tags, []string{"mobility", "city"}) {
		t.Errorf("p1 found in %+v, want the Pocket file with its tags", ms)
	}
	if ms := foundIn(site.srv.URL + "/a/feed-1"); len(ms) != 1 || ms[0].Kind != schema.MentionFeed {
		t.Errorf("feed-1 found in %+v, want the feed", ms)
	}
}

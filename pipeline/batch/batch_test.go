package batch

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/extract"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

func TestClassifyJobError(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		cause     string
		permanent bool
	}{
		{"404", &fetch.Error{URL: "u", Status: 404, Err: errors.New("HTTP 404")}, "http 404", true},
		{"410 wrapped", fmt.Errorf("load: %w", &fetch.Error{URL: "u", Status: 410, Err: errors.New("gone")}), "http 410", true},
		{"503", &fetch.Error{URL: "u", Status: 503, Err: errors.New("HTTP 503")}, "http 503", false},
		{"429", &fetch.Error{URL: "u", Status: 429, Err: errors.New("HTTP 429")}, "http 429", false},
		{"timeout", &fetch.Error{URL: "u", Err: context.DeadlineExceeded}, "network", false},
		{"unsupported", &fetch.UnsupportedTypeError{ContentType: "image/png", URL: "u"}, "unsupported type", true},
		{"private address", &fetch.Error{URL: "u", Err: fmt.Errorf("rebind.example resolves to 127.0.0.1: %w", fetch.ErrPrivateAddress)}, "private address", true},
		{"refusal", &llm.CallError{Err: fmt.Errorf("card: %w", llm.ErrRefused)}, "refusal", true},
		{"ungrounded", fmt.Errorf("card of u: %w", &ground.UngroundedError{Tally: ground.Tally{Rows: 4, Grounded: 1}, Min: 0.5}), "ungrounded", true},
		{"no text", fmt.Errorf("extract u: %w", extract.ErrEmpty), "no text", true},
		{"binary", fmt.Errorf("fetch: %w", fetch.ErrBinaryBody), "unreadable page", true},
		{"model 5xx", &llm.CallError{Err: &llm.StatusError{Status: 502, Err: errors.New("bad gateway")}}, "model unavailable", false},
		{"model network", &llm.CallError{Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}, "model unavailable", false},
		{"unknown", errors.New("something odd"), "error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cause, permanent := classifyJobError(tt.err)
			if cause != tt.cause || permanent != tt.permanent {
				t.Errorf("classifyJobError = %q, %v; want %q, %v", cause, permanent, tt.cause, tt.permanent)
			}
		})
	}
}

func TestHostLimiterPacesEachHost(t *testing.T) {
	h := NewHostLimiter(1000, nil) // one request a millisecond per host
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < 20; i++ {
		if err := h.Wait(ctx, "https://a.example/x"); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Errorf("20 requests to one host in %v: not paced", d)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	if err := NewHostLimiter(0, nil).Wait(ctx, "https://b.example/"); err != nil {
		t.Errorf("rps 0 must not limit: %v", err)
	}
}

func TestFilterJobsDedupesByCanonicalURL(t *testing.T) {
	st := openStore(t)
	b := &Batch{Store: st}
	origin := &schema.Link{Label: "issue-3", URL: "https://news.example/p/issue-3"}
	found := []Job{
		{URL: "https://a.example/x?utm_source=mail"},
		{URL: "HTTPS://A.example:443/x#top", Origin: origin}, // same page, with an origin
		{URL: "https://a.example/y"},
	}
	jobs, carded, failedBefore, err := b.filterJobs(context.Background(), found)
	if err != nil {
		t.Fatal(err)
	}
	if carded != 0 || failedBefore != 0 || len(jobs) != 2 {
		t.Fatalf("filterJobs = %+v, %d carded, %d failed before; want 2 jobs", jobs, carded, failedBefore)
	}
	if jobs[0].Canonical != "https://a.example/x" || jobs[0].URL != found[0].URL || jobs[0].Origin != origin {
		t.Errorf("first job = %+v; want the first URL, canonical, with the later mention's origin", jobs[0])
	}
}

// enqueueFailingQueue is a queue whose EnqueueTx fails; the rest of the
// batch's queue is never reached.
type enqueueFailingQueue struct{ Queue }

func (enqueueFailingQueue) Migrate(context.Context) error { return nil }

func (enqueueFailingQueue) Shared() bool { return false }

func (enqueueFailingQueue) RescueOrphans(context.Context) ([]QueuedJob, error) { return nil, nil }

func (enqueueFailingQueue) EnqueueTx(context.Context, *sql.Tx, []Job) (int, error) {
	return 0, errors.New("disk full")
}

// TestBatchThatCannotQueueRecordsNothing checks that a batch whose jobs
// cannot be queued leaves no trace: no run listed as running, no feed item
// marked seen (the run, the jobs and the feed marks are one transaction).
func TestBatchThatCannotQueueRecordsNothing(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>https://a.example/item</link></item></channel></rss>`)
	}))
	defer srv.Close()
	b := &Batch{Store: st, Queue: enqueueFailingQueue{},
		Make: func(context.Context, Job) (Made, error) { return Made{}, nil }}
	in := Inputs{Lists: []string{"https://a.example/x"}, Feeds: []string{srv.URL + "/feed.xml"}}
	if _, err := b.Run(ctx, in); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Run: err = %v, want the queue's error", err)
	}
	runs, err := st.BatchRuns(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Errorf("%d runs recorded, want none: %+v", len(runs), runs)
	}
	unseen, err := st.UnseenFeedItems(ctx, srv.URL+"/feed.xml", []string{"https://a.example/item"})
	if err != nil {
		t.Fatal(err)
	}
	if len(unseen) != 1 {
		t.Errorf("the feed item was marked seen although nothing was queued")
	}
}

// openStore opens a store in a temporary directory.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestCollectSkipsFeedItemsWithoutHost checks that a feed item whose link
// has a port but no host ("http://:80/x") is left out like any other
// unusable link, instead of failing the whole batch when it is
// canonicalised.
func TestCollectSkipsFeedItemsWithoutHost(t *testing.T) {
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>bad</title><link>http://:80/x</link></item>
<item><title>good</title><link>https://a.example/good</link></item>
</channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, feed)
	}))
	defer srv.Close()
	st := openStore(t)
	b := &Batch{Store: st}
	found, err := b.collect(context.Background(), Inputs{Feeds: []string{srv.URL + "/feed.xml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Jobs) != 1 || found.Jobs[0].Canonical != "https://a.example/good" {
		t.Errorf("jobs = %+v, want only the item with a host", found.Jobs)
	}
}

// TestFeedsAreCapped checks that a feed is read within the fetcher's size
// cap and that a batch takes at most MaxFeedItems of its items.
func TestFeedsAreCapped(t *testing.T) {
	var items strings.Builder
	for i := range 50 {
		fmt.Fprintf(&items, "<item><title>%d</title><link>https://a.example/%d</link></item>", i, i)
	}
	rss := `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>` + items.String() + `</channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rss)
	}))
	defer srv.Close()
	b := &Batch{Store: openStore(t), Config: Config{MaxFeedItems: 20}}
	found, err := b.collect(context.Background(), Inputs{Feeds: []string{srv.URL + "/feed.xml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Jobs) != 20 || found.Jobs[0].URL != "https://a.example/0" {
		t.Errorf("%d jobs from a 50-item feed capped at 20 (first %+v)", len(found.Jobs), found.Jobs[0])
	}
	small := &Batch{Store: openStore(t), Fetcher: fetch.New(fetch.Config{MaxBodyBytes: 1000})}
	if _, err := small.collect(context.Background(), Inputs{Feeds: []string{srv.URL + "/feed.xml"}}); err == nil ||
		!errors.Is(err, fetch.ErrBodyTooLarge) {
		t.Errorf("a feed over the size cap: err = %v, want ErrBodyTooLarge", err)
	}
}

// TestEmptyDigestAndFeedAreWarned checks that a digest without outbound
// links and a feed without items are named in a warning, with why.
func TestEmptyDigestAndFeedAreWarned(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>`)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<html><body><article><p>Only <a href="/about">our own page</a>.</p></article></body></html>`)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	b := &Batch{Store: openStore(t), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	found, err := b.collect(context.Background(), Inputs{Digests: []string{srv.URL + "/issue-1"}, Feeds: []string{srv.URL + "/feed.xml"}})
	if err != nil || len(found.Jobs) != 0 {
		t.Fatalf("collect = %+v, %v", found, err)
	}
	for _, want := range []string{"digest has no outbound link", "its own site (whatever the port)", srv.URL + "/issue-1",
		"feed has no item", srv.URL + "/feed.xml"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}
}

func TestIsPrivateURL(t *testing.T) {
	tests := map[string]bool{
		"http://localhost:8080/x":       true,
		"http://app.localhost/":         true,
		"http://127.0.0.1/":             true,
		"http://10.1.2.3/":              true,
		"http://192.168.0.10/":          true,
		"http://172.16.5.4/":            true,
		"http://169.254.169.254/latest": true,
		"http://[::1]:9000/":            true,
		"http://[fe80::1]/":             true,
		"http://[::ffff:10.0.0.1]/":     true,
		"http://0.0.0.0/":               true,
		"https://news.example/a":        false,
		"https://8.8.8.8/":              false,
		"https://172.32.0.1/":           false,
		"not a url %zz":                 false,
	}
	for u, want := range tests {
		if got := isPrivateURL(u); got != want {
			t.Errorf("isPrivateURL(%q) = %v, want %v", u, got, want)
		}
	}
}

// TestRemoteDigestCannotPointAtThePrivateNetwork checks that the links a
// public digest gives to private addresses are left out with a warning,
// unless AllowPrivateHosts, and that a digest on a private host (the
// user's own) keeps them.
func TestRemoteDigestCannotPointAtThePrivateNetwork(t *testing.T) {
	links := []string{"https://news.example/a", "http://169.254.169.254/latest/meta-data", "http://localhost:8080/admin"}
	var logs bytes.Buffer
	b := &Batch{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	id := func(u string) string { return u }
	if got := publicLinks(b, "https://digest.example/issue-1", slices.Clone(links), id); !slices.Equal(got, links[:1]) {
		t.Errorf("public digest: kept %q, want the public link only", got)
	}
	if !strings.Contains(logs.String(), "169.254.169.254") || !strings.Contains(logs.String(), "--allow-private-hosts") {
		t.Errorf("no warning naming the link and the flag:\n%s", logs.String())
	}
	if got := publicLinks(b, "http://127.0.0.1:8000/digest", slices.Clone(links), id); len(got) != 3 {
		t.Errorf("the user's own digest on a private host: kept %q, want all", got)
	}
	b.Config.AllowPrivateHosts = true
	if got := publicLinks(b, "https://digest.example/issue-1", slices.Clone(links), id); len(got) != 3 {
		t.Errorf("AllowPrivateHosts: kept %q, want all", got)
	}
}

// TestLinksOfRemoteSourcesArePublicOnly: jobs from a remote digest or feed
// are fetched public-only, unless the user also listed the URL.
func TestLinksOfRemoteSourcesArePublicOnly(t *testing.T) {
	b := &Batch{Config: Config{Refresh: true}}
	var found []Job
	found = appendJobs(found, []string{"https://news.example/a", "https://news.example/b"}, nil, true)
	found = appendJobs(found, []string{"https://news.example/b", "https://news.example/c"}, nil, false)
	jobs, _, _, err := b.filterJobs(t.Context(), found)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"https://news.example/a": true, "https://news.example/b": false, "https://news.example/c": false}
	for _, j := range jobs {
		if j.PublicOnly != want[j.Canonical] {
			t.Errorf("%s: PublicOnly = %v, want %v", j.Canonical, j.PublicOnly, want[j.Canonical])
		}
	}
	if len(jobs) != 3 {
		t.Errorf("%d jobs, want 3", len(jobs))
	}
}

package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
)

func TestClassifyJobError(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		cause     string
		permanent bool
	}{
		{"404", &FetchError{URL: "u", Status: 404, Err: errors.New("HTTP 404")}, "http 404", true},
		{"410 wrapped", fmt.Errorf("load: %w", &FetchError{URL: "u", Status: 410, Err: errors.New("gone")}), "http 410", true},
		{"503", &FetchError{URL: "u", Status: 503, Err: errors.New("HTTP 503")}, "http 503", false},
		{"429", &FetchError{URL: "u", Status: 429, Err: errors.New("HTTP 429")}, "http 429", false},
		{"timeout", &FetchError{URL: "u", Err: context.DeadlineExceeded}, "network", false},
		{"unsupported", &UnsupportedContentTypeError{ContentType: "image/png", URL: "u"}, "unsupported type", true},
		{"refusal", &CallError{Err: fmt.Errorf("card: %w", ErrRefused)}, "refusal", true},
		{"no text", fmt.Errorf("extract u: %w", ErrEmptyExtraction), "no text", true},
		{"binary", fmt.Errorf("fetch: %w", ErrBinaryBody), "unreadable page", true},
		{"model 5xx", &CallError{Err: &statusError{status: 502, err: errors.New("bad gateway")}}, "model unavailable", false},
		{"model network", &CallError{Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}, "model unavailable", false},
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

func TestBackoffPolicyDoublesUpToMax(t *testing.T) {
	p := backoffPolicy{base: time.Second, max: 10 * time.Second}
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		4: 8 * time.Second, 5: 10 * time.Second, 9: 10 * time.Second} {
		got := p.delay(attempt)
		if got < want || got > want+want/5 {
			t.Errorf("delay(%d) = %v, want %v plus at most 20%%", attempt, got, want)
		}
	}
}

// usageModel answers every call with a fixed token usage.
type usageModel struct{ in, out int }

func (usageModel) Provider() string { return "test" }
func (usageModel) Model() string    { return "usage" }
func (m usageModel) Card(ctx context.Context, in Input) (Result, error) {
	return Result{Provenance: Provenance{InputTokens: m.in, OutputTokens: m.out}}, nil
}

func TestLimitedModelChargesTokensUsed(t *testing.T) {
	m := NewLimitedModel(usageModel{in: 2000, out: 500}, ModelLimits{RPM: 60, TPM: 10000})
	if _, err := m.Card(context.Background(), Input{Text: "short"}); err != nil {
		t.Fatal(err)
	}
	// The bucket paid the 2,500 tokens used, not just the estimate.
	if left := m.tokens.Tokens(); left > 7501 || left < 7400 {
		t.Errorf("tokens left = %.0f, want about 7500", left)
	}
	if left := m.requests.Tokens(); left > 59.1 || left < 58.9 {
		t.Errorf("requests left = %.1f, want 59", left)
	}
	if m.Provider() != "test" || m.Model() != "usage" {
		t.Errorf("wrapper names %s/%s", m.Provider(), m.Model())
	}
}

func TestLimitedModelWaitsForTheBucket(t *testing.T) {
	m := NewLimitedModel(usageModel{}, ModelLimits{RPM: 1}) // one request a minute
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := m.Card(ctx, Input{}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Card(ctx, Input{}); err == nil {
		t.Error("second request within the minute was not held back")
	}
}

func TestLimitedModelSlots(t *testing.T) {
	m := NewLimitedModel(usageModel{}, ModelLimits{Concurrent: 1})
	m.slots <- struct{}{} // the only slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := m.Card(ctx, Input{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Card without a free slot = %v, want a deadline error", err)
	}
	<-m.slots
	if _, err := m.Card(context.Background(), Input{}); err != nil || len(m.slots) != 0 {
		t.Errorf("Card with a free slot = %v, slots in use %d", err, len(m.slots))
	}
}

func TestHostLimiterPacesEachHost(t *testing.T) {
	h := NewHostLimiter(1000) // one request a millisecond per host
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
	if err := NewHostLimiter(0).Wait(ctx, "https://b.example/"); err != nil {
		t.Errorf("rps 0 must not limit: %v", err)
	}
}

func TestFilterJobsDedupesByCanonicalURL(t *testing.T) {
	st, _ := newTestQueue(t)
	b := &Batch{Store: st}
	origin := &schema.Link{Label: "issue-3", URL: "https://news.example/p/issue-3"}
	found := []DocumentJob{
		{URL: "https://a.example/x?utm_source=mail"},
		{URL: "HTTPS://A.example:443/x#top", Origin: origin}, // same page, with an origin
		{URL: "https://a.example/y"},
	}
	jobs, skipped, err := b.filterJobs(context.Background(), found)
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 0 || len(jobs) != 2 {
		t.Fatalf("filterJobs = %+v, skipped %d; want 2 jobs", jobs, skipped)
	}
	if jobs[0].Canonical != "https://a.example/x" || jobs[0].URL != found[0].URL || jobs[0].Origin != origin {
		t.Errorf("first job = %+v; want the first URL, canonical, with the later mention's origin", jobs[0])
	}
}

// enqueueFailingQueue is a queue whose Enqueue fails.
type enqueueFailingQueue struct{ Queue }

func (enqueueFailingQueue) Enqueue(context.Context, []DocumentJob) (int, error) {
	return 0, errors.New("disk full")
}

// TestBatchRunThatCannotQueueIsNotLeftRunning checks that a run recorded
// before its inputs failed to queue is closed as stopped, with the cause,
// rather than listed as running until the next batch calls it a crash.
func TestBatchRunThatCannotQueueIsNotLeftRunning(t *testing.T) {
	ctx := context.Background()
	st, q := newTestQueue(t)
	b := &Batch{Store: st, Queue: enqueueFailingQueue{q},
		Make: func(context.Context, DocumentJob) (Provenance, error) { return Provenance{}, nil }}
	if _, err := b.Run(ctx, BatchInputs{Lists: []string{"https://a.example/x"}}); err == nil {
		t.Fatal("Run succeeded, want the queue's error")
	}
	runs, err := st.BatchRuns(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d runs recorded, want 1", len(runs))
	}
	if r := runs[0]; r.Status != store.BatchStopped || !strings.Contains(r.StopReason, "disk full") || r.FinishedAt.IsZero() {
		t.Errorf("run = status %q, reason %q, finished %v; want stopped by the queue's error", r.Status, r.StopReason, r.FinishedAt)
	}
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
	st, _ := newTestQueue(t)
	b := &Batch{Store: st, HTTPClient: srv.Client()}
	found, err := b.collect(context.Background(), BatchInputs{Feeds: []string{srv.URL + "/feed.xml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Jobs) != 1 || found.Jobs[0].Canonical != "https://a.example/good" {
		t.Errorf("jobs = %+v, want only the item with a host", found.Jobs)
	}
}

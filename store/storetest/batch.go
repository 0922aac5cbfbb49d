package storetest

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

var batchTests = []test{
	{"PrepareBatchRun", testPrepareBatchRun},
	{"PrepareBatchRunRollsBack", testPrepareBatchRunRollsBack},
	{"FinishBatchRun", testFinishBatchRun},
	{"BatchRunsNewestFirst", testBatchRunsNewestFirst},
	{"JobAttempts", testJobAttempts},
	{"FinishJobAttemptNotFound", testFinishJobAttemptNotFound},
	{"InterruptBatchRuns", testInterruptBatchRuns},
	{"PermanentFailure", testPermanentFailure},
	{"FeedItemsSeenOnce", testFeedItemsSeenOnce},
	{"Mentions", testMentions},
}

// batchStart is when the tests' batch runs start.
var batchStart = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

// enqueueing returns an enqueue function for PrepareBatchRun that reports n
// jobs and records the run ID it was given in *runID.
func enqueueing(n int, runID *int64) func(context.Context, *sql.Tx, int64) (int, error) {
	return func(_ context.Context, tx *sql.Tx, id int64) (int, error) {
		if tx == nil {
			return 0, errors.New("enqueue called without a transaction")
		}
		*runID = id
		return n, nil
	}
}

// startRun records a running batch run that queued no jobs.
func startRun(t *testing.T, s Backend, inputs ...string) int64 {
	t.Helper()
	var seen int64
	id, _, err := s.PrepareBatchRun(t.Context(), inputs, batchStart, nil, enqueueing(0, &seen))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func testPrepareBatchRun(t *testing.T, s Backend) {
	ctx := t.Context()
	feed := "https://example.org/feed.xml"
	items := map[string][]string{feed: {"https://example.org/1", "https://example.org/2"}}
	var seen int64
	id, queued, err := s.PrepareBatchRun(ctx, []string{"list.txt", "--feed " + feed}, batchStart, items, enqueueing(3, &seen))
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 || seen != id || queued != 3 {
		t.Errorf("PrepareBatchRun = run %d, %d queued; enqueue saw run %d; want the same run, 3 queued", id, queued, seen)
	}
	runs, err := s.BatchRuns(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := schema.BatchRun{ID: id, StartedAt: batchStart, Status: schema.BatchRunning,
		Inputs: []string{"list.txt", "--feed " + feed}, Queued: 3, FailedByCause: map[string]int{}}
	if len(runs) != 1 || !reflect.DeepEqual(runs[0], want) {
		t.Errorf("BatchRuns = %+v\nwant [%+v]", runs, want)
	}
	if fresh, err := s.UnseenFeedItems(ctx, feed, items[feed]); err != nil || len(fresh) != 0 {
		t.Errorf("UnseenFeedItems after PrepareBatchRun = %v, %v; want none", fresh, err)
	}
}

func testPrepareBatchRunRollsBack(t *testing.T, s Backend) {
	ctx := t.Context()
	feed := "https://example.org/feed.xml"
	items := map[string][]string{feed: {"https://example.org/1"}}
	queueErr := errors.New("queue is full")
	var seen int64
	fail := func(ctx context.Context, tx *sql.Tx, runID int64) (int, error) {
		seen = runID
		return 0, queueErr
	}
	id, queued, err := s.PrepareBatchRun(ctx, []string{"list.txt"}, batchStart, items, fail)
	if !errors.Is(err, queueErr) || id != 0 || queued != 0 || seen == 0 {
		t.Errorf("PrepareBatchRun = %d, %d, %v (enqueue saw run %d); want 0, 0 and the queue's error", id, queued, err, seen)
	}
	if runs, err := s.BatchRuns(ctx, 10); err != nil || len(runs) != 0 {
		t.Errorf("BatchRuns = %+v, %v; want no run left behind", runs, err)
	}
	if fresh, err := s.UnseenFeedItems(ctx, feed, items[feed]); err != nil || !reflect.DeepEqual(fresh, items[feed]) {
		t.Errorf("UnseenFeedItems = %v, %v; want %v still unseen", fresh, err, items[feed])
	}
}

func testFinishBatchRun(t *testing.T, s Backend) {
	ctx := t.Context()
	id := startRun(t, s, "list.txt")
	want := schema.BatchRun{ID: id, StartedAt: batchStart, FinishedAt: batchStart.Add(time.Minute),
		Status: schema.BatchCompleted, StopReason: "budget", Inputs: []string{"list.txt"}, Queued: 5,
		Skipped: 1, Done: 3, Failed: 1, FailedByCause: map[string]int{"http 404": 1}, InputTokens: 100,
		OutputTokens: 20, CostUSD: 0.25, Elapsed: time.Minute, Remaining: 2}
	finish := want
	finish.StartedAt, finish.Inputs = time.Time{}, nil // not stored by FinishBatchRun
	if err := s.FinishBatchRun(ctx, finish); err != nil {
		t.Fatal(err)
	}
	runs, err := s.BatchRuns(ctx, 5)
	if err != nil || len(runs) != 1 || !reflect.DeepEqual(runs[0], want) {
		t.Errorf("BatchRuns = %+v, %v\nwant [%+v]", runs, err, want)
	}
}

func testBatchRunsNewestFirst(t *testing.T, s Backend) {
	var ids []int64
	for _, in := range []string{"a", "b", "c"} {
		ids = append(ids, startRun(t, s, in))
	}
	runs, err := s.BatchRuns(t.Context(), 2)
	if err != nil || len(runs) != 2 || runs[0].ID != ids[2] || runs[1].ID != ids[1] ||
		!reflect.DeepEqual(runs[0].Inputs, []string{"c"}) {
		t.Errorf("BatchRuns(2) = %+v, %v; want runs %d and %d", runs, err, ids[2], ids[1])
	}
	if empty := startRun(t, s); empty == 0 {
		t.Error("run without inputs: no ID")
	} else if runs, err := s.BatchRuns(t.Context(), 1); err != nil || runs[0].Inputs == nil || len(runs[0].Inputs) != 0 {
		t.Errorf("run without inputs: Inputs = %#v, %v; want empty", runs[0].Inputs, err)
	}
}

func testJobAttempts(t *testing.T, s Backend) {
	ctx := t.Context()
	run := startRun(t, s)
	other := startRun(t, s)
	first := schema.JobAttempt{RunID: run, JobID: 7, Attempt: 1, URL: "https://a.example/", StartedAt: batchStart}
	second := schema.JobAttempt{RunID: run, JobID: 7, Attempt: 2, URL: "https://a.example/", StartedAt: batchStart.Add(time.Second)}
	for _, a := range []*schema.JobAttempt{&first, &second} {
		id, err := s.StartJobAttempt(ctx, *a)
		if err != nil {
			t.Fatal(err)
		}
		a.ID = id
	}
	if _, err := s.StartJobAttempt(ctx, schema.JobAttempt{RunID: other, JobID: 8, Attempt: 1, URL: "https://b.example/", StartedAt: batchStart}); err != nil {
		t.Fatal(err)
	}
	first.FinishedAt, first.Outcome, first.Cause, first.Error = batchStart.Add(time.Second), schema.AttemptRetry, "http 503", "503 Service Unavailable"
	first.InputTokens, first.OutputTokens, first.CostUSD = 10, 2, 0.5
	if err := s.FinishJobAttempt(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := s.RunAttempts(ctx, run)
	want := []schema.JobAttempt{first, second}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("RunAttempts = %+v, %v\nwant %+v", got, err, want)
	}
}

func testFinishJobAttemptNotFound(t *testing.T, s Backend) {
	err := s.FinishJobAttempt(t.Context(), schema.JobAttempt{ID: 999, FinishedAt: batchStart, Outcome: schema.AttemptDone})
	if !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("FinishJobAttempt of a missing attempt: err = %v, want schema.ErrNotFound", err)
	}
}

func testInterruptBatchRuns(t *testing.T, s Backend) {
	ctx := t.Context()
	run := startRun(t, s)
	open, err := s.StartJobAttempt(ctx, schema.JobAttempt{RunID: run, JobID: 7, Attempt: 1, URL: "https://a.example/", StartedAt: batchStart})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := s.StartJobAttempt(ctx, schema.JobAttempt{RunID: run, JobID: 8, Attempt: 1, URL: "https://b.example/", StartedAt: batchStart})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJobAttempt(ctx, schema.JobAttempt{ID: closed, FinishedAt: batchStart, Outcome: schema.AttemptDone}); err != nil {
		t.Fatal(err)
	}
	now := batchStart.Add(time.Hour)
	if n, err := s.InterruptBatchRuns(ctx, now); err != nil || n != 1 {
		t.Fatalf("InterruptBatchRuns = %d, %v; want 1, nil", n, err)
	}
	as, err := s.RunAttempts(ctx, run)
	if err != nil || len(as) != 2 {
		t.Fatalf("RunAttempts = %+v, %v", as, err)
	}
	got := map[int64]string{as[0].ID: as[0].Outcome, as[1].ID: as[1].Outcome}
	if got[open] != schema.AttemptInterrupted || got[closed] != schema.AttemptDone {
		t.Errorf("outcomes = %v, want %d interrupted and %d done", got, open, closed)
	}
	runs, err := s.BatchRuns(ctx, 1)
	if err != nil || runs[0].Status != schema.BatchInterrupted || !runs[0].FinishedAt.Equal(now) {
		t.Errorf("run = %+v, %v; want interrupted at %v", runs[0], err, now)
	}
	if n, err := s.InterruptBatchRuns(ctx, now); err != nil || n != 0 {
		t.Errorf("second InterruptBatchRuns = %d, %v; want 0, nil", n, err)
	}
}

func testPermanentFailure(t *testing.T, s Backend) {
	run := startRun(t, s)
	tests := []struct {
		name      string
		outcomes  []string // attempts at the URL, oldest first; "" stays in flight
		cause     string
		permanent bool
	}{
		{"never tried", nil, "", false},
		{"failed", []string{schema.AttemptFailed}, "http 404", true},
		{"gave up", []string{schema.AttemptGaveUp}, "http 404", false},
		{"failed then done", []string{schema.AttemptFailed, schema.AttemptDone}, "", false},
		{"done then failed", []string{schema.AttemptDone, schema.AttemptFailed}, "http 404", true},
		{"failed then in flight", []string{schema.AttemptFailed, ""}, "http 404", true},
	}
	for i, tt := range tests {
		url := "https://example.org/" + string(rune('a'+i))
		for n, outcome := range tt.outcomes {
			recordAttempt(t, s, schema.JobAttempt{RunID: run, JobID: int64(i), Attempt: n + 1, URL: url,
				StartedAt: batchStart, Outcome: outcome, Cause: causeOf(outcome)})
		}
		cause, permanent, err := s.PermanentFailure(t.Context(), url)
		if err != nil || cause != tt.cause || permanent != tt.permanent {
			t.Errorf("%s: PermanentFailure = %q, %v, %v; want %q, %v", tt.name, cause, permanent, err, tt.cause, tt.permanent)
		}
	}
}

// causeOf is the cause testPermanentFailure gives an outcome.
func causeOf(outcome string) string {
	if outcome == schema.AttemptFailed || outcome == schema.AttemptGaveUp {
		return "http 404"
	}
	return ""
}

// recordAttempt starts a, and finishes it when it has an Outcome.
func recordAttempt(t *testing.T, s Backend, a schema.JobAttempt) {
	t.Helper()
	id, err := s.StartJobAttempt(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	if a.Outcome == "" {
		return
	}
	a.ID, a.FinishedAt = id, a.StartedAt.Add(time.Second)
	if err := s.FinishJobAttempt(t.Context(), a); err != nil {
		t.Fatal(err)
	}
}

func testFeedItemsSeenOnce(t *testing.T, s Backend) {
	ctx := t.Context()
	feed, other := "https://example.org/feed.xml", "https://example.net/feed.xml"
	items := []string{"https://example.org/1", "https://example.org/2"}
	fresh, err := s.UnseenFeedItems(ctx, feed, items)
	if err != nil || !reflect.DeepEqual(fresh, items) {
		t.Fatalf("first UnseenFeedItems = %v, %v; want %v", fresh, err, items)
	}
	var seen int64
	marks := map[string][]string{feed: items[:1], other: items[1:]}
	for range 2 { // marking twice is harmless
		if _, _, err := s.PrepareBatchRun(ctx, nil, batchStart, marks, enqueueing(0, &seen)); err != nil {
			t.Fatal(err)
		}
	}
	fresh, err = s.UnseenFeedItems(ctx, feed, append(items, "https://example.org/3"))
	want := []string{"https://example.org/2", "https://example.org/3"}
	if err != nil || !reflect.DeepEqual(fresh, want) {
		t.Errorf("second UnseenFeedItems = %v, %v; want %v (an item is seen per feed)", fresh, err, want)
	}
}

// testMentions checks that a document keeps every place that brought it,
// each once with its first date and label, and the tags each gave it.
func testMentions(t *testing.T, s Backend) {
	ctx := context.Background()
	const doc = "https://news.example/a"
	first := []schema.Mention{
		{URL: doc, Kind: schema.MentionList, Source: "/home/ana/pocket.csv", Tags: []string{"ai", "public"}},
		{URL: doc, Kind: schema.MentionDigest, Source: "https://letter.example/issue-1", Label: "issue-1"},
		{URL: "https://news.example/b", Kind: schema.MentionFeed, Source: "https://news.example/feed.xml"},
	}
	if err := s.SaveMentions(ctx, first, batchStart); err != nil {
		t.Fatal(err)
	}
	again := []schema.Mention{
		{URL: doc, Kind: schema.MentionList, Source: "/home/ana/pocket.csv", Tags: []string{"public", "state"}},
		{URL: doc, Kind: schema.MentionDigest, Source: "https://letter.example/issue-1", Label: "renamed"},
		{URL: doc, Kind: schema.MentionDigest, Source: "https://letter.example/issue-2", Label: "issue-2"},
	}
	if err := s.SaveMentions(ctx, again, batchStart.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Mentions(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Mention{
		{URL: doc, Kind: schema.MentionDigest, Source: "https://letter.example/issue-1", Label: "issue-1", FirstSeen: batchStart},
		{URL: doc, Kind: schema.MentionList, Source: "/home/ana/pocket.csv", Tags: []string{"ai", "public", "state"}, FirstSeen: batchStart},
		{URL: doc, Kind: schema.MentionDigest, Source: "https://letter.example/issue-2", Label: "issue-2", FirstSeen: batchStart.Add(24 * time.Hour)},
	}
	if len(got) != len(want) {
		t.Fatalf("Mentions = %+v, want %+v", got, want)
	}
	for i := range want {
		got[i].FirstSeen = got[i].FirstSeen.UTC()
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("mention %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if none, err := s.Mentions(ctx, "https://news.example/never"); err != nil || len(none) != 0 {
		t.Errorf("Mentions of an unknown document = %v, %v; want none", none, err)
	}
}

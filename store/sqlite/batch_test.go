package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func openBatchTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBatchRunRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	start := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	id, err := s.StartBatchRun(ctx, []string{"list.txt", "--feed https://example.org/feed"}, start)
	if err != nil {
		t.Fatal(err)
	}
	want := BatchRun{ID: id, StartedAt: start, FinishedAt: start.Add(time.Minute), Status: BatchCompleted,
		Inputs: []string{"list.txt", "--feed https://example.org/feed"}, Queued: 5, Skipped: 1, Done: 3,
		Failed: 1, FailedByCause: map[string]int{"http 404": 1}, InputTokens: 100, OutputTokens: 20,
		CostUSD: 0.25, Elapsed: time.Minute, Remaining: 0}
	if err := s.FinishBatchRun(ctx, want); err != nil {
		t.Fatal(err)
	}
	runs, err := s.BatchRuns(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || !reflect.DeepEqual(runs[0], want) {
		t.Errorf("BatchRuns = %+v, want [%+v]", runs, want)
	}
}

func TestInterruptBatchRunsClosesOpenAttempts(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	now := time.Now()
	run, err := s.StartBatchRun(ctx, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	open, err := s.StartJobAttempt(ctx, JobAttempt{RunID: run, JobID: 7, Attempt: 1, URL: "https://a.example/", StartedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := s.StartJobAttempt(ctx, JobAttempt{RunID: run, JobID: 8, Attempt: 1, URL: "https://b.example/", StartedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJobAttempt(ctx, JobAttempt{ID: closed, FinishedAt: now, Outcome: AttemptDone}); err != nil {
		t.Fatal(err)
	}
	n, err := s.InterruptBatchRuns(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("InterruptBatchRuns = %d, %v; want 1, nil", n, err)
	}
	as, err := s.RunAttempts(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{as[0].ID: as[0].Outcome, as[1].ID: as[1].Outcome}
	if got[open] != AttemptInterrupted || got[closed] != AttemptDone {
		t.Errorf("outcomes = %v", got)
	}
	runs, err := s.BatchRuns(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if runs[0].Status != BatchInterrupted {
		t.Errorf("run status = %q, want %q", runs[0].Status, BatchInterrupted)
	}
}

func TestFeedItemsSeenOnce(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	feed := "https://example.org/feed.xml"
	items := []string{"https://example.org/1", "https://example.org/2"}
	fresh, err := s.UnseenFeedItems(ctx, feed, items)
	if err != nil || !reflect.DeepEqual(fresh, items) {
		t.Fatalf("first UnseenFeedItems = %v, %v", fresh, err)
	}
	if err := s.MarkFeedItemsSeen(ctx, feed, items[:1], time.Now()); err != nil {
		t.Fatal(err)
	}
	fresh, err = s.UnseenFeedItems(ctx, feed, append(items, "https://example.org/3"))
	want := []string{"https://example.org/2", "https://example.org/3"}
	if err != nil || !reflect.DeepEqual(fresh, want) {
		t.Errorf("second UnseenFeedItems = %v, %v; want %v", fresh, err, want)
	}
}

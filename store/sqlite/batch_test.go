package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// testJob is a River job for the queue tests.
type testJob struct {
	URL string `json:"url"`
}

func (testJob) Kind() string { return "veille_test" }

// riverClient returns an insert-only River client on the store's database,
// with River's tables migrated.
func riverClient(t *testing.T, s *Store) *river.Client[*sql.Tx] {
	t.Helper()
	driver := riversqlite.New(s.DB())
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(t.Context(), rivermigrate.DirectionUp, nil); err != nil {
		t.Fatal(err)
	}
	client, err := river.NewClient(driver, &river.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// insertJobs returns a PrepareBatchRun enqueue function that inserts one
// River job per URL through the transaction, then returns failure (nil:
// success).
func insertJobs(client *river.Client[*sql.Tx], urls []string, failure error) func(context.Context, *sql.Tx, int64) (int, error) {
	return func(ctx context.Context, tx *sql.Tx, _ int64) (int, error) {
		params := make([]river.InsertManyParams, len(urls))
		for i, u := range urls {
			params[i] = river.InsertManyParams{Args: testJob{URL: u}}
		}
		res, err := client.InsertManyTx(ctx, tx, params)
		if err != nil {
			return 0, err
		}
		return len(res), failure
	}
}

// TestPrepareBatchRunWithRiver checks that River's jobs, inserted through
// PrepareBatchRun's transaction, are committed and rolled back with the
// run and the feed items.
func TestPrepareBatchRunWithRiver(t *testing.T) {
	feed := "https://example.org/feed.xml"
	urls := []string{"https://example.org/1", "https://example.org/2"}
	tests := []struct {
		name    string
		failure error // what enqueue returns after inserting the jobs
		// What is stored after PrepareBatchRun.
		queued, runs, jobs, unseen int
	}{
		{"commit", nil, 2, 1, 2, 0},
		{"rollback", errors.New("queue refused"), 0, 0, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			s := openTestStore(t)
			client := riverClient(t, s)
			_, queued, err := s.PrepareBatchRun(ctx, []string{feed}, time.Now(), map[string][]string{feed: urls},
				insertJobs(client, urls, tt.failure))
			if (tt.failure == nil) != (err == nil) || !errors.Is(err, tt.failure) || queued != tt.queued {
				t.Fatalf("PrepareBatchRun = %d queued, %v; want %d, %v", queued, err, tt.queued, tt.failure)
			}
			assertCount(t, s, `SELECT count(*) FROM batch_runs`, tt.runs)
			assertCount(t, s, `SELECT count(*) FROM river_job`, tt.jobs)
			if fresh, err := s.UnseenFeedItems(ctx, feed, urls); err != nil || len(fresh) != tt.unseen {
				t.Errorf("UnseenFeedItems = %v, %v; want %d", fresh, err, tt.unseen)
			}
		})
	}
}

// assertCount checks the count query q returns.
func assertCount(t *testing.T, s *Store, q string, want int) {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("%s = %d, want %d", q, n, want)
	}
}

// TestPrepareBatchRunPanic checks that a panic in enqueue rolls the
// transaction back and releases the write lock it held.
func TestPrepareBatchRunPanic(t *testing.T) {
	ctx := t.Context()
	s := openTestStore(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic in enqueue did not reach the caller")
			}
		}()
		s.PrepareBatchRun(ctx, nil, time.Now(), nil, func(context.Context, *sql.Tx, int64) (int, error) {
			panic("enqueue")
		})
	}()
	write, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	none := func(context.Context, *sql.Tx, int64) (int, error) { return 0, nil }
	if _, _, err := s.PrepareBatchRun(write, nil, time.Now(), nil, none); err != nil {
		t.Fatalf("PrepareBatchRun after a panic: %v", err)
	}
	assertCount(t, s, `SELECT count(*) FROM batch_runs`, 1)
}

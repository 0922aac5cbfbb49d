package queue

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/batch"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
	"github.com/veille/veille/store/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// backends are the databases the queue runs on.
var backends = []string{"sqlite", "postgres"}

// newTestQueue opens a fresh store on backend and a migrated River queue
// on it, and returns the store's database.
func newTestQueue(t *testing.T, backend string) (*sql.DB, *River) {
	t.Helper()
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.RetryBase, cfg.RetryMax, cfg.MaxAttempts = 10*time.Millisecond, 50*time.Millisecond, 3
	cfg.PollInterval = 20 * time.Millisecond
	var db *sql.DB
	var q *River
	switch backend {
	case "sqlite":
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "veille.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		db = st.DB()
		if q, err = NewRiver(db, cfg); err != nil {
			t.Fatal(err)
		}
	case "postgres":
		st, err := postgres.Open(ctx, pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		db = st.DB()
		if q, err = NewPostgres(db, st.Pool(), cfg); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Migrate(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
	return db, q
}

func TestRiverQueueOutcomes(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, q := newTestQueue(t, backend)
			jobs := []batch.Job{
				{URL: "https://a.example/ok", Canonical: "https://a.example/ok"},
				{URL: "https://a.example/gone", Canonical: "https://a.example/gone"},
				{URL: "https://a.example/flaky", Canonical: "https://a.example/flaky"},
				{URL: "https://a.example/down", Canonical: "https://a.example/down"},
			}
			n, err := enqueue(ctx, db, q, jobs)
			if err != nil || n != 4 {
				t.Fatalf("Enqueue = %d, %v; want 4", n, err)
			}
			// The same canonical URLs again: nothing new while they are queued.
			if n, err := enqueue(ctx, db, q, jobs[:2]); err != nil || n != 0 {
				t.Fatalf("second Enqueue = %d, %v; want 0", n, err)
			}
			var mu sync.Mutex
			tries := map[string]int{}
			handle := func(ctx context.Context, j batch.QueuedJob) error {
				mu.Lock()
				tries[j.Args.URL]++
				n := tries[j.Args.URL]
				mu.Unlock()
				switch j.Args.URL {
				case "https://a.example/gone":
					return &batch.PermanentError{Cause: "http 404", Err: errors.New("HTTP 404")}
				case "https://a.example/flaky":
					if n < 2 {
						return errors.New("connection reset")
					}
				case "https://a.example/down":
					return errors.New("HTTP 503")
				}
				return nil
			}
			if err := q.Work(ctx, 2, handle, nil); err != nil {
				t.Fatal(err)
			}
			counts, err := q.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if counts.Pending() != 0 || counts["completed"] != 2 || counts["cancelled"] != 1 || counts["discarded"] != 1 {
				t.Errorf("counts = %v", counts)
			}
			want := map[string]int{"https://a.example/ok": 1, "https://a.example/gone": 1,
				"https://a.example/flaky": 2, "https://a.example/down": 3}
			for u, n := range want {
				if tries[u] != n {
					t.Errorf("%s tried %d times, want %d", u, tries[u], n)
				}
			}
			// Finished jobs do not block a new job for the same URL (--refresh).
			if n, err := enqueue(ctx, db, q, jobs[:1]); err != nil || n != 1 {
				t.Errorf("Enqueue after completion = %d, %v; want 1", n, err)
			}
		})
	}
}

func TestRiverQueueStopLeavesJobsQueued(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, q := newTestQueue(t, backend)
			var jobs []batch.Job
			for _, p := range []string{"a", "b", "c", "d", "e", "f"} {
				u := "https://s.example/" + p
				jobs = append(jobs, batch.Job{URL: u, Canonical: u})
			}
			if _, err := enqueue(ctx, db, q, jobs); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			var once sync.Once
			var mu sync.Mutex
			done := 0
			handle := func(ctx context.Context, j batch.QueuedJob) error {
				mu.Lock()
				defer mu.Unlock()
				if done >= 2 {
					once.Do(func() { close(stop) })
					return batch.ErrDeferred
				}
				done++
				return nil
			}
			if err := q.Work(ctx, 1, handle, stop); err != nil {
				t.Fatal(err)
			}
			counts, err := q.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if counts["completed"] != 2 || counts.Pending() != 4 {
				t.Errorf("counts = %v; want 2 completed and 4 pending", counts)
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

// enqueue inserts jobs in a transaction of its own.
func enqueue(ctx context.Context, db *sql.DB, q *River, jobs []batch.Job) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := q.EnqueueTx(ctx, tx, jobs)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// TestRescueOrphansRequeuesRunningJobs plays a process that died with a job
// running: the job is made available again, with the attempt's error
// recorded, and the queue works it.
func TestRescueOrphansRequeuesRunningJobs(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, q := newTestQueue(t, backend)
			jobs := []batch.Job{{URL: "https://a.example/x", Canonical: "https://a.example/x"},
				{URL: "https://a.example/y", Canonical: "https://a.example/y"}}
			if _, err := enqueue(ctx, db, q, jobs); err != nil {
				t.Fatal(err)
			}
			// The dead process had taken the first job, which River marks running.
			markRunning := map[string]string{
				"sqlite":   `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now') WHERE id = (SELECT min(id) FROM river_job)`,
				"postgres": `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() WHERE id = (SELECT min(id) FROM river_job)`,
			}[backend]
			if _, err := db.ExecContext(ctx, markRunning); err != nil {
				t.Fatal(err)
			}
			if counts, err := q.Counts(ctx); err != nil || counts["running"] != 1 || counts["available"] != 1 {
				t.Fatalf("counts before rescue = %v, %v; want one running, one available", counts, err)
			}
			rescued, err := q.RescueOrphans(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rescued) != 1 || rescued[0].Args.URL != "https://a.example/x" || rescued[0].Attempt != 1 {
				t.Fatalf("rescued = %+v, want the running job", rescued)
			}
			if again, err := q.RescueOrphans(ctx); err != nil || len(again) != 0 {
				t.Fatalf("second rescue = %+v, %v; want nothing", again, err)
			}
			var done sync.Map
			err = q.Work(ctx, 2, func(ctx context.Context, j batch.QueuedJob) error {
				done.Store(j.Args.URL, j.Attempt)
				return nil
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs {
				if _, ok := done.Load(j.URL); !ok {
					t.Errorf("%s was not worked after the rescue", j.URL)
				}
			}
			if counts, err := q.Counts(ctx); err != nil || counts.Pending() != 0 || counts["completed"] != 2 {
				t.Errorf("counts after work = %v, %v; want two completed", counts, err)
			}
		})
	}
}

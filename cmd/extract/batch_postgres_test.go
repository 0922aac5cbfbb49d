package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/batch/queue"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
)

// sharedQueue opens the store and queue of a new PostgreSQL database for
// the test, migrated, so that the processes started next find them.
func sharedQueue(t *testing.T) (string, *postgres.Store, *queue.River) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	st, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	q, err := queue.NewPostgres(st.DB(), st.Pool(), queue.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return dsn, st, q
}

// openAttempts counts the attempts of run runID still in flight.
func openAttempts(t *testing.T, st *postgres.Store, runID int64) int {
	t.Helper()
	var n int
	err := st.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM batch_attempts
		WHERE run_id = $1 AND finished_at IS NULL`, runID).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// workerRuns counts the batch runs whose jobs made cards.
func workerRuns(t *testing.T, st *postgres.Store) int {
	t.Helper()
	var n int
	err := st.DB().QueryRowContext(t.Context(), `SELECT count(DISTINCT run_id) FROM batch_attempts
		WHERE outcome = 'done'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds, failing t after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for cmd to exit successfully, failing t with its output
// when it fails or takes more than three minutes.
func waitExit(t *testing.T, cmd *exec.Cmd, what string, out *strings.Builder) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v\n%s", what, err, out.String())
		}
	case <-time.After(3 * time.Minute):
		t.Fatalf("%s: not done after three minutes\n%s", what, out.String())
	}
}

// TestSharedQueueTwoProcesses runs two batch processes on one PostgreSQL
// queue: a worker waiting for jobs, and a process queuing a list and
// working it too. Both make cards, every document gets exactly one, no
// document is asked of the model twice, and the waiting worker stops
// cleanly on SIGINT.
func TestSharedQueueTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two processes; skipped with -short")
	}
	dsn, st, _ := sharedQueue(t)
	bin := buildExtract(t)
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 100*time.Millisecond)
	const docs = 30
	lines := site.articleURLs(docs)
	common := []string{"--db", dsn, "--provider", "openai", "--host-rps", "0", "--no-cache"}

	worker := batchProcess(bin, model, append([]string{"batch", "--wait", "--concurrency", "2"}, common...)...)
	var workerErr strings.Builder
	worker.Stderr = &workerErr
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	defer worker.Process.Kill()
	waitFor(t, "the worker records its run", func() bool {
		runs, err := st.BatchRuns(t.Context(), 1)
		return err == nil && len(runs) == 1
	})
	out, err := batchProcess(bin, model, append(append([]string{"batch", "--concurrency", "1"}, common...),
		writeList(t, lines...))...).CombinedOutput()
	if err != nil {
		t.Fatalf("queuing process: %v\n%s", err, out)
	}
	checkOneCardPerDocument(t, dsn, lines)
	if n := model.requests.Load(); n != docs {
		t.Errorf("%d model requests for %d documents", n, docs)
	}
	if n := workerRuns(t, st); n != 2 {
		t.Errorf("cards made by %d processes, want both", n)
	}
	if err := worker.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := worker.Wait(); err != nil {
		t.Errorf("worker stopped by SIGINT: %v\n%s", err, workerErr.String())
	}
}

// TestSharedQueueRescuesKilledWorker kills a worker with SIGKILL while it
// works jobs: the other process takes its jobs over once they have run for
// --rescue-after (River's rescuer looks every 30 s), and every document
// ends with exactly one card.
func TestSharedQueueRescuesKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, kills a worker and waits for the rescue; skipped with -short")
	}
	dsn, st, q := sharedQueue(t)
	bin := buildExtract(t)
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 300*time.Millisecond)
	const docs = 24
	lines := site.articleURLs(docs)
	common := []string{"--db", dsn, "--provider", "openai", "--host-rps", "0", "--no-cache", "--rescue-after", "2s"}

	doomed := batchProcess(bin, model, append([]string{"batch", "--wait", "--concurrency", "4"}, common...)...)
	if err := doomed.Start(); err != nil {
		t.Fatal(err)
	}
	defer doomed.Process.Kill()
	var doomedRun int64
	waitFor(t, "the doomed worker records its run", func() bool {
		runs, err := st.BatchRuns(t.Context(), 1)
		if err == nil && len(runs) == 1 {
			doomedRun = runs[0].ID
		}
		return doomedRun != 0
	})
	survivor := batchProcess(bin, model, append(append([]string{"batch", "--concurrency", "1"}, common...),
		writeList(t, lines...))...)
	var out strings.Builder
	survivor.Stdout, survivor.Stderr = &out, &out
	if err := survivor.Start(); err != nil {
		t.Fatal(err)
	}
	defer survivor.Process.Kill()
	waitFor(t, "the doomed worker works jobs", func() bool { return openAttempts(t, st, doomedRun) > 0 })
	if err := doomed.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	doomed.Wait()
	waitExit(t, survivor, "the survivor, finishing the killed worker's jobs", &out)
	checkOneCardPerDocument(t, dsn, lines)
	counts, err := q.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts["completed"] != docs || counts.Pending() != 0 {
		t.Errorf("queue = %v; want %d completed", counts, docs)
	}
}

// TestBatchSurvivesPostgresRestart restarts the PostgreSQL server while a
// batch runs: the batch reports the outage, reconnects, and finishes with
// one card per document.
func TestBatchSurvivesPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and restarts the server; skipped with -short")
	}
	dsn, _, q := sharedQueue(t)
	bin := buildExtract(t)
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 200*time.Millisecond)
	const docs = 20
	lines := site.articleURLs(docs)
	cmd := batchProcess(bin, model, "batch", "--db", dsn, "--provider", "openai", "--host-rps", "0", "--no-cache",
		"--concurrency", "2", "--retry-base", "500ms", writeList(t, lines...))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, "model requests", func() bool { return model.requests.Load() >= 4 })
	pgtest.Shared(t).Restart(t)
	waitExit(t, cmd, "the batch across the restart", &out)
	checkOneCardPerDocument(t, dsn, lines)
	counts, err := q.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts["completed"] != docs || counts.Pending() != 0 {
		t.Errorf("queue = %v; want %d completed", counts, docs)
	}
	t.Logf("batch output:\n%s", out.String())
}

// TestSharedHostLimitTwoProcesses runs two batch processes on one
// PostgreSQL queue with --host-rps 10 on the one host of the site: the
// limit holds for both together, so the fetches take at least as long as
// one process alone would be allowed (two per-process limits would let
// them finish in half the time).
func TestSharedHostLimitTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two processes; skipped with -short")
	}
	dsn, st, _ := sharedQueue(t)
	bin := buildExtract(t)
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0) // unused: the cards are the offline baseline's
	const docs, rps = 16, 10
	lines := site.articleURLs(docs)
	common := []string{"--db", dsn, "--provider", "offline", "--host-rps", "10", "--concurrency", "4"}
	worker := batchProcess(bin, model, append([]string{"batch", "--wait"}, common...)...)
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	defer worker.Process.Kill()
	waitFor(t, "the worker records its run", func() bool {
		runs, err := st.BatchRuns(t.Context(), 1)
		return err == nil && len(runs) == 1
	})
	out, err := batchProcess(bin, model, append(append([]string{"batch"}, common...), writeList(t, lines...))...).CombinedOutput()
	if err != nil {
		t.Fatalf("queuing process: %v\n%s", err, out)
	}
	worker.Process.Signal(os.Interrupt)
	worker.Wait()
	checkOneCardPerDocument(t, dsn, lines)
	if n := workerRuns(t, st); n != 2 {
		t.Errorf("cards made by %d processes, want both", n)
	}
	site.mu.Lock()
	fetched := slices.Clone(site.fetched)
	site.mu.Unlock()
	slices.SortFunc(fetched, func(a, b time.Time) int { return a.Compare(b) })
	span := fetched[len(fetched)-1].Sub(fetched[0])
	// One limit for both: (docs-1)/rps. The slack covers a first fetch
	// that reached the site late.
	if want := time.Duration(docs-1) * time.Second / rps; span < want-300*time.Millisecond {
		t.Errorf("%d fetches in %v, want at least about %v at %d a second for both processes", len(fetched), span, want, rps)
	}
}

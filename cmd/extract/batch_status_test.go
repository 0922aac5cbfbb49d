package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/batch"
	"github.com/veille/veille/schema"
)

var updateBatchGolden = flag.Bool("update-batch", false, "rewrite testdata/batch/*.golden")

// checkGolden compares got with testdata/batch/name; -update-batch rewrites it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "batch", name)
	if *updateBatchGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/extract -run %s -update-batch)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestBatchSummaryAndStatusGolden(t *testing.T) {
	sum := batch.Summary{RunID: 3, Queued: 12, Remaining: 4, Status: schema.BatchStopped,
		StopReason: "--max-cost 1.00 USD reached", Elapsed: 95*time.Second + 250*time.Millisecond,
		FailedByCause: map[string]int{"http 404": 2, "unsupported type": 1},
		Tally: batch.Tally{Done: 5, Remade: 2, Skipped: 7, Failed: 3, InputTokens: 52000,
			OutputTokens: 9100, CostUSD: 1.0132, Rows: 120, Grounded: 103},
		FeedItems: 40, FeedItemsSeen: 34,
		Model: "openai gpt-4o-mini", Database: "/home/ana/.local/share/veille/veille.db",
		AlreadyCarded: 5, FailedBefore: 1,
		Failures: []batch.Failure{{URL: "https://a.example/gone", Cause: "http 404"},
			{URL: "https://b.example/old", Cause: "http 404"}}}
	var b bytes.Buffer
	if err := batch.FormatSummary(&b, sum); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "summary.golden", b.Bytes())

	start := time.Date(2026, 11, 27, 2, 30, 0, 0, time.Local)
	runs := []schema.BatchRun{
		{ID: 4, StartedAt: start.Add(time.Hour), Status: schema.BatchRunning},
		{ID: 3, StartedAt: start, Status: schema.BatchStopped, StopReason: "--max-cost 1.00 USD reached",
			Queued: 12, Done: 5, Skipped: 7, Failed: 3, Remaining: 4, CostUSD: 1.0132, Elapsed: 95 * time.Second},
		{ID: 2, StartedAt: start.Add(-24 * time.Hour), Status: schema.BatchInterrupted, StopReason: "process died"},
	}
	b.Reset()
	counts := batch.Counts{"available": 4, "completed": 30, "cancelled": 2, "retryable": 1, "scheduled": 2, "discarded": 1}
	attempts := []schema.JobAttempt{
		{JobID: 1, Attempt: 1, Outcome: schema.AttemptRetry, CostUSD: 0.001},
		{JobID: 1, Attempt: 2, Outcome: schema.AttemptDone, CostUSD: 0.002},
		{JobID: 2, Attempt: 1, Outcome: schema.AttemptFailed, Cause: "http 404"},
		{JobID: 3, Attempt: 1, Outcome: schema.AttemptSkipped},
		{JobID: 4, Attempt: 1}, // in flight
	}
	tally, inFlight := batch.TallyAttempts(attempts)
	live := map[int64]liveTally{4: {tally, inFlight}}
	if err := writeBatchStatus(&b, counts, runs, live); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "status.golden", b.Bytes())
}

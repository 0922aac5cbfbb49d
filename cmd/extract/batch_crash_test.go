package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/batch/queue"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

// The extract binary, built once for the tests that run it (TestMain
// removes binDir).
var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

// buildExtract compiles the extract binary, once per test binary.
func buildExtract(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "veille-extract-"); binErr != nil {
			return
		}
		if out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "extract"), ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "extract")
}

// batchProcess starts the extract binary with the fake model's environment.
func batchProcess(bin string, model *fakeOpenAI, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=test-key", "OPENAI_BASE_URL="+model.srv.URL+"/v1")
	return cmd
}

// TestBatchSurvivesKill9 kills a running batch process with SIGKILL twice,
// with model requests in flight, then runs the same command to the end:
// every document must have exactly one card, every job must be completed,
// the interrupted attempts must be on record, and no model request may be
// spent on work already done.
//
// The bound on model requests does not depend on timing. A kill loses the
// work on the documents that were requested from the model but whose card
// was not stored yet: the requests in flight, and the answers the fake
// server wrote in full that the killed process had received (or not yet)
// but not stored. After each kill the test waits for the server to finish,
// then reads the store: the requests of that run for documents still
// without a card are the lost ones, and each lost document is asked for
// again later. So the total is bounded by
//
//	documents + Σ over kills (requests of the run for documents without a card after it)
//
// and, stronger, no run may ask for a document that had a card when the
// run started: that would be re-making a stored card, whatever the
// machine's speed.
func TestBatchSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it; skipped with -short")
	}
	bin := buildExtract(t)
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 300*time.Millisecond)
	db := filepath.Join(t.TempDir(), "veille.db")
	const docs = 24
	lines := site.articleURLs(docs)
	list := writeList(t, lines...)
	args := []string{"batch", "--db", db, "--provider", "openai", "--host-rps", "0", "--concurrency", "4", "--no-cache", list}

	carded := map[string]bool{} // article number → it has a card
	var lost int64              // requests whose work a kill lost
	before := model.requestsPerArticle()
	for _, killAfter := range []int64{1, 12} {
		requests, answered := model.requests.Load(), model.answered.Load()
		cmd := batchProcess(bin, model, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for model.requests.Load() < killAfter || model.inFlight.Load() == 0 {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("no model request in flight after %d requests", model.requests.Load())
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		cmd.Wait()
		waitForIdle(t, model)
		after := model.requestsPerArticle()
		checkNoRequestForCarded(t, carded, before, after)
		carded = cardedArticles(t, db, lines)
		var runLost int64
		for article, n := range after {
			if !carded[article] {
				runLost += int64(n - before[article])
			}
		}
		lost += runLost
		runRequests, runAnswered := model.requests.Load()-requests, model.answered.Load()-answered
		t.Logf("killed after %d model requests of this run: %d in flight, %d answered, %d of them not stored",
			runRequests, runRequests-runAnswered, runAnswered, runLost-(runRequests-runAnswered))
		before = after
	}

	out, err := batchProcess(bin, model, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rerun after the kills: %v\n%s", err, out)
	}
	after := model.requestsPerArticle()
	checkNoRequestForCarded(t, carded, before, after)
	if sum := sumValues(after); sum != model.requests.Load() {
		t.Fatalf("%d model requests, %d of them for a known article: the fake model no longer finds the article in the prompt",
			model.requests.Load(), sum)
	}
	checkOneCardPerDocument(t, db, lines)
	checkRunsAfterKills(t, db, docs)
	if n := model.requests.Load(); n > docs+lost {
		t.Errorf("%d model requests for %d documents, %d of them lost to the kills: %d asked for twice",
			n, docs, lost, n-docs-lost)
	}
}

// sumValues adds up the counts of m.
func sumValues(m map[string]int) int64 {
	var sum int64
	for _, n := range m {
		sum += int64(n)
	}
	return sum
}

// waitForIdle waits, after a kill, until the fake model has closed the
// killed process's connections and has no request in flight: then every
// request the process sent has been counted, and its handler has ended on
// the closed connection.
func waitForIdle(t *testing.T, model *fakeOpenAI) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for model.conns.Load() > 0 || model.inFlight.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("30s after the kill: %d connections open, %d model requests in flight",
				model.conns.Load(), model.inFlight.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkNoRequestForCarded fails when a run asked the model for an article
// that had a card when the run started; before and after are the requests
// per article at the run's start and end.
func checkNoRequestForCarded(t *testing.T, carded map[string]bool, before, after map[string]int) {
	t.Helper()
	for article, n := range after {
		if carded[article] && n > before[article] {
			t.Errorf("article %s: %d model requests after its card was stored", article, n-before[article])
		}
	}
}

// cardedArticles returns the articles of urls (articleURLs) that have a
// card in the store at db, by article number.
func cardedArticles(t *testing.T, db string, urls []string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	carded := map[string]bool{}
	for _, u := range urls {
		canonical, err := schema.CanonicalURL(u)
		if err != nil {
			t.Fatal(err)
		}
		versions, err := st.CardVersions(ctx, schema.DocumentID(canonical))
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) > 0 {
			carded[path.Base(u)] = true
		}
	}
	return carded
}

// checkOneCardPerDocument fails unless each URL has exactly one card version.
func checkOneCardPerDocument(t *testing.T, db string, urls []string) {
	t.Helper()
	ctx := context.Background()
	st, err := (&app{}).openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, u := range urls {
		canonical, err := schema.CanonicalURL(u)
		if err != nil {
			t.Fatal(err)
		}
		versions, err := st.CardVersions(ctx, schema.DocumentID(canonical))
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) != 1 {
			t.Errorf("%s has %d card versions, want 1", u, len(versions))
		}
	}
}

// checkRunsAfterKills checks the queue and the batch run records.
func checkRunsAfterKills(t *testing.T, db string, docs int) {
	t.Helper()
	ctx := context.Background()
	st := openBatchStore(t, db)
	q, err := queue.NewRiver(st.DB(), queue.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	counts, err := q.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["completed"] != docs || counts.Pending() != 0 {
		t.Errorf("queue after the rerun: %v; want %d completed, none pending", counts, docs)
	}
	runs, err := st.BatchRuns(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].Status != schema.BatchCompleted ||
		runs[1].Status != schema.BatchInterrupted || runs[2].Status != schema.BatchInterrupted {
		t.Errorf("runs = %+v; want 2 interrupted then 1 completed", runs)
	}
	interrupted := 0
	for _, r := range runs[1:] {
		attempts, err := st.RunAttempts(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range attempts {
			if a.Outcome == schema.AttemptInterrupted {
				interrupted++
			}
		}
	}
	if interrupted == 0 {
		t.Error("no attempt recorded as interrupted by the kills")
	}
}

// TestBatchStopsOnInterrupt sends SIGINT mid-batch: the process exits 1,
// the run is recorded as stopped and the rest of the jobs stay queued.
func TestBatchStopsOnInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildExtract(t)
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 300*time.Millisecond)
	db := filepath.Join(t.TempDir(), "veille.db")
	cmd := batchProcess(bin, model, "batch", "--db", db, "--provider", "openai", "--host-rps", "0",
		"--concurrency", "2", writeList(t, site.articleURLs(20)...))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for model.requests.Load() < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != exitFailure {
		t.Fatalf("interrupted batch: %v, want exit status %d", err, exitFailure)
	}
	runs, err := openBatchStore(t, db).BatchRuns(context.Background(), 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs = %v, %v", runs, err)
	}
	if r := runs[0]; r.Status != schema.BatchStopped || r.Remaining == 0 || r.Done+r.Remaining != 20 {
		t.Errorf("run after SIGINT = %+v; want stopped, the rest left queued", r)
	}
}

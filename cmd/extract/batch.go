package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/pipeline/batch"
	"github.com/veille/veille/pipeline/batch/queue"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/sqlite"
	"golang.org/x/term"
)

// batchFlags are extract batch's own flags.
type batchFlags struct {
	dbPath        string
	digests       []string
	feeds         []string
	refresh       bool
	concurrency   int
	hostRPS       float64
	rpm, tpm      int
	maxCost       float64
	maxDocs       int
	logFormat     string
	strict        bool
	feedItems     int
	grounding     groundingFlags
	fetch         fetchFlags
	keepOffline   bool
	allowPrivate  bool
	status        bool
	failed        bool
	lang          string
	jobAttempts   int
	retryBase     time.Duration
	progressEvery time.Duration
	wait          bool
	rescueAfter   time.Duration
}

func (a *app) batchCommand() *cobra.Command {
	var (
		bf batchFlags
		mf modelFlags
	)
	c := &cobra.Command{
		Use:   "batch [FILE|URL...]",
		Short: "Queue the links of reading lists, digests and feeds, and make their cards",
		Long: `Queue documents and make their cards, with a durable queue in the store
(River on SQLite or PostgreSQL): one job per document — fetch, extract, model,
card.

Inputs, in any mix: URL list files (one URL a line, # comments), Pocket CSV
exports, Netscape bookmark HTML exports, single URLs, --digest pages (every
outbound link, the digest recorded as the card's origin) and --feed URLs (RSS,
Atom or JSON; new items only). URLs are deduplicated by canonical URL;
documents that have a card, or failed for good before, are skipped unless
--refresh. With no input, the jobs already queued are worked.

Idempotent and crash-safe: run it again (after a crash, a budget stop or the
next night) and it resumes where the queue stands. On PostgreSQL (--db
postgres://…), any number of batch processes on any number of machines share
the queue: start workers with no input and --wait, and queue documents from
anywhere. Exit status 0 when the
batch ran (failures are listed), 1 when it could not run, and 1 with --strict
when a job failed permanently.`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := bf.check(); err != nil {
				return err
			}
			if err := mf.check(); err != nil {
				return fmt.Errorf("batch: %w", err)
			}
			if bf.failed && !bf.status {
				return usageError{errors.New("batch: --failed goes with --status")}
			}
			if bf.status {
				if len(args) > 0 || len(bf.digests) > 0 || len(bf.feeds) > 0 {
					return usageError{errors.New("batch --status takes no inputs")}
				}
				if err := a.batchStatus(c.Context(), bf.dbPath, bf.failed); err != nil {
					return fmt.Errorf("batch --status: %w", err)
				}
				return nil
			}
			return a.runBatch(c.Context(), bf, mf, batch.Inputs{Lists: args, Digests: bf.digests, Feeds: bf.feeds})
		},
	}
	addDBFlag(c, &bf.dbPath)
	addModelFlags(c, &mf)
	addFetchFlags(c, &bf.fetch)
	f := c.Flags()
	f.StringArrayVar(&bf.digests, "digest", nil, "queue every outbound link of this newsletter/digest `URL` (repeatable)")
	f.StringArrayVar(&bf.feeds, "feed", nil, "queue the new items of this RSS/Atom/JSON feed `URL` (repeatable)")
	f.BoolVar(&bf.refresh, "refresh", false, "make new cards for documents that have one (fetching them again)")
	f.IntVar(&bf.concurrency, "concurrency", 4, "documents at the model at once, at most 5000 (as many more are fetched and extracted meanwhile)")
	f.Float64Var(&bf.hostRPS, "host-rps", 1, "requests per second to each host, shared by all workers (of every process, on PostgreSQL) (0: no limit)")
	f.IntVar(&bf.rpm, "rpm", 0, "model requests per minute, shared by all workers (of every process, on PostgreSQL) (0: no limit)")
	f.IntVar(&bf.tpm, "tpm", 0, "model tokens per minute, shared by all workers (of every process, on PostgreSQL) (0: no limit)")
	f.Float64Var(&bf.maxCost, "max-cost", 0, "stop once the estimated cost reaches `USD`; the rest stays queued (0: no limit)")
	f.IntVar(&bf.maxDocs, "max-docs", 0, "stop after `N` documents; the rest stays queued (0: no limit)")
	f.StringVar(&bf.logFormat, "log-format", "text", "log format on stderr: text or json")
	addGroundingFlags(c, &bf.grounding)
	f.BoolVar(&bf.allowPrivate, "allow-private-hosts", false, "queue the links a remote digest or feed gives to localhost, private or link-local addresses (left out by default)")
	f.BoolVar(&bf.keepOffline, "keep-offline", false, "keep the cards the offline baseline made (by default, they are made again when a model is at hand)")
	f.IntVar(&bf.feedItems, "feed-items", batch.DefaultMaxFeedItems, "take at most `N` items of each feed, its newest")
	f.BoolVar(&bf.strict, "strict", false, "exit 1 when any job failed permanently, and refuse a URL list with a line that holds no URL")
	f.BoolVar(&bf.status, "status", false, "show the queue and the last batch runs, and exit")
	f.BoolVar(&bf.failed, "failed", false, "with --status: list every URL the last run failed, with its cause")
	f.StringVar(&bf.lang, "lang", "", "write the cards in this language (default: each page's)")
	f.IntVar(&bf.jobAttempts, "job-attempts", queue.DefaultConfig().MaxAttempts, "tries of a job before it is given up (transient failures)")
	f.DurationVar(&bf.retryBase, "retry-base", queue.DefaultConfig().RetryBase, "wait before a job's first retry; doubles after each failure")
	f.DurationVar(&bf.progressEvery, "progress-every", 10*time.Second, "interval of progress log lines when stderr is not a terminal")
	f.BoolVar(&bf.wait, "wait", false, "keep listening for new jobs once the queue is empty, until interrupted (a long-running worker)")
	f.DurationVar(&bf.rescueAfter, "rescue-after", 0, "PostgreSQL: how long a job may stay running before another worker takes it over, also its time limit (default: the job time limit, 15m, plus 1m)")
	return c
}

// maxConcurrency bounds --concurrency: the queue runs two workers per
// model slot, and River allows at most 10,000 workers a queue.
const maxConcurrency = 5000

// check rejects flag values that make no sense, naming the flag.
func (bf batchFlags) check() error {
	if err := bf.grounding.check(); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if err := bf.fetch.check(); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if bf.concurrency < 1 || bf.concurrency > maxConcurrency {
		return usageError{fmt.Errorf("batch: --concurrency %d: want 1 to %d", bf.concurrency, maxConcurrency)}
	}
	limits := []struct {
		flag  string
		value float64
	}{
		{"--host-rps", bf.hostRPS}, {"--rpm", float64(bf.rpm)}, {"--tpm", float64(bf.tpm)},
		{"--max-cost", bf.maxCost}, {"--max-docs", float64(bf.maxDocs)},
	}
	for _, l := range limits {
		// Written so that NaN fails too.
		if !(l.value >= 0 && !math.IsInf(l.value, 1)) {
			return usageError{fmt.Errorf("batch: %s %v: want a finite number, 0 or more (0: no limit)", l.flag, l.value)}
		}
	}
	switch {
	case bf.logFormat != "text" && bf.logFormat != "json":
		return usageError{fmt.Errorf("batch: --log-format %q: want text or json", bf.logFormat)}
	case bf.jobAttempts < 1:
		return usageError{fmt.Errorf("batch: --job-attempts %d: must be at least 1", bf.jobAttempts)}
	case bf.retryBase <= 0:
		return usageError{fmt.Errorf("batch: --retry-base %s: must be positive", bf.retryBase)}
	case bf.feedItems < 1 || bf.feedItems > 100000:
		return usageError{fmt.Errorf("batch: --feed-items %d: want 1 to 100000", bf.feedItems)}
	case bf.progressEvery <= 0:
		return usageError{fmt.Errorf("batch: --progress-every %s: must be positive", bf.progressEvery)}
	case bf.rescueAfter != 0 && bf.rescueAfter < time.Second:
		return usageError{fmt.Errorf("batch: --rescue-after %s: want 1s or more (0: the default)", bf.rescueAfter)}
	}
	return nil
}

// batchLogger logs to w in the chosen format, from level on.
func batchLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// terminal returns w when it is a terminal, else nil.
func terminal(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

// runBatch builds the batch from the flags, runs it and prints the summary.
func (a *app) runBatch(ctx context.Context, bf batchFlags, mf modelFlags, in batch.Inputs) error {
	fetcher, err := bf.fetch.newFetcher()
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx, bf.dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	// On a terminal, a progress bar, with the log lines printed above it.
	var bar *barProgress
	logs := a.stderr
	if w := terminal(a.stderr); w != nil && bf.logFormat == "text" {
		bar = newBarProgress(w)
		logs = bar
	}
	logger := batchLogger(logs, bf.logFormat, slog.LevelInfo)
	// On PostgreSQL, the host and model rate limits hold across every
	// worker of the database.
	var shared interface {
		llm.SharedLimiter
		batch.SharedLimiter
	}
	if pg, ok := st.(*postgres.Store); ok {
		shared = pg
	}
	limits := llm.Limits{RPM: bf.rpm, TPM: bf.tpm, Concurrent: bf.concurrency}
	if shared != nil {
		limits.Shared = shared
	}
	runner, err := a.newRunner(ctx, st, mf, fetcher, runnerConfig{lang: bf.lang, grounding: bf.grounding,
		limits: limits})
	if err != nil {
		return err
	}
	// River's own logs only from warnings on: its info lines are chatter.
	q, err := newBatchQueue(st, bf, batchLogger(logs, bf.logFormat, slog.LevelWarn))
	if err != nil {
		return err
	}
	// Twice as many workers as model slots: while some documents wait for
	// the model, the others are fetched and extracted.
	cfg := batch.Config{Workers: 2 * bf.concurrency, HostRPS: bf.hostRPS, SharedLimits: shared, MaxCostUSD: bf.maxCost,
		MaxDocs: bf.maxDocs, Refresh: bf.refresh, Strict: bf.strict, MaxFeedItems: bf.feedItems,
		RemakeOffline:     !bf.keepOffline && runner.Model.Provider() != llm.ProviderOffline,
		AllowPrivateHosts: bf.allowPrivate,
		ProgressEvery:     bf.progressEvery}
	if bar != nil {
		cfg.Progress = bar
	}
	b := &batch.Batch{Store: st, Queue: q, Fetcher: fetcher,
		Model: runner.Model.Provider() + " " + runner.Model.Model(),
		Make:  runner.MakeCard, Config: cfg, Logger: logger}
	sum, err := b.Run(ctx, in)
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if err := batch.FormatSummary(a.stdout, sum); err != nil {
		return err
	}
	if sum.Done > 0 && ctx.Err() == nil {
		if res, _, err := a.clusterNewRows(ctx, st); err != nil {
			logger.Warn("the new cards' rows are not clustered yet (extract trends will)", "error", err)
		} else if res.Clustered > 0 {
			logger.Info("clustered the new cards' rows", "rows", res.Clustered, "new_clusters", res.Clusters, "embedded", res.Embedded)
		}
	}
	if bf.logFormat == "json" { // for machines; a person reads the summary above, once
		logger.Info("batch summary", "run", sum.RunID, "status", sum.Status, "queued", sum.Queued, "done", sum.Done,
			"skipped", sum.Skipped, "failed", sum.Failed, "remaining", sum.Remaining, "input_tokens", sum.InputTokens,
			"output_tokens", sum.OutputTokens, "cost_usd", sum.CostUSD, "elapsed", sum.Elapsed.String())
	}
	if ctx.Err() != nil && !(bf.wait && sum.Remaining == 0) { // a waiting worker stops on a signal
		return fmt.Errorf("batch: interrupted; %d jobs left queued for the next run", sum.Remaining)
	}
	if bf.strict && sum.Permanent > 0 {
		return fmt.Errorf("batch: %d jobs failed permanently (--strict)", sum.Permanent)
	}
	return nil
}

// newBatchQueue opens the job queue on the store.
func newBatchQueue(st Database, bf batchFlags, logger *slog.Logger) (batch.Queue, error) {
	qc := queue.DefaultConfig()
	qc.MaxAttempts, qc.RetryBase = bf.jobAttempts, bf.retryBase
	qc.RetryMax = max(qc.RetryMax, bf.retryBase)
	qc.Logger = logger.With("component", "river")
	qc.Wait, qc.RescueAfter = bf.wait, bf.rescueAfter
	switch st := st.(type) {
	case *postgres.Store:
		return queue.NewPostgres(st.DB(), st.Pool(), qc)
	case *sqlite.Store:
		return queue.NewRiver(st.DB(), qc)
	}
	return nil, fmt.Errorf("job queue: no queue for a store of type %T", st)
}

// batchStatus prints the queue's job counts and the last batch runs.
func (a *app) batchStatus(ctx context.Context, dbPath string, failed bool) error {
	st, err := a.openCollection(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := newBatchQueue(st, batchFlags{jobAttempts: 1, retryBase: time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	if err := q.Migrate(ctx); err != nil {
		return err
	}
	counts, err := q.Counts(ctx)
	if err != nil {
		return err
	}
	runs, err := st.BatchRuns(ctx, 5)
	if err != nil {
		return err
	}
	live, err := liveTallies(ctx, st, runs)
	if err != nil {
		return err
	}
	if err := writeBatchStatus(a.stdout, counts, runs, live); err != nil || !failed || len(runs) == 0 {
		return err
	}
	attempts, err := st.RunAttempts(ctx, runs[0].ID)
	if err != nil {
		return err
	}
	return writeFailedAttempts(a.stdout, runs[0].ID, attempts)
}

// liveTally is what a running batch has done so far.
type liveTally struct {
	batch.Tally
	inFlight int
}

// liveTallies counts, for each running run, its jobs so far from their
// attempts.
func liveTallies(ctx context.Context, st interface {
	RunAttempts(ctx context.Context, runID int64) ([]schema.JobAttempt, error)
}, runs []schema.BatchRun) (map[int64]liveTally, error) {
	live := map[int64]liveTally{}
	for _, r := range runs {
		if r.Status != schema.BatchRunning {
			continue
		}
		attempts, err := st.RunAttempts(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		t, inFlight := batch.TallyAttempts(attempts)
		live[r.ID] = liveTally{t, inFlight}
	}
	return live, nil
}

// writeFailedAttempts lists a run's jobs that failed for good, with cause
// and error.
func writeFailedAttempts(w io.Writer, runID int64, attempts []schema.JobAttempt) error {
	var b strings.Builder
	n := 0
	for _, a := range attempts {
		if a.Outcome != schema.AttemptFailed && a.Outcome != schema.AttemptGaveUp {
			continue
		}
		n++
		fmt.Fprintf(&b, "  %s: %s (%s)\n", a.URL, a.Cause, oneLineText(a.Error))
	}
	fmt.Fprintf(w, "\nrun %d: %d failed\n%s", runID, n, b.String())
	return nil
}

// oneLineText is s on one line, cut to 200 characters.
func oneLineText(s string) string {
	return clipRunes(terminalSafe(strings.Join(strings.Fields(s), " ")), 200)
}

// jobStateWords says a queue state as the rest of veille does: River's
// "cancelled" is a job that failed for good, "discarded" one that was given
// up after its tries.
func jobStateWords(state string) string {
	switch state {
	case "available":
		return "waiting"
	case "scheduled", "retryable":
		return "to retry"
	case "completed":
		return "done"
	case "cancelled":
		return "failed for good"
	case "discarded":
		return "gave up"
	}
	return state
}

// writeBatchStatus renders --status.
func writeBatchStatus(w io.Writer, counts batch.Counts, runs []schema.BatchRun, live map[int64]liveTally) error {
	var b strings.Builder
	fmt.Fprintf(&b, "queue: %d pending", counts.Pending())
	byWords := map[string]int{}
	for s, n := range counts {
		byWords[jobStateWords(s)] += n
	}
	states := make([]string, 0, len(byWords))
	for s, n := range byWords {
		if n > 0 {
			states = append(states, fmt.Sprintf("%s %d", s, n))
		}
	}
	sort.Strings(states)
	if len(states) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(states, ", "))
	}
	b.WriteString("\n")
	if len(runs) == 0 {
		b.WriteString("no batch run yet\n")
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "run %d  %s  %s", r.ID, r.StartedAt.Local().Format("2006-01-02 15:04"), r.Status)
		if r.StopReason != "" {
			fmt.Fprintf(&b, " (%s)", r.StopReason)
		}
		if l, ok := live[r.ID]; ok {
			fmt.Fprintf(&b, "  so far: done %d, skipped %d, failed %d, working on %d, %.4f USD\n",
				l.Done, l.Skipped, l.Failed, l.inFlight, l.CostUSD)
			continue
		}
		fmt.Fprintf(&b, "  queued %d, done %d, skipped %d, failed %d, left %d, %.4f USD, %s\n",
			r.Queued, r.Done, r.Skipped, r.Failed, r.Remaining, r.CostUSD, r.Elapsed.Round(time.Second))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

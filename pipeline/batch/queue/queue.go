// Package queue is the batch's durable job queue on River
// (riverqueue.com), in the store's SQLite database through riversqlite.
package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/veille/veille/pipeline/batch"
)

// Config tunes retries and job limits.
type Config struct {
	// MaxAttempts is how many times a job is tried before it is given up.
	MaxAttempts int
	// RetryBase is the wait before the first retry; it doubles after each
	// further failure, up to RetryMax, with jitter.
	RetryBase, RetryMax time.Duration
	// JobTimeout bounds one attempt.
	JobTimeout time.Duration
	// PollInterval is how often workers look for new jobs when idle.
	PollInterval time.Duration
	// Logger receives River's own logs.
	Logger *slog.Logger
}

// DefaultConfig suits a nightly batch: 5 tries, the 4 retries after
// waits of about 2, 4, 8 and 16 s (half a minute in all).
func DefaultConfig() Config {
	return Config{MaxAttempts: 5, RetryBase: 2 * time.Second, RetryMax: time.Minute,
		JobTimeout: 15 * time.Minute, PollInterval: 200 * time.Millisecond}
}

// River is a Queue on River's riversqlite driver, sharing the store's
// database.
type River struct {
	db     *sql.DB
	driver *riversqlite.Driver
	cfg    Config
	// client is insert-only (never started): Enqueue and Counts use it.
	client *river.Client[*sql.Tx]
}

// NewRiver returns a queue on db, the store's SQLite database.
func NewRiver(db *sql.DB, cfg Config) (*River, error) {
	q := &River{db: db, driver: riversqlite.New(db), cfg: cfg}
	client, err := river.NewClient(q.driver, q.riverConfig(nil, 0))
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// riverConfig is the client configuration; workers and n are nil and 0
// for an insert-only client.
func (q *River) riverConfig(workers *river.Workers, n int) *river.Config {
	logger := q.cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg := &river.Config{
		Logger:               logger,
		MaxAttempts:          q.cfg.MaxAttempts,
		RetryPolicy:          backoffPolicy{base: q.cfg.RetryBase, max: q.cfg.RetryMax},
		JobTimeout:           q.cfg.JobTimeout,
		RescueStuckJobsAfter: q.cfg.JobTimeout + 15*time.Minute,
		FetchPollInterval:    q.cfg.PollInterval,
		FetchCooldown:        10 * time.Millisecond,
		PollOnly:             true,
		Workers:              workers,
	}
	if n > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
	}
	return cfg
}

// Migrate applies River's SQLite migrations (river_job, river_queue, ...).
func (q *River) Migrate(ctx context.Context) error {
	m, err := rivermigrate.New(q.driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	return nil
}

// uniqueStates are the states in which a job blocks a new job for the same
// canonical URL: every unfinished state. Finished jobs do not block, so
// --refresh can queue a document again.
func uniqueStates() []rivertype.JobState {
	return []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
		rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}
}

// EnqueueTx inserts jobs in tx, which the caller commits.
func (q *River) EnqueueTx(ctx context.Context, tx *sql.Tx, jobs []batch.Job) (int, error) {
	if len(jobs) == 0 {
		return 0, nil
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: j, InsertOpts: &river.InsertOpts{
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates()},
		}}
	}
	res, err := q.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return 0, fmt.Errorf("queue jobs: %w", err)
	}
	inserted := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			inserted++
		}
	}
	return inserted, nil
}

// queuedJob decodes a River job row.
func queuedJob(row *rivertype.JobRow) (batch.QueuedJob, error) {
	var args batch.Job
	if err := json.Unmarshal(row.EncodedArgs, &args); err != nil {
		return batch.QueuedJob{}, fmt.Errorf("job %d arguments: %w", row.ID, err)
	}
	return batch.QueuedJob{ID: row.ID, Attempt: row.Attempt, MaxAttempts: row.MaxAttempts,
		CreatedAt: row.CreatedAt, Args: args}, nil
}

// Work starts a River client with workers and runs it until the queue has
// nothing pending, stop closes, or ctx is done.
func (q *River) Work(ctx context.Context, workers int, handle batch.Handler, stop <-chan struct{}) error {
	ws := river.NewWorkers()
	river.AddWorker(ws, &documentWorker{handle: handle})
	client, err := river.NewClient(q.driver, q.riverConfig(ws, workers))
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	// The client runs on its own context: stopping is done explicitly below,
	// so jobs in flight can finish on a budget stop.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	waitErr := q.waitDrained(ctx, stop)
	var stopErr error
	if ctx.Err() != nil {
		stopErr = client.StopAndCancel(context.WithoutCancel(ctx))
	} else {
		stopErr = client.Stop(context.WithoutCancel(ctx))
	}
	return errors.Join(waitErr, stopErr)
}

// waitDrained polls the job counts until nothing is pending.
func (q *River) waitDrained(ctx context.Context, stop <-chan struct{}) error {
	tick := time.NewTicker(max(q.cfg.PollInterval, 50*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case <-tick.C:
		}
		counts, err := q.Counts(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if counts.Pending() == 0 {
			return nil
		}
	}
}

// documentWorker adapts a batch.Handler to River's Worker interface.
type documentWorker struct {
	river.WorkerDefaults[batch.Job]
	handle batch.Handler
}

// Work runs the handler and translates its verdict into River's terms.
func (w *documentWorker) Work(ctx context.Context, job *river.Job[batch.Job]) error {
	err := w.handle(ctx, batch.QueuedJob{ID: job.ID, Attempt: job.Attempt, MaxAttempts: job.MaxAttempts,
		CreatedAt: job.CreatedAt, Args: job.Args})
	var perm *batch.PermanentError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, batch.ErrDeferred):
		return river.JobSnooze(0)
	case errors.As(err, &perm):
		return river.JobCancel(err)
	}
	return err
}

// backoffPolicy retries after base·2^(attempt-1), capped at max, with up to
// 20% jitter.
type backoffPolicy struct{ base, max time.Duration }

// NextRetry implements river.ClientRetryPolicy.
func (p backoffPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p.delay(job.Attempt))
}

func (p backoffPolicy) delay(attempt int) time.Duration {
	d := p.base
	for i := 1; i < attempt && d < p.max; i++ {
		d *= 2
	}
	d = min(d, p.max)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

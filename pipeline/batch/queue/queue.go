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
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/veille/veille/schema"
)

// DocumentJob is one queued document: fetch, extract, model, card. It is
// stored as the job's JSON arguments, so its fields must stay compatible
// across releases.
type DocumentJob struct {
	// URL is the address as an input listed it.
	URL string `json:"url"`
	// Canonical is schema.CanonicalURL(URL); at most one unfinished job
	// exists per canonical URL.
	Canonical string `json:"canonical" river:"unique"`
	// Origin is the digest page that linked URL, if any.
	Origin *schema.Link `json:"origin,omitempty"`
	// Refresh makes a new card version even if the document has a card
	// made before the job was queued.
	Refresh bool `json:"refresh,omitempty"`
}

// Kind is the job kind River stores; part of the on-disk format.
func (DocumentJob) Kind() string { return "veille_document" }

// QueuedJob is a job handed to a JobHandler.
type QueuedJob struct {
	ID int64
	// Attempt counts tries, 1 for the first (a try interrupted by a crash
	// counts too).
	Attempt, MaxAttempts int
	// CreatedAt is when the job was queued.
	CreatedAt time.Time
	Args      DocumentJob
}

// JobHandler works one job. Return nil when done, an error wrapping
// ErrDeferred to put the job back untouched, a *PermanentError to give up
// at once, and any other error to retry later with backoff.
type JobHandler func(ctx context.Context, job QueuedJob) error

// ErrDeferred puts a job back in the queue without counting the attempt
// (the budget is spent, or the batch is stopping).
var ErrDeferred = errors.New("job deferred")

// PermanentError is a failure that retrying cannot fix: HTTP 404, an
// unsupported content type, a model's refusal.
type PermanentError struct {
	// Cause is a short, stable label for summaries ("http 404").
	Cause string
	Err   error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// QueueCounts is how many jobs are in each state.
type QueueCounts map[string]int

// Pending is the number of jobs still to be worked: available, running,
// retryable, scheduled or pending.
func (c QueueCounts) Pending() int {
	return c["available"] + c["running"] + c["retryable"] + c["scheduled"] + c["pending"]
}

// Queue is the durable job queue behind `extract batch`. The SQLite
// implementation is RiverQueue; a PostgreSQL one would wrap River's pgx
// driver behind the same methods (see README, "Batch").
type Queue interface {
	// Migrate creates or updates the queue's own tables.
	Migrate(ctx context.Context) error
	// Enqueue inserts jobs, leaving out those whose canonical URL already
	// has an unfinished job; it returns how many were inserted.
	Enqueue(ctx context.Context, jobs []DocumentJob) (int, error)
	// RescueOrphans makes jobs left running by a dead process available
	// again and returns them. Call it only when no other worker process
	// can be alive.
	RescueOrphans(ctx context.Context) ([]QueuedJob, error)
	// Work runs handle on queued jobs with the given number of workers
	// until nothing is left to do, stop is closed, or ctx is done. Jobs in
	// flight when stop closes finish; when ctx is done they are cancelled.
	Work(ctx context.Context, workers int, handle JobHandler, stop <-chan struct{}) error
	// Counts returns how many jobs are in each state.
	Counts(ctx context.Context) (QueueCounts, error)
}

// QueueConfig tunes retries and job limits.
type QueueConfig struct {
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

// DefaultQueueConfig suits a nightly batch: 5 tries, the 4 retries after
// waits of about 2, 4, 8 and 16 s (half a minute in all).
func DefaultQueueConfig() QueueConfig {
	return QueueConfig{MaxAttempts: 5, RetryBase: 2 * time.Second, RetryMax: time.Minute,
		JobTimeout: 15 * time.Minute, PollInterval: 200 * time.Millisecond}
}

// RiverQueue is a Queue on River's riversqlite driver, sharing the store's
// database.
type RiverQueue struct {
	db     *sql.DB
	driver *riversqlite.Driver
	cfg    QueueConfig
	// client is insert-only (never started): Enqueue and Counts use it.
	client *river.Client[*sql.Tx]
}

// NewRiverQueue returns a queue on db, the store's SQLite database.
func NewRiverQueue(db *sql.DB, cfg QueueConfig) (*RiverQueue, error) {
	q := &RiverQueue{db: db, driver: riversqlite.New(db), cfg: cfg}
	client, err := river.NewClient(q.driver, q.riverConfig(nil, 0))
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// riverConfig is the client configuration; workers and n are nil and 0
// for an insert-only client.
func (q *RiverQueue) riverConfig(workers *river.Workers, n int) *river.Config {
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
func (q *RiverQueue) Migrate(ctx context.Context) error {
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

// Enqueue inserts jobs in one transaction.
func (q *RiverQueue) Enqueue(ctx context.Context, jobs []DocumentJob) (int, error) {
	if len(jobs) == 0 {
		return 0, nil
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: j, InsertOpts: &river.InsertOpts{
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates()},
		}}
	}
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("queue jobs: %w", err)
	}
	defer tx.Rollback()
	res, err := q.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return 0, fmt.Errorf("queue jobs: %w", err)
	}
	if err := tx.Commit(); err != nil {
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

// RescueOrphans moves every running job back to available, through the
// same driver call River's own job rescuer uses.
func (q *RiverQueue) RescueOrphans(ctx context.Context) ([]QueuedJob, error) {
	exec := q.driver.GetExecutor()
	stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{
		Max: 100000, StuckHorizon: time.Now().Add(time.Minute)})
	if err != nil {
		return nil, fmt.Errorf("find interrupted jobs: %w", err)
	}
	if len(stuck) == 0 {
		return nil, nil
	}
	now := time.Now().UTC()
	params := &riverdriver.JobRescueManyParams{StuckHorizon: time.Now().Add(time.Minute)}
	var rescued []QueuedJob
	for _, j := range stuck {
		errJSON, err := json.Marshal(rivertype.AttemptError{At: now, Attempt: max(j.Attempt, 0),
			Error: "the batch process died during this attempt"})
		if err != nil {
			return nil, err
		}
		params.ID = append(params.ID, j.ID)
		params.Error = append(params.Error, errJSON)
		params.FinalizedAt = append(params.FinalizedAt, nil)
		params.ScheduledAt = append(params.ScheduledAt, now)
		params.State = append(params.State, string(rivertype.JobStateAvailable))
		if qj, err := queuedJob(j); err == nil {
			rescued = append(rescued, qj)
		}
	}
	if _, err := exec.JobRescueMany(ctx, params); err != nil {
		return nil, fmt.Errorf("requeue interrupted jobs: %w", err)
	}
	return rescued, nil
}

// queuedJob decodes a River job row.
func queuedJob(row *rivertype.JobRow) (QueuedJob, error) {
	var args DocumentJob
	if err := json.Unmarshal(row.EncodedArgs, &args); err != nil {
		return QueuedJob{}, fmt.Errorf("job %d arguments: %w", row.ID, err)
	}
	return QueuedJob{ID: row.ID, Attempt: row.Attempt, MaxAttempts: row.MaxAttempts,
		CreatedAt: row.CreatedAt, Args: args}, nil
}

// Counts counts jobs by state.
func (q *RiverQueue) Counts(ctx context.Context) (QueueCounts, error) {
	byState, err := q.driver.GetExecutor().JobCountByAllStates(ctx, &riverdriver.JobCountByAllStatesParams{})
	if err != nil {
		return nil, fmt.Errorf("count queued jobs: %w", err)
	}
	counts := QueueCounts{}
	for state, n := range byState {
		counts[string(state)] = n
	}
	return counts, nil
}

// Work starts a River client with workers and runs it until the queue has
// nothing pending, stop closes, or ctx is done.
func (q *RiverQueue) Work(ctx context.Context, workers int, handle JobHandler, stop <-chan struct{}) error {
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
func (q *RiverQueue) waitDrained(ctx context.Context, stop <-chan struct{}) error {
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

// documentWorker adapts a JobHandler to River's Worker interface.
type documentWorker struct {
	river.WorkerDefaults[DocumentJob]
	handle JobHandler
}

// Work runs the handler and translates its verdict into River's terms.
func (w *documentWorker) Work(ctx context.Context, job *river.Job[DocumentJob]) error {
	err := w.handle(ctx, QueuedJob{ID: job.ID, Attempt: job.Attempt, MaxAttempts: job.MaxAttempts,
		CreatedAt: job.CreatedAt, Args: job.Args})
	var perm *PermanentError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrDeferred):
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

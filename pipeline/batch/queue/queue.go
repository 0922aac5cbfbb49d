// Package queue is the batch's durable job queue on River
// (riverqueue.com), in the store's database: SQLite through riversqlite
// ([NewRiver]), or PostgreSQL through riverpgxv5 ([NewPostgres]), where any
// number of worker processes share the queue.
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

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
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
	// PollInterval is how often workers look for new jobs when idle (on
	// PostgreSQL, new jobs are also announced by LISTEN/NOTIFY).
	PollInterval time.Duration
	// RescueAfter is how long a job may stay running before River's
	// rescuer makes it available to another worker (PostgreSQL: the jobs
	// of a worker that died); 0 means JobTimeout plus a minute. A job is
	// given at most that long: JobTimeout is lowered to it.
	RescueAfter time.Duration
	// Wait keeps Work listening for new jobs once the queue is empty,
	// until stop closes or ctx is done.
	Wait bool
	// Logger receives River's own logs.
	Logger *slog.Logger
}

// DefaultConfig suits a nightly batch: 5 tries, the 4 retries after
// waits of about 2, 4, 8 and 16 s (half a minute in all).
func DefaultConfig() Config {
	return Config{MaxAttempts: 5, RetryBase: 2 * time.Second, RetryMax: time.Minute,
		JobTimeout: 15 * time.Minute, PollInterval: 200 * time.Millisecond}
}

// River is a Queue on River, in the store's database.
type River struct {
	cfg Config
	// client is insert-only (never started): EnqueueTx uses it.
	client *river.Client[*sql.Tx]
	// exec runs the driver calls of unstable.go.
	exec riverdriver.Executor
	// migrator applies River's migrations.
	migrator func(ctx context.Context) error
	// workClient makes the client that works the jobs.
	workClient func(cfg *river.Config) (workClient, error)
	// shared: other processes may work the queue (PostgreSQL).
	shared bool
}

// workClient is a started River client, whatever its driver.
type workClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// NewRiver returns a queue on db, the store's SQLite database, worked by
// one process at a time.
func NewRiver(db *sql.DB, cfg Config) (*River, error) {
	driver := riversqlite.New(db)
	q := &River{cfg: cfg, exec: driver.GetExecutor(),
		migrator: func(ctx context.Context) error { return migrate(ctx, driver) },
		workClient: func(rc *river.Config) (workClient, error) {
			rc.PollOnly = true
			return river.NewClient(driver, rc)
		}}
	client, err := river.NewClient(driver, q.riverConfig(nil, 0))
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// NewPostgres returns a queue on the store's PostgreSQL database: jobs are
// inserted through db (database/sql, in the batch run's transaction) and
// worked through pool (pgx), whose listener hears of new jobs at once. Any
// number of processes may work it; River's rescuer gives the jobs of one
// that died to the others after cfg.RescueAfter.
func NewPostgres(db *sql.DB, pool *pgxpool.Pool, cfg Config) (*River, error) {
	driver := riverpgxv5.New(pool)
	q := &River{cfg: cfg, exec: driver.GetExecutor(), shared: true,
		migrator: func(ctx context.Context) error { return migrate(ctx, driver) },
		workClient: func(rc *river.Config) (workClient, error) {
			return river.NewClient(driver, rc)
		}}
	client, err := river.NewClient(riverdatabasesql.New(db), q.riverConfig(nil, 0))
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// Shared reports whether other processes may work the queue at the same
// time: true on PostgreSQL.
func (q *River) Shared() bool { return q.shared }

// limits are the job time limit and the time after which a running job is
// rescued (see Config.RescueAfter).
func (q *River) limits() (timeout, rescue time.Duration) {
	timeout, rescue = q.cfg.JobTimeout, q.cfg.RescueAfter
	if rescue <= 0 {
		return timeout, timeout + time.Minute
	}
	return min(timeout, rescue), rescue
}

// riverConfig is the client configuration; workers and n are nil and 0
// for an insert-only client.
func (q *River) riverConfig(workers *river.Workers, n int) *river.Config {
	timeout, rescue := q.limits()
	cfg := &river.Config{
		Logger:               q.logger(),
		MaxAttempts:          q.cfg.MaxAttempts,
		RetryPolicy:          backoffPolicy{base: q.cfg.RetryBase, max: q.cfg.RetryMax},
		JobTimeout:           timeout,
		RescueStuckJobsAfter: rescue,
		FetchPollInterval:    q.cfg.PollInterval,
		FetchCooldown:        10 * time.Millisecond,
		Workers:              workers,
	}
	if n > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
	}
	return cfg
}

// Migrate applies River's migrations (river_job, river_queue, ...).
func (q *River) Migrate(ctx context.Context) error { return q.migrator(ctx) }

// migrate applies the migrations of River's driver.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
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
	client, err := q.workClient(q.riverConfig(ws, workers))
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

// waitDrained polls the job counts until nothing is pending (in any
// process), stop closes or ctx is done; with Config.Wait, only the latter
// two end it.
func (q *River) waitDrained(ctx context.Context, stop <-chan struct{}) error {
	tick := time.NewTicker(max(q.cfg.PollInterval, 50*time.Millisecond))
	defer tick.Stop()
	var failing time.Time // since when the counts fail, zero when they do not
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case <-tick.C:
		}
		if q.cfg.Wait {
			continue
		}
		counts, err := q.Counts(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// A shared database may be restarted while workers run: they
			// wait for it, as River's own services do.
			if !q.shared || !failing.IsZero() && time.Since(failing) > outageLimit {
				return err
			}
			if failing.IsZero() {
				failing = time.Now()
				q.logger().Warn("job queue: the database does not answer; waiting for it", "err", err)
			}
			continue
		}
		if !failing.IsZero() {
			q.logger().Warn("job queue: the database answers again", "after", time.Since(failing).Round(time.Second))
			failing = time.Time{}
		}
		if counts.Pending() == 0 {
			return nil
		}
	}
}

// outageLimit is how long a worker on a shared database waits for it to
// answer again before giving up.
const outageLimit = 5 * time.Minute

func (q *River) logger() *slog.Logger {
	if q.cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return q.cfg.Logger
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

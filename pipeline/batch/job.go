package batch

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/veille/veille/schema"
)

// Job is one queued document: fetch, extract, model, card. It is
// stored as the job's JSON arguments, so its fields must stay compatible
// across releases.
type Job struct {
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
	// PublicOnly fetches the page only from public addresses (see
	// fetch.PublicOnlyContext): it was found in a remote digest or feed,
	// and --allow-private-hosts was not given.
	PublicOnly bool `json:"public_only,omitempty"`
}

// Kind is the job kind River stores; part of the on-disk format.
func (Job) Kind() string { return "veille_document" }

// QueuedJob is a job handed to a Handler.
type QueuedJob struct {
	ID int64
	// Attempt counts tries, 1 for the first (a try interrupted by a crash
	// counts too).
	Attempt, MaxAttempts int
	// CreatedAt is when the job was queued.
	CreatedAt time.Time
	Args      Job
}

// Handler works one job. Return nil when done, an error wrapping
// ErrDeferred to put the job back untouched, a *PermanentError to give up
// at once, and any other error to retry later with backoff.
type Handler func(ctx context.Context, job QueuedJob) error

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

// Counts is how many jobs are in each state.
type Counts map[string]int

// Pending is the number of jobs still to be worked: available, running,
// retryable, scheduled or pending.
func (c Counts) Pending() int {
	return c["available"] + c["running"] + c["retryable"] + c["scheduled"] + c["pending"]
}

// Queue is the durable job queue behind a [Batch]. Package queue has the
// implementations on River, in SQLite and in PostgreSQL.
type Queue interface {
	// Shared reports whether other processes may work the queue at the
	// same time (PostgreSQL). A batch on a shared queue takes no lock and
	// never declares other runs dead: the queue itself hands the jobs of a
	// worker that died to the others.
	Shared() bool
	// Migrate creates or updates the queue's own tables.
	Migrate(ctx context.Context) error
	// EnqueueTx inserts jobs in tx, the transaction that records the
	// batch run, leaving out those whose canonical URL already has an
	// unfinished job; it returns how many were inserted.
	EnqueueTx(ctx context.Context, tx *sql.Tx, jobs []Job) (int, error)
	// RescueOrphans makes jobs left running by a dead process available
	// again and returns them. Call it only when no other worker process
	// can be alive.
	RescueOrphans(ctx context.Context) ([]QueuedJob, error)
	// Work runs handle on queued jobs with the given number of workers
	// until nothing is left to do, stop is closed, or ctx is done. Jobs in
	// flight when stop closes finish; when ctx is done they are cancelled.
	Work(ctx context.Context, workers int, handle Handler, stop <-chan struct{}) error
	// Counts returns how many jobs are in each state.
	Counts(ctx context.Context) (Counts, error)
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Batch run statuses.
const (
	BatchRunning     = "running"
	BatchCompleted   = "completed"
	BatchStopped     = "stopped"
	BatchInterrupted = "interrupted"
)

// Job attempt outcomes.
const (
	AttemptDone        = "done"
	AttemptSkipped     = "skipped"
	AttemptRetry       = "retry"
	AttemptFailed      = "failed"  // permanent failure, not retried
	AttemptGaveUp      = "gave up" // transient failure, out of attempts
	AttemptInterrupted = "interrupted"
)

// BatchRun is one `extract batch` invocation and its summary.
type BatchRun struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Status     string
	StopReason string
	Inputs     []string
	// Queued counts the jobs this run inserted; Skipped the documents that
	// had a card already; Done the cards made; Failed the jobs given up.
	Queued, Skipped, Done, Failed int
	FailedByCause                 map[string]int
	InputTokens, OutputTokens     int
	CostUSD                       float64
	Elapsed                       time.Duration
	// Remaining counts the jobs left in the queue when the run ended.
	Remaining int
}

// JobAttempt is one try at one batch job.
type JobAttempt struct {
	ID         int64
	RunID      int64
	JobID      int64
	Attempt    int
	URL        string
	StartedAt  time.Time
	FinishedAt time.Time // zero while in flight
	Outcome    string
	Cause      string
	Error      string

	InputTokens, OutputTokens int
	CostUSD                   float64
}

func parseBatchTimestamp(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s.String)
}

// StartBatchRun records a new run in the running state and returns its ID.
func (s *Store) StartBatchRun(ctx context.Context, inputs []string, startedAt time.Time) (int64, error) {
	if inputs == nil {
		inputs = []string{}
	}
	js, err := json.Marshal(inputs)
	if err != nil {
		return 0, fmt.Errorf("start batch run: %w", err)
	}
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO batch_runs (started_at, status, inputs) VALUES (?, ?, ?)`,
		timestamp(startedAt), BatchRunning, string(js))
	if err != nil {
		return 0, fmt.Errorf("start batch run: %w", err)
	}
	return res.LastInsertId()
}

// FinishBatchRun stores run's summary (everything but ID, StartedAt and
// Inputs) on the run's row.
func (s *Store) FinishBatchRun(ctx context.Context, run BatchRun) error {
	causes := run.FailedByCause
	if causes == nil {
		causes = map[string]int{}
	}
	js, err := json.Marshal(causes)
	if err != nil {
		return fmt.Errorf("finish batch run %d: %w", run.ID, err)
	}
	_, err = s.db.ExecContext(ctx, `UPDATE batch_runs SET finished_at = ?, status = ?, stop_reason = ?,
		queued = ?, skipped = ?, done = ?, failed = ?, failed_by_cause = ?, input_tokens = ?,
		output_tokens = ?, cost_usd = ?, elapsed_ms = ?, remaining = ? WHERE id = ?`,
		timestamp(run.FinishedAt), run.Status, run.StopReason, run.Queued, run.Skipped,
		run.Done, run.Failed, string(js), run.InputTokens, run.OutputTokens, run.CostUSD,
		run.Elapsed.Milliseconds(), run.Remaining, run.ID)
	if err != nil {
		return fmt.Errorf("finish batch run %d: %w", run.ID, err)
	}
	return nil
}

// InterruptBatchRuns marks every run still recorded as running, and every
// attempt still in flight, as interrupted: their process died. Only call it
// while holding the batch lock, when no other batch process can be alive.
// It returns the number of attempts it closed.
func (s *Store) InterruptBatchRuns(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batch_attempts SET finished_at = ?, outcome = ?,
			cause = 'crash', error = 'the batch process died during this attempt'
			WHERE finished_at IS NULL`, timestamp(now), AttemptInterrupted)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE batch_runs SET finished_at = ?, status = ?,
			stop_reason = 'process died' WHERE status = ?`, timestamp(now), BatchInterrupted, BatchRunning)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("close interrupted batch runs: %w", err)
	}
	return int(n), nil
}

// BatchRuns returns the last n runs, newest first.
func (s *Store) BatchRuns(ctx context.Context, n int) ([]BatchRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, finished_at, status, stop_reason,
		inputs, queued, skipped, done, failed, failed_by_cause, input_tokens, output_tokens,
		cost_usd, elapsed_ms, remaining FROM batch_runs ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("list batch runs: %w", err)
	}
	defer rows.Close()
	var runs []BatchRun
	for rows.Next() {
		r, err := scanBatchRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list batch runs: %w", err)
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

func scanBatchRun(rows *sql.Rows) (BatchRun, error) {
	var (
		r                 BatchRun
		started, finished sql.NullString
		inputs, causes    string
		elapsedMS         int64
	)
	err := rows.Scan(&r.ID, &started, &finished, &r.Status, &r.StopReason, &inputs, &r.Queued,
		&r.Skipped, &r.Done, &r.Failed, &causes, &r.InputTokens, &r.OutputTokens, &r.CostUSD,
		&elapsedMS, &r.Remaining)
	if err != nil {
		return r, err
	}
	r.Elapsed = time.Duration(elapsedMS) * time.Millisecond
	if r.StartedAt, err = parseBatchTimestamp(started); err != nil {
		return r, err
	}
	if r.FinishedAt, err = parseBatchTimestamp(finished); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(inputs), &r.Inputs); err != nil {
		return r, fmt.Errorf("run %d inputs: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(causes), &r.FailedByCause); err != nil {
		return r, fmt.Errorf("run %d causes: %w", r.ID, err)
	}
	return r, nil
}

// StartJobAttempt records an attempt as in flight and returns its ID.
func (s *Store) StartJobAttempt(ctx context.Context, a JobAttempt) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO batch_attempts (run_id, job_id, attempt, url,
		started_at) VALUES (?, ?, ?, ?, ?)`, a.RunID, a.JobID, a.Attempt, a.URL, timestamp(a.StartedAt))
	if err != nil {
		return 0, fmt.Errorf("record attempt of job %d: %w", a.JobID, err)
	}
	return res.LastInsertId()
}

// FinishJobAttempt stores how attempt a.ID ended.
func (s *Store) FinishJobAttempt(ctx context.Context, a JobAttempt) error {
	res, err := s.db.ExecContext(ctx, `UPDATE batch_attempts SET finished_at = ?, outcome = ?,
		cause = ?, error = ?, input_tokens = ?, output_tokens = ?, cost_usd = ? WHERE id = ?`,
		timestamp(a.FinishedAt), a.Outcome, a.Cause, a.Error, a.InputTokens, a.OutputTokens,
		a.CostUSD, a.ID)
	if err != nil {
		return fmt.Errorf("finish attempt %d: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("finish attempt %d: no such attempt", a.ID)
	}
	return nil
}

// RunAttempts returns the attempts made during run runID, oldest first.
func (s *Store) RunAttempts(ctx context.Context, runID int64) ([]JobAttempt, error) {
	return s.queryAttempts(ctx, `WHERE run_id = ? ORDER BY id`, runID)
}

func (s *Store) queryAttempts(ctx context.Context, where string, arg any) ([]JobAttempt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, run_id, job_id, attempt, url, started_at,
		finished_at, outcome, cause, error, input_tokens, output_tokens, cost_usd
		FROM batch_attempts `+where, arg)
	if err != nil {
		return nil, fmt.Errorf("list job attempts: %w", err)
	}
	defer rows.Close()
	var out []JobAttempt
	for rows.Next() {
		var (
			a                 JobAttempt
			started, finished sql.NullString
		)
		if err := rows.Scan(&a.ID, &a.RunID, &a.JobID, &a.Attempt, &a.URL, &started, &finished,
			&a.Outcome, &a.Cause, &a.Error, &a.InputTokens, &a.OutputTokens, &a.CostUSD); err != nil {
			return nil, fmt.Errorf("list job attempts: %w", err)
		}
		if a.StartedAt, err = parseBatchTimestamp(started); err != nil {
			return nil, fmt.Errorf("list job attempts: %w", err)
		}
		if a.FinishedAt, err = parseBatchTimestamp(finished); err != nil {
			return nil, fmt.Errorf("list job attempts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PermanentFailure reports whether the last finished attempt at url failed
// permanently, and its cause.
func (s *Store) PermanentFailure(ctx context.Context, url string) (cause string, failed bool, err error) {
	var outcome string
	err = s.db.QueryRowContext(ctx, `SELECT outcome, cause FROM batch_attempts
		WHERE url = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`, url).Scan(&outcome, &cause)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("last attempt at %s: %w", url, err)
	}
	return cause, outcome == AttemptFailed, nil
}

// UnseenFeedItems returns the item URLs of feed feedURL that
// MarkFeedItemsSeen has not recorded yet, in their given order.
func (s *Store) UnseenFeedItems(ctx context.Context, feedURL string, itemURLs []string) ([]string, error) {
	var fresh []string
	for _, u := range itemURLs {
		var one int
		err := s.db.QueryRowContext(ctx, `SELECT 1 FROM batch_feed_items WHERE feed_url = ? AND item_url = ?`,
			feedURL, u).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			fresh = append(fresh, u)
		case err != nil:
			return nil, fmt.Errorf("read items of feed %s: %w", feedURL, err)
		}
	}
	return fresh, nil
}

// MarkFeedItemsSeen records item URLs of feed feedURL as seen, in one
// transaction; call it once they are queued.
func (s *Store) MarkFeedItemsSeen(ctx context.Context, feedURL string, itemURLs []string, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, u := range itemURLs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO batch_feed_items (feed_url, item_url, first_seen)
				VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, feedURL, u, timestamp(now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record items of feed %s: %w", feedURL, err)
	}
	return nil
}

// LatestCards returns the newest card version of every document whose
// newest version was made at or after since (zero: all), ordered by
// document ID. It is what `extract export` writes.
func (s *Store) LatestCards(ctx context.Context, since time.Time) ([]StoredCard, error) {
	// created_at is RFC 3339 in UTC; comparing with the seconds-only prefix
	// keeps fractional seconds on the right side.
	return s.cards(ctx, `WHERE id IN (SELECT MAX(id) FROM cards GROUP BY document_id)
		AND created_at >= ? ORDER BY document_id`, since.UTC().Format("2006-01-02T15:04:05"))
}

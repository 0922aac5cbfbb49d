package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
)

// PrepareBatchRun records a new run in the running state, calls enqueue to
// queue its jobs, and records the item URLs of feedItems (keyed by feed URL)
// as seen at startedAt, all in one transaction: enqueue receives that
// transaction and the run's ID, and inserts its jobs through tx. When
// enqueue or any write fails, everything is rolled back: no run, no jobs,
// no feed item marked. The run records queued, the number of jobs enqueue
// reports.
func (s *Store) PrepareBatchRun(ctx context.Context, inputs []string, startedAt time.Time,
	feedItems map[string][]string, enqueue func(ctx context.Context, tx *sql.Tx, runID int64) (int, error),
) (runID int64, queued int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if inputs == nil {
			inputs = []string{}
		}
		js, err := json.Marshal(inputs)
		if err != nil {
			return fmt.Errorf("record run: %w", err)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO batch_runs (started_at, status, inputs) VALUES ($1, $2, $3)
			RETURNING id`, startedAt.UTC(), schema.BatchRunning, string(js)).Scan(&id); err != nil {
			return fmt.Errorf("record run: %w", err)
		}
		n, err := enqueue(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("queue jobs of run %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batch_runs SET queued = $1 WHERE id = $2`, n, id); err != nil {
			return fmt.Errorf("record jobs of run %d: %w", id, err)
		}
		runID, queued = id, n
		for feedURL, itemURLs := range feedItems {
			if _, err := tx.ExecContext(ctx, `INSERT INTO batch_feed_items (feed_url, item_url, first_seen)
				SELECT $1, u, $2 FROM unnest($3::text[]) AS u ON CONFLICT DO NOTHING`,
				feedURL, startedAt.UTC(), textArray(itemURLs)); err != nil {
				return fmt.Errorf("record items of feed %s: %w", feedURL, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("prepare batch run: %w", err)
	}
	return runID, queued, nil
}

// FinishBatchRun stores run's summary (everything but ID, StartedAt and
// Inputs) on the run's row.
func (s *Store) FinishBatchRun(ctx context.Context, run schema.BatchRun) error {
	causes := run.FailedByCause
	if causes == nil {
		causes = map[string]int{}
	}
	js, err := json.Marshal(causes)
	if err != nil {
		return fmt.Errorf("finish batch run %d: %w", run.ID, err)
	}
	_, err = s.db.ExecContext(ctx, `UPDATE batch_runs SET finished_at = $1, status = $2, stop_reason = $3,
		queued = $4, skipped = $5, done = $6, failed = $7, failed_by_cause = $8, input_tokens = $9,
		output_tokens = $10, cost_usd = $11, elapsed_ms = $12, remaining = $13 WHERE id = $14`,
		nullTime(run.FinishedAt.UTC()), run.Status, run.StopReason, run.Queued, run.Skipped,
		run.Done, run.Failed, string(js), run.InputTokens, run.OutputTokens, run.CostUSD,
		run.Elapsed.Milliseconds(), run.Remaining, run.ID)
	if err != nil {
		return fmt.Errorf("finish batch run %d: %w", run.ID, err)
	}
	return nil
}

// InterruptBatchRuns marks every run still recorded as running, and every
// attempt still in flight, as interrupted: their process died. Only call
// it when no other batch process can be alive. It returns the number of
// attempts it closed.
func (s *Store) InterruptBatchRuns(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batch_attempts SET finished_at = $1, outcome = $2,
			cause = 'crash', error = 'the batch process died during this attempt'
			WHERE finished_at IS NULL`, now.UTC(), schema.AttemptInterrupted)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE batch_runs SET finished_at = $1, status = $2,
			stop_reason = 'process died' WHERE status = $3`, now.UTC(), schema.BatchInterrupted, schema.BatchRunning)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("close interrupted batch runs: %w", err)
	}
	return int(n), nil
}

// BatchRuns returns the last n runs, newest first.
func (s *Store) BatchRuns(ctx context.Context, n int) ([]schema.BatchRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, finished_at, status, stop_reason,
		inputs, queued, skipped, done, failed, failed_by_cause, input_tokens, output_tokens,
		cost_usd, elapsed_ms, remaining FROM batch_runs ORDER BY id DESC LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("list batch runs: %w", err)
	}
	defer rows.Close()
	var runs []schema.BatchRun
	for rows.Next() {
		r, err := scanBatchRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list batch runs: %w", err)
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

func scanBatchRun(rows *sql.Rows) (schema.BatchRun, error) {
	var (
		r              schema.BatchRun
		finished       sql.NullTime
		inputs, causes string
		elapsedMS      int64
	)
	err := rows.Scan(&r.ID, &r.StartedAt, &finished, &r.Status, &r.StopReason, &inputs, &r.Queued,
		&r.Skipped, &r.Done, &r.Failed, &causes, &r.InputTokens, &r.OutputTokens, &r.CostUSD,
		&elapsedMS, &r.Remaining)
	if err != nil {
		return r, err
	}
	r.Elapsed = time.Duration(elapsedMS) * time.Millisecond
	r.StartedAt = utc(r.StartedAt)
	if finished.Valid {
		r.FinishedAt = utc(finished.Time)
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
func (s *Store) StartJobAttempt(ctx context.Context, a schema.JobAttempt) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO batch_attempts (run_id, job_id, attempt, url,
		started_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`, a.RunID, a.JobID, a.Attempt, a.URL,
		a.StartedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record attempt of job %d: %w", a.JobID, err)
	}
	return id, nil
}

// FinishJobAttempt stores how attempt a.ID ended. When there is no attempt
// a.ID, the error wraps [schema.ErrNotFound].
func (s *Store) FinishJobAttempt(ctx context.Context, a schema.JobAttempt) error {
	res, err := s.db.ExecContext(ctx, `UPDATE batch_attempts SET finished_at = $1, outcome = $2,
		cause = $3, error = $4, input_tokens = $5, output_tokens = $6, cost_usd = $7 WHERE id = $8`,
		nullTime(a.FinishedAt.UTC()), a.Outcome, a.Cause, a.Error, a.InputTokens, a.OutputTokens,
		a.CostUSD, a.ID)
	if err != nil {
		return fmt.Errorf("finish attempt %d: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("finish attempt %d: %w", a.ID, schema.ErrNotFound)
	}
	return nil
}

// RunAttempts returns the attempts made during run runID, oldest first.
func (s *Store) RunAttempts(ctx context.Context, runID int64) ([]schema.JobAttempt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, run_id, job_id, attempt, url, started_at,
		finished_at, outcome, cause, error, input_tokens, output_tokens, cost_usd
		FROM batch_attempts WHERE run_id = $1 ORDER BY id`, runID)
	if err != nil {
		return nil, fmt.Errorf("list job attempts: %w", err)
	}
	defer rows.Close()
	var out []schema.JobAttempt
	for rows.Next() {
		var (
			a        schema.JobAttempt
			finished sql.NullTime
		)
		if err := rows.Scan(&a.ID, &a.RunID, &a.JobID, &a.Attempt, &a.URL, &a.StartedAt, &finished,
			&a.Outcome, &a.Cause, &a.Error, &a.InputTokens, &a.OutputTokens, &a.CostUSD); err != nil {
			return nil, fmt.Errorf("list job attempts: %w", err)
		}
		a.StartedAt = utc(a.StartedAt)
		if finished.Valid {
			a.FinishedAt = utc(finished.Time)
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
		WHERE url = $1 AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`, url).Scan(&outcome, &cause)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("last attempt at %s: %w", url, err)
	}
	return cause, outcome == schema.AttemptFailed, nil
}

// UnseenFeedItems returns the item URLs of feed feedURL that
// [Store.PrepareBatchRun] has not recorded yet, in their given order.
func (s *Store) UnseenFeedItems(ctx context.Context, feedURL string, itemURLs []string) ([]string, error) {
	if len(itemURLs) == 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT item_url FROM batch_feed_items
		WHERE feed_url = $1 AND item_url = ANY($2::text[])`, feedURL, textArray(itemURLs))
	if err != nil {
		return nil, fmt.Errorf("read items of feed %s: %w", feedURL, err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("read items of feed %s: %w", feedURL, err)
		}
		seen[u] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read items of feed %s: %w", feedURL, err)
	}
	var fresh []string
	for _, u := range itemURLs {
		if !seen[u] {
			fresh = append(fresh, u)
		}
	}
	return fresh, nil
}

package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
)

// SaveEvalRun stores a run with its section and card scores in one
// transaction and returns its id. CreatedAt is set to now when zero.
func (s *Store) SaveEvalRun(ctx context.Context, r schema.EvalRun) (int64, error) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO eval_runs (created_at, gold, predictions, provider, model,
			prompt, cards, missing, errors, overall, report_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			RETURNING id`,
			r.CreatedAt.UTC(), r.Gold, r.Predictions, r.Provider, r.Model, r.Prompt,
			r.Cards, r.Missing, r.Errors, r.Overall, r.ReportJSON).Scan(&id)
		if err != nil {
			return err
		}
		for i, sec := range r.Sections {
			if _, err := tx.ExecContext(ctx, `INSERT INTO eval_sections (run_id, n, section, score, cards)
				VALUES ($1, $2, $3, $4, $5)`, id, i, sec.Section, sec.Score, sec.Cards); err != nil {
				return fmt.Errorf("section %s: %w", sec.Section, err)
			}
		}
		for _, c := range r.CardScores {
			if _, err := tx.ExecContext(ctx, `INSERT INTO eval_cards (run_id, card, gold_file, pred_file, overall)
				VALUES ($1, $2, $3, $4, $5)`, id, c.Card, c.GoldFile, c.PredFile, c.Overall); err != nil {
				return fmt.Errorf("card %s: %w", c.Card, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save eval run: %w", err)
	}
	return id, nil
}

// EvalRuns lists the stored runs, newest first, with their section scores
// (not their card scores nor their reports); limit ≤ 0 lists them all.
func (s *Store) EvalRuns(ctx context.Context, limit int) ([]schema.EvalRun, error) {
	var lim sql.NullInt64 // NULL: no limit
	if limit > 0 {
		lim = sql.NullInt64{Int64: int64(limit), Valid: true}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, created_at, gold, predictions, provider, model, prompt,
		cards, missing, errors, overall FROM eval_runs ORDER BY id DESC LIMIT $1`, lim)
	if err != nil {
		return nil, fmt.Errorf("list eval runs: %w", err)
	}
	var runs []schema.EvalRun
	for rows.Next() {
		var r schema.EvalRun
		if err := rows.Scan(&r.ID, &r.CreatedAt, &r.Gold, &r.Predictions, &r.Provider, &r.Model, &r.Prompt,
			&r.Cards, &r.Missing, &r.Errors, &r.Overall); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list eval runs: %w", err)
		}
		r.CreatedAt = utc(r.CreatedAt)
		runs = append(runs, r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("list eval runs: %w", err)
	}
	for i := range runs {
		secs, err := s.evalSections(ctx, runs[i].ID)
		if err != nil {
			return nil, err
		}
		runs[i].Sections = secs
	}
	return runs, nil
}

func (s *Store) evalSections(ctx context.Context, runID int64) ([]schema.EvalSection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT section, score, cards FROM eval_sections
		WHERE run_id = $1 ORDER BY n`, runID)
	if err != nil {
		return nil, fmt.Errorf("sections of eval run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []schema.EvalSection
	for rows.Next() {
		var sec schema.EvalSection
		var score sql.NullFloat64
		if err := rows.Scan(&sec.Section, &score, &sec.Cards); err != nil {
			return nil, fmt.Errorf("sections of eval run %d: %w", runID, err)
		}
		if score.Valid {
			sec.Score = &score.Float64
		}
		out = append(out, sec)
	}
	return out, rows.Err()
}

// EvalRunReport returns the JSON report of a stored run. When there is no
// run id, the error wraps [schema.ErrNotFound].
func (s *Store) EvalRunReport(ctx context.Context, id int64) (string, error) {
	var report string
	if err := s.db.QueryRowContext(ctx, `SELECT report_json FROM eval_runs WHERE id = $1`, id).Scan(&report); err != nil {
		return "", fmt.Errorf("report of eval run %d: %w", id, notFound(err))
	}
	return report, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
)

// SaveCard stores c as the next version of its document's card, together
// with its spans and the run that made it, in one transaction. It returns
// the new card's id and version. The card's date is c.Published, or the
// document's fetch time when it is zero. The new version becomes the
// document's listed and searchable card.
func (s *Store) SaveCard(ctx context.Context, c schema.NewCard, run schema.ModelRun) (id int64, version int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if id, version, err = insertCard(ctx, tx, c, cardIndexOf(c), nil); err != nil {
			return err
		}
		return insertRun(ctx, tx, run, sql.NullInt64{Int64: id, Valid: true})
	})
	if err != nil {
		return 0, 0, fmt.Errorf("save card for %s: %w", c.DocumentID, err)
	}
	return id, version, nil
}

// priorCard is what a batch already knows of a document before inserting
// a new version of its card, so that it is not read again.
type priorCard struct {
	version int     // the newest version of its card, 0 when it has none
	id      int64   // that version's card id
	text    *string // the document's text, nil when not known
}

// insertCard inserts c as the next version of its document's card, with
// its spans and derived data (see index.go); ic is c's index data, prior
// what is known of its document (nil: nothing, read it).
func insertCard(ctx context.Context, tx dbtx, c schema.NewCard, ic *cardIndex, prior *priorCard) (id int64, version int, err error) {
	if prior == nil {
		prior = &priorCard{}
		err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0),
			COALESCE((SELECT id FROM cards WHERE document_id = ?1 AND latest = 1), 0)
			FROM cards WHERE document_id = ?1`, c.DocumentID).Scan(&prior.version, &prior.id)
		if err != nil {
			return 0, 0, err
		}
	}
	version = prior.version + 1
	published, err := cardPublished(ctx, tx, c)
	if err != nil {
		return 0, 0, err
	}
	grounded := 0
	for _, sp := range c.Spans {
		if sp.Start >= 0 {
			grounded++
		}
	}
	if prior.version > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET latest = 0 WHERE document_id = ? AND latest = 1`,
			c.DocumentID); err != nil {
			return 0, 0, err
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO cards (document_id, version, url, card_json, markdown, raw_json,
		provider, model, prompt_name, prompt_version, prompt_hash, input_tokens, output_tokens, requests,
		latency_ms, cost_usd, cached, rows_total, rows_grounded, created_at, published, latest)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		c.DocumentID, version, c.URL, c.CardJSON, c.Markdown, c.RawJSON,
		c.Provider, c.Model, c.PromptName, c.PromptVersion, c.PromptHash, c.InputTokens, c.OutputTokens, c.Requests,
		c.Latency.Milliseconds(), c.CostUSD, cardBool(c.Cached), len(c.Spans), grounded, timestamp(time.Now()),
		published)
	if err != nil {
		return 0, 0, err
	}
	if id, err = res.LastInsertId(); err != nil {
		return 0, 0, err
	}
	if err := insertSpans(ctx, tx, id, store.SpansToStore(c)); err != nil {
		return 0, 0, err
	}
	r := latestRow{id: id, documentID: c.DocumentID, url: c.URL, version: version, published: published,
		provider: c.Provider, model: c.Model, rowsTotal: len(c.Spans), rowsGrounded: grounded}
	if err := indexLatest(ctx, tx, prior.id, r, ic, prior.text); err != nil {
		return 0, 0, err
	}
	return id, version, nil
}

// spansPerInsert is how many spans one INSERT writes, at most (9 values
// each, under SQLite's limit of 32,766 variables).
const spansPerInsert = 100

// insertSpans writes the spans of card id, many in one statement.
func insertSpans(ctx context.Context, tx dbtx, id int64, spans []schema.Span) error {
	for len(spans) > 0 {
		n := min(len(spans), spansPerInsert)
		args := make([]any, 0, 9*n)
		for _, sp := range spans[:n] {
			args = append(args, id, sp.Section, sp.Row, sp.Name, sp.Evidence, sp.Start, sp.End, sp.Method, sp.Score)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_spans (card_id, section, row_index, name, evidence,
			start_char, end_char, method, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`+
			strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?, ?)", n-1), args...); err != nil {
			return fmt.Errorf("spans of card %d: %w", id, err)
		}
		spans = spans[n:]
	}
	return nil
}

// cardPublished is the date stored with c: c.Published, else its
// document's fetch time.
func cardPublished(ctx context.Context, tx dbtx, c schema.NewCard) (string, error) {
	if !c.Published.IsZero() {
		return formatPublished(c.Published), nil
	}
	var fetched string
	err := tx.QueryRowContext(ctx, `SELECT fetched_at FROM documents WHERE id = ?`, c.DocumentID).Scan(&fetched)
	if err != nil {
		return "", fmt.Errorf("document %s: %w", c.DocumentID, notFound(err))
	}
	return formatPublished(parseTimestamp(fetched)), nil
}

// SaveFailedRun records a run that made no card, with its attempts.
func (s *Store) SaveFailedRun(ctx context.Context, run schema.ModelRun) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return insertRun(ctx, tx, run, sql.NullInt64{})
	})
	if err != nil {
		return fmt.Errorf("save failed run for %s: %w", run.Input, err)
	}
	return nil
}

func insertRun(ctx context.Context, tx *sql.Tx, run schema.ModelRun, cardID sql.NullInt64) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO model_runs (input, document_id, provider, model, prompt_hash,
		card_id, error, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		run.Input, sql.NullString{String: run.DocumentID, Valid: run.DocumentID != ""}, run.Provider, run.Model,
		run.PromptHash, cardID, run.Err, timestamp(run.Started), timestamp(run.Finished))
	if err != nil {
		return fmt.Errorf("insert run: %w", err)
	}
	runID, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for i, a := range run.Attempts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO model_attempts (run_id, n, status, finish_reason, error,
			latency_ms) VALUES (?, ?, ?, ?, ?, ?)`, runID, i+1, a.Status, a.FinishReason, a.Err,
			a.Latency.Milliseconds()); err != nil {
			return fmt.Errorf("insert attempt %d: %w", i+1, err)
		}
	}
	return nil
}

// LatestCard returns the newest card version of a document. When it has
// none, the error wraps [schema.ErrNotFound].
func (s *Store) LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error) {
	cards, err := s.cards(ctx, `WHERE document_id = ? ORDER BY version DESC LIMIT 1`, documentID)
	if err != nil {
		return schema.StoredCard{}, err
	}
	if len(cards) == 0 {
		return schema.StoredCard{}, fmt.Errorf("latest card of %s: %w", documentID, schema.ErrNotFound)
	}
	return cards[0], nil
}

// CardVersions returns every card version of a document, oldest first.
func (s *Store) CardVersions(ctx context.Context, documentID string) ([]schema.StoredCard, error) {
	return s.cards(ctx, `WHERE document_id = ? ORDER BY version`, documentID)
}

// CardSpans returns a card's grounding spans in table order.
func (s *Store) CardSpans(ctx context.Context, cardID int64) ([]schema.Span, error) {
	rows, err := s.query(ctx, `SELECT section, row_index, name, evidence, start_char, end_char, method, score
		FROM card_spans WHERE card_id = ? ORDER BY rowid`, cardID)
	if err != nil {
		return nil, fmt.Errorf("spans of card %d: %w", cardID, err)
	}
	defer rows.Close()
	var spans []schema.Span
	for rows.Next() {
		var sp schema.Span
		if err := rows.Scan(&sp.Section, &sp.Row, &sp.Name, &sp.Evidence, &sp.Start, &sp.End, &sp.Method, &sp.Score); err != nil {
			return nil, fmt.Errorf("spans of card %d: %w", cardID, err)
		}
		spans = append(spans, sp)
	}
	if err := rows.Err(); err != nil || len(spans) > 0 {
		return spans, err
	}
	return s.derivedSpans(ctx, cardID)
}

// derivedSpans are the spans of card id when it has no span rows (see
// [store.DerivedSpans]).
func (s *Store) derivedSpans(ctx context.Context, id int64) ([]schema.Span, error) {
	var cardJSON string
	var total int
	err := s.queryRow(ctx, `SELECT card_json, rows_total FROM cards WHERE id = ?`, id).Scan(&cardJSON, &total)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	var spans []schema.Span
	if err == nil {
		spans, err = store.DerivedSpans(cardJSON, total)
	}
	if err != nil {
		return nil, fmt.Errorf("spans of card %d: %w", id, err)
	}
	return spans, nil
}

// ModelRuns returns the runs recorded for an input, oldest first, with
// their attempts.
func (s *Store) ModelRuns(ctx context.Context, input string) ([]schema.ModelRun, error) {
	rows, err := s.query(ctx, `SELECT id, input, COALESCE(document_id, ''), provider, model, prompt_hash,
		error, started_at, finished_at FROM model_runs WHERE input = ? ORDER BY id`, input)
	if err != nil {
		return nil, fmt.Errorf("runs of %s: %w", input, err)
	}
	var runs []schema.ModelRun
	var ids []int64
	for rows.Next() {
		var r schema.ModelRun
		var id int64
		var started, finished string
		if err := rows.Scan(&id, &r.Input, &r.DocumentID, &r.Provider, &r.Model, &r.PromptHash, &r.Err,
			&started, &finished); err != nil {
			rows.Close()
			return nil, fmt.Errorf("runs of %s: %w", input, err)
		}
		r.Started, r.Finished = parseTimestamp(started), parseTimestamp(finished)
		runs = append(runs, r)
		ids = append(ids, id)
	}
	// The rows are closed before the attempts are read: an in-memory store
	// has a single connection.
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("runs of %s: %w", input, err)
	}
	for i, id := range ids {
		a, err := s.attempts(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("runs of %s: %w", input, err)
		}
		runs[i].Attempts = a
	}
	return runs, nil
}

func (s *Store) attempts(ctx context.Context, runID int64) ([]schema.Attempt, error) {
	rows, err := s.query(ctx, `SELECT status, finish_reason, error, latency_ms FROM model_attempts
		WHERE run_id = ? ORDER BY n`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []schema.Attempt
	for rows.Next() {
		var a schema.Attempt
		var ms int64
		if err := rows.Scan(&a.Status, &a.FinishReason, &a.Err, &ms); err != nil {
			return nil, err
		}
		a.Latency = time.Duration(ms) * time.Millisecond
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) cards(ctx context.Context, where string, args ...any) ([]schema.StoredCard, error) {
	rows, err := s.query(ctx, `SELECT id, document_id, version, url, card_json, markdown, raw_json,
		provider, model, prompt_name, prompt_version, prompt_hash, input_tokens, output_tokens, requests,
		latency_ms, cost_usd, cached, rows_total, rows_grounded, created_at, published FROM cards `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read cards: %w", err)
	}
	defer rows.Close()
	var out []schema.StoredCard
	for rows.Next() {
		var c schema.StoredCard
		var ms int64
		var cached int
		var created, published string
		if err := rows.Scan(&c.ID, &c.DocumentID, &c.Version, &c.URL, &c.CardJSON, &c.Markdown, &c.RawJSON,
			&c.Provider, &c.Model, &c.PromptName, &c.PromptVersion, &c.PromptHash, &c.InputTokens, &c.OutputTokens,
			&c.Requests, &ms, &c.CostUSD, &cached, &c.RowsTotal, &c.RowsGrounded, &created, &published); err != nil {
			return nil, fmt.Errorf("read cards: %w", err)
		}
		c.NewCard.DocumentID = c.DocumentID
		c.Latency = time.Duration(ms) * time.Millisecond
		c.Cached = cached != 0
		c.CreatedAt = parseTimestamp(created)
		c.Published = parsePublished(published)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CachedResponse returns the cached response for key, if any.
func (s *Store) CachedResponse(ctx context.Context, key schema.CacheKey) (string, bool, error) {
	var resp string
	err := s.queryRow(ctx, `SELECT response FROM response_cache
		WHERE provider = ? AND model = ? AND prompt_hash = ? AND text_hash = ?`,
		key.Provider, key.Model, key.PromptHash, key.TextHash).Scan(&resp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read response cache: %w", err)
	}
	return resp, true, nil
}

// CacheResponse stores (or replaces) the response for key.
func (s *Store) CacheResponse(ctx context.Context, key schema.CacheKey, response string) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO response_cache
		(provider, model, prompt_hash, text_hash, response, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		key.Provider, key.Model, key.PromptHash, key.TextHash, response, timestamp(time.Now()))
	if err != nil {
		return fmt.Errorf("write response cache: %w", err)
	}
	return nil
}

func cardBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

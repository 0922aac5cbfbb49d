package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/cardindex"
)

// SaveCard stores c as the next version of its document's card, together
// with its spans and the run that made it, in one transaction. It returns
// the new card's id and version. The card's date is c.Published, or the
// document's fetch time when it is zero. The new version becomes the
// document's listed and searchable card.
func (s *Store) SaveCard(ctx context.Context, c schema.NewCard, run schema.ModelRun) (id int64, version int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if id, version, err = insertCard(ctx, tx, c, cardindex.Decode(c.CardJSON)); err != nil {
			return err
		}
		return insertRun(ctx, tx, run, sql.NullInt64{Int64: id, Valid: true})
	})
	if err != nil {
		return 0, 0, fmt.Errorf("save card for %s: %w", c.DocumentID, err)
	}
	return id, version, nil
}

// insertCard inserts c as the next version of its document's card, with
// its spans and derived data (see index.go); ic is c.CardJSON decoded.
func insertCard(ctx context.Context, tx dbtx, c schema.NewCard, ic cardindex.Card) (id int64, version int, err error) {
	var old int64
	// The document's row is locked first, so that two processes saving a
	// card of one document take versions one after the other.
	var fetched time.Time
	err = tx.QueryRowContext(ctx, `SELECT fetched_at FROM documents WHERE id = $1 FOR UPDATE`, c.DocumentID).Scan(&fetched)
	if err != nil {
		return 0, 0, fmt.Errorf("document %s: %w", c.DocumentID, notFound(err))
	}
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1,
		COALESCE((SELECT id FROM cards WHERE document_id = $1 AND latest), 0)
		FROM cards WHERE document_id = $1`, c.DocumentID).Scan(&version, &old)
	if err != nil {
		return 0, 0, err
	}
	published := c.Published
	if published.IsZero() {
		published = fetched
	}
	published = published.UTC().Truncate(time.Second)
	grounded := 0
	for _, sp := range c.Spans {
		if sp.Start >= 0 {
			grounded++
		}
	}
	if old != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET latest = false WHERE id = $1`, old); err != nil {
			return 0, 0, err
		}
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO cards (document_id, version, url, card_json, markdown, raw_json,
		provider, model, prompt_name, prompt_version, prompt_hash, input_tokens, output_tokens, requests,
		latency_ms, cost_usd, cached, rows_total, rows_grounded, created_at, published, latest)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, true)
		RETURNING id`,
		c.DocumentID, version, c.URL, c.CardJSON, c.Markdown, c.RawJSON,
		c.Provider, c.Model, c.PromptName, c.PromptVersion, c.PromptHash, c.InputTokens, c.OutputTokens, c.Requests,
		c.Latency.Milliseconds(), c.CostUSD, c.Cached, len(c.Spans), grounded, time.Now().UTC(),
		published).Scan(&id)
	if err != nil {
		return 0, 0, err
	}
	if err := insertSpans(ctx, tx, id, store.SpansToStore(c)); err != nil {
		return 0, 0, err
	}
	if err := indexLatest(ctx, tx, old, id, c.DocumentID, c.URL, ic); err != nil {
		return 0, 0, err
	}
	return id, version, nil
}

// insertSpans inserts the spans of card id, in one statement.
func insertSpans(ctx context.Context, tx dbtx, id int64, spans []schema.Span) error {
	if len(spans) == 0 {
		return nil
	}
	n := len(spans)
	sections, names, evidence, methods := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	rows, starts, ends := make([]int, n), make([]int, n), make([]int, n)
	scores := make([]float64, n)
	for i, sp := range spans {
		sections[i], names[i], evidence[i], methods[i] = sp.Section, sp.Name, sp.Evidence, sp.Method
		rows[i], starts[i], ends[i], scores[i] = sp.Row, sp.Start, sp.End, sp.Score
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO card_spans (card_id, n, section, row_index, name, evidence,
		start_char, end_char, method, score)
		SELECT $1, n - 1, section, row_index, name, evidence, start_char, end_char, method, score
		FROM unnest($2::text[], $3::integer[], $4::text[], $5::text[], $6::integer[], $7::integer[], $8::text[],
			$9::double precision[]) WITH ORDINALITY
			AS s(section, row_index, name, evidence, start_char, end_char, method, score, n)`,
		id, sections, rows, names, evidence, starts, ends, methods, scores)
	if err != nil {
		return fmt.Errorf("spans: %w", err)
	}
	return nil
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
	var runID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO model_runs (input, document_id, provider, model, prompt_hash,
		card_id, error, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		run.Input, sql.NullString{String: run.DocumentID, Valid: run.DocumentID != ""}, run.Provider, run.Model,
		run.PromptHash, cardID, run.Err, run.Started.UTC(), run.Finished.UTC()).Scan(&runID)
	if err != nil {
		return fmt.Errorf("insert run: %w", err)
	}
	for i, a := range run.Attempts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO model_attempts (run_id, n, status, finish_reason, error,
			latency_ms) VALUES ($1, $2, $3, $4, $5, $6)`, runID, i+1, a.Status, a.FinishReason, a.Err,
			a.Latency.Milliseconds()); err != nil {
			return fmt.Errorf("insert attempt %d: %w", i+1, err)
		}
	}
	return nil
}

// LatestCard returns the newest card version of a document. When it has
// none, the error wraps [schema.ErrNotFound].
func (s *Store) LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error) {
	cards, err := s.cards(ctx, `WHERE document_id = $1 ORDER BY version DESC LIMIT 1`, documentID)
	if err != nil {
		return schema.StoredCard{}, err
	}
	if len(cards) == 0 {
		return schema.StoredCard{}, fmt.Errorf("latest card of %s: %w", documentID, schema.ErrNotFound)
	}
	return cards[0], nil
}

// LatestCardByURL returns the newest card whose source link is url, or an
// error wrapping [schema.ErrNotFound].
func (s *Store) LatestCardByURL(ctx context.Context, url string) (schema.StoredCard, error) {
	cards, err := s.cards(ctx, `WHERE url = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, url)
	if err != nil {
		return schema.StoredCard{}, err
	}
	if len(cards) == 0 {
		return schema.StoredCard{}, fmt.Errorf("card of %s: %w", url, schema.ErrNotFound)
	}
	return cards[0], nil
}

// LatestCards returns the newest card version of every document whose
// newest version was made at or after since (zero: all), ordered by
// document ID.
func (s *Store) LatestCards(ctx context.Context, since time.Time) ([]schema.StoredCard, error) {
	return s.cards(ctx, `WHERE latest AND created_at >= $1 ORDER BY document_id COLLATE "C"`,
		since.UTC().Truncate(time.Second))
}

// CardVersions returns every card version of a document, oldest first.
func (s *Store) CardVersions(ctx context.Context, documentID string) ([]schema.StoredCard, error) {
	return s.cards(ctx, `WHERE document_id = $1 ORDER BY version`, documentID)
}

// CardSpans returns a card's grounding spans in table order.
func (s *Store) CardSpans(ctx context.Context, cardID int64) ([]schema.Span, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT section, row_index, name, evidence, start_char, end_char, method, score
		FROM card_spans WHERE card_id = $1 ORDER BY n`, cardID)
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
	err := s.db.QueryRowContext(ctx, `SELECT card_json, rows_total FROM cards WHERE id = $1`, id).Scan(&cardJSON, &total)
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
	rows, err := s.db.QueryContext(ctx, `SELECT id, input, COALESCE(document_id, ''), provider, model, prompt_hash,
		error, started_at, finished_at FROM model_runs WHERE input = $1 ORDER BY id`, input)
	if err != nil {
		return nil, fmt.Errorf("runs of %s: %w", input, err)
	}
	var runs []schema.ModelRun
	var ids []int64
	for rows.Next() {
		var r schema.ModelRun
		var id int64
		if err := rows.Scan(&id, &r.Input, &r.DocumentID, &r.Provider, &r.Model, &r.PromptHash, &r.Err,
			&r.Started, &r.Finished); err != nil {
			rows.Close()
			return nil, fmt.Errorf("runs of %s: %w", input, err)
		}
		r.Started, r.Finished = utc(r.Started), utc(r.Finished)
		runs = append(runs, r)
		ids = append(ids, id)
	}
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
	rows, err := s.db.QueryContext(ctx, `SELECT status, finish_reason, error, latency_ms FROM model_attempts
		WHERE run_id = $1 ORDER BY n`, runID)
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

// cardColumns are the columns of cards scanCard reads.
const cardColumns = `id, document_id, version, url, card_json, markdown, raw_json,
	provider, model, prompt_name, prompt_version, prompt_hash, input_tokens, output_tokens, requests,
	latency_ms, cost_usd, cached, rows_total, rows_grounded, created_at, published`

func (s *Store) cards(ctx context.Context, where string, args ...any) ([]schema.StoredCard, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+cardColumns+` FROM cards `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read cards: %w", err)
	}
	defer rows.Close()
	var out []schema.StoredCard
	for rows.Next() {
		var c schema.StoredCard
		var ms int64
		if err := rows.Scan(&c.ID, &c.DocumentID, &c.Version, &c.URL, &c.CardJSON, &c.Markdown, &c.RawJSON,
			&c.Provider, &c.Model, &c.PromptName, &c.PromptVersion, &c.PromptHash, &c.InputTokens, &c.OutputTokens,
			&c.Requests, &ms, &c.CostUSD, &c.Cached, &c.RowsTotal, &c.RowsGrounded, &c.CreatedAt, &c.Published); err != nil {
			return nil, fmt.Errorf("read cards: %w", err)
		}
		c.NewCard.DocumentID = c.DocumentID
		c.Latency = time.Duration(ms) * time.Millisecond
		c.CreatedAt, c.Published = utc(c.CreatedAt), utc(c.Published)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CachedResponse returns the cached response for key, if any.
func (s *Store) CachedResponse(ctx context.Context, key schema.CacheKey) (string, bool, error) {
	var resp string
	err := s.db.QueryRowContext(ctx, `SELECT response FROM response_cache
		WHERE provider = $1 AND model = $2 AND prompt_hash = $3 AND text_hash = $4`,
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
	_, err := s.db.ExecContext(ctx, `INSERT INTO response_cache
		(provider, model, prompt_hash, text_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (provider, model, prompt_hash, text_hash) DO UPDATE
		SET response = excluded.response, created_at = excluded.created_at`,
		key.Provider, key.Model, key.PromptHash, key.TextHash, response, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("write response cache: %w", err)
	}
	return nil
}

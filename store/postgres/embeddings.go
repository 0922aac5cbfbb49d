package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
)

// SaveEmbedding stores e, replacing the vector the same model made for the
// same card. The vector must be non-empty and finite (no NaN nor
// infinity); a card that does not exist is an error wrapping
// [schema.ErrNotFound].
func (s *Store) SaveEmbedding(ctx context.Context, e schema.Embedding) error {
	if err := store.CheckEmbedding(e); err != nil {
		return fmt.Errorf("save embedding of card %d: %w", e.CardID, err)
	}
	var exists bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM cards WHERE id = $1)`, e.CardID).Scan(&exists); err != nil {
		return fmt.Errorf("save embedding of card %d: %w", e.CardID, err)
	}
	if !exists {
		return fmt.Errorf("save embedding of card %d: %w", e.CardID, schema.ErrNotFound)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO card_embeddings (card_id, model, dim, vector, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (card_id, model) DO UPDATE
		SET dim = excluded.dim, vector = excluded.vector, created_at = excluded.created_at`,
		e.CardID, e.Model, len(e.Vector), e.Vector, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("save embedding of card %d: %w", e.CardID, err)
	}
	return nil
}

// Embeddings returns the vectors model made for the newest card of each
// document that has one, by card id.
func (s *Store) Embeddings(ctx context.Context, model string) ([]schema.Embedding, error) {
	rows, err := s.pool.Query(ctx, `SELECT e.card_id, e.vector FROM card_embeddings e
		JOIN card_latest c ON c.card_id = e.card_id WHERE e.model = $1 ORDER BY e.card_id`, model)
	if err != nil {
		return nil, fmt.Errorf("embeddings of %s: %w", model, err)
	}
	defer rows.Close()
	out := []schema.Embedding{}
	for rows.Next() {
		e := schema.Embedding{Model: model}
		if err := rows.Scan(&e.CardID, &e.Vector); err != nil {
			return nil, fmt.Errorf("embeddings of %s: %w", model, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("embeddings of %s: %w", model, err)
	}
	return out, nil
}

// EmbeddingOf returns the vector model made for card cardID; when there is
// none, the error wraps [schema.ErrNotFound].
func (s *Store) EmbeddingOf(ctx context.Context, cardID int64, model string) (schema.Embedding, error) {
	e := schema.Embedding{CardID: cardID, Model: model}
	err := s.pool.QueryRow(ctx, `SELECT vector FROM card_embeddings WHERE card_id = $1 AND model = $2`,
		cardID, model).Scan(&e.Vector)
	if err != nil {
		return schema.Embedding{}, fmt.Errorf("embedding of card %d by %s: %w", cardID, model, pgNotFound(err))
	}
	return e, nil
}

package sqlite

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
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
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM cards WHERE id = ?)`, e.CardID).Scan(&exists); err != nil {
		return fmt.Errorf("save embedding of card %d: %w", e.CardID, err)
	}
	if !exists {
		return fmt.Errorf("save embedding of card %d: %w", e.CardID, schema.ErrNotFound)
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO card_embeddings (card_id, model, dim, vector, created_at)
		VALUES (?, ?, ?, ?, ?)`, e.CardID, e.Model, len(e.Vector), encodeVector(e.Vector), timestamp(time.Now()))
	if err != nil {
		return fmt.Errorf("save embedding of card %d: %w", e.CardID, err)
	}
	return nil
}

// Embeddings returns the vectors model made for the newest card of each
// document that has one, by card id.
func (s *Store) Embeddings(ctx context.Context, model string) ([]schema.Embedding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.card_id, e.dim, e.vector FROM card_embeddings e
		JOIN card_latest c ON c.card_id = e.card_id WHERE e.model = ? ORDER BY e.card_id`, model)
	if err != nil {
		return nil, fmt.Errorf("embeddings of %s: %w", model, err)
	}
	defer rows.Close()
	out := []schema.Embedding{}
	for rows.Next() {
		e := schema.Embedding{Model: model}
		var dim int
		var blob []byte
		if err := rows.Scan(&e.CardID, &dim, &blob); err != nil {
			return nil, fmt.Errorf("embeddings of %s: %w", model, err)
		}
		if e.Vector, err = decodeVector(blob, dim); err != nil {
			return nil, fmt.Errorf("embeddings of %s: card %d: %w", model, e.CardID, err)
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
	var dim int
	var blob []byte
	err := s.db.QueryRowContext(ctx, `SELECT dim, vector FROM card_embeddings WHERE card_id = ? AND model = ?`,
		cardID, model).Scan(&dim, &blob)
	if err != nil {
		return schema.Embedding{}, fmt.Errorf("embedding of card %d by %s: %w", cardID, model, notFound(err))
	}
	v, err := decodeVector(blob, dim)
	if err != nil {
		return schema.Embedding{}, fmt.Errorf("embedding of card %d by %s: %w", cardID, model, err)
	}
	return schema.Embedding{CardID: cardID, Model: model, Vector: v}, nil
}

// encodeVector writes v as little-endian float32s.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// decodeVector reads dim little-endian float32s.
func decodeVector(b []byte, dim int) ([]float32, error) {
	if dim <= 0 || len(b) != 4*dim {
		return nil, fmt.Errorf("vector of %d bytes for %d dimensions", len(b), dim)
	}
	v := make([]float32, dim)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

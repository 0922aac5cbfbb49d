package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/cardindex"
)

// ImportCard stores a card read from a file (`extract import`): no page was
// fetched for it. In one transaction, it creates a stub document for
// c.DocumentID when the store has none, then saves c as the next version
// of the document's card, unless the newest version has the same CardJSON
// and Published (or c.Published is zero): then nothing is written and
// changed is false. It returns the id and version of the card now newest.
func (s *Store) ImportCard(ctx context.Context, c schema.NewCard) (id int64, version int, changed bool, err error) {
	var r schema.ImportResult
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		r, err = importCard(ctx, tx, c)
		return err
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("import card for %s: %w", c.URL, err)
	}
	return r.CardID, r.Version, r.Changed, nil
}

// ImportCards is [Store.ImportCard] for many cards in one transaction: all
// are saved, or none.
func (s *Store) ImportCards(ctx context.Context, cs []schema.NewCard) ([]schema.ImportResult, error) {
	out := make([]schema.ImportResult, len(cs))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, c := range cs {
			r, err := importCard(ctx, tx, c)
			if err != nil {
				return fmt.Errorf("import card for %s: %w", c.URL, err)
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func importCard(ctx context.Context, tx dbtx, c schema.NewCard) (r schema.ImportResult, err error) {
	ic := cardindex.Decode(c.CardJSON)
	if err := ensureStubDocument(ctx, tx, c, ic); err != nil {
		return r, err
	}
	var cardJSON string
	var published time.Time
	err = tx.QueryRowContext(ctx, `SELECT id, version, card_json, published FROM cards
		WHERE document_id = $1 AND latest`, c.DocumentID).Scan(&r.CardID, &r.Version, &cardJSON, &published)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return r, err
	case cardJSON == c.CardJSON && (c.Published.IsZero() || published.Equal(c.Published.Truncate(time.Second))):
		return r, nil
	}
	r.Changed = true
	r.CardID, r.Version, err = insertCard(ctx, tx, c, ic)
	return r, err
}

// The content hash and gzipped body of a stub document's empty body.
var (
	emptyHash    = schema.ContentHash(nil)
	emptyBody, _ = store.Gzip(nil) // writing to memory cannot fail
)

// ensureStubDocument inserts the stub document of an imported card when
// its document is not stored.
func ensureStubDocument(ctx context.Context, tx dbtx, c schema.NewCard, ic cardindex.Card) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1)`,
		c.DocumentID).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	canonical, err := schema.CanonicalURL(c.URL)
	if err != nil {
		return err
	}
	if schema.DocumentID(canonical) != c.DocumentID {
		return fmt.Errorf("document ID %q is not the ID of %s", c.DocumentID, canonical)
	}
	meta := schema.Metadata{Title: ic.Title}
	if !c.Published.IsZero() {
		meta.Published = c.Published.UTC().Format("2006-01-02T15:04:05Z")
	}
	metadata, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (`+documentColumns+`)
		VALUES ($1, $2, $3, $4, 0, 'text/markdown', $5, $6, $7, '', $8, 'imported')
		ON CONFLICT DO NOTHING`,
		c.DocumentID, canonical, c.URL, c.URL, time.Now().UTC(), emptyHash, emptyBody, string(metadata))
	if err != nil {
		return fmt.Errorf("stub document: %w", err)
	}
	return nil
}

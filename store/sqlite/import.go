package sqlite

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
// c.DocumentID when the store has none (status 0, content type
// text/markdown, empty body and text, method "imported", fetched now; its
// metadata holds the card's title and date), then saves c as the next
// version of the document's card, unless the newest version has the same
// CardJSON and Published (or c.Published is zero): then nothing is written
// and changed is false. It returns the id and version of the card now
// newest. c.DocumentID must be the ID of c.URL's canonical URL.
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

// ImportCards is [Store.ImportCard] for many cards in one transaction, much
// faster for a whole collection: all are saved, or none.
func (s *Store) ImportCards(ctx context.Context, cs []schema.NewCard) ([]schema.ImportResult, error) {
	out := make([]schema.ImportResult, len(cs))
	err := s.inStmtTx(ctx, func(tx *stmtTx) error {
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

// importCard saves one imported card in tx (see [Store.ImportCard]).
func importCard(ctx context.Context, tx dbtx, c schema.NewCard) (r schema.ImportResult, err error) {
	// The card's JSON is decoded when needed, and then once only.
	var decoded *cardindex.Card
	decode := func() cardindex.Card {
		if decoded == nil {
			ic := cardindex.Decode(c.CardJSON)
			decoded = &ic
		}
		return *decoded
	}
	if err := ensureStubDocument(ctx, tx, c, decode); err != nil {
		return r, err
	}
	var cardJSON, published string
	err = tx.QueryRowContext(ctx, `SELECT id, version, card_json, published FROM cards
		WHERE document_id = ? AND latest = 1`, c.DocumentID).Scan(&r.CardID, &r.Version, &cardJSON, &published)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return r, err
	case cardJSON == c.CardJSON && (c.Published.IsZero() || published == formatPublished(c.Published)):
		return r, nil
	}
	r.Changed = true
	r.CardID, r.Version, err = insertCard(ctx, tx, c, decode())
	return r, err
}

// The content hash and gzipped body of a stub document's empty body,
// computed once rather than per card.
var (
	emptyHash    = schema.ContentHash(nil)
	emptyBody, _ = store.Gzip(nil) // writing to memory cannot fail
)

// ensureStubDocument inserts the stub document of an imported card when
// its document is not stored; decode returns the card's decoded JSON.
func ensureStubDocument(ctx context.Context, tx dbtx, c schema.NewCard, decode func() cardindex.Card) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE id = ?)`,
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
	meta := schema.Metadata{Title: decode().Title}
	if !c.Published.IsZero() {
		meta.Published = formatPublished(c.Published)
	}
	metadata, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (`+documentColumns+`)
		VALUES (?, ?, ?, ?, 0, 'text/markdown', ?, ?, ?, '', ?, 'imported')`,
		c.DocumentID, canonical, c.URL, c.URL, timestamp(time.Now()), emptyHash, emptyBody, string(metadata))
	if err != nil {
		return fmt.Errorf("stub document: %w", err)
	}
	return nil
}

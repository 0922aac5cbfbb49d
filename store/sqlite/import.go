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
		r, err = importCard(ctx, tx, c, func() *cardIndex { return cardIndexOf(c) })
		return err
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("import card for %s: %w", c.URL, err)
	}
	return r.CardID, r.Version, r.Changed, nil
}

// ImportCards is [Store.ImportCard] for many cards in one transaction, much
// faster for a whole collection: all are saved, or none. The cards are
// decoded and their words folded in a goroutine while the transaction
// writes them.
func (s *Store) ImportCards(ctx context.Context, cs []schema.NewCard) ([]schema.ImportResult, error) {
	out := make([]schema.ImportResult, len(cs))
	indexes := newCardIndexes(cs)
	err := s.inImportTx(ctx, func(tx *stmtTx) error {
		// The batch stops between two cards once ctx is done, not in the
		// middle of a statement: a statement run with a context that can
		// end starts a goroutine to watch it, a dozen per card.
		wctx := context.WithoutCancel(ctx)
		for i, c := range cs {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := importCard(wctx, tx, c, func() *cardIndex { return indexes.wait(i) })
			if err != nil {
				return fmt.Errorf("import card for %s: %w", c.URL, err)
			}
			out[i] = r
		}
		return tx.flush(wctx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// importCard saves one imported card in tx (see [Store.ImportCard]);
// index returns its index data, called when it is needed.
func importCard(ctx context.Context, tx dbtx, c schema.NewCard, index func() *cardIndex) (r schema.ImportResult, err error) {
	var cardJSON, published string
	err = tx.QueryRowContext(ctx, `SELECT id, version, card_json, published FROM cards
		WHERE document_id = ? AND latest = 1`, c.DocumentID).Scan(&r.CardID, &r.Version, &cardJSON, &published)
	prior := &priorCard{version: r.Version, id: r.CardID}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// The newest version is the highest, and has latest = 1: the
		// document has no card.
		created, err := ensureStubDocument(ctx, tx, c, index)
		if err != nil {
			return r, err
		}
		if created {
			prior.text = new(string) // a stub's text is empty
		}
	case err != nil:
		return r, err
	case cardJSON == c.CardJSON && (c.Published.IsZero() || published == formatPublished(c.Published)):
		return r, nil
	}
	r.Changed = true
	r.CardID, r.Version, err = insertCard(ctx, tx, c, index(), prior)
	return r, err
}

// The content hash and gzipped body of a stub document's empty body,
// computed once rather than per card.
var (
	emptyHash    = schema.ContentHash(nil)
	emptyBody, _ = store.Gzip(nil) // writing to memory cannot fail
)

// ensureStubDocument inserts the stub document of an imported card unless
// its document is stored, and tells whether it did; index returns the
// card's index data.
func ensureStubDocument(ctx context.Context, tx dbtx, c schema.NewCard, index func() *cardIndex) (created bool, err error) {
	canonical, err := schema.CanonicalURL(c.URL)
	if err != nil {
		return false, err
	}
	if schema.DocumentID(canonical) != c.DocumentID {
		return false, fmt.Errorf("document ID %q is not the ID of %s", c.DocumentID, canonical)
	}
	meta := schema.Metadata{Title: index().Title}
	if !c.Published.IsZero() {
		meta.Published = formatPublished(c.Published)
	}
	metadata, err := json.Marshal(meta)
	if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO documents (`+documentColumns+`)
		VALUES (?, ?, ?, ?, 0, 'text/markdown', ?, ?, ?, '', ?, 'imported') ON CONFLICT DO NOTHING`,
		c.DocumentID, canonical, c.URL, c.URL, timestamp(time.Now()), emptyHash, emptyBody, string(metadata))
	if err != nil {
		return false, fmt.Errorf("stub document: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("stub document: %w", err)
	}
	return n == 1, nil
}

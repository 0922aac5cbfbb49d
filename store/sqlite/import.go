package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
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
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := ensureStubDocument(ctx, tx, c); err != nil {
			return err
		}
		var cardJSON, published string
		err := tx.QueryRowContext(ctx, `SELECT id, version, card_json, published FROM cards
			WHERE document_id = ? AND latest = 1`, c.DocumentID).Scan(&id, &version, &cardJSON, &published)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case cardJSON == c.CardJSON && (c.Published.IsZero() || published == formatPublished(c.Published)):
			return nil
		}
		changed = true
		id, version, err = insertCard(ctx, tx, c)
		return err
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("import card for %s: %w", c.URL, err)
	}
	return id, version, changed, nil
}

// ensureStubDocument inserts the stub document of an imported card when
// its document is not stored.
func ensureStubDocument(ctx context.Context, tx *sql.Tx, c schema.NewCard) error {
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
	meta := schema.Metadata{Title: decodeIndexed(c.CardJSON).Title}
	if !c.Published.IsZero() {
		meta.Published = formatPublished(c.Published)
	}
	metadata, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	body, err := gzipBytes(nil)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (`+documentColumns+`)
		VALUES (?, ?, ?, ?, 0, 'text/markdown', ?, ?, ?, '', ?, 'imported')`,
		c.DocumentID, canonical, c.URL, c.URL, timestamp(time.Now()), schema.ContentHash(nil), body, string(metadata))
	if err != nil {
		return fmt.Errorf("stub document: %w", err)
	}
	return nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/veille/veille/store/cardindex"
)

// This file keeps the data derived from each document's newest card in
// step with it: its row of the listing (card_latest), its themes and
// keywords (card_tags) and its row of the full-text index (card_search).

// indexVersion is the version of the derived data's rules (the folding of
// package cardindex, the columns indexed). Open rebuilds the derived data when the
// database's meta row 'search_index' differs; bump it when a rule changes.
const indexVersion = "1"

// publishedLayout is how cards.published is written: RFC 3339 in UTC with
// whole seconds, so that it sorts as text.
const publishedLayout = "2006-01-02T15:04:05Z"

// formatPublished writes t as cards.published holds it.
func formatPublished(t time.Time) string { return t.UTC().Format(publishedLayout) }

// parsePublished reads cards.published; the zero time when empty.
func parsePublished(s string) time.Time {
	t, _ := time.Parse(publishedLayout, s)
	return t
}

// setLatest makes card id its document's row of card_latest (replacing the
// previous card's), with the columns derived from its JSON and URL.
func setLatest(ctx context.Context, tx dbtx, id int64, pageURL string, c cardindex.Card) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO card_latest (card_id, document_id, version, url, title,
		published, host, category, type, provider, model, origin_url, rows_total, rows_grounded, week)
		SELECT id, document_id, version, url, ?, published, ?, ?, ?, provider, model, ?, rows_total, rows_grounded,
			COALESCE(strftime('%G-W%V', published), '')
		FROM cards WHERE id = ?`, c.Title, cardindex.Host(pageURL), c.Category, c.Type, c.OriginURL(), id)
	if err != nil {
		return fmt.Errorf("list card %d: %w", id, err)
	}
	return nil
}

// indexLatest makes card id the listed and indexed card of its document:
// its listing row, its tags and its full-text row, with the document's
// text. It removes those of the document's previous card, old (0: none).
func indexLatest(ctx context.Context, tx dbtx, old, id int64, documentID, pageURL string, c cardindex.Card) error {
	if err := setLatest(ctx, tx, id, pageURL, c); err != nil {
		return err
	}
	if old != 0 {
		if err := unindex(ctx, tx, old); err != nil {
			return err
		}
	}
	for _, tags := range []struct {
		kind   string
		values []string
	}{{"theme", c.Themes}, {"keyword", c.Keywords}} {
		for _, v := range tags.values {
			if v = cardindex.Tag(v); v == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO card_tags (card_id, kind, value, category)
				VALUES (?, ?, ?, ?)`, id, tags.kind, v, c.Category); err != nil {
				return fmt.Errorf("card %d %s %q: %w", id, tags.kind, v, err)
			}
		}
	}
	var text string
	err := tx.QueryRowContext(ctx, `SELECT text FROM documents WHERE id = ?`, documentID).Scan(&text)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("text of %s: %w", documentID, err)
	}
	return indexText(ctx, tx, id, c, text)
}

// indexText writes card id's full-text row (replacing it).
func indexText(ctx context.Context, tx dbtx, id int64, c cardindex.Card, text string) error {
	return setSearchRow(ctx, tx, searchRow{id: id, cols: []any{cardindex.FoldedText(c.Title),
		cardindex.FoldedText(strings.Join(c.Keywords, "\n")), cardindex.FoldedText(strings.Join(c.Themes, "\n")), cardindex.FoldedText(c.Summary),
		cardindex.FoldedText(c.RowsText()), cardindex.FoldedText(text)}})
}

// unindex removes card id's tags and full-text row.
func unindex(ctx context.Context, tx dbtx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM card_tags WHERE card_id = ?`, id); err != nil {
		return fmt.Errorf("untag card %d: %w", id, err)
	}
	return setSearchRow(ctx, tx, searchRow{id: id})
}

// setSearchRow writes r to card_search now, or when a stmtTx flushes.
func setSearchRow(ctx context.Context, tx dbtx, r searchRow) error {
	if st, ok := tx.(*stmtTx); ok {
		st.pending = append(st.pending, r)
		return nil
	}
	return writeSearchRow(ctx, tx, r)
}

// writeSearchRow removes r's row of card_search, then writes its new one.
func writeSearchRow(ctx context.Context, tx dbtx, r searchRow) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM card_search WHERE rowid = ?`, r.id); err != nil {
		return fmt.Errorf("unindex card %d: %w", r.id, err)
	}
	if r.cols == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO card_search (rowid, title, keywords, themes, summary, rows, text)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{r.id}, r.cols...)...)
	if err != nil {
		return fmt.Errorf("index card %d: %w", r.id, err)
	}
	return nil
}

// reindexDocument refreshes the full-text row of a document's newest card
// after its text changed (a re-fetch); it does nothing when the document
// has no card.
func reindexDocument(ctx context.Context, tx dbtx, documentID, text string) error {
	var id int64
	var cardJSON string
	err := tx.QueryRowContext(ctx, `SELECT id, card_json FROM cards WHERE document_id = ? AND latest = 1`,
		documentID).Scan(&id, &cardJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("card of %s: %w", documentID, err)
	}
	return indexText(ctx, tx, id, cardindex.Decode(cardJSON), text)
}

// ensureIndex rebuilds the derived data of every card when the database's
// index version is not indexVersion (after migration 0006, or when the
// rules changed), in one transaction.
func (s *Store) ensureIndex(ctx context.Context) error {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'search_index'`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read index version: %w", err)
	}
	if v == indexVersion {
		return nil
	}
	err = s.inStmtTx(ctx, func(tx *stmtTx) error {
		for _, q := range []string{`DELETE FROM card_latest`, `DELETE FROM card_tags`, `DELETE FROM card_search`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		const batch = 500
		for after := int64(0); ; {
			last, err := rebuildBatch(ctx, tx, after, batch)
			if err == nil {
				err = tx.flush(ctx) // the batch's full-text rows, not the whole collection's, in memory
			}
			if err != nil {
				return err
			}
			if last == after {
				break
			}
			after = last
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('search_index', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, indexVersion)
		return err
	})
	if err != nil {
		return fmt.Errorf("rebuild the search index: %w", err)
	}
	return nil
}

// rebuildBatch rebuilds the derived data of up to n cards with ids above
// after; it returns the last id seen (after when none was left).
func rebuildBatch(ctx context.Context, tx dbtx, after int64, n int) (int64, error) {
	type card struct {
		id                  int64
		documentID, url, js string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, document_id, url, card_json FROM cards
		WHERE id > ? AND latest = 1 ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return after, err
	}
	var cards []card
	for rows.Next() {
		var c card
		if err := rows.Scan(&c.id, &c.documentID, &c.url, &c.js); err != nil {
			rows.Close()
			return after, err
		}
		cards = append(cards, c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return after, err
	}
	last := after
	for _, c := range cards {
		if err := indexLatest(ctx, tx, 0, c.id, c.documentID, c.url, cardindex.Decode(c.js)); err != nil {
			return after, err
		}
		last = c.id
	}
	return last, nil
}

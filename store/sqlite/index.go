package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/cardindex"
)

// This file keeps the data derived from each document's newest card in
// step with it: its row of the listing (card_latest), its themes and
// keywords (card_tags) and its row of the full-text index (card_search).

// indexVersion is the version of the derived data's rules (the folding of
// fold.go, the columns indexed). Open rebuilds the derived data when the
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

// cardIndex is what the listing and the full-text index take from a card:
// its decoded JSON, its page's host and its fields folded as card_search
// holds them. Making one is the costly part of indexing a card, and needs
// no database: a batch makes them in a goroutine while it writes (see
// newCardIndexes).
type cardIndex struct {
	cardindex.Card
	host string
	// folded is the title, keywords, themes, summary and rows columns of
	// card_search.
	folded [5]string
}

// newCardIndex decodes and folds a card's JSON; pageURL is its page's.
func newCardIndex(cardJSON, pageURL string) *cardIndex {
	return foldCard(cardindex.Decode(cardJSON), pageURL)
}

// cardIndexOf is the cardIndex of c, from its decoded card when it has
// one, else from its JSON.
func cardIndexOf(c schema.NewCard) *cardIndex {
	if c.Decoded != nil {
		return foldCard(cardindex.FromCard(*c.Decoded), c.URL)
	}
	return newCardIndex(c.CardJSON, c.URL)
}

// foldCard is the cardIndex of c, with its fields folded; pageURL is its
// page's.
func foldCard(c cardindex.Card, pageURL string) *cardIndex {
	return &cardIndex{Card: c, host: cardindex.Host(pageURL), folded: [5]string{cardindex.FoldedText(c.Title),
		cardindex.FoldedText(strings.Join(c.Keywords, "\n")), cardindex.FoldedText(strings.Join(c.Themes, "\n")),
		cardindex.FoldedText(c.Summary), cardindex.FoldedText(c.RowsText())}}
}

// cardIndexes are the cardIndex of a batch's cards, made in a goroutine
// while the batch is written: a card's is ready long before the
// transaction reaches it (folding a card takes a fifth of writing it).
type cardIndexes struct {
	out   []*cardIndex
	ready []chan struct{} // ready[i] is closed once out[i] is made
}

// newCardIndexes starts making the cardIndex of each card, in the cards'
// order. One goroutine does: more would take turns with the writer, on
// which the batch waits.
func newCardIndexes(cs []schema.NewCard) *cardIndexes {
	ix := &cardIndexes{out: make([]*cardIndex, len(cs)), ready: make([]chan struct{}, len(cs))}
	for i := range ix.ready {
		ix.ready[i] = make(chan struct{})
	}
	go func() {
		for i, c := range cs {
			ix.out[i] = cardIndexOf(c)
			close(ix.ready[i])
		}
	}()
	return ix
}

// wait returns the cardIndex of card i once it is made.
func (ix *cardIndexes) wait(i int) *cardIndex {
	<-ix.ready[i]
	return ix.out[i]
}

// latestRow is a card's row of card_latest but for the columns taken
// from its JSON.
type latestRow struct {
	id                      int64
	documentID, url         string
	version                 int
	published               string // as cards.published
	provider, model         string
	rowsTotal, rowsGrounded int
}

// isoWeek is the ISO week of a cards.published date, as SQLite's
// strftime('%G-W%V', published) writes it ("2026-W05"); "" for no date.
func isoWeek(published string) string {
	t, err := time.Parse(publishedLayout, published)
	if err != nil {
		return ""
	}
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// setLatest makes card r its document's row of card_latest (replacing the
// previous card's), with the columns derived from its JSON and URL.
func setLatest(ctx context.Context, tx dbtx, r latestRow, c *cardIndex) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO card_latest (card_id, document_id, version, url, title,
		published, host, category, type, provider, model, origin_url, rows_total, rows_grounded, week, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.id, r.documentID, r.version, r.url, c.Title,
		r.published, c.host, c.Category, c.Type, r.provider, r.model, c.OriginURL(), r.rowsTotal, r.rowsGrounded,
		isoWeek(r.published), packTags(c.Card))
	if err != nil {
		return fmt.Errorf("list card %d: %w", r.id, err)
	}
	return nil
}

// indexLatest makes card r the listed and indexed card of its document:
// its listing row, its tags and its full-text row, with the document's
// text (read from the store when text is nil). It removes those of the
// document's previous card, old (0: none).
func indexLatest(ctx context.Context, tx dbtx, old int64, r latestRow, c *cardIndex, text *string) error {
	if err := setLatest(ctx, tx, r, c); err != nil {
		return err
	}
	if old != 0 {
		if err := unindex(ctx, tx, old); err != nil {
			return err
		}
	}
	if err := insertTags(ctx, tx, r.id, c); err != nil {
		return err
	}
	if text == nil {
		var t string
		err := tx.QueryRowContext(ctx, `SELECT text FROM documents WHERE id = ?`, r.documentID).Scan(&t)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("text of %s: %w", r.documentID, err)
		}
		text = &t
	}
	return indexText(ctx, tx, r.id, c, *text, true, false)
}

// tagRow is a row of card_tags.
type tagRow struct {
	cardID                int64
	kind, value, category string
}

// insertTags writes the themes and keywords of card id, now or, in a
// stmtTx, with the other cards' when it flushes.
func insertTags(ctx context.Context, tx dbtx, id int64, c *cardIndex) error {
	var rows []tagRow
	for _, tags := range []struct {
		kind   string
		values []string
	}{{"theme", c.Themes}, {"keyword", c.Keywords}} {
		for _, v := range tags.values {
			if v = cardindex.Tag(v); v != "" {
				rows = append(rows, tagRow{cardID: id, kind: tags.kind, value: v, category: c.Category})
			}
		}
	}
	if st, ok := tx.(*stmtTx); ok {
		st.tags = append(st.tags, rows...)
		return nil
	}
	return writeTags(ctx, tx, rows)
}

// tagsPerInsert is how many tags one INSERT writes, at most.
const tagsPerInsert = 250

// writeTags inserts rows into card_tags, in the order of its primary key
// (kind, value, card_id), many in one statement: sorted, a batch's tags
// are written page by page of the index.
func writeTags(ctx context.Context, tx dbtx, rows []tagRow) error {
	slices.SortFunc(rows, func(a, b tagRow) int {
		return cmp.Or(strings.Compare(a.kind, b.kind), strings.Compare(a.value, b.value), cmp.Compare(a.cardID, b.cardID))
	})
	for len(rows) > 0 {
		n := min(len(rows), tagsPerInsert)
		args := make([]any, 0, 4*n)
		for _, r := range rows[:n] {
			args = append(args, r.cardID, r.kind, r.value, r.category)
		}
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO card_tags (card_id, kind, value, category) VALUES (?, ?, ?, ?)`+
			strings.Repeat(", (?, ?, ?, ?)", n-1), args...)
		if err != nil {
			return fmt.Errorf("tags of card %d: %w", rows[0].cardID, err)
		}
		rows = rows[n:]
	}
	return nil
}

// indexText writes card id's full-text rows, replacing them unless fresh
// (the card has none yet), or its row of card_search only with textOnly
// (its text changed).
func indexText(ctx context.Context, tx dbtx, id int64, c *cardIndex, text string, fresh, textOnly bool) error {
	return setSearchRow(ctx, tx, searchRow{id: id, fresh: fresh, head: !textOnly, cols: []any{c.folded[0],
		c.folded[1], c.folded[2], c.folded[3], c.folded[4], cardindex.FoldedText(text)}})
}

// unindex removes card id's tags and full-text rows.
func unindex(ctx context.Context, tx dbtx, id int64) error {
	if st, ok := tx.(*stmtTx); ok {
		if err := st.flushTags(ctx); err != nil { // they may hold card id's
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM card_tags WHERE card_id = ?`, id); err != nil {
		return fmt.Errorf("untag card %d: %w", id, err)
	}
	return setSearchRow(ctx, tx, searchRow{id: id, head: true})
}

// setSearchRow writes r to card_search now, or when a stmtTx flushes.
func setSearchRow(ctx context.Context, tx dbtx, r searchRow) error {
	if st, ok := tx.(*stmtTx); ok {
		st.pending = append(st.pending, r)
		return nil
	}
	return writeSearchRow(ctx, tx, r)
}

// writeSearchRow removes r's rows of card_search and, with r.head, of
// card_head (unless r is fresh), then writes its new ones.
func writeSearchRow(ctx context.Context, tx dbtx, r searchRow) error {
	if !r.fresh {
		if _, err := tx.ExecContext(ctx, `DELETE FROM card_search WHERE rowid = ?`, r.id); err != nil {
			return fmt.Errorf("unindex card %d: %w", r.id, err)
		}
		if r.head {
			if _, err := tx.ExecContext(ctx, `DELETE FROM card_head WHERE rowid = ?`, r.id); err != nil {
				return fmt.Errorf("unindex card %d: %w", r.id, err)
			}
		}
	}
	if r.cols == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO card_search (rowid, title, keywords, themes, summary, rows, text)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{r.id}, r.cols...)...)
	if err == nil && r.head {
		err = insertHead(ctx, tx, r.id, r.cols[:3])
	}
	if err != nil {
		return fmt.Errorf("index card %d: %w", r.id, err)
	}
	return nil
}

// insertHead writes card id's row of card_head: its folded title, keywords
// and themes.
func insertHead(ctx context.Context, tx dbtx, id int64, cols []any) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO card_head (rowid, title, keywords, themes) VALUES (?, ?, ?, ?)`,
		append([]any{id}, cols...)...)
	return err
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
	return indexText(ctx, tx, id, newCardIndex(cardJSON, ""), text, false, true) // the host is not indexed
}

// metaValue is the value of the meta row key, "" when there is none.
func (s *Store) metaValue(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read meta %s: %w", key, err)
	}
	return v, nil
}

// ensureIndex rebuilds the derived data of every card when the database's
// index version is not indexVersion (after migration 0006, or when the
// rules changed), in one transaction.
func (s *Store) ensureIndex(ctx context.Context) error {
	v, err := s.metaValue(ctx, "search_index")
	if err != nil {
		return err
	}
	if v == indexVersion {
		return s.ensureHead(ctx)
	}
	err = s.inStmtTx(ctx, func(tx *stmtTx) error {
		for _, q := range []string{`DELETE FROM card_latest`, `DELETE FROM card_tags`, `DELETE FROM card_search`,
			`DELETE FROM card_head`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		err := eachLatest(ctx, tx, func(c latestCard) error {
			return indexLatest(ctx, tx, 0, c.latestRow, newCardIndex(c.js, c.url), nil)
		})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('search_index', ?), ('search_head', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, indexVersion, headVersion)
		return err
	})
	if err != nil {
		return fmt.Errorf("rebuild the search index: %w", err)
	}
	return nil
}

// headVersion is the version of card_head's rules; ensureHead fills it
// when the meta row 'search_head' differs (after migration 0012).
const headVersion = "1"

// ensureHead fills card_head from the newest cards when the meta row
// 'search_head' is not headVersion, in one transaction: a database made
// before migration 0012 has its full-text index but not this one.
func (s *Store) ensureHead(ctx context.Context) error {
	v, err := s.metaValue(ctx, "search_head")
	if err != nil {
		return err
	}
	if v == headVersion {
		return nil
	}
	err = s.inStmtTx(ctx, func(tx *stmtTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM card_head`); err != nil {
			return err
		}
		err := eachLatest(ctx, tx, func(c latestCard) error {
			ci := newCardIndex(c.js, "")
			if err := insertHead(ctx, tx, c.id, []any{ci.folded[0], ci.folded[1], ci.folded[2]}); err != nil {
				return fmt.Errorf("index card %d: %w", c.id, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('search_head', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, headVersion)
		return err
	})
	if err != nil {
		return fmt.Errorf("fill the search index of titles: %w", err)
	}
	return nil
}

// latestCard is the newest card of a document, as a rebuild reads it.
type latestCard struct {
	latestRow
	js string // its JSON
}

// eachLatest calls fn for the newest card of every document, by id, read
// 500 at a time; the full-text rows held back by tx are written after
// each batch, so that only one batch's are in memory.
func eachLatest(ctx context.Context, tx *stmtTx, fn func(latestCard) error) error {
	const batch = 500
	for after := int64(0); ; {
		cards, err := readLatest(ctx, tx, after, batch)
		if err != nil || len(cards) == 0 {
			return err
		}
		for _, c := range cards {
			if err := fn(c); err != nil {
				return err
			}
		}
		if err := tx.flush(ctx); err != nil {
			return err
		}
		after = cards[len(cards)-1].id
	}
}

// readLatest reads up to n newest cards with ids above after, by id.
func readLatest(ctx context.Context, tx dbtx, after int64, n int) ([]latestCard, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, document_id, version, url, published, provider, model,
		rows_total, rows_grounded, card_json FROM cards WHERE id > ? AND latest = 1 ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cards []latestCard
	for rows.Next() {
		var c latestCard
		if err := rows.Scan(&c.id, &c.documentID, &c.version, &c.url, &c.published, &c.provider, &c.model,
			&c.rowsTotal, &c.rowsGrounded, &c.js); err != nil {
			return nil, err
		}
		cards = append(cards, c)
	}
	return cards, rows.Err()
}

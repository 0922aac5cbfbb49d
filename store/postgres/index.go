package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/veille/veille/store/cardindex"
)

// This file keeps the data derived from each document's newest card in
// step with it: its row of the listing (card_latest), its themes and
// keywords (card_tags) and its row of the full-text index (card_search).

// indexVersion is the version of the derived data's rules (the folding of
// package cardindex, the columns indexed and their weights). Open rebuilds
// the derived data when the database's meta row 'search_index' differs.
const indexVersion = "1"

// isoWeek is the ISO week of t, "2026-W05".
func isoWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// setLatest makes card id its document's row of card_latest (replacing the
// previous card's), with the columns derived from its JSON and URL.
func setLatest(ctx context.Context, tx dbtx, id int64, pageURL string, c cardindex.Card) error {
	var published time.Time
	if err := tx.QueryRowContext(ctx, `SELECT published FROM cards WHERE id = $1`, id).Scan(&published); err != nil {
		return fmt.Errorf("list card %d: %w", id, err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM card_latest WHERE document_id = (SELECT document_id FROM cards WHERE id = $1)`, id)
	if err != nil {
		return fmt.Errorf("list card %d: %w", id, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO card_latest (card_id, document_id, version, url, title,
		published, week, host, category, type, provider, model, origin_url, rows_total, rows_grounded)
		SELECT id, document_id, version, url, $1, published, $2, $3, $4, $5, provider, model, $6, rows_total, rows_grounded
		FROM cards WHERE id = $7`, c.Title, isoWeek(published), cardindex.Host(pageURL), c.Category, c.Type,
		c.OriginURL(), id)
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
	kinds, values := tagRows(c)
	if len(values) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_tags (card_id, kind, value, category)
			SELECT $1, k, v, $2 FROM unnest($3::text[], $4::text[]) AS t(k, v) ON CONFLICT DO NOTHING`,
			id, c.Category, textArray(kinds), textArray(values)); err != nil {
			return fmt.Errorf("tag card %d: %w", id, err)
		}
	}
	var text string
	err := tx.QueryRowContext(ctx, `SELECT text FROM documents WHERE id = $1`, documentID).Scan(&text)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("text of %s: %w", documentID, err)
	}
	return indexText(ctx, tx, id, c, text)
}

// tagRows are the kinds and values of card_tags rows of c.
func tagRows(c cardindex.Card) (kinds, values []string) {
	for _, tags := range []struct {
		kind   string
		values []string
	}{{"theme", c.Themes}, {"keyword", c.Keywords}} {
		for _, v := range tags.values {
			if v = cardindex.Tag(v); v != "" {
				kinds, values = append(kinds, tags.kind), append(values, v)
			}
		}
	}
	return kinds, values
}

// textArray is a PostgreSQL text[] literal of ss, for a $n::text[]
// parameter.
func textArray(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayEscaper.Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// indexText writes card id's full-text row (replacing it).
func indexText(ctx context.Context, tx dbtx, id int64, c cardindex.Card, text string) error {
	doc, head := searchVector(c, text)
	_, err := tx.ExecContext(ctx, `INSERT INTO card_search (card_id, doc, head) VALUES ($1, $2::tsvector, $3::tsvector)
		ON CONFLICT (card_id) DO UPDATE SET doc = excluded.doc, head = excluded.head`, id, doc, head)
	if err != nil {
		return fmt.Errorf("index card %d: %w", id, err)
	}
	return nil
}

// unindex removes card id's tags and full-text row.
func unindex(ctx context.Context, tx dbtx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM card_tags WHERE card_id = $1`, id); err != nil {
		return fmt.Errorf("untag card %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM card_search WHERE card_id = $1`, id); err != nil {
		return fmt.Errorf("unindex card %d: %w", id, err)
	}
	return nil
}

// The limits of a tsvector: positions up to maxPosition, at most
// maxPositions of them per word, words of maxLexeme bytes at most (longer
// ones are cut, in queries as well), and about a megabyte in all (the
// document's text is cut when its words would make more).
const (
	maxPosition    = 16383
	maxPositions   = 255
	maxLexeme      = 2046
	maxVectorBytes = 512 << 10
)

// lexeme is folded word w as the index holds it: cut to maxLexeme bytes,
// on a character boundary.
func lexeme(w string) string {
	if len(w) <= maxLexeme {
		return w
	}
	return strings.ToValidUTF8(w[:maxLexeme], "") // without a rune cut in two
}

// searchVector is the tsvector of card c with its document's text: the
// folded words (package cardindex) of each column, weighted title A,
// keywords and themes B, summary and table rows C, page text D, with their
// positions; and head, the same without the page text (weight D), which
// the ranking reads: small, it is kept beside the row, while the whole
// vector of a long page is stored apart. Both are sent to the server as
// they are stored (binary, lexemes sorted, positions increasing), which
// it checks rather than parses.
func searchVector(c cardindex.Card, text string) (doc, head pgtype.TSVector) {
	// The words, each with its position count, and the positions of the
	// words in the columns' order, made into the vector once sorted.
	type entry struct {
		word         string
		count, heavy int    // positions kept, those weighing more than D
		last         uint16 // the last position kept
	}
	type hit struct {
		entry    int32
		position uint16
		weight   byte
	}
	entries := make([]entry, 0, 256)
	hits := make([]hit, 0, 1024)
	byWord := make(map[string]int32, 512)
	pos, size := 0, 0
	columns := []struct {
		weight byte
		text   string
	}{
		{'A', c.Title}, {'B', strings.Join(c.Keywords, "\n")}, {'B', strings.Join(c.Themes, "\n")},
		{'C', c.Summary}, {'C', c.RowsText()}, {'D', text},
	}
	for _, col := range columns {
		cardindex.EachWord(col.text, func(word string) {
			pos = min(pos+1, maxPosition)
			w := lexeme(word)
			i, ok := byWord[w]
			if !ok {
				if size+len(w)+16 > maxVectorBytes {
					return
				}
				i = int32(len(entries))
				byWord[w] = i
				entries = append(entries, entry{word: w})
				size += len(w) + 3
			}
			// Positions stop at maxPosition: the first word there keeps it,
			// with the heaviest weight.
			e := &entries[i]
			if e.count < maxPositions && (e.count == 0 || int(e.last) < pos) {
				hits = append(hits, hit{i, uint16(pos), col.weight})
				e.count++
				e.last = uint16(pos)
				if col.weight != 'D' {
					e.heavy++
				}
				size += 7
			}
		})
	}
	// PostgreSQL's order of lexemes: byte-wise, as Go compares strings.
	// Sorted by their first 8 bytes, then, when those are the same, by
	// the rest (keys without pointers are swapped faster).
	type key struct {
		prefix uint64
		entry  int32
	}
	keys := make([]key, len(entries))
	for i, e := range entries {
		var p [8]byte
		copy(p[:], e.word)
		keys[i] = key{binary.BigEndian.Uint64(p[:]), int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		return strings.Compare(entries[a.entry].word, entries[b.entry].word)
	})
	order := make([]int32, len(keys))
	for k, key := range keys {
		order[k] = key.entry
	}
	// Each word's positions, in one array: first[i] is where entry i's go.
	first := make([]int, len(entries))
	doc = pgtype.TSVector{Lexemes: make([]pgtype.TSVectorLexeme, len(entries)), Valid: true}
	head = pgtype.TSVector{Lexemes: make([]pgtype.TSVectorLexeme, 0, len(entries)), Valid: true}
	all := make([]pgtype.TSVectorPosition, len(hits))
	n := 0
	for _, i := range order {
		first[i] = n
		n += entries[i].count
	}
	next := slices.Clone(first)
	for _, h := range hits {
		all[next[h.entry]] = pgtype.TSVectorPosition{Position: h.position, Weight: pgtype.TSVectorWeight(h.weight)}
		next[h.entry]++
	}
	for k, i := range order {
		e := entries[i]
		positions := all[first[i] : first[i]+e.count : first[i]+e.count]
		doc.Lexemes[k] = pgtype.TSVectorLexeme{Word: e.word, Positions: positions}
		if e.heavy > 0 {
			// The weights are in column order: those of the head come first.
			head.Lexemes = append(head.Lexemes, pgtype.TSVectorLexeme{Word: e.word, Positions: positions[:e.heavy]})
		}
	}
	return doc, head
}

// The escapers of an array element and of a lexeme.
var (
	arrayEscaper  = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	lexemeEscaper = strings.NewReplacer(`\`, `\\`, `'`, `''`)
)

// quoteLexeme quotes a word for a tsvector or tsquery literal.
func quoteLexeme(w string) string { return "'" + lexemeEscaper.Replace(lexeme(w)) + "'" }

// reindexDocument refreshes the full-text row of a document's newest card
// after its text changed (a re-fetch); it does nothing when the document
// has no card.
func reindexDocument(ctx context.Context, tx dbtx, documentID, text string) error {
	var id int64
	var cardJSON string
	err := tx.QueryRowContext(ctx, `SELECT id, card_json FROM cards WHERE document_id = $1 AND latest`,
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
// index version is not indexVersion, in one transaction.
func (s *Store) ensureIndex(ctx context.Context) error {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'search_index'`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read index version: %w", err)
	}
	if v == indexVersion {
		return nil
	}
	return s.Reindex(ctx)
}

// Reindex rebuilds the derived data of every card (listing rows, tags,
// full-text rows) from the cards, in one transaction.
func (s *Store) Reindex(ctx context.Context) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM card_latest`, `DELETE FROM card_tags`, `DELETE FROM card_search`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		const batch = 500
		for after := int64(0); ; {
			last, err := rebuildBatch(ctx, tx, after, batch)
			if err != nil {
				return err
			}
			if last == after {
				break
			}
			after = last
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('search_index', $1)
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
		WHERE id > $1 AND latest ORDER BY id LIMIT $2`, after, n)
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

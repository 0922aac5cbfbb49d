package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/cardindex"
)

// This file is the full-text search over the newest card of each document
// (table card_search, see index.go and package cardindex).

// rankExpr ranks the matches of card_search (alias s) for the tsquery of
// placeholder $1, higher is better: cover density over the card's own
// words (head), those of the title (weight A) counting most, then keywords
// and themes (B), summary and table rows (C), divided by the logarithm of
// their number, plus 0.01 for the match itself: a card matched by its page
// text alone scores 0.01, after the others. The page text is not read to
// rank: for a common word of a large collection, every matching page would
// be decompressed.
const rankExpr = `ts_rank_cd('{0.1, 0.3, 0.5, 1.0}', s.head, $1::tsquery, 1) + 0.01`

// tsquery is the tsquery literal of terms (folded words, each quoted as a
// lexeme, so no user input reaches the query syntax) joined by op (& or |).
func tsquery(terms []string, op string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = quoteLexeme(t)
	}
	return strings.Join(quoted, " "+op+" ")
}

// SearchCards finds the newest cards whose title, keywords, themes,
// summary, table rows or page text hold every word of query, singular or
// plural, with or without accents (see package cardindex). Any query is
// valid: its words are taken as words, never as query syntax; a query
// without a word finds nothing. The hits are those f selects, best first
// (title weighing most) unless f.Sort is set, one page of them (f.Limit,
// 50 by default).
func (s *Store) SearchCards(ctx context.Context, query string, f schema.CardFilter) ([]schema.SearchHit, error) {
	terms := cardindex.QueryTerms(query)
	if len(terms) == 0 {
		return []schema.SearchHit{}, nil
	}
	hits, err := s.search(ctx, tsquery(terms, "&"), terms, f, 0)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", cardindex.ClipQuery(query), err)
	}
	return hits, nil
}

// search runs the tsquery match over the cards f selects, leaving out card
// exclude, and cuts each hit's snippet around terms.
func (s *Store) search(ctx context.Context, match string, terms []string, f schema.CardFilter, exclude int64) ([]schema.SearchHit, error) {
	order, err := orderBy(f.Sort, "score DESC, c.card_id")
	if err != nil {
		return nil, err
	}
	rows, err := s.searchRows(ctx, match, f, order, exclude)
	if err != nil {
		return nil, err
	}
	hits := []schema.SearchHit{}
	for rows.Next() {
		var h schema.SearchHit
		if h.CardSummary, err = scanSummary(rows, &h.Score); err != nil {
			rows.Close()
			return nil, err
		}
		hits = append(hits, h)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	for i := range hits {
		if hits[i].Snippet, err = s.snippet(ctx, hits[i].CardID, want); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// searchRows queries the page of matches of search. When f selects every
// card and the order is the relevance, the page is cut from card_search
// alone and only its rows are joined to card_latest.
func (s *Store) searchRows(ctx context.Context, match string, f schema.CardFilter, order string, exclude int64) (*sql.Rows, error) {
	w := filterWhere(f, 1)
	w.args[0] = match
	limit, offset := page(f)
	if len(w.conds) == 0 && f.Sort == "" {
		return s.db.QueryContext(ctx, `SELECT `+summaryColumns+`, m.score
			FROM (SELECT s.card_id AS id, `+rankExpr+` AS score FROM card_search s
				WHERE s.doc @@ $1::tsquery AND s.card_id != $2 ORDER BY score DESC, s.card_id LIMIT $3 OFFSET $4) m
			JOIN card_latest c ON c.card_id = m.id ORDER BY `+order, match, exclude, limit, offset)
	}
	if exclude != 0 {
		w.add("c.card_id != ?", exclude)
	}
	query := `SELECT ` + summaryColumns + `, ` + rankExpr + ` AS score
		FROM card_search s JOIN card_latest c ON c.card_id = s.card_id
		WHERE s.doc @@ $1::tsquery AND ` + w.String() + ` ORDER BY ` + order +
		` LIMIT ` + w.arg(limit) + ` OFFSET ` + w.arg(offset)
	return s.db.QueryContext(ctx, query, w.args...)
}

// snippet cuts the excerpt of card id that shows the most of the wanted
// (folded) words.
func (s *Store) snippet(ctx context.Context, id int64, want map[string]bool) (string, error) {
	var cardJSON, text string
	err := s.db.QueryRowContext(ctx, `SELECT c.card_json, COALESCE(d.text, '') FROM cards c
		LEFT JOIN documents d ON d.id = c.document_id WHERE c.id = $1`, id).Scan(&cardJSON, &text)
	if err != nil {
		return "", fmt.Errorf("snippet of card %d: %w", id, notFound(err))
	}
	return cardindex.Snippet(cardindex.Decode(cardJSON), text, want), nil
}

// RelatedByText returns up to limit cards (10 when limit ≤ 0) related to
// the newest card of document documentID by their words, best first,
// never that card itself: its most distinctive words (see
// [cardindex.Candidates] and [cardindex.Rarest]) are searched for, any of
// them. An unknown document, or one without a card, is an error wrapping
// [schema.ErrNotFound].
func (s *Store) RelatedByText(ctx context.Context, documentID string, limit int) ([]schema.SearchHit, error) {
	var id int64
	var cardJSON string
	err := s.db.QueryRowContext(ctx, `SELECT id, card_json FROM cards WHERE document_id = $1 AND latest`,
		documentID).Scan(&id, &cardJSON)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", documentID, notFound(err))
	}
	terms, err := s.distinctiveWords(ctx, cardindex.Decode(cardJSON))
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", documentID, err)
	}
	if len(terms) == 0 {
		return []schema.SearchHit{}, nil
	}
	if limit <= 0 {
		limit = 10
	}
	hits, err := s.search(ctx, tsquery(terms, "|"), terms, schema.CardFilter{Limit: limit}, id)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", documentID, err)
	}
	return hits, nil
}

// distinctiveWords picks the words of c that RelatedByText searches.
func (s *Store) distinctiveWords(ctx context.Context, c cardindex.Card) ([]string, error) {
	ws := cardindex.Candidates(c)
	if len(ws) == 0 {
		return nil, nil
	}
	counts, total, err := s.wordCards(ctx, ws)
	if err != nil {
		return nil, err
	}
	return cardindex.Rarest(ws, counts, total), nil
}

// wordCards returns how many cards hold each of ws (absent: none) and how
// many cards the collection has, from the GIN index.
func (s *Store) wordCards(ctx context.Context, ws []string) (map[string]int, int, error) {
	queries := make([]string, len(ws))
	for i, w := range ws {
		queries[i] = quoteLexeme(w)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT u.word,
			(SELECT count(*) FROM card_search s WHERE s.doc @@ u.q::tsquery),
			(SELECT count(*) FROM card_latest)
		FROM unnest($1::text[], $2::text[]) AS u(word, q)`, textArray(ws), textArray(queries))
	if err != nil {
		return nil, 0, fmt.Errorf("frequency of words: %w", err)
	}
	defer rows.Close()
	docs, total := map[string]int{}, 0
	for rows.Next() {
		var w string
		var n int
		if err := rows.Scan(&w, &n, &total); err != nil {
			return nil, 0, fmt.Errorf("frequency of words: %w", err)
		}
		if n > 0 {
			docs[w] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("frequency of words: %w", err)
	}
	return docs, total, nil
}

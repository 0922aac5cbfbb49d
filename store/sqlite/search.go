package sqlite

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
// (table card_search, see index.go and fold.go).

// rankExpr ranks the matches of card_search, higher is better: BM25 with
// the columns weighted title 10, keywords 5, themes 5, summary 3, table
// rows 2, page text 1.
const rankExpr = `-bm25(card_search, 10.0, 5.0, 5.0, 3.0, 2.0, 1.0)`

// matchExpr is an FTS5 query of terms, each a string token (letters and
// digits only, so quoting is safe), joined by op (AND or OR).
func matchExpr(terms []string, op string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(quoted, " "+op+" ")
}

// SearchCards finds the newest cards whose title, keywords, themes,
// summary, table rows or page text hold every word of query, singular or
// plural, with or without accents (see fold.go). Any query is valid: its
// words are taken as words, never as FTS5 syntax; a query without a word
// finds nothing. The hits are those f selects, best first (BM25, title
// weighing most) unless f.Sort is set, one page of them (f.Limit, 50 by
// default).
func (s *Store) SearchCards(ctx context.Context, query string, f schema.CardFilter) ([]schema.SearchHit, error) {
	terms := cardindex.QueryTerms(query)
	if len(terms) == 0 {
		return []schema.SearchHit{}, nil
	}
	hits, err := s.search(ctx, matchExpr(terms, "AND"), terms, f, 0)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", cardindex.ClipQuery(query), err)
	}
	return hits, nil
}

// search runs the FTS5 query match over the cards f selects, leaving out
// card exclude, and cuts each hit's snippet around terms.
func (s *Store) search(ctx context.Context, match string, terms []string, f schema.CardFilter, exclude int64) ([]schema.SearchHit, error) {
	order, err := orderBy(f.Sort, "score DESC, c.card_id") // m.score in searchRows' unfiltered query
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
	// Closed before the snippets are read: an in-memory store has one
	// connection.
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
// alone and only its rows are joined to card_latest: the join is not done
// for every match.
func (s *Store) searchRows(ctx context.Context, match string, f schema.CardFilter, order string, exclude int64) (*sql.Rows, error) {
	w := filterWhere(f)
	limit, offset := page(f)
	if len(w.conds) == 0 && f.Sort == "" {
		return s.db.QueryContext(ctx, `SELECT `+summaryColumns+`, m.score
			FROM (SELECT rowid AS id, `+rankExpr+` AS score FROM card_search
				WHERE card_search MATCH ? AND rowid != ? ORDER BY score DESC, rowid LIMIT ? OFFSET ?) m
			JOIN card_latest c ON c.card_id = m.id ORDER BY `+order, match, exclude, limit, offset)
	}
	if exclude != 0 {
		w.add("c.card_id != ?", exclude)
	}
	args := append(append([]any{match}, w.args...), limit, offset)
	return s.db.QueryContext(ctx, `SELECT `+summaryColumns+`, `+rankExpr+` AS score
		FROM card_search JOIN card_latest c ON c.card_id = card_search.rowid
		WHERE card_search MATCH ? AND `+w.String()+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
}

// snippet cuts the excerpt of card id that shows the most of the wanted
// (folded) words.
func (s *Store) snippet(ctx context.Context, id int64, want map[string]bool) (string, error) {
	var cardJSON, text string
	err := s.db.QueryRowContext(ctx, `SELECT c.card_json, COALESCE(d.text, '') FROM cards c
		LEFT JOIN documents d ON d.id = c.document_id WHERE c.id = ?`, id).Scan(&cardJSON, &text)
	if err != nil {
		return "", fmt.Errorf("snippet of card %d: %w", id, notFound(err))
	}
	return cardindex.Snippet(cardindex.Decode(cardJSON), text, want), nil
}

// RelatedByText returns up to limit cards (10 when limit ≤ 0) related to
// the newest card of document documentID by their words, best first,
// never that card itself: its most distinctive words (from its title,
// keywords, themes and row names, without English and French stop words
// nor words under four letters nor words more than a tenth of the cards
// hold, the rarest in the collection first, at most 12 and as many as a
// twentieth of the cards hold between them) are searched for, any of them,
// and the hits ranked by BM25. An unknown
// document, or one without a card, is an error wrapping
// [schema.ErrNotFound].
func (s *Store) RelatedByText(ctx context.Context, documentID string, limit int) ([]schema.SearchHit, error) {
	var id int64
	var cardJSON string
	err := s.db.QueryRowContext(ctx, `SELECT id, card_json FROM cards WHERE document_id = ? AND latest = 1`,
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
	hits, err := s.search(ctx, matchExpr(terms, "OR"), terms, schema.CardFilter{Limit: limit}, id)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", documentID, err)
	}
	return hits, nil
}

// distinctiveWords picks the words of c that RelatedByText searches (see
// [cardindex.Rarest]).
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

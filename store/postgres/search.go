package postgres

import (
	"cmp"
	"context"
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
//
// In relevance order, a search ranks rankAll matches at most: when more
// cards match, the page is cut from the newest rankAll of those holding a
// word of terms in their title, keywords or themes (the GIN index
// card_search_heading), and when these are too few for the page, from the
// newest rankAll matches.
func (s *Store) search(ctx context.Context, match string, terms []string, f schema.CardFilter, exclude int64) ([]schema.SearchHit, error) {
	order, err := orderBy(f.Sort, "score DESC, c.card_id")
	if err != nil {
		return nil, err
	}
	limit, offset := page(f)
	q := searchQuery{match: match, anyWord: tsquery(terms, "|"), f: f, order: order, exclude: exclude,
		rankAll: max(cmp.Or(s.rankAll, rankAll), offset+limit)} // the page is among those ranked
	hits, err := s.rankedPage(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := s.snippets(ctx, hits, terms); err != nil {
		return nil, err
	}
	return hits, nil
}

// rankAll is how many matches a search in relevance order ranks, at most.
const rankAll = 2000

// headingExpr is the tsvector of a card's title and keywords and themes
// (weights A and B of head), as indexed by card_search_heading (migration
// 0008): a query must repeat it exactly for the index to serve.
const headingExpr = `ts_filter(s.head, '{a,b}')`

// searchQuery is a search's query.
type searchQuery struct {
	match   string // the tsquery
	anyWord string // the tsquery of any of its words
	f       schema.CardFilter
	order   string // the ORDER BY clause
	exclude int64  // a card left out, 0 for none
	rankAll int    // the const rankAll, but in tests and for deep pages
	// heading, when set, restricts the matches to those holding a word in
	// their title, keywords or themes.
	heading bool
	// newest, when set, restricts the matches ranked to the newest
	// rankAll.
	newest bool
}

// rankedPage reads the page of hits of q (see search).
func (s *Store) rankedPage(ctx context.Context, q searchQuery) ([]schema.SearchHit, error) {
	if q.f.Sort != "" {
		return s.searchPage(ctx, q)
	}
	heading := q
	heading.heading = true
	many := false
	if q.anyWord == q.match {
		// Each card holding the query in its heading matches: counting
		// those, from the small index, may be enough.
		n, err := s.countMatches(ctx, heading)
		if err != nil {
			return nil, err
		}
		many = n > q.rankAll
	}
	if !many {
		n, err := s.countMatches(ctx, q)
		if err != nil || n <= q.rankAll {
			return s.searchPage(ctx, q)
		}
	}
	heading.newest = true
	hits, err := s.searchPage(ctx, heading)
	if limit, _ := page(q.f); err != nil || len(hits) == limit {
		return hits, err
	}
	q.newest = true
	return s.searchPage(ctx, q)
}

// where is the WHERE clause of q's matches, with their arguments, and
// whether it reads card_latest c (when q filters or sorts the cards).
func (q searchQuery) where() (w *where, joined bool) {
	w = filterWhere(q.f, 1)
	w.args[0] = q.match
	joined = len(w.conds) > 0 || q.f.Sort != ""
	switch {
	case q.heading && q.anyWord == q.match:
		// One word, or any of them: held by the heading, it is by doc.
		w.add(headingExpr + " @@ $1::tsquery")
	case q.heading:
		w.add("s.doc @@ $1::tsquery")
		w.add(headingExpr+" @@ ?::tsquery", q.anyWord)
	default:
		w.add("s.doc @@ $1::tsquery")
	}
	if q.exclude != 0 {
		w.add("s.card_id != ?", q.exclude)
	}
	return w, joined
}

// from is the FROM clause of q's matches.
func (q searchQuery) from(joined bool) string {
	if joined {
		return `card_search s JOIN card_latest c ON c.card_id = s.card_id`
	}
	return `card_search s`
}

// countMatches counts the matches of q, up to q.rankAll+1.
func (s *Store) countMatches(ctx context.Context, q searchQuery) (int, error) {
	w, joined := q.where()
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+q.from(joined)+
		` WHERE `+w.String()+` LIMIT `+w.arg(q.rankAll+1)+`) m`, w.args...).Scan(&n)
	return n, err
}

// searchPage reads the page of matches of q. When q selects every card and
// the order is the relevance, the page is cut from card_search alone and
// only its rows are joined to card_latest: the join is not done for every
// match.
func (s *Store) searchPage(ctx context.Context, q searchQuery) ([]schema.SearchHit, error) {
	limit, offset := page(q.f)
	w, joined := q.where()
	var query string
	switch {
	case q.newest:
		// The newest matches, then ranked: their ids are sorted, and only
		// then their vectors read, rather than sorted with them.
		query = `SELECT ` + summaryColumns + `, m.score
			FROM (SELECT s.card_id AS id, ` + rankExpr + ` AS score FROM card_search s
				WHERE s.card_id IN (SELECT s.card_id FROM ` + q.from(joined) + ` WHERE ` + w.String() +
			` ORDER BY s.card_id DESC LIMIT ` + w.arg(q.rankAll) + `)
				ORDER BY score DESC, s.card_id LIMIT ` + w.arg(limit) + ` OFFSET ` + w.arg(offset) + `) m
			JOIN card_latest c ON c.card_id = m.id ORDER BY ` + q.order
	case joined:
		query = `SELECT ` + summaryColumns + `, ` + rankExpr + ` AS score FROM ` + q.from(joined) +
			` WHERE ` + w.String() + ` ORDER BY ` + q.order + ` LIMIT ` + w.arg(limit) + ` OFFSET ` + w.arg(offset)
	default:
		query = `SELECT ` + summaryColumns + `, m.score
			FROM (SELECT s.card_id AS id, ` + rankExpr + ` AS score FROM card_search s
				WHERE ` + w.String() + ` ORDER BY score DESC, s.card_id LIMIT ` + w.arg(limit) +
			` OFFSET ` + w.arg(offset) + `) m
			JOIN card_latest c ON c.card_id = m.id ORDER BY ` + q.order
	}
	rows, err := s.db.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []schema.SearchHit{}
	for rows.Next() {
		var h schema.SearchHit
		if h.CardSummary, err = scanSummary(rows, &h.Score); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// snippets cuts the excerpt of each hit that shows the most of the
// (folded) words terms, reading the hits' cards and pages at once.
func (s *Store) snippets(ctx context.Context, hits []schema.SearchHit, terms []string) error {
	if len(hits) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.CardID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.card_json, COALESCE(d.text, '') FROM cards c
		LEFT JOIN documents d ON d.id = c.document_id WHERE c.id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("snippets: %w", err)
	}
	defer rows.Close()
	snippets := make(map[int64]string, len(hits))
	for rows.Next() {
		var id int64
		var cardJSON, text string
		if err := rows.Scan(&id, &cardJSON, &text); err != nil {
			return fmt.Errorf("snippets: %w", err)
		}
		snippets[id] = cardindex.Snippet(cardindex.Decode(cardJSON), text, want)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("snippets: %w", err)
	}
	for i := range hits {
		hits[i].Snippet = snippets[hits[i].CardID]
	}
	return nil
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

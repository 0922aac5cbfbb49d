package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/cardindex"
)

// This file is the full-text search over the newest card of each document
// (table card_search, see index.go and package cardindex).

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
	hits, err := s.search(ctx, terms, "AND", true, f, 0)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", cardindex.ClipQuery(query), err)
	}
	return hits, nil
}

// search runs the FTS5 query of terms joined by op (AND, OR) over the
// cards f selects, leaving out card exclude, and cuts each hit's snippet
// around terms when snippets is set.
//
// In relevance order, a search ranks (computes BM25 for) rankAll matches
// at most, BM25 costing microseconds a card: when more cards match, the
// page is cut from the cards holding the words in their title, keywords
// or themes (card_head), ranked by BM25 over those columns, and when these
// are too few for the page, from the newest rankAll matches.
func (s *Store) search(ctx context.Context, terms []string, op string, snippets bool, f schema.CardFilter, exclude int64) ([]schema.SearchHit, error) {
	order, err := orderBy(f.Sort, "score DESC, c.card_id") // m.score in searchPage's unfiltered query
	if err != nil {
		return nil, err
	}
	q := searchQuery{table: "card_search", terms: terms, op: op, match: matchExpr(terms, op),
		anyWord: matchExpr(terms, "OR"), f: f, order: order, exclude: exclude, rankAll: rankAll}
	if s.rankAll != 0 {
		q.rankAll = s.rankAll
	}
	limit, offset := page(f)
	q.rankAll = max(q.rankAll, offset+limit) // the page is among those ranked
	hits, err := s.rankedPage(ctx, q)
	if err != nil || !snippets {
		return hits, err
	}
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	if err := s.snippets(ctx, hits, want); err != nil {
		return nil, err
	}
	return hits, nil
}

// rankedPage reads the page of hits of q (see search).
func (s *Store) rankedPage(ctx context.Context, q searchQuery) ([]schema.SearchHit, error) {
	if q.f.Sort != "" {
		return s.searchPage(ctx, q)
	}
	if few, err := s.fewMatches(ctx, q); err != nil || few {
		return s.searchPage(ctx, q)
	}
	n, err := s.countMatches(ctx, q, q.rankAll*scanShare)
	if err != nil || n <= q.rankAll {
		return s.searchPage(ctx, q)
	}
	head := q
	head.table = "card_head"
	if n <= q.rankAll*scanShare {
		// The matches holding a word in their title, keywords or themes,
		// ranked by BM25 over all their columns.
		head.match = q.anyWord
		if head, err = s.bounded(ctx, head); err != nil {
			return nil, err
		}
		all := q
		all.head, all.headArgs, _ = head.clause()
		// The matches before the first of head are none of its: FTS5 skips
		// them instead of reading them to test them.
		all.from = head.from
		head = all
	} else if head, err = s.bounded(ctx, head); err != nil {
		return nil, err
	}
	hits, err := s.searchPage(ctx, head)
	if limit, _ := page(q.f); err != nil || len(hits) == limit {
		return hits, err
	}
	if q, err = s.bounded(ctx, q); err != nil {
		return nil, err
	}
	return s.searchPage(ctx, q)
}

// fewMatches tells whether q surely has q.rankAll matches or fewer, by the
// counts of wordCards (exact for rare words, estimates within a half for
// the others): one of its words, if it asks for them all, or all its
// words, if it asks for any, are in no more cards. Then they need not be
// counted.
func (s *Store) fewMatches(ctx context.Context, q searchQuery) (bool, error) {
	counts, _, err := s.wordCards(ctx, q.terms)
	if err != nil {
		return false, err
	}
	sum := 0
	for _, t := range q.terms {
		if q.op == "AND" && counts[t] <= q.rankAll/2 {
			return true, nil
		}
		sum += counts[t]
	}
	return q.op == "OR" && sum <= q.rankAll/2, nil
}

// searchQuery is a search's query.
type searchQuery struct {
	table   string // card_search, or card_head
	terms   []string
	op      string // joining terms in match: AND, OR
	match   string // the FTS5 query
	anyWord string // the FTS5 query of any of its words
	f       schema.CardFilter
	order   string // the ORDER BY clause
	exclude int64  // a card left out, 0 for none
	from    int64  // when not 0, the lowest card id ranked
	rankAll int    // the const rankAll, but in tests
	// head, when set, restricts the matches ranked to those of a query of
	// card_head: its FROM and WHERE clauses and their arguments.
	head     string
	headArgs []any
}

// rankAll is how many matches a search in relevance order ranks, at most.
const rankAll = 2000

// scanShare times rankAll is how many matches a search reads, at most, to
// rank those of them holding its words in their title, keywords or
// themes; beyond, it ranks these by those columns only.
const scanShare = 5

// rankExprs rank the matches of each full-text table, higher is better.
var rankExprs = map[string]string{"card_search": rankExpr, "card_head": `-bm25(card_head, 10.0, 5.0, 5.0)`}

// clause is q's FROM and WHERE clauses over its table and, when it filters
// or sorts the cards, card_latest c (then joined is set), with their
// arguments.
func (q searchQuery) clause() (clause string, args []any, joined bool) {
	w := filterWhere(q.f)
	joined = len(w.conds) > 0 || q.f.Sort != ""
	if q.exclude != 0 {
		w.add(q.table+".rowid != ?", q.exclude)
	}
	if q.from != 0 {
		w.add(q.table+".rowid >= ?", q.from)
	}
	if q.head != "" {
		// The unary + keeps FTS5 from running the query once per candidate.
		w.add("+"+q.table+".rowid IN (SELECT card_head.rowid "+q.head+")", q.headArgs...)
	}
	clause = `FROM ` + q.table + ` WHERE ` + q.table + ` MATCH ? AND ` + w.String()
	if joined {
		clause = `FROM ` + q.table + ` JOIN card_latest c ON c.card_id = ` + q.table + `.rowid
			WHERE ` + q.table + ` MATCH ? AND ` + w.String()
	}
	return clause, append([]any{q.match}, w.args...), joined
}

// countMatches counts the matches of q, up to max+1.
func (s *Store) countMatches(ctx context.Context, q searchQuery, max int) (int, error) {
	clause, args, _ := q.clause()
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 `+clause+` LIMIT ?)`,
		append(args, max+1)...).Scan(&n)
	return n, err
}

// bounded returns q ranking its newest q.rankAll matches at most: from
// the rankAll-th newest on when it has more.
func (s *Store) bounded(ctx context.Context, q searchQuery) (searchQuery, error) {
	clause, args, _ := q.clause()
	rows, err := s.query(ctx, `SELECT `+q.table+`.rowid `+clause+` ORDER BY `+q.table+`.rowid DESC
		LIMIT 2 OFFSET ?`, append(args, q.rankAll-1)...)
	if err != nil {
		return q, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return q, err
		}
		ids = append(ids, id)
	}
	if len(ids) == 2 { // more than rankAll
		q.from = ids[0]
	}
	return q, rows.Err()
}

// searchPage reads the page of matches of q. When q selects every card and
// the order is the relevance, the page is cut from the full-text table
// alone and only its rows are joined to card_latest: the join is not done
// for every match.
func (s *Store) searchPage(ctx context.Context, q searchQuery) ([]schema.SearchHit, error) {
	limit, offset := page(q.f)
	clause, args, joined := q.clause()
	args = append(args, limit, offset)
	query := `SELECT ` + summaryColumns + `, ` + rankExprs[q.table] + ` AS score ` + clause +
		` ORDER BY ` + q.order + ` LIMIT ? OFFSET ?`
	if !joined {
		query = `SELECT ` + summaryColumns + `, m.score
			FROM (SELECT rowid AS id, ` + rankExprs[q.table] + ` AS score ` + clause +
			` ORDER BY score DESC, rowid LIMIT ? OFFSET ?) m
			JOIN card_latest c ON c.card_id = m.id ORDER BY ` + q.order
	}
	rows, err := s.query(ctx, query, args...)
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

// snippets cuts each hit's snippet: the excerpt of its card that shows
// the most of the wanted (folded) words, from the first of its columns
// that shows them all if one does. The hits' cards are read at once, then
// the page texts of those whose summary and rows do not show them all.
func (s *Store) snippets(ctx context.Context, hits []schema.SearchHit, want map[string]bool) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.CardID
	}
	type cut struct {
		card       cardindex.Card
		documentID string
		best       string
		score      [2]int
	}
	cuts := make(map[int64]*cut, len(hits))
	err := s.eachRow(ctx, `SELECT id, card_json, document_id FROM cards WHERE id IN (SELECT value FROM json_each(?))`,
		ids, func(rows *sql.Rows) error {
			var id int64
			var cardJSON string
			c := &cut{}
			if err := rows.Scan(&id, &cardJSON, &c.documentID); err != nil {
				return err
			}
			c.card, cuts[id] = cardindex.Decode(cardJSON), c
			return nil
		})
	if err != nil {
		return fmt.Errorf("snippets: %w", err)
	}
	// The columns in the order they are preferred on a tie: the prose
	// first, the title (shown beside the snippet anyway) after; the text
	// is third.
	const textColumn = 2
	columns := []func(c cardindex.Card) string{
		func(c cardindex.Card) string { return c.Summary },
		func(c cardindex.Card) string {
			var rows []string
			for _, r := range c.Tables() {
				rows = append(rows, r.Name+": "+r.Description)
			}
			return strings.Join(rows, " · ")
		},
		nil,
		func(c cardindex.Card) string { return c.Title },
		func(c cardindex.Card) string { return strings.Join(c.Keywords, ", ") },
		func(c cardindex.Card) string { return strings.Join(c.Themes, ", ") },
	}
	excerpt := func(c *cut, text string) {
		if c.score[0] == len(want) {
			return
		}
		e, score := cardindex.Excerpt(text, want, cardindex.SnippetWords)
		if score[0] > c.score[0] || score[0] == c.score[0] && score[1] > c.score[1] {
			c.best, c.score = e, score
		}
	}
	var documents []string
	for _, id := range ids {
		c, ok := cuts[id]
		if !ok {
			return fmt.Errorf("snippet of card %d: %w", id, schema.ErrNotFound)
		}
		for _, col := range columns[:textColumn] {
			excerpt(c, col(c.card))
		}
		if c.score[0] < len(want) {
			documents = append(documents, c.documentID)
		}
	}
	texts := make(map[string]string, len(documents))
	if len(documents) > 0 {
		err := s.eachRow(ctx, `SELECT id, text FROM documents WHERE id IN (SELECT value FROM json_each(?))`, documents,
			func(rows *sql.Rows) error {
				var id, text string
				err := rows.Scan(&id, &text)
				texts[id] = text
				return err
			})
		if err != nil {
			return fmt.Errorf("snippets: %w", err)
		}
	}
	for i, id := range ids {
		c := cuts[id]
		excerpt(c, texts[c.documentID])
		for _, col := range columns[textColumn+1:] {
			excerpt(c, col(c.card))
		}
		hits[i].Snippet = c.best
	}
	return nil
}

// eachRow runs query, whose one argument is the JSON array of values, and
// calls fn on each of its rows.
func (s *Store) eachRow(ctx context.Context, query string, values any, fn func(*sql.Rows) error) error {
	array, err := json.Marshal(values)
	if err != nil {
		return err
	}
	rows, err := s.query(ctx, query, string(array))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// maxCandidateWords is how many of a card's words RelatedByText chooses
// from, at most: the first ones of its title, keywords, themes and row
// names, in that order.
const maxCandidateWords = 24

// RelatedByText returns up to limit cards (10 when limit ≤ 0) related to
// the newest card of document documentID by their words, best first,
// never that card itself: its most distinctive words (from its title,
// keywords, themes and row names (the first 24), without English and
// French stop words nor words under four letters nor words more than a
// tenth of the cards hold, the rarest in the collection first, at most 12 and as many as a
// twentieth of the cards hold between them) are searched for, any of them,
// and the hits ranked by BM25. The hits have no snippet. An unknown
// document, or one without a card, is an error wrapping
// [schema.ErrNotFound].
func (s *Store) RelatedByText(ctx context.Context, documentID string, limit int) ([]schema.SearchHit, error) {
	var id int64
	var cardJSON string
	err := s.queryRow(ctx, `SELECT id, card_json FROM cards WHERE document_id = ? AND latest = 1`,
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
	hits, err := s.search(ctx, terms, "OR", false, schema.CardFilter{Limit: limit}, id)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", documentID, err)
	}
	return hits, nil
}

// distinctiveWords picks the words of c that RelatedByText searches (see
// [cardindex.Candidates] and [cardindex.Rarest]).
func (s *Store) distinctiveWords(ctx context.Context, c cardindex.Card) ([]string, error) {
	ws := cardindex.Candidates(c)
	if len(ws) > maxCandidateWords {
		ws = ws[:maxCandidateWords]
	}
	if len(ws) == 0 {
		return nil, nil
	}
	return s.rarestWords(ctx, ws)
}

// rarestWords picks the words of ws a search for related cards uses (see
// [cardindex.Rarest]), from how many cards hold each.
func (s *Store) rarestWords(ctx context.Context, ws []string) ([]string, error) {
	counts, total, err := s.wordCards(ctx, ws)
	if err != nil {
		return nil, err
	}
	return cardindex.Rarest(ws, counts, total), nil
}

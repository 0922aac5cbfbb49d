package sqlite

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/cardindex"
)

// This file is the collection's read side: listing, counting and faceting
// the newest card version of each document, through its row of the narrow
// table card_latest (alias c).

// defaultLimit is the number of cards a listing or a search returns when
// the filter's Limit is 0.
const defaultLimit = 50

// summaryColumns are the columns of card_latest (alias c) scanSummary
// reads.
const summaryColumns = `c.document_id, c.card_id, c.version, c.url, c.title, c.published, c.host, c.category,
	c.type, c.provider, c.model, c.origin_url, c.rows_total, c.rows_grounded`

// scanSummary reads one row starting with summaryColumns, then extra.
func scanSummary(rows *sql.Rows, extra ...any) (schema.CardSummary, error) {
	var c schema.CardSummary
	var published, category, typ string
	dest := append([]any{&c.ID, &c.CardID, &c.Version, &c.URL, &c.Title, &published, &c.Host, &category,
		&typ, &c.Provider, &c.Model, &c.Origin, &c.RowsTotal, &c.RowsGrounded}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return schema.CardSummary{}, err
	}
	c.Published = parsePublished(published)
	c.Category, c.Type = schema.Category(category), schema.Type(typ)
	return c, nil
}

// where is a WHERE clause being built: conditions joined by AND, and their
// arguments.
type where struct {
	conds []string
	args  []any
	// tagSelects are the SELECTs of the card ids of the conditions on a
	// theme or keyword (see tagsOnly).
	tagSelects []string
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return "1"
	}
	return strings.Join(w.conds, " AND ")
}

// filterWhere is the selection of f over card_latest c, without order nor
// pagination; its String is "1" when f selects everything.
func filterWhere(f schema.CardFilter) *where {
	w := &where{}
	if !f.Since.IsZero() {
		w.add("c.published >= ?", formatPublished(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("c.published < ?", formatPublished(f.Until))
	}
	host := f.Host
	if host != "" {
		host = cardindex.FilterHost(host)
	}
	category := f.Category
	if cardindex.Tag(f.Theme) != "" || cardindex.Tag(f.Keyword) != "" {
		// The tag's condition holds the category (see below).
		category = ""
	}
	for _, eq := range []struct{ column, value string }{
		{"c.category", category}, {"c.type", f.Type}, {"c.host", host},
		{"c.provider", f.Provider}, {"c.origin_url", f.Origin},
	} {
		if eq.value != "" {
			w.add(eq.column+" = ?", eq.value)
		}
	}
	for _, tag := range []struct{ kind, value string }{{"theme", f.Theme}, {"keyword", f.Keyword}} {
		if v := cardindex.Tag(tag.value); v != "" {
			// IN, not EXISTS: the planner can then read the tag's cards from
			// card_tags' primary key once (with a Bloom filter) instead of
			// probing card_tags for every row. With a category, they are
			// read from card_tags_category, the category's only, and the
			// cards are then read by their ids rather than by going
			// through every card of the category.
			sel, args := `SELECT t.card_id FROM card_tags t WHERE t.kind = ? AND t.value = ?`, []any{tag.kind, v}
			if f.Category != "" {
				sel, args = `SELECT t.card_id FROM card_tags t WHERE t.kind = ? AND t.category = ? AND t.value = ?`,
					[]any{tag.kind, f.Category, v}
			}
			w.add(`c.card_id IN (`+sel+`)`, args...)
			w.tagSelects = append(w.tagSelects, sel)
		}
	}
	return w
}

// tagsOnly tells whether w selects the cards of a theme or keyword (of a
// category, if any) and nothing else: its arguments are then those of
// its tagSelects, in order, and its cards are their card ids, read from
// card_tags' indexes alone (card_tags holds the tags of the cards of
// card_latest only).
func (w *where) tagsOnly() bool { return len(w.tagSelects) > 0 && len(w.tagSelects) == len(w.conds) }

// countQuery is the query counting the cards w selects, with w.args: for
// tags alone, from card_tags' indexes, without reading a row of
// card_latest.
func (w *where) countQuery() string {
	if w.tagsOnly() {
		return `SELECT count(*) FROM (` + strings.Join(w.tagSelects, ` INTERSECT `) + `)`
	}
	return `SELECT count(*) FROM card_latest c WHERE ` + w.String()
}

// orderBy is the ORDER BY clause of f.Sort over card_latest c; relevance is the
// order when Sort is empty ("" for the newest first).
func orderBy(sort, relevance string) (string, error) {
	order, _, err := sortOrder(sort, relevance)
	return order, err
}

// sortOrder is orderBy's clause and the index of card_latest in that
// order ("" for relevance).
func sortOrder(sort, relevance string) (order, index string, err error) {
	switch sort {
	case "":
		if relevance != "" {
			return relevance, "", nil
		}
		fallthrough
	case schema.SortNewest:
		return "c.published DESC, c.card_id DESC", "card_latest_published", nil
	case schema.SortOldest:
		return "c.published, c.card_id", "card_latest_published", nil
	case schema.SortTitle:
		return "c.title COLLATE NOCASE, c.card_id", "card_latest_title", nil
	}
	return "", "", fmt.Errorf("unknown sort order %q (want %s, %s or %s)", sort, schema.SortNewest, schema.SortOldest,
		schema.SortTitle)
}

// page is the LIMIT and OFFSET arguments of f.
func page(f schema.CardFilter) (limit, offset int) {
	limit, offset = f.Limit, max(f.Offset, 0)
	if limit <= 0 {
		limit = defaultLimit
	}
	return limit, offset
}

// ListCards returns the newest card version of each document selected by
// f, newest first unless f.Sort says otherwise (then by card id), one page
// of them (f.Limit, 50 by default, after f.Offset).
func (s *Store) ListCards(ctx context.Context, f schema.CardFilter) ([]schema.CardSummary, error) {
	order, index, err := sortOrder(f.Sort, "")
	if err != nil {
		return nil, fmt.Errorf("list cards: %w", err)
	}
	w := filterWhere(f)
	limit, offset := page(f)
	from := `card_latest c`
	if w.tagsOnly() {
		m, inOrder, err := s.readInOrder(ctx, w, offset+limit)
		if err != nil {
			return nil, fmt.Errorf("list cards: %w", err)
		}
		if m == 0 {
			return []schema.CardSummary{}, nil
		}
		if inOrder {
			from = `card_latest c INDEXED BY ` + index
		}
	}
	rows, err := s.query(ctx, `SELECT `+summaryColumns+` FROM `+from+` WHERE `+w.String()+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("list cards: %w", err)
	}
	defer rows.Close()
	out := []schema.CardSummary{}
	for rows.Next() {
		c, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("list cards: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cards: %w", err)
	}
	return out, nil
}

// readInOrder counts the m cards of the tags that w selects (see
// where.tagsOnly) and tells whether the first n of them in the listing's
// order are best found by reading card_latest's index in that order,
// checking each entry against the tags' cards, rather than by reading the
// row of each of the m cards and sorting them. The first reads at worst
// the whole index, which costs about as much as reading 5,000 rows; it is
// chosen when the first n are likely within the first m entries of the
// index, taking the m cards as spread evenly over the collection.
func (s *Store) readInOrder(ctx context.Context, w *where, n int) (m int, inOrder bool, err error) {
	if err := s.queryRow(ctx, w.countQuery(), w.args...).Scan(&m); err != nil || m == 0 {
		return 0, false, err
	}
	_, total, err := s.indexState(ctx)
	if err != nil {
		return 0, false, err
	}
	return m, n*total <= m*m, nil
}

// CountCards counts the documents whose newest card f selects (ignoring
// its Sort, Limit and Offset).
func (s *Store) CountCards(ctx context.Context, f schema.CardFilter) (int, error) {
	w := filterWhere(f)
	var n int
	if err := s.queryRow(ctx, w.countQuery(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count cards: %w", err)
	}
	return n, nil
}

// onlyCategory tells whether f selects on its category and nothing else.
func onlyCategory(f schema.CardFilter) bool {
	g := f
	g.Category = ""
	return f.Category != "" && len(filterWhere(g).conds) == 0
}

// facetColumns maps the facets kept in a column of card_latest to that
// column.
var facetColumns = map[string]string{
	schema.FacetCategory: "c.category",
	schema.FacetType:     "c.type",
	schema.FacetHost:     "c.host",
	schema.FacetProvider: "c.provider",
	schema.FacetOrigin:   "c.origin_url",
	schema.FacetWeek:     "c.week", // strftime('%G-W%V', c.published), see migration 0007
}

// Facets counts the cards f selects (ignoring its Sort, Limit and Offset)
// by their values of facet (one of the schema.Facet* names): the most
// frequent first, ties by value, at most limit of them (0: all). Cards
// without a value are not counted; a card counts once for each of its
// themes or keywords. An unknown facet is an error.
//
// A page shows all the facets of its selection: the first call for a
// selection (other than the whole collection or one category, whose
// facets are read from indexes) counts them all at once (see allFacets),
// the others read them from the cache.
func (s *Store) Facets(ctx context.Context, f schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error) {
	if _, ok := facetColumns[facet]; !ok && !tagFacet(facet) {
		return nil, fmt.Errorf("facet %q: unknown facet", facet)
	}
	return s.cachedFacets(ctx, f, facet, limit)
}

// tagFacet tells whether facet is counted from card_tags.
func tagFacet(facet string) bool {
	return facet == schema.FacetTheme || facet == schema.FacetKeyword
}

// facets counts the values of facet over the whole collection or over
// one category (f), whose WHERE clause is w, from indexes (see Facets):
// other selections are counted by allFacets.
func (s *Store) facets(ctx context.Context, w *where, f schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error) {
	var query string
	var args []any
	switch facet {
	case schema.FacetTheme, schema.FacetKeyword:
		// card_tags holds the newest cards' tags only, with their category.
		query, args = `SELECT value, count(*) FROM card_tags WHERE kind = ? GROUP BY value`, []any{facet}
		if len(w.conds) > 0 {
			query, args = `SELECT value, count(*) FROM card_tags WHERE kind = ? AND category = ? GROUP BY value`,
				[]any{facet, f.Category}
		}
	default:
		column, ok := facetColumns[facet]
		if !ok {
			return nil, fmt.Errorf("facet %q: unknown facet", facet)
		}
		query = `SELECT ` + column + ` AS v, count(*) FROM card_latest c WHERE ` + w.String() +
			` AND v IS NOT NULL AND v != '' GROUP BY v`
		args = w.args
	}
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.query(ctx, query+` ORDER BY 2 DESC, 1 LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("facet %s: %w", facet, err)
	}
	defer rows.Close()
	out := []schema.FacetCount{}
	for rows.Next() {
		var fc schema.FacetCount
		if err := rows.Scan(&fc.Value, &fc.Count); err != nil {
			return nil, fmt.Errorf("facet %s: %w", facet, err)
		}
		out = append(out, fc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facet %s: %w", facet, err)
	}
	return out, nil
}

// allFacets counts every facet of the cards selected by the WHERE
// clause w, keeping at most limit values of each (see Facets), in one
// scan of the selection's rows of card_latest: the facets kept in its
// columns (facetColumns), the themes and keywords in its packed tags
// (see packTags).
func (s *Store) allFacets(ctx context.Context, w *where, limit int) (map[string][]schema.FacetCount, error) {
	facets := slices.Sorted(maps.Keys(facetColumns))
	columns := make([]string, len(facets), len(facets)+1)
	counts := make(map[string]tally, len(facets)+2)
	for i, facet := range facets {
		columns[i] = facetColumns[facet]
		counts[facet] = tally{}
	}
	themes, keywords := tally{}, tally{}
	counts[schema.FacetTheme], counts[schema.FacetKeyword] = themes, keywords
	rows, err := s.query(ctx, `SELECT `+strings.Join(append(columns, "c.tags"), ", ")+` FROM card_latest c WHERE `+
		w.String(), w.args...)
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	values := make([]sql.RawBytes, len(facets)+1) // no copy for the values already counted
	dest := make([]any, len(values))
	for i := range values {
		dest[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("facets: %w", err)
		}
		for i, facet := range facets {
			if v := values[i]; len(v) > 0 {
				counts[facet].add(v)
			}
		}
		countTags(values[len(facets)], themes, keywords)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	out := make(map[string][]schema.FacetCount, len(counts))
	for facet, byValue := range counts {
		out[facet] = topFacets(byValue, limit)
	}
	return out, nil
}

// packTags is the tags column of card_latest for card c: its themes and
// keywords as card_tags holds them (see [cardindex.Tag]), each once, one
// a line, a theme as 't' then its value and a keyword as 'k' then its
// value, escaped by tagEscaper. Migration 0014 packs card_tags the same
// way; countTags reads them.
func packTags(c cardindex.Card) string {
	var b strings.Builder
	seen := make(map[string]bool, len(c.Themes)+len(c.Keywords))
	for _, tags := range []struct {
		kind   string
		values []string
	}{{"t", c.Themes}, {"k", c.Keywords}} {
		for _, v := range tags.values {
			if v = cardindex.Tag(v); v == "" || seen[tags.kind+v] {
				continue
			}
			seen[tags.kind+v] = true
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(tags.kind)
			tagEscaper.WriteString(&b, v)
		}
	}
	return b.String()
}

// tagEscaper writes a tag on one line of a packed tags column (see
// packTags), and tagUnescaper reads it back.
var (
	tagEscaper   = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	tagUnescaper = strings.NewReplacer(`\\`, `\`, `\n`, "\n")
)

// countTags adds the themes and keywords packed in tags (see packTags)
// to their counts.
func countTags(tags []byte, themes, keywords tally) {
	for len(tags) > 0 {
		line, rest, _ := bytes.Cut(tags, []byte{'\n'})
		tags = rest
		if len(line) < 2 {
			continue
		}
		byValue := keywords
		if line[0] == 't' {
			byValue = themes
		}
		if v := line[1:]; bytes.IndexByte(v, '\\') < 0 {
			byValue.add(v)
		} else {
			byValue.add([]byte(tagUnescaper.Replace(string(v))))
		}
	}
}

// tally counts values.
type tally map[string]*int

// add counts v once more, copying it only when it is new.
func (t tally) add(v []byte) {
	if n := t[string(v)]; n != nil {
		*n++
		return
	}
	n := 1
	t[string(v)] = &n
}

// topFacets is byValue's counts, the most frequent first, ties by value,
// at most limit of them (0 or less: all).
func topFacets(byValue tally, limit int) []schema.FacetCount {
	out := make([]schema.FacetCount, 0, len(byValue))
	for v, n := range byValue {
		out = append(out, schema.FacetCount{Value: v, Count: *n})
	}
	slices.SortFunc(out, func(a, b schema.FacetCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	if limit > 0 && len(out) > limit {
		out = slices.Clip(out[:limit])
	}
	return out
}

// facetCache keeps facets for as long as the collection is unchanged:
// counting them reads every card of their selection, and the pages of a
// listing, or the listing seen again, show the same ones. The whole
// collection's are on every listing and search page.
type facetCache struct {
	mu      sync.Mutex
	stamp   string
	counts  map[string][]schema.FacetCount // by selection, limit and facet
	pending map[string]chan struct{}       // closed once counted, by selection and limit
}

// maxFacetCache bounds the cached facets; the cache starts over beyond.
const maxFacetCache = 1024

// cachedFacets is Facets, from the cache when the collection is unchanged
// since they were counted. The facets of a selection other than the whole
// collection or one category are counted once for all (allFacets); calls
// meanwhile wait for them.
func (s *Store) cachedFacets(ctx context.Context, f schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error) {
	w := filterWhere(f)
	selection := fmt.Sprintf("%s\x00%#v\x00%d", w.String(), w.args, limit)
	c := &s.facetCache
	for {
		stamp, _, err := s.indexState(ctx)
		if err != nil {
			return nil, fmt.Errorf("facet %s: %w", facet, err)
		}
		c.mu.Lock()
		if c.stamp != stamp || len(c.counts) >= maxFacetCache {
			c.stamp, c.counts = stamp, map[string][]schema.FacetCount{}
		}
		if counts, ok := c.counts[selection+"\x00"+facet]; ok {
			c.mu.Unlock()
			return slices.Clone(counts), nil
		}
		if len(w.conds) == 0 || onlyCategory(f) {
			// Each facet of the whole collection, or of one category, is
			// read from an index of its own (see facets).
			c.mu.Unlock()
			counts, err := s.facets(ctx, w, f, facet, limit)
			if err != nil {
				return nil, err
			}
			c.mu.Lock()
			if c.stamp == stamp {
				c.counts[selection+"\x00"+facet] = counts
			}
			c.mu.Unlock()
			return slices.Clone(counts), nil
		}
		if done, ok := c.pending[selection]; ok {
			c.mu.Unlock()
			select {
			case <-done: // counted (or failed): look again
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("facet %s: %w", facet, ctx.Err())
			}
		}
		done := make(chan struct{})
		if c.pending == nil {
			c.pending = map[string]chan struct{}{}
		}
		c.pending[selection] = done
		c.mu.Unlock()

		all, err := s.allFacets(ctx, w, limit)
		c.mu.Lock()
		delete(c.pending, selection)
		close(done)
		if err == nil && c.stamp == stamp {
			for name, counts := range all {
				c.counts[selection+"\x00"+name] = counts
			}
		}
		c.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("facet %s: %w", facet, err)
		}
		return slices.Clone(all[facet]), nil
	}
}

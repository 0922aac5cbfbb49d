package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

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
	var category, typ string
	dest := append([]any{&c.ID, &c.CardID, &c.Version, &c.URL, &c.Title, &c.Published, &c.Host, &category,
		&typ, &c.Provider, &c.Model, &c.Origin, &c.RowsTotal, &c.RowsGrounded}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return schema.CardSummary{}, err
	}
	c.Published = utc(c.Published)
	c.Category, c.Type = schema.Category(category), schema.Type(typ)
	return c, nil
}

// where is a WHERE clause being built: conditions joined by AND, and their
// arguments, numbered from the first argument of the query.
type where struct {
	conds []string
	args  []any
}

// add adds cond, whose placeholders are written "?" and numbered here.
func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		cond = strings.Replace(cond, "?", w.arg(a), 1)
	}
	w.conds = append(w.conds, cond)
}

// next is the placeholder of the next argument.
func (w *where) next() string { return "$" + strconv.Itoa(len(w.args)+1) }

// arg appends an argument after the conditions' and returns its placeholder.
func (w *where) arg(v any) string {
	p := w.next()
	w.args = append(w.args, v)
	return p
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return "true"
	}
	return strings.Join(w.conds, " AND ")
}

// filterWhere is the selection of f over card_latest c, its arguments
// numbered after the first, skip, of the query.
func filterWhere(f schema.CardFilter, skip int) *where {
	w := &where{args: make([]any, 0, skip+8)}
	for range skip {
		w.args = append(w.args, nil)
	}
	if !f.Since.IsZero() {
		w.add("c.published >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		w.add("c.published < ?", f.Until.UTC())
	}
	host := f.Host
	if host != "" {
		host = cardindex.FilterHost(host)
	}
	for _, eq := range []struct{ column, value string }{
		{"c.category", f.Category}, {"c.type", f.Type}, {"c.host", host},
		{"c.provider", f.Provider}, {"c.origin_url", f.Origin},
	} {
		if eq.value != "" {
			w.add(eq.column+" = ?", eq.value)
		}
	}
	for _, tag := range []struct{ kind, value string }{{"theme", f.Theme}, {"keyword", f.Keyword}} {
		if v := cardindex.Tag(tag.value); v != "" {
			w.add(`c.card_id IN (SELECT t.card_id FROM card_tags t WHERE t.kind = ? AND t.value = ?)`, tag.kind, v)
		}
	}
	return w
}

// orderBy is the ORDER BY clause of f.Sort over card_latest c; relevance is
// the order when Sort is empty ("" for the newest first).
func orderBy(sort, relevance string) (string, error) {
	switch sort {
	case "":
		if relevance != "" {
			return relevance, nil
		}
		fallthrough
	case schema.SortNewest:
		return "c.published DESC, c.card_id DESC", nil
	case schema.SortOldest:
		return "c.published, c.card_id", nil
	case schema.SortTitle:
		return `lower(c.title) COLLATE "C", c.card_id`, nil
	}
	return "", fmt.Errorf("unknown sort order %q (want %s, %s or %s)", sort, schema.SortNewest, schema.SortOldest,
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
	order, err := orderBy(f.Sort, "")
	if err != nil {
		return nil, fmt.Errorf("list cards: %w", err)
	}
	w := filterWhere(f, 0)
	limit, offset := page(f)
	query := `SELECT ` + summaryColumns + ` FROM card_latest c WHERE ` + w.String() +
		` ORDER BY ` + order + ` LIMIT ` + w.arg(limit) + ` OFFSET ` + w.arg(offset)
	rows, err := s.db.QueryContext(ctx, query, w.args...)
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

// CountCards counts the documents whose newest card f selects (ignoring
// its Sort, Limit and Offset).
func (s *Store) CountCards(ctx context.Context, f schema.CardFilter) (int, error) {
	w := filterWhere(f, 0)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM card_latest c WHERE `+w.String(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count cards: %w", err)
	}
	return n, nil
}

// onlyCategory tells whether f selects on its category and nothing else.
func onlyCategory(f schema.CardFilter) bool {
	g := f
	g.Category = ""
	return f.Category != "" && len(filterWhere(g, 0).conds) == 0
}

// facetColumns maps the facets kept in a column of card_latest to that
// column.
var facetColumns = map[string]string{
	schema.FacetCategory: "c.category",
	schema.FacetType:     "c.type",
	schema.FacetHost:     "c.host",
	schema.FacetProvider: "c.provider",
	schema.FacetOrigin:   "c.origin_url",
	schema.FacetWeek:     "c.week",
}

// Facets counts the cards f selects (ignoring its Sort, Limit and Offset)
// by their values of facet (one of the schema.Facet* names): the most
// frequent first, ties by value, at most limit of them (0: all). Cards
// without a value are not counted; a card counts once for each of its
// themes or keywords. An unknown facet is an error.
func (s *Store) Facets(ctx context.Context, f schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error) {
	var query, value string
	var w *where
	switch facet {
	case schema.FacetTheme, schema.FacetKeyword:
		w, value = filterWhere(f, 1), "value"
		switch {
		case len(w.conds) == 0: // card_tags holds the newest cards' tags only
			query = `SELECT value, count(*) FROM card_tags WHERE kind = $1 GROUP BY value`
		case onlyCategory(f): // card_tags holds its card's category too
			w = &where{args: []any{nil}}
			query = `SELECT value, count(*) FROM card_tags WHERE kind = $1 AND category = ` + w.arg(f.Category) +
				` GROUP BY value`
		default:
			value = "tf.value"
			query = `SELECT tf.value, count(*) FROM card_latest c JOIN card_tags tf
				ON tf.card_id = c.card_id AND tf.kind = $1 WHERE ` + w.String() + ` GROUP BY tf.value`
		}
		w.args[0] = facet
	default:
		column, ok := facetColumns[facet]
		if !ok {
			return nil, fmt.Errorf("facet %q: unknown facet", facet)
		}
		w, value = filterWhere(f, 0), column
		query = `SELECT ` + column + ` AS v, count(*) FROM card_latest c WHERE ` + w.String() +
			` AND ` + column + ` != '' GROUP BY 1`
	}
	query += ` ORDER BY 2 DESC, ` + value + ` COLLATE "C"`
	if limit > 0 {
		query += ` LIMIT ` + w.arg(limit)
	}
	rows, err := s.db.QueryContext(ctx, query, w.args...)
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

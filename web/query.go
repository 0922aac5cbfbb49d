package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// pageSize is how many cards a listing page shows.
const pageSize = 20

// maxPage bounds the page number, so offsets stay reasonable.
const maxPage = 10000

// filterKeys are the query parameters that select cards, in the order the
// facets are shown.
var filterKeys = []string{"category", "type", "theme", "keyword", "host", "origin", "provider"}

// listQuery is a listing's query string, parsed: the filter, the search
// words, the page, and notes on what could not be used.
type listQuery struct {
	path   string
	values url.Values
	Filter schema.CardFilter
	Q      string
	Page   int
	// Since and Until are the dates as typed, shown back in the form.
	Since, Until string
	Sort         string
	Messages     []string
}

// parseListQuery reads a listing's query string. It never fails: a bad
// value is ignored with a message.
func parseListQuery(path string, v url.Values) *listQuery {
	q := &listQuery{path: path, values: url.Values{}, Page: 1}
	get := func(key string) string {
		s := strings.TrimSpace(oneLine(v.Get(key)))
		if len(s) > 500 {
			s = string([]rune(s)[:200])
		}
		if s != "" {
			q.values.Set(key, s)
		}
		return s
	}
	f := &q.Filter
	f.Category, f.Type, f.Theme, f.Keyword = get("category"), get("type"), get("theme"), get("keyword")
	f.Host, f.Origin, f.Provider = get("host"), get("origin"), get("provider")
	q.Q = get("q")
	q.Since, q.Until, q.Sort = get("since"), get("until"), get("sort")
	q.parseDates()
	q.parseSort()
	q.parsePage(get("page"))
	f.Limit = pageSize
	f.Offset = (q.Page - 1) * pageSize
	return q
}

// parseDates sets the filter's dates; until is inclusive on the page and
// exclusive in the filter.
func (q *listQuery) parseDates() {
	if d, ok := q.date("since", q.Since); ok {
		q.Filter.Since = d
	}
	if d, ok := q.date("until", q.Until); ok {
		q.Filter.Until = d.AddDate(0, 0, 1)
	}
	if !q.Filter.Since.IsZero() && !q.Filter.Until.IsZero() && !q.Filter.Since.Before(q.Filter.Until) {
		q.Messages = append(q.Messages, "The date range is empty: “since” is after “until”.")
	}
}

// date parses a YYYY-MM-DD date, noting a bad one.
func (q *listQuery) date(key, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		q.Messages = append(q.Messages, "Ignored “"+key+"”: "+excerpt(s, 40)+" is not a date like 2026-01-31.")
		q.values.Del(key)
		return time.Time{}, false
	}
	return d, true
}

// parseSort checks the sort order.
func (q *listQuery) parseSort() {
	switch q.Sort {
	case "", schema.SortNewest, schema.SortOldest, schema.SortTitle:
		q.Filter.Sort = q.Sort
	default:
		q.Messages = append(q.Messages, "Ignored the unknown sort order “"+excerpt(q.Sort, 40)+"”.")
		q.values.Del("sort")
		q.Sort = ""
	}
}

// parsePage reads the page number, 1 when absent or bad.
func (q *listQuery) parsePage(s string) {
	q.values.Del("page")
	if s == "" {
		return
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		q.Messages = append(q.Messages, "Ignored the page number “"+excerpt(s, 20)+"”.")
		return
	}
	q.Page = min(n, maxPage)
}

// Active lists the filters in use, each with the link that removes it.
func (q *listQuery) Active() []activeFilter {
	var out []activeFilter
	for _, k := range slices.Concat(filterKeys, []string{"since", "until"}) {
		if v := q.values.Get(k); v != "" {
			out = append(out, activeFilter{Key: k, Value: v, Remove: q.With(k, "")})
		}
	}
	return out
}

// activeFilter is one filter in use.
type activeFilter struct{ Key, Value, Remove string }

// With is the current listing's address with key set to value (removed
// when value is empty), back on page 1.
func (q *listQuery) With(key, value string) string {
	v := cloneValues(q.values)
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	return q.link(v)
}

// PageLink is the current listing's address on page n.
func (q *listQuery) PageLink(n int) string {
	v := cloneValues(q.values)
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return q.link(v)
}

// Hidden are the filters to carry as hidden fields of a form that sets the
// other parameters.
func (q *listQuery) Hidden() []activeFilter {
	var out []activeFilter
	for _, k := range filterKeys {
		if v := q.values.Get(k); v != "" {
			out = append(out, activeFilter{Key: k, Value: v})
		}
	}
	return out
}

// Values is the query string of the current view, without the page.
func (q *listQuery) Values() url.Values { return cloneValues(q.values) }

// link builds path?values.
func (q *listQuery) link(v url.Values) string {
	if len(v) == 0 {
		return q.path
	}
	return q.path + "?" + v.Encode()
}

// cloneValues copies v.
func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

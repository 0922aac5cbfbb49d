package web

import (
	"context"
	"net/http"
	"runtime"
	"sort"
	"sync"

	"github.com/veille/veille/schema"
)

// listItem is one card of a listing, with its search snippet if any.
type listItem struct {
	schema.CardSummary
	Snippet string
}

// itemsOf lists summaries without snippets.
func itemsOf(cards []schema.CardSummary) []listItem {
	out := make([]listItem, len(cards))
	for i, c := range cards {
		out[i] = listItem{CardSummary: cleanSummary(c)}
	}
	return out
}

// hitsOf lists search hits with their snippets.
func hitsOf(hits []schema.SearchHit) []listItem {
	out := make([]listItem, len(hits))
	for i, h := range hits {
		out[i] = listItem{CardSummary: cleanSummary(h.CardSummary), Snippet: h.Snippet}
	}
	return out
}

// indexData is the home page: the latest cards and the charts.
type indexData struct {
	Total  int
	Latest []listItem
	Charts []chart
	// Themes and Categories link the static site's listings.
	Themes, Categories []facetLink
}

// latestOnHome is how many cards the home page lists.
const latestOnHome = 12

// handleIndex shows the latest cards and the counts per week, category
// and theme.
func (s *server) handleIndex(w http.ResponseWriter, r *http.Request) {
	data, err := s.indexData(r.Context(), serverLinks{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "index", s.newPage(serverLinks{}, s.opts.Title, "home"), data)
}

// indexData reads the home page's cards and charts.
func (s *server) indexData(ctx context.Context, l links) (indexData, error) {
	var d indexData
	var err error
	if d.Total, err = s.c.CountCards(ctx, schema.CardFilter{}); err != nil {
		return d, err
	}
	latest, err := s.c.ListCards(ctx, schema.CardFilter{Limit: latestOnHome})
	if err != nil {
		return d, err
	}
	d.Latest = itemsOf(latest)
	d.Charts, err = s.charts(ctx, l)
	return d, err
}

// cardsData is the listing page.
type cardsData struct {
	Query  *listQuery
	Items  []listItem
	Total  int
	Search bool
	Facets []facetGroup
	Prev   string
	Next   string
	Sorts  []string
}

// facetGroup is one facet's values in the current selection.
type facetGroup struct {
	Key    string
	Active string
	Values []facetLink
}

// facetLink is one value of a facet with its count and link.
type facetLink struct {
	Value string
	Count int
	Link  string
}

// facetLimit caps the values shown per facet.
const facetLimit = 12

// handleCards lists the cards of the selection, or the search's hits.
func (s *server) handleCards(w http.ResponseWriter, r *http.Request) {
	q := parseListQuery("/cards", r.URL.Query())
	d, err := s.cardsData(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(serverLinks{}, "Cards", "cards")
	p.Messages = q.Messages
	s.render(w, r, http.StatusOK, "cards", p, d)
}

// cardsData reads a listing page: cards or hits, facets, pagination.
func (s *server) cardsData(ctx context.Context, q *listQuery) (cardsData, error) {
	d := cardsData{Query: q, Search: q.Q != "", Sorts: []string{schema.SortNewest, schema.SortOldest, schema.SortTitle}}
	if err := s.listPage(ctx, q, &d); err != nil {
		return d, err
	}
	whole := q.Filter
	whole.Limit, whole.Offset = 0, 0
	// The facets are counted on every core at the same time: each reads
	// the selection.
	values := make([][]schema.FacetCount, len(filterKeys))
	errs := make([]error, len(filterKeys))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(filterKeys)) {
		wg.Go(func() {
			for i := range next {
				values[i], errs[i] = s.c.Facets(ctx, whole, filterKeys[i], facetLimit)
			}
		})
	}
	for i := range filterKeys {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return d, err
		}
	}
	for i, key := range filterKeys {
		g := facetGroup{Key: key, Active: q.values.Get(key)}
		for _, v := range values[i] {
			g.Values = append(g.Values, facetLink{Value: v.Value, Count: v.Count, Link: q.With(key, v.Value)})
		}
		d.Facets = append(d.Facets, g)
	}
	return d, nil
}

// listPage fills the page's cards and pagination links.
func (s *server) listPage(ctx context.Context, q *listQuery, d *cardsData) error {
	if q.Page > 1 {
		d.Prev = q.PageLink(q.Page - 1)
	}
	if d.Search {
		hits, err := s.c.SearchCards(ctx, q.Q, q.Filter)
		if err != nil {
			return err
		}
		d.Items, d.Total = hitsOf(hits), -1
		if len(hits) >= pageSize && q.Page < maxPage {
			d.Next = q.PageLink(q.Page + 1)
		}
		return nil
	}
	cards, err := s.c.ListCards(ctx, q.Filter)
	if err != nil {
		return err
	}
	whole := q.Filter
	whole.Limit, whole.Offset = 0, 0
	if d.Total, err = s.c.CountCards(ctx, whole); err != nil {
		return err
	}
	d.Items = itemsOf(cards)
	if q.Filter.Offset+len(cards) < d.Total && q.Page < maxPage {
		d.Next = q.PageLink(q.Page + 1)
	}
	return nil
}

// sortFacets orders facet counts by value, for charts over time.
func sortFacets(fc []schema.FacetCount) {
	sort.Slice(fc, func(i, j int) bool { return fc[i].Value < fc[j].Value })
}

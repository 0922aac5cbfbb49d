package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// fakeCollection is an in-memory Collection for the tests.
type fakeCollection struct {
	cards    []*fakeCard
	byID     map[string]*fakeCard
	spans    map[int64][]schema.Span
	batches  []schema.BatchRun
	attempts map[int64][]schema.JobAttempt
	evals    []schema.EvalRun
	// err, when set, is what every method returns.
	err error
}

// fakeCard is one document's card with its versions, spans and page.
type fakeCard struct {
	card     schema.Card
	versions []schema.StoredCard // oldest first
	spans    map[int64][]schema.Span
	doc      *schema.Document
	mentions []schema.Mention
}

var _ Collection = (*fakeCollection)(nil)

// add stores a card for the page text; its evidence spans are found in
// the text. It returns the document ID.
func (f *fakeCollection) add(id string, c schema.Card, text string, published time.Time, prov schema.Provenance) string {
	fc := f.find(id)
	if fc == nil {
		fc = &fakeCard{spans: map[int64][]schema.Span{}}
		f.cards = append(f.cards, fc)
		if f.byID == nil {
			f.byID = map[string]*fakeCard{}
		}
		f.byID[id] = fc
	}
	fc.card = c
	if text != "" {
		fc.doc = &schema.Document{ID: id, URL: c.URL, CanonicalURL: c.URL, Text: text}
	}
	cardJSON, _ := json.Marshal(c)
	spans := locate(c, text)
	grounded := 0
	for _, s := range spans {
		if s.Grounded() {
			grounded++
		}
	}
	sc := schema.StoredCard{ID: int64(len(f.cards)*100 + len(fc.versions) + 1), DocumentID: id,
		Version: len(fc.versions) + 1, RowsTotal: len(spans), RowsGrounded: grounded,
		CreatedAt: published.Add(time.Hour),
		NewCard:   schema.NewCard{DocumentID: id, URL: c.URL, CardJSON: string(cardJSON), Provenance: prov, Published: published}}
	fc.versions = append(fc.versions, sc)
	fc.spans[sc.ID] = spans
	if f.spans == nil {
		f.spans = map[int64][]schema.Span{}
	}
	f.spans[sc.ID] = spans
	return id
}

// locate finds each row's evidence in text, in rune offsets.
func locate(c schema.Card, text string) []schema.Span {
	var spans []schema.Span
	span := func(section string, i int, name, ev string) {
		s := schema.Span{Section: section, Row: i, Name: name, Evidence: ev, Start: -1, End: -1, Method: schema.GroundNone}
		if b := strings.Index(text, ev); ev != "" && b >= 0 {
			s.Start = len([]rune(text[:b]))
			s.End = s.Start + len([]rune(ev))
			s.Method, s.Score = schema.GroundExact, 1
		}
		spans = append(spans, s)
	}
	for i, r := range c.Signals {
		span("signals", i, r.Name, r.Evidence)
	}
	for _, t := range []struct {
		key  string
		rows []schema.Row
	}{{"concerns", c.Concerns}, {"behaviors", c.Behaviors}, {"technologies", c.Technologies}, {"issues", c.Issues}} {
		for i, r := range t.rows {
			span(t.key, i, r.Name, r.Evidence)
		}
	}
	return spans
}

func (f *fakeCollection) find(id string) *fakeCard {
	return f.byID[id]
}

func (fc *fakeCard) latest() schema.StoredCard { return fc.versions[len(fc.versions)-1] }

func (fc *fakeCard) summary() schema.CardSummary {
	l := fc.latest()
	host := ""
	if u, err := url.Parse(l.URL); err == nil {
		host = strings.TrimPrefix(u.Hostname(), "www.")
	}
	origin := ""
	if fc.card.Origin != nil {
		origin = fc.card.Origin.URL
	}
	return schema.CardSummary{ID: l.DocumentID, CardID: l.ID, Version: l.Version, URL: l.URL, Title: fc.card.Title,
		Published: l.Published, Host: host, Category: fc.card.Category, Type: fc.card.Type,
		Provider: l.Provider, Model: l.Model, Origin: origin, RowsTotal: l.RowsTotal, RowsGrounded: l.RowsGrounded}
}

// match reports whether the card is in the filter's selection.
func (fc *fakeCard) match(f schema.CardFilter) bool {
	s := fc.summary()
	has := func(list []string, v string) bool {
		return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
	}
	switch {
	case !f.Since.IsZero() && s.Published.Before(f.Since),
		!f.Until.IsZero() && !s.Published.Before(f.Until),
		f.Category != "" && string(s.Category) != f.Category,
		f.Type != "" && string(s.Type) != f.Type,
		f.Theme != "" && !has(fc.card.Themes, f.Theme),
		f.Keyword != "" && !has(fc.card.Keywords, f.Keyword),
		f.Host != "" && s.Host != f.Host,
		f.Provider != "" && s.Provider != f.Provider,
		f.Origin != "" && s.Origin != f.Origin:
		return false
	}
	return true
}

func (f *fakeCollection) selected(filter schema.CardFilter) []*fakeCard {
	var out []*fakeCard
	for _, c := range f.cards {
		if c.match(filter) {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *fakeCard) int {
		switch filter.Sort {
		case schema.SortOldest:
			return a.latest().Published.Compare(b.latest().Published)
		case schema.SortTitle:
			return cmp.Compare(a.card.Title, b.card.Title)
		}
		return b.latest().Published.Compare(a.latest().Published)
	})
	return out
}

func pageOf[T any](all []T, f schema.CardFilter) []T {
	limit := cmp.Or(f.Limit, 50)
	if f.Offset >= len(all) {
		return nil
	}
	return all[f.Offset:min(len(all), f.Offset+limit)]
}

func (f *fakeCollection) ListCards(ctx context.Context, filter schema.CardFilter) ([]schema.CardSummary, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []schema.CardSummary
	for _, c := range pageOf(f.selected(filter), filter) {
		out = append(out, c.summary())
	}
	return out, nil
}

func (f *fakeCollection) CountCards(ctx context.Context, filter schema.CardFilter) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	return len(f.selected(filter)), nil
}

func (f *fakeCollection) Facets(ctx context.Context, filter schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error) {
	if f.err != nil {
		return nil, f.err
	}
	counts := map[string]int{}
	for _, c := range f.selected(filter) {
		s := c.summary()
		var values []string
		switch facet {
		case schema.FacetCategory:
			values = []string{string(s.Category)}
		case schema.FacetType:
			values = []string{string(s.Type)}
		case schema.FacetTheme:
			values = c.card.Themes
		case schema.FacetKeyword:
			values = c.card.Keywords
		case schema.FacetHost:
			values = []string{s.Host}
		case schema.FacetProvider:
			values = []string{s.Provider}
		case schema.FacetOrigin:
			values = []string{s.Origin}
		case schema.FacetWeek:
			y, w := s.Published.ISOWeek()
			values = []string{fmt.Sprintf("%d-W%02d", y, w)}
		default:
			return nil, fmt.Errorf("unknown facet %q", facet)
		}
		for _, v := range values {
			if v != "" {
				counts[v]++
			}
		}
	}
	var out []schema.FacetCount
	for v, n := range counts {
		out = append(out, schema.FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b schema.FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (f *fakeCollection) SearchCards(ctx context.Context, query string, filter schema.CardFilter) ([]schema.SearchHit, error) {
	if f.err != nil {
		return nil, f.err
	}
	q := strings.ToLower(query)
	var hits []schema.SearchHit
	for _, c := range f.selected(filter) {
		text := c.card.Title + " — " + excerpt(c.card.Summary, 300)
		i := strings.Index(strings.ToLower(text), q)
		if i < 0 {
			continue
		}
		snippet := text[:i] + schema.SnippetOpen + text[i:i+len(q)] + schema.SnippetClose + text[i+len(q):]
		hits = append(hits, schema.SearchHit{CardSummary: c.summary(), Score: 1, Snippet: snippet})
	}
	return pageOf(hits, filter), nil
}

func (f *fakeCollection) card(id string) (*fakeCard, error) {
	if f.err != nil {
		return nil, f.err
	}
	c := f.find(id)
	if c == nil {
		return nil, fmt.Errorf("card %q: %w", id, schema.ErrNotFound)
	}
	return c, nil
}

func (f *fakeCollection) LatestCard(ctx context.Context, id string) (schema.StoredCard, error) {
	c, err := f.card(id)
	if err != nil {
		return schema.StoredCard{}, err
	}
	return c.latest(), nil
}

func (f *fakeCollection) CardVersions(ctx context.Context, id string) ([]schema.StoredCard, error) {
	c, err := f.card(id)
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.versions), nil // oldest first, as the stores give them
}

func (f *fakeCollection) CardSpans(ctx context.Context, cardID int64) ([]schema.Span, error) {
	if f.err != nil {
		return nil, f.err
	}
	if s, ok := f.spans[cardID]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("card %d: %w", cardID, schema.ErrNotFound)
}

func (f *fakeCollection) GetDocumentByID(ctx context.Context, id string) (schema.Document, error) {
	c, err := f.card(id)
	if err != nil {
		return schema.Document{}, err
	}
	if c.doc == nil {
		return schema.Document{}, fmt.Errorf("document %q: %w", id, schema.ErrNotFound)
	}
	return *c.doc, nil
}

func (f *fakeCollection) RelatedByText(ctx context.Context, id string, limit int) ([]schema.SearchHit, error) {
	c, err := f.card(id)
	if err != nil {
		return nil, err
	}
	var out []schema.SearchHit
	for _, o := range f.cards {
		if len(out) >= limit {
			break
		}
		if o == c {
			continue
		}
		for _, t := range o.card.Themes {
			if slices.Contains(c.card.Themes, t) {
				out = append(out, schema.SearchHit{CardSummary: o.summary(), Score: 1})
				break
			}
		}
	}
	return out, nil
}

func (f *fakeCollection) BatchRuns(ctx context.Context, n int) ([]schema.BatchRun, error) {
	if f.err != nil {
		return nil, f.err
	}
	return f.batches[:min(n, len(f.batches))], nil
}

func (f *fakeCollection) RunAttempts(ctx context.Context, runID int64) ([]schema.JobAttempt, error) {
	if f.err != nil {
		return nil, f.err
	}
	return f.attempts[runID], nil
}

func (f *fakeCollection) EvalRuns(ctx context.Context, limit int) ([]schema.EvalRun, error) {
	if f.err != nil {
		return nil, f.err
	}
	return f.evals[:min(limit, len(f.evals))], nil
}

// errStore is the error of a broken store; its text must never reach a page.
var errStore = errors.New("database is locked: /secret/path/veille.db")

func (f *fakeCollection) Mentions(ctx context.Context, canonicalURL string) ([]schema.Mention, error) {
	if f.err != nil {
		return nil, f.err
	}
	for _, c := range f.cards {
		if c.doc != nil && c.doc.CanonicalURL == canonicalURL {
			return c.mentions, nil
		}
	}
	return nil, nil
}

package web

import (
	"context"

	"github.com/veille/veille/schema"
)

// chart is a horizontal bar chart drawn server-side as inline SVG: no
// script, no inline style, so it passes the Content-Security-Policy.
type chart struct {
	Title  string
	Bars   []bar
	Height int
}

// bar is one bar of a chart, in SVG user units.
type bar struct {
	Label string
	Count int
	Link  string
	Y     int
	Width float64
}

// Chart geometry, in SVG user units.
const (
	barHeight = 20
	barSpace  = 24
	barMax    = 150
)

// Number of bars per chart.
const (
	weeksShown  = 16
	themesShown = 10
)

// charts counts the collection per week, category and theme.
func (s *server) charts(ctx context.Context, l links) ([]chart, error) {
	weeks, err := s.c.Facets(ctx, schema.CardFilter{}, schema.FacetWeek, 1000)
	if err != nil {
		return nil, err
	}
	sortFacets(weeks)
	if len(weeks) > weeksShown {
		weeks = weeks[len(weeks)-weeksShown:]
	}
	cats, err := s.c.Facets(ctx, schema.CardFilter{}, schema.FacetCategory, len(schema.Categories)+5)
	if err != nil {
		return nil, err
	}
	themes, err := s.c.Facets(ctx, schema.CardFilter{}, schema.FacetTheme, themesShown)
	if err != nil {
		return nil, err
	}
	return []chart{
		newChart("Cards per week", weeks, nil),
		newChart("Cards per category", cats, l.Category),
		newChart("Top themes", themes, l.Theme),
	}, nil
}

// newChart scales the counts to bars; link, when not nil, makes each bar
// a link.
func newChart(title string, counts []schema.FacetCount, link func(string) string) chart {
	c := chart{Title: title, Height: max(len(counts)*barSpace, barSpace)}
	top := 1
	for _, fc := range counts {
		top = max(top, fc.Count)
	}
	for i, fc := range counts {
		b := bar{Label: excerpt(fc.Value, 17), Count: fc.Count, Y: i * barSpace,
			Width: float64(fc.Count) * barMax / float64(top)}
		if link != nil {
			b.Link = link(fc.Value)
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

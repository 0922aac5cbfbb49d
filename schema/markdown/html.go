package markdown

import (
	"strings"

	"github.com/veille/veille/schema"
)

// A card's text comes from web pages and models, so the markdown never
// carries raw HTML: Render writes "<" as "&lt;" in every text of the card
// (a markdown viewer would otherwise render a <script> or <img> from the
// page), and Parse reads "&lt;" back as "<". The gold cards have no "<".
// Control characters (but line breaks and tabs) are dropped both ways, so
// that no escape sequence from a page reaches a terminal.

// escapeText is what Render applies to every text of a card.
func escapeText(s string) string {
	return strings.ReplaceAll(schema.DropControls(s, ""), "<", "&lt;")
}

// unescapeText is what Parse applies to every text of a card (after
// dropping the control characters of the whole input).
func unescapeText(s string) string {
	return strings.ReplaceAll(s, "&lt;", "<")
}

// withText returns a copy of c with f applied to every text the markdown
// shows: title, keywords, themes, summary, table cells and link labels.
// URLs, enums and evidence (not in the markdown) are left as they are.
func withText(c schema.Card, f func(string) string) schema.Card {
	c.Title = f(c.Title)
	c.Summary = f(c.Summary)
	c.Keywords = mapStrings(c.Keywords, f)
	c.Themes = mapStrings(c.Themes, f)
	if c.Origin != nil {
		origin := *c.Origin
		origin.Label = f(origin.Label)
		c.Origin = &origin
	}
	c.Closest = mapLinks(c.Closest, f)
	if c.Signals != nil {
		signals := make([]schema.Signal, len(c.Signals))
		for i, s := range c.Signals {
			s.Name, s.Description, s.Change = f(s.Name), f(s.Description), f(s.Change)
			s.TenYear, s.DrivingForce = f(s.TenYear), f(s.DrivingForce)
			signals[i] = s
		}
		c.Signals = signals
	}
	c.Concerns = mapRows(c.Concerns, f)
	c.Behaviors = mapRows(c.Behaviors, f)
	c.Technologies = mapRows(c.Technologies, f)
	c.Issues = mapRows(c.Issues, f)
	return c
}

func mapStrings(items []string, f func(string) string) []string {
	if items == nil {
		return nil
	}
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = f(s)
	}
	return out
}

func mapLinks(links []schema.Link, f func(string) string) []schema.Link {
	if links == nil {
		return nil
	}
	out := make([]schema.Link, len(links))
	for i, l := range links {
		out[i] = schema.Link{Label: f(l.Label), URL: l.URL}
	}
	return out
}

func mapRows(rows []schema.Row, f func(string) string) []schema.Row {
	if rows == nil {
		return nil
	}
	out := make([]schema.Row, len(rows))
	for i, r := range rows {
		r.Name, r.Description = f(r.Name), f(r.Description)
		out[i] = r
	}
	return out
}

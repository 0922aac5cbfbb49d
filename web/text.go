package web

import (
	"github.com/veille/veille/schema"

	"strings"
)

// cleanText drops the control characters of s but tab, line feed and
// carriage return: page and model text may hold escape sequences.
func cleanText(s string) string {
	return schema.DropControls(s, "")
}

// oneLine cleans s and folds its line breaks and tabs into spaces, for
// titles and table cells.
func oneLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// excerpt cuts s to at most n runes at a word boundary, adding "…".
func excerpt(s string, n int) string {
	s = oneLine(s)
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

// decodeCard reads a stored card's JSON and drops the control characters
// of every text in it.
func decodeCard(cardJSON string) (schema.Card, error) {
	c, err := schema.DecodeCard([]byte(cardJSON))
	if err != nil {
		return schema.Card{}, err
	}
	return cleanCard(c), nil
}

// cleanCard applies cleanText to every text of c.
func cleanCard(c schema.Card) schema.Card {
	c.URL, c.Title, c.Summary = cleanText(c.URL), cleanText(c.Title), cleanText(c.Summary)
	c.Category, c.Type = schema.Category(cleanText(string(c.Category))), schema.Type(cleanText(string(c.Type)))
	c.Keywords, c.Themes = cleanAll(c.Keywords), cleanAll(c.Themes)
	if c.Origin != nil {
		o := schema.Link{Label: cleanText(c.Origin.Label), URL: cleanText(c.Origin.URL)}
		c.Origin = &o
	}
	signals := make([]schema.Signal, len(c.Signals))
	for i, s := range c.Signals {
		signals[i] = schema.Signal{Name: cleanText(s.Name), Description: cleanText(s.Description),
			Change: cleanText(s.Change), TenYear: cleanText(s.TenYear), DrivingForce: cleanText(s.DrivingForce),
			Relevancy: s.Relevancy, Evidence: cleanText(s.Evidence)}
	}
	c.Signals = signals
	c.Concerns, c.Behaviors = cleanRows(c.Concerns), cleanRows(c.Behaviors)
	c.Technologies, c.Issues = cleanRows(c.Technologies), cleanRows(c.Issues)
	return c
}

// cleanRows applies cleanText to every text of rows.
func cleanRows(rows []schema.Row) []schema.Row {
	out := make([]schema.Row, len(rows))
	for i, r := range rows {
		out[i] = schema.Row{Name: cleanText(r.Name), Description: cleanText(r.Description),
			Relevancy: r.Relevancy, Evidence: cleanText(r.Evidence)}
	}
	return out
}

// cleanAll applies cleanText to every string of ss.
func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = cleanText(s)
	}
	return out
}

// cleanSummary applies cleanText to the texts of a listed card.
func cleanSummary(c schema.CardSummary) schema.CardSummary {
	c.Title, c.URL, c.Host, c.Origin = oneLine(c.Title), cleanText(c.URL), cleanText(c.Host), cleanText(c.Origin)
	c.Provider, c.Model = cleanText(c.Provider), cleanText(c.Model)
	c.Category, c.Type = schema.Category(cleanText(string(c.Category))), schema.Type(cleanText(string(c.Type)))
	return c
}

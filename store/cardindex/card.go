package cardindex

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

// Row is a row of a card's tables, as the index reads it.
type Row struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Relevancy   *int   `json:"relevancy"`
}

// Card is what the index reads from a card's JSON.
type Card struct {
	Title    string   `json:"title"`
	Keywords []string `json:"keywords"`
	Themes   []string `json:"themes"`
	Category string   `json:"category"`
	Type     string   `json:"type"`
	Summary  string   `json:"summary"`
	Origin   *struct {
		URL string `json:"url"`
	} `json:"origin"`
	Signals      []Row `json:"signals"`
	Concerns     []Row `json:"concerns"`
	Behaviors    []Row `json:"behaviors"`
	Technologies []Row `json:"technologies"`
	Issues       []Row `json:"issues"`
}

// Decode reads the fields the index needs from a card's JSON, leniently:
// a field of an unexpected type is left empty, and so is everything when
// the JSON cannot be read.
func Decode(cardJSON string) Card {
	var c Card
	_ = json.Unmarshal([]byte(cardJSON), &c) // partial on error, by design
	return c
}

// FromCard is what [Decode] reads from card's JSON (as [encoding/json]
// writes it), taken from card itself: a caller holding the decoded card
// spares decoding its JSON again. Like the JSON, it holds strings with
// each byte that is not valid UTF-8 replaced by U+FFFD.
func FromCard(card schema.Card) Card {
	c := Card{Title: validUTF8(card.Title), Keywords: validUTF8s(card.Keywords), Themes: validUTF8s(card.Themes),
		Category: validUTF8(string(card.Category)), Type: validUTF8(string(card.Type)),
		Summary: validUTF8(card.Summary)}
	if card.Origin != nil {
		c.Origin = &struct {
			URL string `json:"url"`
		}{URL: validUTF8(card.Origin.URL)}
	}
	if card.Signals != nil {
		c.Signals = make([]Row, len(card.Signals))
		for i, s := range card.Signals {
			c.Signals[i] = Row{Name: validUTF8(s.Name), Description: validUTF8(s.Description), Relevancy: s.Relevancy}
		}
	}
	c.Concerns, c.Behaviors = fromRows(card.Concerns), fromRows(card.Behaviors)
	c.Technologies, c.Issues = fromRows(card.Technologies), fromRows(card.Issues)
	return c
}

// fromRows is rows as [Decode] reads them.
func fromRows(rows []schema.Row) []Row {
	if rows == nil {
		return nil
	}
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{Name: validUTF8(r.Name), Description: validUTF8(r.Description), Relevancy: r.Relevancy}
	}
	return out
}

// validUTF8s is [validUTF8] of each string of ss.
func validUTF8s(ss []string) []string {
	if !slices.ContainsFunc(ss, func(s string) bool { return !utf8.ValidString(s) }) {
		return ss
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = validUTF8(s)
	}
	return out
}

// validUTF8 is s as encoding/json writes it and reads it back: each byte
// that is not part of valid UTF-8 becomes U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// OriginURL is the card's origin (the digest or feed it came from), if any.
func (c Card) OriginURL() string {
	if c.Origin == nil {
		return ""
	}
	return c.Origin.URL
}

// Tables returns every row of the card's tables, signals first.
func (c Card) Tables() []Row {
	var rows []Row
	for _, t := range [][]Row{c.Signals, c.Concerns, c.Behaviors, c.Technologies, c.Issues} {
		rows = append(rows, t...)
	}
	return rows
}

// Tables is the rows of a card's tables: what clustering reads of a card.
type Tables struct {
	Signals      []Row `json:"signals"`
	Concerns     []Row `json:"concerns"`
	Behaviors    []Row `json:"behaviors"`
	Technologies []Row `json:"technologies"`
	Issues       []Row `json:"issues"`
}

// TrendRows returns the rows of the tables, table by table in the order
// of [schema.Sections], as rows of card version cardID.
func (t Tables) TrendRows(cardID int64) []schema.TrendRow {
	n := len(t.Signals) + len(t.Concerns) + len(t.Behaviors) + len(t.Technologies) + len(t.Issues)
	out := make([]schema.TrendRow, 0, n)
	for k, rows := range [][]Row{t.Signals, t.Concerns, t.Behaviors, t.Technologies, t.Issues} {
		for i, r := range rows {
			out = append(out, schema.TrendRow{CardID: cardID, Section: schema.Sections[k], Index: i,
				Name: r.Name, Description: r.Description, Relevancy: r.Relevancy})
		}
	}
	return out
}

// RowsText is the names and descriptions of the card's rows, one row a
// line.
func (c Card) RowsText() string {
	var b strings.Builder
	for _, r := range c.Tables() {
		b.WriteString(r.Name)
		b.WriteString(": ")
		b.WriteString(r.Description)
		b.WriteString("\n")
	}
	return b.String()
}

// Host is the host of a page's URL, lower-cased, without port nor
// "www."; empty for a local file or an unreadable URL.
func Host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// FilterHost is a host given to a filter as stored: lower case, without
// port nor "www.".
func FilterHost(host string) string {
	if h := Host("http://" + host); h != "" {
		return h
	}
	return host
}

// Tag is how a theme or keyword is stored and matched: trimmed and
// lower-cased.
func Tag(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

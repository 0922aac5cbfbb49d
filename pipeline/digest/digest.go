// Package digest writes the digest an analyst sends: the topics that recur
// across cards, each with a synthesis, then the notable single cards.
//
// Its input is a list of [Topic] (rows of several cards that say the same
// thing) and of notable [Card]; [Topics] makes topics from the clusters of
// rows of a trends report. With a model, [Synthesize] asks for each topic's
// title, synthesis and implications, citing the topic's cards; without
// one, [Extractive] lays out each topic's label, representative rows and
// links. [Digest.Markdown] and [Digest.HTML] render it.
package digest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// Row is one row of a card's tables, with its card.
type Row struct {
	CardID    string
	URL       string
	Title     string // the card's title
	Host      string
	Published time.Time
	// Table is the row's table: signals, concerns, behaviors, technologies
	// or issues.
	Table       string
	Name        string
	Description string
	// Relevancy is 0 to 5, or -1 when the card gives none.
	Relevancy int
}

// Topic is a group of rows of several cards that say the same thing.
type Topic struct {
	// Label names the topic.
	Label string
	Rows  []Row
}

// Card is a card of the collection as a digest shows it.
type Card struct {
	ID        string
	URL       string
	Title     string
	Host      string
	Published time.Time
	Summary   string
	Themes    []string
	Rows      []Row
}

// Input is what a digest is made of.
type Input struct {
	// Title heads the digest; Since and Until bound its period.
	Title        string
	Since, Until time.Time
	// Cards counts the cards of the period.
	Cards   int
	Topics  []Topic
	Notable []Card
}

// Ref is a card a section links to.
type Ref struct {
	ID        string
	URL       string
	Title     string
	Host      string
	Published time.Time
	// Cited is set when the model's synthesis cites the card.
	Cited bool
}

// Implication is a consequence to watch, with the cards that support it.
type Implication struct {
	Text  string
	Cited []Ref
}

// Section is one topic of the digest.
type Section struct {
	// Label is the topic's label; Title the model's headline, else the
	// label.
	Label, Title string
	// Synthesis and Implications are the model's; empty without one.
	Synthesis    string
	Implications []Implication
	// Rows are the topic's representative rows: one a card, the most
	// relevant first.
	Rows []Row
	// Cards are the topic's cards, newest first.
	Cards []Ref
	// Sources counts the distinct hosts of the cards.
	Sources int
	// First and Last are the first and last publication dates.
	First, Last time.Time
}

// Usage totals the model requests of a digest.
type Usage struct {
	Provider, Model           string
	Requests, Cached          int
	InputTokens, OutputTokens int
	CostUSD                   float64
}

// Digest is a digest ready to render.
type Digest struct {
	Title        string
	Since, Until time.Time
	Cards        int
	Sections     []Section
	Notable      []Card
	// Usage is zero for an extractive digest.
	Usage Usage
	// Dropped lists the claims dropped for citing cards outside their
	// topic, as "topic: id".
	Dropped []string
}

// representativeRows is how many rows a section shows.
const representativeRows = 5

// Extractive lays out in without a model: each topic's label, its
// representative rows and its cards.
func Extractive(in Input) Digest {
	d := Digest{Title: in.Title, Since: in.Since, Until: in.Until, Cards: in.Cards, Notable: in.Notable}
	for _, t := range in.Topics {
		d.Sections = append(d.Sections, section(t))
	}
	return d
}

// section is the extractive part of a topic's section.
func section(t Topic) Section {
	s := Section{Label: t.Label, Title: t.Label, Rows: Representative(t.Rows, representativeRows)}
	hosts := map[string]bool{}
	seen := map[string]bool{}
	for _, r := range t.Rows {
		if r.Host != "" {
			hosts[r.Host] = true
		}
		if s.First.IsZero() || r.Published.Before(s.First) {
			s.First = r.Published
		}
		if r.Published.After(s.Last) {
			s.Last = r.Published
		}
		if !seen[r.CardID] {
			seen[r.CardID] = true
			s.Cards = append(s.Cards, Ref{ID: r.CardID, URL: r.URL, Title: r.Title, Host: r.Host, Published: r.Published})
		}
	}
	slices.SortStableFunc(s.Cards, func(a, b Ref) int { return b.Published.Compare(a.Published) })
	s.Sources = len(hosts)
	return s
}

// Representative picks up to n rows: one a card, the most relevant first,
// then the newest, then in their order.
func Representative(rows []Row, n int) []Row {
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b Row) int {
		return cmp.Or(cmp.Compare(b.Relevancy, a.Relevancy), b.Published.Compare(a.Published))
	})
	var out []Row
	seen := map[string]bool{}
	for _, r := range sorted {
		if seen[r.CardID] || strings.TrimSpace(r.Name+r.Description) == "" {
			continue
		}
		seen[r.CardID] = true
		out = append(out, r)
		if len(out) == n {
			break
		}
	}
	return out
}

// Store is what [Load] reads; the SQLite store implements it.
type Store interface {
	ListCards(ctx context.Context, f schema.CardFilter) ([]schema.CardSummary, error)
	LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error)
}

// MaxCards bounds the cards a digest reads.
const MaxCards = 100000

// Load reads the newest card of every document published in [since,
// until), newest first, with its rows.
func Load(ctx context.Context, st Store, since, until time.Time) ([]Card, error) {
	list, err := st.ListCards(ctx, schema.CardFilter{Since: since, Until: until, Limit: MaxCards})
	if err != nil {
		return nil, err
	}
	out := make([]Card, 0, len(list))
	for _, s := range list {
		stored, err := st.LatestCard(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("card %s: %w", s.ID, err)
		}
		card, err := stored.Card()
		if err != nil {
			return nil, err
		}
		out = append(out, cardOf(s, card))
	}
	return out, nil
}

// cardOf is a stored card as a digest reads it.
func cardOf(s schema.CardSummary, c schema.Card) Card {
	out := Card{ID: s.ID, URL: s.URL, Title: cmp.Or(s.Title, c.Title), Host: s.Host, Published: s.Published,
		Summary: c.Summary, Themes: c.Themes}
	add := func(table, name, desc string, rel *int) {
		r := Row{CardID: out.ID, URL: out.URL, Title: out.Title, Host: out.Host, Published: out.Published,
			Table: table, Name: name, Description: desc, Relevancy: -1}
		if rel != nil {
			r.Relevancy = *rel
		}
		out.Rows = append(out.Rows, r)
	}
	for _, s := range c.Signals {
		add("signals", s.Name, s.Description, s.Relevancy)
	}
	for _, t := range c.RowTables() {
		for _, r := range *t.Rows {
			add(t.Key, r.Name, r.Description, r.Relevancy)
		}
	}
	return out
}

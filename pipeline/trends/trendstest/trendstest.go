// Package trendstest builds test collections with a planted trend: a
// dozen cards from eight hosts over the last three weeks, each carrying
// the same weak signal worded differently, among hundreds of unrelated
// cards made from the rows of background cards (the gold cards, or a small
// embedded set). A trends, digest or question-answering test imports the
// collection and checks that the planted trend comes out on top.
package trendstest

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

//go:embed background.json
var backgroundJSON []byte

// Background returns the embedded background cards: ten cards on
// unrelated subjects, a handful of rows each, so that a collection can be
// built without the gold cards.
func Background() []schema.Card {
	var cards []schema.Card
	if err := json.Unmarshal(backgroundJSON, &cards); err != nil {
		panic("trendstest: background.json: " + err.Error())
	}
	return cards
}

// GoldBackground reads the markdown gold cards of dir (the .md files of
// dir/cards, as in ../shared/gold); the error wraps [fs.ErrNotExist] when
// dir has none, so that a test can skip.
func GoldBackground(dir string) ([]schema.Card, error) {
	files, err := filepath.Glob(filepath.Join(dir, "cards", "*.md"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("gold cards in %s: %w", dir, fs.ErrNotExist)
	}
	slices.Sort(files)
	var cards []schema.Card
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		c, err := markdown.Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		cards = append(cards, c)
	}
	return cards, nil
}

// PlantedSignal is the gist of the planted trend; its rows all say it, in
// other words.
const PlantedSignal = "cities ban gas-powered leaf blowers"

// plantedRows are the planted signal, worded differently on each card.
var plantedRows = [][2]string{
	{"Municipal bans on gas leaf blowers", "Several cities now forbid gas-powered leaf blowers because of their noise and emissions."},
	{"Gas leaf blower bans spread", "More towns outlaw petrol leaf blowers, pushing landscapers towards battery models."},
	{"Towns phase out gasoline leaf blowers", "Local councils set deadlines to phase out gasoline-powered leaf blowers in favour of electric ones."},
	{"Electric leaf blowers replace gas models", "Landscaping crews switch to battery leaf blowers as city ordinances ban gas-powered equipment."},
	{"Noise ordinances target leaf blowers", "City ordinances restrict gas leaf blowers over noise and air pollution complaints."},
	{"Ban on two-stroke leaf blowers", "Regulators ban two-stroke gas leaf blowers, citing their smog-forming emissions."},
	{"Leaf blower ban adopted by council", "The city council votes to ban gas-powered leaf blowers from next year."},
	{"Landscapers adapt to leaf blower bans", "Gardeners buy electric blowers as municipalities prohibit gas leaf blowers."},
	{"Quieter streets after gas blower ban", "Residents report quieter neighbourhoods since the city banned gas-powered leaf blowers."},
	{"State law ends gas leaf blower sales", "A new state law bans sales of gas-powered leaf blowers and other small lawn engines."},
	{"Suburbs follow leaf blower ban trend", "Suburban towns copy big-city bans on gasoline leaf blowers."},
	{"Leaf blowers electrified by regulation", "Bans on gas leaf blowers accelerate the shift to battery-powered garden tools."},
}

// distractorRows share words with the planted signal ("gas", "ban",
// "city") but say something else: they must not join its cluster.
var distractorRows = [][2]string{
	{"Gas boiler bans in new homes", "New buildings must use heat pumps as the city bans gas boilers from 2027."},
	{"Ban on gas stoves in restaurants", "Cities ban gas cooking in new restaurants to cut indoor air pollution."},
	{"Leaf litter composting programmes", "Towns collect autumn leaves to compost them instead of burning them."},
	{"Petrol car bans in city centres", "City councils ban petrol and diesel cars from their centres on weekdays."},
}

// plantedHosts are the hosts of the planted cards, eight of them.
var plantedHosts = []string{"citylab.example", "localnews.example", "greenbeat.example", "gardenpro.example",
	"statehouse.example", "suburbia.example", "noisewatch.example", "airquality.example"}

// Card is one card of a collection, with its date.
type Card struct {
	Card      schema.Card
	Published time.Time
	// Planted is true for the planted trend's cards.
	Planted bool
}

// Collection is a test collection.
type Collection struct {
	Cards []Card
}

// PlantedURLs are the URLs of the planted trend's cards.
func (c Collection) PlantedURLs() []string {
	var out []string
	for _, card := range c.Cards {
		if card.Planted {
			out = append(out, card.Card.URL)
		}
	}
	return out
}

// Options tune [Build].
type Options struct {
	// Now is the end of the collection's period: every card is published
	// before it.
	Now time.Time
	// Background are the cards whose rows make the unrelated cards
	// ([Background] when nil).
	Background []schema.Card
	// Unrelated is how many unrelated cards to make (300 when 0).
	Unrelated int
}

// Build makes a collection: the planted trend (12 cards, 8 hosts, spread
// over the 20 days before opts.Now, more of them in the last week, each
// with the planted signal and two rows of a background card), four
// distractor cards whose signal shares words with the planted one but says
// something else (gas boilers, gas stoves, leaf composting, petrol cars), and
// opts.Unrelated cards spread over the 90 days before opts.Now. Unrelated
// card i is made from background card i modulo their number: up to three of
// its rows, taken in turn, its themes and keywords; it is published on one
// of two hosts of its background card, so that a background card's
// subjects recur on two sources at most. The same options always build the
// same collection.
func Build(opts Options) (Collection, error) {
	if opts.Now.IsZero() {
		return Collection{}, errors.New("trendstest: no Now")
	}
	bg := opts.Background
	if bg == nil {
		bg = Background()
	}
	bg = bgWithRows(bg)
	if len(bg) == 0 {
		return Collection{}, errors.New("trendstest: the background cards have no rows")
	}
	pools := make([][]row, len(bg))
	for i, c := range bg {
		pools[i] = rowsOf(c)
	}
	n := opts.Unrelated
	if n == 0 {
		n = 300
	}
	day := 24 * time.Hour
	var out Collection
	for i := range n {
		s := i % len(bg)
		src, pool := bg[s], pools[s]
		round := i / len(bg)
		host := fmt.Sprintf("source%02d-%c.example", s, 'a'+round%2)
		c := schema.Card{URL: fmt.Sprintf("https://%s/story-%03d", host, i)}
		c.Title = fmt.Sprintf("%s (%d)", src.Title, round+1)
		c.Themes, c.Keywords, c.Category, c.Type = src.Themes, src.Keywords, src.Category, src.Type
		c.Summary = src.Summary
		for k := range min(3, len(pool)) {
			pool[(round*3+k)%len(pool)].addTo(&c)
		}
		published := opts.Now.Add(-time.Duration(1+(i*37)%89)*day - time.Duration(i%24)*time.Hour)
		out.Cards = append(out.Cards, Card{Card: c, Published: published})
	}
	for i, pr := range plantedRows {
		host := plantedHosts[i%len(plantedHosts)]
		relevancy := 4
		c := schema.Card{URL: fmt.Sprintf("https://%s/leaf-blowers-%d", host, i)}
		c.Title = pr[0]
		c.Themes, c.Keywords = []string{"noise", "cities"}, []string{"leaf blowers"}
		c.Category, c.Type = schema.CategoryCity, schema.TypeNews
		c.Summary = pr[1]
		c.Signals = []schema.Signal{{Name: pr[0], Description: pr[1], Relevancy: &relevancy}}
		pool := pools[(i*7)%len(pools)]
		for k := range min(2, len(pool)) {
			pool[(i+k)%len(pool)].addTo(&c)
		}
		// Days before now: 1 to 20, two thirds in the last week.
		days := []int{1, 2, 3, 4, 5, 6, 6, 9, 12, 15, 18, 20}[i]
		published := opts.Now.Add(-time.Duration(days)*day - time.Duration(i)*time.Hour)
		out.Cards = append(out.Cards, Card{Card: c, Published: published, Planted: true})
	}
	for i, dr := range distractorRows {
		host := fmt.Sprintf("distractor%d.example", i)
		c := schema.Card{URL: fmt.Sprintf("https://%s/story", host)}
		c.Title, c.Summary = dr[0], dr[1]
		c.Category, c.Type = schema.CategoryCity, schema.TypeNews
		c.Signals = []schema.Signal{{Name: dr[0], Description: dr[1]}}
		out.Cards = append(out.Cards, Card{Card: c, Published: opts.Now.Add(-time.Duration(2+3*i) * day)})
	}
	return out, nil
}

// bgWithRows keeps the background cards that have rows.
func bgWithRows(cards []schema.Card) []schema.Card {
	return slices.DeleteFunc(slices.Clone(cards), func(c schema.Card) bool { return len(rowsOf(c)) == 0 })
}

// row is one row of a background card, with its table.
type row struct {
	section string
	signal  schema.Signal
	row     schema.Row
}

// rowsOf lists the rows of c, table by table.
func rowsOf(c schema.Card) []row {
	var out []row
	for _, s := range c.Signals {
		out = append(out, row{section: "signals", signal: s})
	}
	for _, t := range c.RowTables() {
		for _, r := range *t.Rows {
			out = append(out, row{section: t.Key, row: r})
		}
	}
	return out
}

// addTo appends the row to its table of c.
func (r row) addTo(c *schema.Card) {
	if r.section == "signals" {
		c.Signals = append(c.Signals, r.signal)
		return
	}
	for _, t := range c.RowTables() {
		if t.Key == r.section {
			*t.Rows = append(*t.Rows, r.row)
		}
	}
}

// WriteJSONL writes the collection to path as JSON lines, one card a
// line with its "published" date, as `extract import` reads them.
func (c Collection) WriteJSONL(path string) error {
	var b strings.Builder
	for _, card := range c.Cards {
		js, err := json.Marshal(card.Card)
		if err != nil {
			return err
		}
		date, err := json.Marshal(card.Published.UTC().Format(time.RFC3339))
		if err != nil {
			return err
		}
		b.Write(js[:len(js)-1])
		b.WriteString(`,"published":`)
		b.Write(date)
		b.WriteString("}\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// NewCard is the card as `extract import` stores it, for a store's
// ImportCards.
func (c Card) NewCard() (schema.NewCard, error) {
	canonical, err := schema.CanonicalURL(c.Card.URL)
	if err != nil {
		return schema.NewCard{}, err
	}
	js, err := json.Marshal(c.Card)
	if err != nil {
		return schema.NewCard{}, err
	}
	return schema.NewCard{DocumentID: schema.DocumentID(canonical), URL: canonical, CardJSON: string(js),
		Markdown: markdown.Render(c.Card), RawJSON: "{}", Published: c.Published,
		Provenance: schema.Provenance{Provider: schema.ProviderImported, Model: "trendstest"}}, nil
}

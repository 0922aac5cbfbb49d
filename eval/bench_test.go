package eval

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/veille/veille/internal/cputime"
	"github.com/veille/veille/schema"
)

// cardGenerator makes cards of realistic size (gold cards have about 10
// keywords, 5 themes, a 150-word summary and 5 rows per table) from a
// vocabulary of French and English words, accents included.
type cardGenerator struct {
	rng   *rand.Rand
	vocab []string
}

func newCardGenerator(seed uint64) *cardGenerator {
	text := strings.Join([]string{frenchCard().Summary, englishCard().Summary}, " ")
	for _, c := range []*schema.Card{frenchCard(), englishCard()} {
		for _, s := range c.Signals {
			text += " " + s.Description + " " + s.Change + " " + s.TenYear + " " + s.DrivingForce
		}
	}
	vocab := strings.Fields(text)
	rng := rand.New(rand.NewPCG(seed, seed+1))
	syllables := []string{"ré", "gu", "la", "tion", "dé", "ci", "sion", "mé", "ca", "nis", "me", "ter", "ra", "in", "eau", "té"}
	for len(vocab) < 3000 {
		var w strings.Builder
		for n := 2 + rng.IntN(3); n > 0; n-- {
			w.WriteString(syllables[rng.IntN(len(syllables))])
		}
		vocab = append(vocab, w.String())
	}
	return &cardGenerator{rng: rng, vocab: vocab}
}

func (g *cardGenerator) words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.vocab[g.rng.IntN(len(g.vocab))]
	}
	return strings.Join(ws, " ")
}

func (g *cardGenerator) list(n, maxWords int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.words(1 + g.rng.IntN(maxWords))
	}
	return out
}

func (g *cardGenerator) rows(n int) []schema.Row {
	out := make([]schema.Row, n)
	for i := range out {
		out[i] = schema.Row{Name: g.words(5), Description: g.words(20)}
	}
	return out
}

func (g *cardGenerator) card() *schema.Card {
	c := &schema.Card{URL: "https://example.org/" + g.words(1)}
	c.Title = g.words(10)
	c.Keywords = g.list(10, 3)
	c.Themes = g.list(5, 2)
	c.Category, c.Type = schema.CategoryTechnology, schema.TypeNews
	c.Summary = g.words(150)
	for i := 0; i < 5; i++ {
		c.Signals = append(c.Signals, schema.Signal{Name: g.words(6), Description: g.words(15),
			Change: g.words(12), TenYear: g.words(15), DrivingForce: g.words(12), Relevancy: rel(g.rng.IntN(6))})
	}
	c.Concerns, c.Behaviors, c.Technologies, c.Issues = g.rows(6), g.rows(5), g.rows(5), g.rows(5)
	return c
}

// perturbed is a prediction close to c: some rows dropped, some words
// replaced, lists shuffled.
func (g *cardGenerator) perturbed(c *schema.Card) *schema.Card {
	p := cloneCard(c)
	p.Summary = g.replaceWords(p.Summary)
	g.rng.Shuffle(len(p.Keywords), func(i, j int) { p.Keywords[i], p.Keywords[j] = p.Keywords[j], p.Keywords[i] })
	p.Keywords = append(p.Keywords[:7], g.list(3, 2)...)
	for i := range p.Signals {
		p.Signals[i].Description = g.replaceWords(p.Signals[i].Description)
	}
	p.Concerns = p.Concerns[1:]
	for i := range p.Issues {
		p.Issues[i].Description = g.replaceWords(p.Issues[i].Description)
	}
	return p
}

func (g *cardGenerator) replaceWords(s string) string {
	ws := strings.Fields(s)
	for i := range ws {
		if g.rng.IntN(3) == 0 {
			ws[i] = g.vocab[g.rng.IntN(len(g.vocab))]
		}
	}
	return strings.Join(ws, " ")
}

// BenchmarkEvaluate1000Pairs scores 1,000 generated card pairs per
// iteration (the target is under 2 s): go test ./eval -run '^$' -bench
// Evaluate1000 -benchtime 3x
func BenchmarkEvaluate1000Pairs(b *testing.B) {
	g := newCardGenerator(42)
	pairs := make([]Pair, 1000)
	for i := range pairs {
		gold := g.card()
		pairs[i] = Pair{ID: strings.Repeat("x", i%7) + g.words(1), Gold: gold, Pred: g.perturbed(gold)}
	}
	cpu := cputime.Process()
	for b.Loop() {
		r := evaluate(b, pairs, nil, 0)
		if r.Overall <= 0 || r.Overall >= 1 {
			b.Fatalf("overall = %v, want strictly between 0 and 1", r.Overall)
		}
	}
	// CPU time per 1,000 pairs, all threads: the wall-clock ns/op grows when
	// other processes share the machine, this does not.
	b.ReportMetric(float64((cputime.Process()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

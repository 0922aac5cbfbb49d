package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

func cloneCard(c *schema.Card) *schema.Card {
	d := *c
	d.Keywords = slices.Clone(c.Keywords)
	d.Themes = slices.Clone(c.Themes)
	d.Signals = slices.Clone(c.Signals)
	d.Concerns = slices.Clone(c.Concerns)
	d.Behaviors = slices.Clone(c.Behaviors)
	d.Technologies = slices.Clone(c.Technologies)
	d.Issues = slices.Clone(c.Issues)
	return &d
}

func assertNear(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f ± %.4f", what, got, want, tol)
	}
}

func TestGoldAgainstItselfScoresOne(t *testing.T) {
	for _, gold := range []*schema.Card{frenchCard(), englishCard()} {
		c := Compare(gold, cloneCard(gold))
		assertNear(t, gold.URL+" overall", c.Overall, 1, 1e-12)
		for _, s := range c.Sections {
			if !s.NA {
				assertNear(t, gold.URL+" "+s.Section, s.Score, 1, 1e-12)
			}
		}
		for name, tb := range c.Tables {
			if tb.GoldRows == 0 {
				continue
			}
			assertNear(t, name+" precision", tb.Precision, 1, 1e-12)
			assertNear(t, name+" recall", tb.Recall, 1, 1e-12)
			for _, col := range tb.Columns {
				if col.Mean != nil {
					assertNear(t, name+" "+col.Column, *col.Mean, 1, 1e-12)
				}
			}
			if tb.RelevancyMAE != nil {
				assertNear(t, name+" relevancy MAE", *tb.RelevancyMAE, 0, 1e-12)
			}
		}
	}
}

func TestShufflingChangesNothing(t *testing.T) {
	gold := frenchCard()
	pred := englishCard()
	pred.Signals = append(pred.Signals, gold.Signals[1:3]...)
	pred.Keywords = append(pred.Keywords, gold.Keywords[:3]...)
	want := Compare(gold, pred)
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 20; trial++ {
		p := cloneCard(pred)
		rng.Shuffle(len(p.Keywords), func(i, j int) { p.Keywords[i], p.Keywords[j] = p.Keywords[j], p.Keywords[i] })
		rng.Shuffle(len(p.Themes), func(i, j int) { p.Themes[i], p.Themes[j] = p.Themes[j], p.Themes[i] })
		rng.Shuffle(len(p.Signals), func(i, j int) { p.Signals[i], p.Signals[j] = p.Signals[j], p.Signals[i] })
		rng.Shuffle(len(p.Concerns), func(i, j int) { p.Concerns[i], p.Concerns[j] = p.Concerns[j], p.Concerns[i] })
		g := cloneCard(gold)
		rng.Shuffle(len(g.Signals), func(i, j int) { g.Signals[i], g.Signals[j] = g.Signals[j], g.Signals[i] })
		rng.Shuffle(len(g.Themes), func(i, j int) { g.Themes[i], g.Themes[j] = g.Themes[j], g.Themes[i] })
		got := Compare(g, p)
		assertNear(t, "overall", got.Overall, want.Overall, 1e-12)
		for i, s := range got.Sections {
			assertNear(t, s.Section, s.Score, want.Sections[i].Score, 1e-12)
		}
	}
}

func TestDeletingHalfTheRowsHalvesRecall(t *testing.T) {
	gold := frenchCard()
	pred := cloneCard(gold)
	pred.Signals = pred.Signals[:len(pred.Signals)/2]
	pred.Concerns = []schema.Row{pred.Concerns[0], pred.Concerns[3]}
	c := Compare(gold, pred)
	for _, name := range []string{SectionSignals, SectionConcerns} {
		tb := c.Tables[name]
		assertNear(t, name+" recall", tb.Recall, 0.5, 0.05)
		assertNear(t, name+" precision", tb.Precision, 1, 1e-12)
	}
	assertNear(t, "behaviors recall", c.Tables[SectionBehaviors].Recall, 1, 1e-12)
}

func TestAnotherArticleScoresNearTheFloor(t *testing.T) {
	for _, pair := range [][2]*schema.Card{{frenchCard(), englishCard()}, {englishCard(), frenchCard()}} {
		c := Compare(pair[0], pair[1])
		if c.Overall > 0.15 {
			t.Errorf("%s against %s: overall %.3f, want near 0", pair[0].URL, pair[1].URL, c.Overall)
		}
		for name, tb := range c.Tables {
			if tb.Matched > 0 {
				t.Errorf("%s: %d rows matched across articles: %+v", name, tb.Matched, tb.Pairs)
			}
		}
	}
}

func TestEmptyPredictionScoresZero(t *testing.T) {
	for _, pred := range []*schema.Card{nil, {}} {
		c := Compare(frenchCard(), pred)
		assertNear(t, "overall", c.Overall, 0, 0)
		for _, s := range c.Sections {
			if s.NA {
				t.Errorf("section %s not applicable, want applicable (gold has it)", s.Section)
			}
			assertNear(t, s.Section, s.Score, 0, 0)
		}
	}
}

func TestSectionsWithoutGoldAreNotApplicable(t *testing.T) {
	gold := englishCard() // no behaviors, no issues
	c := Compare(gold, frenchCard())
	for _, name := range []string{SectionBehaviors, SectionIssues} {
		if s, _ := c.Section(name); !s.NA {
			t.Errorf("%s: applicable, want not applicable", name)
		}
	}
	want := 0.0
	n := 0
	for _, s := range c.Sections {
		if !s.NA {
			want += s.Score
			n++
		}
	}
	assertNear(t, "overall", c.Overall, want/float64(n), 1e-12)
}

func TestRelevancyMAEAndColumns(t *testing.T) {
	gold := frenchCard()
	pred := cloneCard(gold)
	pred.Signals[0].Relevancy = rel(1) // 4 → 1: error 3
	pred.Signals[1].Relevancy = nil    // not counted
	pred.Signals[2].Change = "Rien à voir."
	tb := Compare(gold, pred).Tables[SectionSignals]
	if tb.RelevancyN != 3 || tb.RelevancyMAE == nil {
		t.Fatalf("relevancy n = %d, mae = %v; want 3 rows", tb.RelevancyN, tb.RelevancyMAE)
	}
	assertNear(t, "MAE", *tb.RelevancyMAE, 1, 1e-12)
	assertNear(t, "change", *tb.Columns[0].Mean, 0.75, 1e-12)
	assertNear(t, "10-year", *tb.Columns[1].Mean, 1, 1e-12)
}

func FuzzCompare(f *testing.F) {
	f.Add("IA générative", "l'IA", "Réserves sur l'IA", "Inquiétudes", "risques", "Risks of AI")
	f.Add("", "", "", "", "", "")
	f.Add("a a a", "a", "x", "x y z", "é", "e\u0301")
	f.Fuzz(func(t *testing.T, k1, k2, n1, d1, n2, d2 string) {
		gold := &schema.Card{Answer: schema.Answer{Title: n1, Summary: d1, Keywords: []string{k1, k2},
			Concerns: []schema.Row{{Name: n1, Description: d1}, {Name: n2, Description: d2}}}}
		pred := &schema.Card{Answer: schema.Answer{Title: n2, Summary: d2, Keywords: []string{k2},
			Concerns: []schema.Row{{Name: n2, Description: d2}}}}
		c := Compare(gold, pred)
		for _, s := range append(c.Sections, SectionScore{Section: "overall", Score: c.Overall}) {
			if s.Score < 0 || s.Score > 1 || math.IsNaN(s.Score) {
				t.Fatalf("%s = %v, outside [0,1]", s.Section, s.Score)
			}
		}
		self := Compare(gold, gold)
		if self.Overall != 1 && !allNA(self.Sections) {
			t.Fatalf("gold against itself: overall %v (%+v)", self.Overall, self.Sections)
		}
	})
}

func allNA(sections []SectionScore) bool {
	for _, s := range sections {
		if !s.NA {
			return false
		}
	}
	return true
}

// BenchmarkCompareHugeSummary scores a pair whose summaries run to a
// megabyte: ROUGE-L compares their first tokens only, so it takes
// milliseconds, not minutes.
func BenchmarkCompareHugeSummary(b *testing.B) {
	words := strings.Fields(strings.Repeat("les pompes à chaleur remplacent les chaudières au gaz dans les villes ", 12000))
	gold := &schema.Card{Answer: schema.Answer{Summary: strings.Join(words, " ")}}
	pred := &schema.Card{Answer: schema.Answer{Summary: strings.Join(words[1:], " ")}}
	for b.Loop() {
		Compare(gold, pred)
	}
}

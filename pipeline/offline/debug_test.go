package offline

import (
	"strings"
	"testing"

	"github.com/veille/veille/eval"
	"github.com/veille/veille/schema"
)

func TestDebugSets(t *testing.T) {
	for _, p := range goldPairs(t) {
		gold, _ := schema.Parse(p.card)
		a := Card(p.page)
		s := strawman(p.page)
		k := eval.CompareSets(gold.Keywords, a.Keywords)
		ks := eval.CompareSets(gold.Keywords, s.Keywords)
		th := eval.CompareSets(gold.Themes, a.Themes)
		t.Logf("%s\n gold kw %q\n pred kw %q %.2f\n straw %q %.2f\n gold th %q\n pred th %q %.2f", p.id, gold.Keywords, a.Keywords, k.F1, s.Keywords, ks.F1, gold.Themes, a.Themes, th.F1)
	}
}

func TestDebugTables(t *testing.T) {
	for _, p := range goldPairs(t) {
		gold, _ := schema.Parse(p.card)
		a := Card(p.page)
		pred := schema.Card{Answer: a}
		sc := eval.Compare(&gold, &pred)
		for _, name := range []string{"signals", "concerns", "behaviors", "technologies", "issues"} {
			ts := sc.Tables[name]
			if ts.GoldRows == 0 {
				continue
			}
			t.Logf("%s %s gold %d pred %d matched %d", p.id[:6], name, ts.GoldRows, ts.PredRows, ts.Matched)
			for _, pr := range ts.Pairs {
				g, q := "-", "-"
				if pr.Gold != nil {
					g = pr.Gold.Name + " / " + pr.Gold.Description
				}
				if pr.Pred != nil {
					q = pr.Pred.Name + " / " + pr.Pred.Description
				}
				t.Logf("   %.2f %v\n      G: %s\n      P: %s", pr.Similarity, pr.Matched, g, q)
			}
		}
	}
}

func TestDebugSummary(t *testing.T) {
	for _, p := range goldPairs(t) {
		gold, _ := schema.Parse(p.card)
		a := Card(p.page)
		s := strawman(p.page)
		b := eval.CompareText(gold.Summary, a.Summary)
		c := eval.CompareText(gold.Summary, s.Summary)
		t.Logf("%s base L %.3f (%d words) straw L %.3f (%d words) gold %d words", p.id[:6], b.RougeL, len(strings.Fields(a.Summary)), c.RougeL, len(strings.Fields(s.Summary)), len(strings.Fields(gold.Summary)))
	}
}

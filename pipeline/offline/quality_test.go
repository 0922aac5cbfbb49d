package offline

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/veille/veille/eval"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// strawman is the naive card the baseline must beat: the first three
// sentences as summary, the ten most frequent non-stop words as keywords
// (the five most frequent as themes), the raw page title, no table rows,
// "others" for category and type.
func strawman(p Page) schema.Answer {
	lang := language(p.Lang, p.Text)
	doc := newDocument(p.Text, newLexicon(lang))
	counts := map[string]int{}
	for _, s := range doc.sentences {
		for _, t := range s.tokens {
			if !t.stop {
				counts[t.lower]++
			}
		}
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	sentences := Sentences(p.Text)
	return schema.Answer{
		Title:    p.Title,
		Keywords: words[:min(10, len(words))],
		Themes:   words[:min(5, len(words))],
		Category: schema.CategoryOthers,
		Type:     schema.TypeOthers,
		Summary:  strings.Join(sentences[:min(3, len(sentences))], " "),
	}
}

// sectionMeans scores answers against the gold cards and returns, per
// section, the mean score over the cards where the section applies, plus
// summary ROUGE-L and each table's row recall.
func sectionMeans(t *testing.T, pairs []goldPair, fill func(Page) schema.Answer) map[string]float64 {
	t.Helper()
	sums, counts := map[string]float64{}, map[string]int{}
	add := func(name string, v float64) {
		sums[name] += v
		counts[name]++
	}
	for _, p := range pairs {
		gold, err := markdown.Parse(p.card)
		if err != nil {
			t.Fatalf("parse gold card %s: %v", p.id, err)
		}
		pred := schema.Card{URL: p.page.URL, Answer: fill(p.page)}
		score := eval.Compare(&gold, &pred)
		for _, s := range score.Sections {
			if !s.NA {
				add(s.Section, s.Score)
			}
		}
		add("overall", score.Overall)
		if gs, _ := score.Section(eval.SectionSummary); !gs.NA {
			add("summary ROUGE-L", score.Summary.RougeL)
		}
		for name, ts := range score.Tables {
			if ts.GoldRows > 0 {
				add(name+" recall", ts.Recall)
			}
		}
	}
	means := map[string]float64{}
	for k, v := range sums {
		means[k] = v / float64(counts[k])
	}
	return means
}

// TestBaselineBeatsStrawman scores the offline baseline and the strawman on
// ../shared/gold/pairs and asserts the baseline wins on summary ROUGE-L,
// keywords F1, themes F1, type accuracy and every table's recall.
func TestBaselineBeatsStrawman(t *testing.T) {
	pairs := goldPairs(t)
	base := sectionMeans(t, pairs, Card)
	straw := sectionMeans(t, pairs, strawman)
	names := make([]string, 0, len(base))
	for k := range base {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "%d gold pairs\n%-22s %9s %9s\n", len(pairs), "section", "baseline", "strawman")
	for _, k := range names {
		fmt.Fprintf(&b, "%-22s %9.3f %9.3f\n", k, base[k], straw[k])
	}
	t.Log("\n" + b.String())
	for _, k := range []string{"summary ROUGE-L", eval.SectionKeywords, eval.SectionThemes, eval.SectionType,
		"signals recall", "concerns recall", "behaviors recall", "technologies recall", "issues recall"} {
		if _, ok := base[k]; !ok {
			continue // no gold card has this section
		}
		if base[k] <= straw[k] {
			t.Errorf("%s: baseline %.3f does not beat strawman %.3f", k, base[k], straw[k])
		}
	}
}

package digest

import (
	"cmp"
	"slices"
)

// Notable returns up to n cards that are in none of topics, those whose
// best row is the most relevant first, then those with the most rows,
// then the newest.
func Notable(cards []Card, topics []Topic, n int) []Card {
	in := map[string]bool{}
	for _, t := range topics {
		for _, r := range t.Rows {
			in[r.CardID] = true
		}
	}
	var out []Card
	for _, c := range cards {
		if !in[c.ID] && len(c.Rows) > 0 {
			out = append(out, c)
		}
	}
	best := func(c Card) int {
		m := -1
		for _, r := range c.Rows {
			m = max(m, r.Relevancy)
		}
		return m
	}
	slices.SortStableFunc(out, func(a, b Card) int {
		return cmp.Or(cmp.Compare(best(b), best(a)), cmp.Compare(len(b.Rows), len(a.Rows)), b.Published.Compare(a.Published))
	})
	return out[:min(n, len(out))]
}

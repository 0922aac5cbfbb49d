package digest

import (
	"cmp"
	"slices"
	"strings"
)

// This file makes the digest's topics from the cards' themes: a simple
// grouping that stands in for clusters of rows across cards. Only
// GroupByTheme is called from outside; replace that call to feed the
// digest other topics.

// GroupByTheme makes up to n topics from cards: the cards sharing a theme
// (case and spacing aside) form a topic labelled by it, holding their
// rows. Topics carried by more distinct hosts come first, then those with
// more cards; a card goes to its best topic only, and a topic needs two
// cards. The same cards always give the same topics.
func GroupByTheme(cards []Card, n int) []Topic {
	type group struct {
		label string
		cards []int
	}
	byKey := map[string]*group{}
	var keys []string
	for i, c := range cards {
		seen := map[string]bool{}
		for _, th := range c.Themes {
			label := strings.Join(strings.Fields(th), " ")
			key := strings.ToLower(label)
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			g, ok := byKey[key]
			if !ok {
				g = &group{label: label}
				byKey[key] = g
				keys = append(keys, key)
			}
			g.cards = append(g.cards, i)
		}
	}
	used := make([]bool, len(cards))
	// score counts a group's distinct hosts and cards among the unused
	// cards.
	score := func(g *group) (hosts, count int) {
		seen := map[string]bool{}
		for _, i := range g.cards {
			if used[i] {
				continue
			}
			count++
			if h := cards[i].Host; !seen[h] {
				seen[h] = true
				hosts++
			}
		}
		return hosts, count
	}
	slices.Sort(keys)
	var out []Topic
	for len(out) < n {
		var best *group
		bestHosts, bestCount := 0, 0
		for _, k := range keys {
			g := byKey[k]
			h, c := score(g)
			if c >= 2 && (best == nil || cmp.Or(cmp.Compare(h, bestHosts), cmp.Compare(c, bestCount)) > 0) {
				best, bestHosts, bestCount = g, h, c
			}
		}
		if best == nil {
			break
		}
		t := Topic{Label: best.label}
		for _, i := range best.cards {
			if !used[i] {
				used[i] = true
				t.Rows = append(t.Rows, cards[i].Rows...)
			}
		}
		out = append(out, t)
	}
	return out
}

package web

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/cardindex"
)

// siteRelated finds each exported card's related cards among the exported
// cards, in memory, the way the stores' RelatedByText picks them: by the
// card's rarest candidate words ([cardindex.Candidates] chosen by
// [cardindex.Rarest]). A card ranks by the shared words, the rarer the
// higher (the sum of their inverse document frequencies), the newer first
// on a tie. One pass over the cards replaces a search of the store per
// card, and a static site only links cards it holds.
type siteRelated struct {
	cards    []schema.CardSummary
	byID     map[string]int32
	words    [][]string         // each card's candidate words
	postings map[string][]int32 // the cards holding each word, in order
}

// newSiteRelated indexes the candidate words of cards, read from their
// newest versions on every core.
func newSiteRelated(ctx context.Context, c Collection, cards []schema.CardSummary) (*siteRelated, error) {
	r := &siteRelated{cards: cards, byID: make(map[string]int32, len(cards)),
		words: make([][]string, len(cards)), postings: map[string][]int32{}}
	err := forEachCard(ctx, len(cards), func(ctx context.Context, i int) error {
		stored, err := c.LatestCard(ctx, cards[i].ID)
		if err != nil {
			return fmt.Errorf("card %s: %w", cards[i].ID, err)
		}
		r.words[i] = cardindex.Candidates(cardindex.Decode(stored.CardJSON))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, c := range cards {
		r.byID[c.ID] = int32(i)
		for _, w := range r.words[i] {
			r.postings[w] = append(r.postings[w], int32(i))
		}
	}
	return r, nil
}

// related returns up to limit cards related to card id, best first; the
// card itself is never among them.
func (r *siteRelated) related(id string, limit int) ([]schema.SearchHit, error) {
	i, ok := r.byID[id]
	if !ok {
		return nil, fmt.Errorf("related to %s: %w", id, schema.ErrNotFound)
	}
	counts := make(map[string]int, len(r.words[i]))
	for _, w := range r.words[i] {
		counts[w] = len(r.postings[w])
	}
	total := float64(len(r.cards))
	scores := map[int32]float64{}
	for _, w := range cardindex.Rarest(r.words[i], counts, len(r.cards)) {
		idf := math.Log(1 + total/float64(counts[w]))
		for _, j := range r.postings[w] {
			if j != i {
				scores[j] += idf
			}
		}
	}
	if limit <= 0 {
		limit = 10
	}
	ranked := make([]scoredCard, 0, len(scores))
	for j, s := range scores {
		ranked = append(ranked, scoredCard{j, s})
	}
	slices.SortFunc(ranked, func(a, b scoredCard) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.card, b.card) // the cards are newest first
	})
	hits := make([]schema.SearchHit, 0, min(limit, len(ranked)))
	for _, s := range ranked[:min(limit, len(ranked))] {
		hits = append(hits, schema.SearchHit{CardSummary: r.cards[s.card], Score: s.score})
	}
	return hits, nil
}

// scoredCard is a card of the index and its score.
type scoredCard struct {
	card  int32
	score float64
}

// siteCollection is the collection as the static site reads it: related
// cards come from the in-memory index of the exported cards.
type siteCollection struct {
	Collection
	rel *siteRelated
}

// RelatedByText returns the cards related to a card among the exported
// ones (see [siteRelated]).
func (c siteCollection) RelatedByText(ctx context.Context, documentID string, limit int) ([]schema.SearchHit, error) {
	return c.rel.related(documentID, limit)
}

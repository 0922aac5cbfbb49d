package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

// RankCards are 30 cards whose summaries all say "solar" and "wind"; the
// titles of cards 0 to 9 say "solar" too, and cards 0 to 14 are of the
// technology category. They are imported in order, card 0 oldest.
func RankCards(t testing.TB) []schema.NewCard {
	t.Helper()
	var cards []schema.NewCard
	for i := range 30 {
		title := fmt.Sprintf("Report number %d", i)
		if i < 10 {
			title = fmt.Sprintf("Solar report number %d", i)
		}
		category := schema.Categories[0]
		if i >= 15 {
			category = schema.Categories[1]
		}
		cards = append(cards, ImportedCard(t, fmt.Sprintf("https://example.org/%d", i),
			time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC), schema.Answer{Title: title, Category: category,
				Summary: strings.Repeat("solar and wind power, ", 1+i%3) + fmt.Sprintf("item %d", i)}))
	}
	return cards
}

// ImportedCard is the card of url made of answer, published then, as
// ImportCard takes it.
func ImportedCard(t testing.TB, url string, published time.Time, answer schema.Answer) schema.NewCard {
	t.Helper()
	js, err := json.Marshal(schema.Card{URL: url, Answer: answer})
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := schema.CanonicalURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return schema.NewCard{DocumentID: schema.DocumentID(canonical), URL: url, CardJSON: string(js),
		Published: published, Provenance: schema.Provenance{Provider: schema.ProviderImported}}
}

// ImportRankCards imports [RankCards] into s.
func ImportRankCards(t testing.TB, s Backend) {
	t.Helper()
	for _, c := range RankCards(t) {
		if _, _, _, err := s.ImportCard(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// HitTitles returns the titles of hits, in order.
func HitTitles(hits []schema.SearchHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Title)
	}
	return out
}

// TestManyMatches checks the searches of s, holding [RankCards] only,
// that match more cards than s ranks (setRankAll sets how many, at most; 0
// restores the store's own): the best cards still come first, every hit
// matches, the filters apply, and a page is filled when fewer cards hold
// the words in their titles.
func TestManyMatches(t *testing.T, s Backend, setRankAll func(n int)) {
	all, err := s.SearchCards(t.Context(), "solar", schema.CardFilter{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		rankAll int // 30 matches, 10 of them by their titles
		query   string
		f       schema.CardFilter
		want    func(t *testing.T, hits []schema.SearchHit)
	}{
		{"title candidates ranked", 10, "solar", schema.CardFilter{Limit: 5},
			func(t *testing.T, hits []schema.SearchHit) {
				if got, want := HitTitles(hits), HitTitles(all); !slices.Equal(got, want) {
					t.Errorf("hits %q, want those of the full ranking %q", got, want)
				}
			}},
		{"newest title candidates", 2, "solar", schema.CardFilter{Limit: 2},
			func(t *testing.T, hits []schema.SearchHit) {
				want := []string{"Solar report number 8", "Solar report number 9"}
				if got := HitTitles(hits); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
					t.Errorf("hits %q, want %q in some order", got, want)
				}
			}},
		{"no title holds the word", 3, "wind", schema.CardFilter{Limit: 5}, nil},
		{"filtered", 3, "solar", schema.CardFilter{Limit: 5, Category: string(schema.Categories[1])},
			func(t *testing.T, hits []schema.SearchHit) {
				for _, h := range hits {
					if h.Category != schema.Categories[1] {
						t.Errorf("hit %q of category %s, want %s", h.Title, h.Category, schema.Categories[1])
					}
				}
			}},
		{"two words", 2, "solar report", schema.CardFilter{Limit: 2}, nil},
		{"page past the candidates", 10, "solar", schema.CardFilter{Limit: 5, Offset: 10}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setRankAll(tt.rankAll)
			defer setRankAll(0)
			hits, err := s.SearchCards(t.Context(), tt.query, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != tt.f.Limit {
				t.Fatalf("%d hits %q, want %d", len(hits), HitTitles(hits), tt.f.Limit)
			}
			for _, h := range hits {
				if !strings.Contains(h.Snippet, schema.SnippetOpen) {
					t.Errorf("hit %q: snippet %q marks no match", h.Title, h.Snippet)
				}
			}
			if tt.want != nil {
				tt.want(t, hits)
			}
		})
	}
}

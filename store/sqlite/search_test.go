package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

// rankStore is a store of 30 cards whose summaries all say "solar" and
// "wind"; the titles of cards 0 to 9 say "solar" too, and cards 0 to 14
// are of the technology category.
func rankStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := range 30 {
		title := fmt.Sprintf("Report number %d", i)
		if i < 10 {
			title = fmt.Sprintf("Solar report number %d", i)
		}
		category := schema.Categories[0]
		if i >= 15 {
			category = schema.Categories[1]
		}
		importAnswer(t, s, fmt.Sprintf("https://example.org/%d", i), time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC),
			schema.Answer{Title: title, Category: category,
				Summary: strings.Repeat("solar and wind power, ", 1+i%3) + fmt.Sprintf("item %d", i)})
	}
	return s
}

// importAnswer imports a card of url made of answer, published then.
func importAnswer(t *testing.T, s *Store, url string, published time.Time, answer schema.Answer) {
	t.Helper()
	js, err := json.Marshal(schema.Card{URL: url, Answer: answer})
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := schema.CanonicalURL(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = s.ImportCard(t.Context(), schema.NewCard{DocumentID: schema.DocumentID(canonical), URL: url,
		CardJSON: string(js), Published: published, Provenance: schema.Provenance{Provider: schema.ProviderImported}})
	if err != nil {
		t.Fatal(err)
	}
}

func hitTitles(hits []schema.SearchHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Title)
	}
	return out
}

// TestSearchManyMatches checks the searches that match more cards than are
// ranked: the best cards still come first, every hit matches, the filters
// apply, and a page is filled when fewer cards hold the words in their
// titles.
func TestSearchManyMatches(t *testing.T) {
	s := rankStore(t)
	all, err := s.SearchCards(t.Context(), "solar", schema.CardFilter{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		rankAll int // 30 matches: 10 ranks the titles by all columns, 2 by the titles only
		query   string
		f       schema.CardFilter
		want    func(t *testing.T, hits []schema.SearchHit)
	}{
		{"title candidates ranked by every column", 10, "solar", schema.CardFilter{Limit: 5},
			func(t *testing.T, hits []schema.SearchHit) {
				if got, want := hitTitles(hits), hitTitles(all); !slices.Equal(got, want) {
					t.Errorf("hits %q, want those of the full ranking %q", got, want)
				}
			}},
		{"titles only", 2, "solar", schema.CardFilter{Limit: 2},
			func(t *testing.T, hits []schema.SearchHit) {
				for _, h := range hits {
					if !strings.HasPrefix(h.Title, "Solar") {
						t.Errorf("hit %q does not say solar in its title", h.Title)
					}
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
			s.rankAll = tt.rankAll
			defer func() { s.rankAll = 0 }()
			hits, err := s.SearchCards(t.Context(), tt.query, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != tt.f.Limit {
				t.Fatalf("%d hits %q, want %d", len(hits), hitTitles(hits), tt.f.Limit)
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

// TestHeadBackfill checks that Open fills card_head when the meta row
// 'search_head' is missing, as after migration 0012 on a database made
// before it.
func TestHeadBackfill(t *testing.T) {
	s := rankStore(t)
	count := func() int {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM card_head('solar')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 10 {
		t.Fatalf("%d titles say solar, want 10", n)
	}
	if _, err := s.db.Exec(`DELETE FROM card_head; DELETE FROM meta WHERE key = 'search_head'`); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d titles say solar after emptying card_head", n)
	}
	if err := s.ensureIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 10 {
		t.Errorf("%d titles say solar after the backfill, want 10", n)
	}
}

// TestIndexState checks that the number of cards read from FTS5's
// averages record is the number of indexed cards.
func TestIndexState(t *testing.T) {
	s := rankStore(t)
	_, total, err := s.indexState(t.Context())
	if err != nil || total != 30 {
		t.Errorf("indexState: %d cards, %v; want 30", total, err)
	}
	for _, tt := range []struct {
		b    []byte
		want uint64
	}{{[]byte{0x1e}, 30}, {[]byte{0x81, 0x00}, 128}, {[]byte{0x86, 0x8d, 0x20}, 100_000}} {
		if got := sqliteVarint(tt.b); got != tt.want {
			t.Errorf("sqliteVarint(% x) = %d, want %d", tt.b, got, tt.want)
		}
	}
}

// TestFacetsFollowWrites checks that the cached facets, of the whole
// collection and of a selection, change with it.
func TestFacetsFollowWrites(t *testing.T) {
	s := rankStore(t)
	facet := func(f schema.CardFilter, facet, value string) int {
		fc, err := s.Facets(t.Context(), f, facet, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range fc {
			if c.Value == value {
				return c.Count
			}
		}
		return 0
	}
	count := func() int {
		n := facet(schema.CardFilter{}, schema.FacetCategory, string(schema.Categories[1]))
		if m := facet(schema.CardFilter{Category: string(schema.Categories[1])}, schema.FacetHost, "example.org"); m != n {
			t.Errorf("%d cards of %s from example.org, want %d", m, schema.Categories[1], n)
		}
		return n
	}
	if n := count(); n != 15 {
		t.Fatalf("%d cards of %s, want 15", n, schema.Categories[1])
	}
	url := "https://example.org/new"
	js, _ := json.Marshal(schema.Card{URL: url, Answer: schema.Answer{Title: "New", Category: schema.Categories[1]}})
	canonical, _ := schema.CanonicalURL(url)
	if _, _, _, err := s.ImportCard(t.Context(), schema.NewCard{DocumentID: schema.DocumentID(canonical), URL: url,
		CardJSON: string(js), Published: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 16 {
		t.Errorf("%d cards of %s after adding one, want 16", n, schema.Categories[1])
	}
}

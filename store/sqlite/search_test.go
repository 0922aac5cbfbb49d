package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/cardindex"
	"github.com/veille/veille/store/storetest"
)

// rankStore is a store of [storetest.RankCards].
func rankStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	storetest.ImportRankCards(t, s)
	return s
}

// importAnswer imports a card of url made of answer, published then.
func importAnswer(t *testing.T, s *Store, url string, published time.Time, answer schema.Answer) {
	t.Helper()
	if _, _, _, err := s.ImportCard(t.Context(), storetest.ImportedCard(t, url, published, answer)); err != nil {
		t.Fatal(err)
	}
}

// TestSearchManyMatches checks the searches that match more cards than are
// ranked (see [storetest.TestManyMatches]).
func TestSearchManyMatches(t *testing.T) {
	s := rankStore(t)
	storetest.TestManyMatches(t, s, func(n int) { s.rankAll = n })
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
	importAnswer(t, s, "https://example.org/new", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		schema.Answer{Title: "New", Category: schema.Categories[1]})
	if n := count(); n != 16 {
		t.Errorf("%d cards of %s after adding one, want 16", n, schema.Categories[1])
	}
}

// TestSearchSnippets checks that each hit of a page gets the snippet of
// its own card, from the first column showing the query's words: its
// summary, its page text (read only for such hits) or its title.
func TestSearchSnippets(t *testing.T) {
	s, err := Open(t.Context(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cards := []struct{ url, text, cardJSON, from string }{
		{"https://example.com/a", "Nothing here.", `{"title":"Alpha","summary":"Solar panels on alpha roofs."}`,
			"Solar panels on alpha roofs."},
		{"https://example.com/b", "The beta page says solar farms grow.", `{"title":"Beta","summary":"Wind."}`,
			"The beta page says solar farms grow."},
		{"https://example.com/c", "Nothing.", `{"title":"Gamma solar","summary":"Water."}`, "Gamma solar"},
	}
	want := map[string]string{}
	for _, c := range cards {
		doc := storetest.Document(c.url, c.text)
		if err := s.SaveDocument(t.Context(), doc); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SaveCard(t.Context(), schema.NewCard{DocumentID: doc.ID, URL: doc.URL, CardJSON: c.cardJSON},
			schema.ModelRun{}); err != nil {
			t.Fatal(err)
		}
		want[doc.ID], _ = cardindex.Excerpt(c.from, map[string]bool{"solar": true}, cardindex.SnippetWords)
	}
	hits, err := s.SearchCards(t.Context(), "solar", schema.CardFilter{})
	if err != nil || len(hits) != len(cards) {
		t.Fatalf("SearchCards(solar) = %+v, %v; want %d hits", hits, err, len(cards))
	}
	for _, h := range hits {
		if h.Snippet != want[h.ID] || h.Snippet == "" {
			t.Errorf("hit %s: snippet %q, want %q", h.Title, h.Snippet, want[h.ID])
		}
	}
}

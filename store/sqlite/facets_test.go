package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
)

// tagStore is a store of 40 cards over two categories, three types,
// three hosts, five themes and seven keywords.
func tagStore(t *testing.T) *Store {
	t.Helper()
	return tagStoreAt(t, ":memory:")
}

// tagStoreAt is tagStore in the database at path.
func tagStoreAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	types := []schema.Type{schema.TypeNews, schema.TypeBlogPost, schema.TypeResearchArticle}
	for i := range 40 {
		importAnswer(t, s, fmt.Sprintf("https://host%d.example/%d", i%3, i),
			time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC), schema.Answer{Title: fmt.Sprintf("Card %d", i),
				Category: schema.Categories[i%2], Type: types[i%3],
				Themes:   []string{fmt.Sprintf("theme %d", i%5), fmt.Sprintf("theme %d", (i+1)%5)},
				Keywords: []string{fmt.Sprintf("keyword %d", i%7)}})
	}
	// Tags that a packed tags column must keep apart: line feeds,
	// backslashes, a tag written twice or differently cased, blank ones.
	odd := [][]string{{"a\nb", "a\\nb", "Keyword 1", " keyword 1 "}, {"a\nb", "a\\", "\\", "  "}, {"a", "n\\n\n"}}
	for i, tags := range odd {
		importAnswer(t, s, fmt.Sprintf("https://host%d.example/odd%d", i%3, i),
			time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC), schema.Answer{Title: fmt.Sprintf("Odd %d", i),
				Category: schema.Categories[i%2], Type: types[i%3], Themes: append([]string{"theme 2"}, tags...),
				Keywords: append([]string{"keyword 3"}, tags...)})
	}
	return s
}

// TestFacetsAtOnce checks that the facets of a selection, asked for at
// the same time (as a page does) and counted at once, are those counted
// one by one with SQL.
func TestFacetsAtOnce(t *testing.T) {
	s := tagStore(t)
	facets := []string{schema.FacetCategory, schema.FacetType, schema.FacetTheme, schema.FacetKeyword,
		schema.FacetHost, schema.FacetProvider, schema.FacetOrigin, schema.FacetWeek}
	category := string(schema.Categories[1])
	for _, f := range []schema.CardFilter{
		{},
		{Category: category},
		{Category: category, Theme: "theme 2"},
		{Theme: "theme 2", Keyword: "keyword 3"},
		{Theme: "a\nb"},
		{Category: string(schema.Categories[0]), Keyword: "\\"},
		{Type: string(schema.TypeNews), Host: "host1.example"},
		{Since: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)},
	} {
		for _, limit := range []int{0, 3} {
			got := make([][]schema.FacetCount, len(facets))
			errs := make([]error, len(facets))
			var wg sync.WaitGroup
			for i, facet := range facets {
				wg.Go(func() { got[i], errs[i] = s.Facets(t.Context(), f, facet, limit) })
			}
			wg.Wait()
			for i, facet := range facets {
				want := facetsBySQL(t, s, f, facet, limit)
				if errs[i] != nil || !reflect.DeepEqual(got[i], want) {
					t.Errorf("Facets(%+v, %s, %d) = %v, %v; want %v", f, facet, limit, got[i], errs[i], want)
				}
			}
		}
	}
}

// TestMigration14PacksTags checks that migration 0014 packs the tags of
// card_tags as a new card's row of card_latest holds them (see packTags).
func TestMigration14PacksTags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tags.db")
	s := tagStoreAt(t, path)
	written := latestTags(t, s)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m store.Migration) bool { return m.Version == 14 })
	if _, err := s.db.ExecContext(t.Context(), fmt.Sprintf(`ALTER TABLE card_latest DROP COLUMN tags;
		PRAGMA user_version = %d`, ms[i-1].Version)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	migrated := latestTags(t, s)
	if len(written) != 43 || !reflect.DeepEqual(migrated, written) {
		t.Errorf("tags after migration 0014: %v; want %v", migrated, written)
	}
}

// latestTags reads the tags column of card_latest, by card id, each
// card's lines sorted.
func latestTags(t *testing.T, s *Store) map[int64][]string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT card_id, tags FROM card_latest`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var tags string
		if err := rows.Scan(&id, &tags); err != nil {
			t.Fatal(err)
		}
		out[id] = strings.Split(tags, "\n")
		slices.Sort(out[id])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// facetsBySQL counts facet over the cards f selects with one SQL query.
func facetsBySQL(t *testing.T, s *Store, f schema.CardFilter, facet string, limit int) []schema.FacetCount {
	t.Helper()
	w := filterWhere(f)
	query := `SELECT ` + facetColumns[facet] + ` AS v, count(*) FROM card_latest c WHERE ` + w.String() +
		` AND v != '' GROUP BY v`
	args := w.args
	if tagFacet(facet) {
		query = `SELECT t.value, count(*) FROM card_latest c JOIN card_tags t ON t.card_id = c.card_id
			AND t.kind = ? WHERE ` + w.String() + ` GROUP BY t.value`
		args = append([]any{facet}, w.args...)
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(t.Context(), query+` ORDER BY 2 DESC, 1 LIMIT ?`, append(args, limit)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []schema.FacetCount{}
	for rows.Next() {
		var fc schema.FacetCount
		if err := rows.Scan(&fc.Value, &fc.Count); err != nil {
			t.Fatal(err)
		}
		out = append(out, fc)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestListTags checks the listings and counts of the cards of tags, read
// from card_tags' indexes and card_latest's indexes in order (see
// readInOrder) or from card_latest's rows, against those read from
// card_latest's rows, for every order and page.
func TestListTags(t *testing.T) {
	s := tagStore(t)
	category := string(schema.Categories[1])
	inOrder := 0
	for _, f := range []schema.CardFilter{
		{Theme: "theme 2"},
		{Theme: "theme 2", Keyword: "keyword 3"},
		{Category: category, Theme: "theme 2"},
		{Category: category, Keyword: "keyword 1", Theme: "theme 1"},
		{Theme: "none"},
	} {
		w := filterWhere(f)
		var want int
		if err := s.db.QueryRow(`SELECT count(*) FROM card_latest c WHERE `+w.String(), w.args...).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CountCards(t.Context(), f); err != nil || n != want {
			t.Errorf("CountCards(%+v) = %d, %v; want %d", f, n, err, want)
		}
		for _, sort := range []string{"", schema.SortOldest, schema.SortTitle} {
			for _, limit := range []int{1, 2, 5, 50} {
				for _, offset := range []int{0, 1, 3} {
					g := f
					g.Sort, g.Limit, g.Offset = sort, limit, offset
					if _, in, err := s.readInOrder(t.Context(), w, limit+offset); err != nil {
						t.Fatal(err)
					} else if in {
						inOrder++
					}
					got, err := s.ListCards(t.Context(), g)
					if err != nil {
						t.Fatal(err)
					}
					order, _ := orderBy(sort, "")
					rows, err := s.db.Query(`SELECT `+summaryColumns+` FROM card_latest c WHERE `+w.String()+
						` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
					if err != nil {
						t.Fatal(err)
					}
					want := []schema.CardSummary{}
					for rows.Next() {
						c, err := scanSummary(rows)
						if err != nil {
							t.Fatal(err)
						}
						want = append(want, c)
					}
					rows.Close()
					if !reflect.DeepEqual(got, want) {
						t.Errorf("ListCards(%+v) = %v; want %v", g, got, want)
					}
				}
			}
		}
	}
	if inOrder == 0 {
		t.Error("no listing read the index in order")
	}
}

package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/storetest"
)

// TestImportCardsAsImportCard checks that a batch (its tags and full-text
// rows held back until it flushes, its cards indexed while it writes)
// stores what importing its cards one by one stores: a batch holding a
// document twice, a card already stored, tags repeated in a card, and
// cards with and without their decoded card.
func TestImportCardsAsImportCard(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	card := func(i int, title string, decoded bool) schema.NewCard {
		c := storetest.ImportedCard(t, fmt.Sprintf("https://www.site%d.example/page", i%4), day.AddDate(0, 0, i),
			schema.Answer{Title: title, Keywords: []string{"Solar", "solar ", "wind power"}, Themes: []string{"énergie"},
				Category: schema.Categories[i%2], Summary: "Des toitures solaires " + title,
				Concerns: []schema.Row{{Name: "cost", Description: "panels cost " + title}}})
		if decoded {
			var sc schema.Card
			if err := json.Unmarshal([]byte(c.CardJSON), &sc); err != nil {
				t.Fatal(err)
			}
			c.Decoded = &sc
		}
		c.Spans = []schema.Span{{Section: "concerns", Name: "cost", Start: -1, End: -1, Method: schema.GroundNone}}
		return c
	}
	first := []schema.NewCard{card(0, "alpha", true), card(1, "beta", false)}
	batch := []schema.NewCard{card(2, "gamma", true), card(0, "alpha", false), card(1, "beta two", true),
		card(3, "delta", false), card(1, "beta three", true), card(2, "gamma two", false)}

	ctx := context.Background()
	one, many := openTestStore(t), openTestStore(t)
	var want []schema.ImportResult
	for _, c := range append(first, batch...) {
		id, version, changed, err := one.ImportCard(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, schema.ImportResult{CardID: id, Version: version, Changed: changed})
	}
	var got []schema.ImportResult
	for _, cs := range [][]schema.NewCard{first, batch} {
		r, err := many.ImportCards(ctx, cs)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r...)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ImportCards = %+v\nImportCard one by one: %+v", got, want)
	}
	// A batch is written without checking foreign keys: none may dangle.
	if bad := dump(t, many, `PRAGMA foreign_key_check`); bad != "" {
		t.Errorf("rows pointing nowhere after the batches:\n%s", bad)
	}
	for _, q := range []string{
		`SELECT card_id, kind, value, category FROM card_tags ORDER BY card_id, kind, value`,
		`SELECT card_id, document_id, version, title, published, host, category, rows_total, week FROM card_latest
			ORDER BY card_id`,
		`SELECT id, document_id, version, latest FROM cards ORDER BY id`,
		`SELECT card_id, section, row_index FROM card_spans ORDER BY rowid`,
		`SELECT rowid FROM card_search WHERE card_search MATCH 'solaire' ORDER BY rowid`,
		`SELECT rowid FROM card_search WHERE card_search MATCH 'beta OR gamma OR two' ORDER BY rowid`,
		`SELECT rowid FROM card_head WHERE card_head MATCH 'solar OR alpha OR three' ORDER BY rowid`,
	} {
		if a, b := dump(t, one, q), dump(t, many, q); a != b {
			t.Errorf("%s\none by one:\n%s\nin batches:\n%s", q, a, b)
		} else if a == "" {
			t.Errorf("%s: no rows", q)
		}
	}
}

// dump is the rows of query, one a line.
func dump(t *testing.T, s *Store, query string) string {
	t.Helper()
	rows, err := s.db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

package sqlite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/cardindex"
	"github.com/veille/veille/store/storetest"
)

func TestQueryTerms(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`"energy" OR title:x*`, `"energy" AND "or" AND "title" AND "x"`},
		{`'); DROP TABLE cards;--`, `"drop" AND "table" AND "card"`},
		{`NEAR(a b)`, `"near" AND "a" AND "b"`},
		{`-*^:(){}"`, ``},
		{`voitures voiture`, `"voiture"`},
	}
	for _, tt := range tests {
		if got := matchExpr(cardindex.QueryTerms(tt.query), "AND"); got != tt.want {
			t.Errorf("query %q = %s, want %s", tt.query, got, tt.want)
		}
	}
	if n := len(cardindex.QueryTerms(strings.Repeat("a b c d e f g h i j ", 20) + strings.Repeat("x", 10_000))); n != 11 {
		t.Errorf("%d terms, want 11", n)
	}
	many := ""
	for i := range 200 {
		many += " w" + strings.Repeat("z", i%50) + string(rune('a'+i%26))
	}
	if n := len(cardindex.QueryTerms(many)); n != cardindex.MaxQueryTerms {
		t.Errorf("%d terms, want %d", n, cardindex.MaxQueryTerms)
	}
}

// FuzzSearchQuery checks that no query is an error.
func FuzzSearchQuery(f *testing.F) {
	for _, seed := range []string{"", `"`, `-`, `*`, `NEAR(`, `a OR`, `title:x`, `'); DROP TABLE cards;--`,
		"énergie", "\x00\xff", `{title summary}: "x" ^ y*`, "AND OR NOT", "e\u0301"} {
		f.Add(seed)
	}
	ctx := f.Context()
	s, err := Open(ctx, filepath.Join(f.TempDir(), "veille.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	doc := storetest.Document("https://example.com/a", "Les voitures électriques et l'énergie.")
	if err := s.SaveDocument(ctx, doc); err != nil {
		f.Fatal(err)
	}
	if _, _, err := s.SaveCard(ctx, schema.NewCard{DocumentID: doc.ID, URL: doc.URL,
		CardJSON: `{"title":"Énergie et voitures","keywords":["bus"],"themes":["near"]}`}, schema.ModelRun{}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := s.SearchCards(ctx, q, schema.CardFilter{}); err != nil {
			t.Errorf("SearchCards(%q): %v", q, err)
		}
	})
}

// TestMigration6Backfills opens a database of the previous release and
// checks the cards' dates and derived data.
func TestMigration6Backfills(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var before []store.Migration
	for _, m := range ms {
		if m.Version < 6 {
			before = append(before, m)
		}
	}
	path := filepath.Join(t.TempDir(), "old.db")
	old := applyFirst(t, path, before)
	body, err := store.Gzip(nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := []struct{ url, published, cardJSON string }{
		{"https://www.example.com/dated", `"2025-05-30T08:00:00+02:00"`, `{"title":"Dated énergies","category":"city","themes":["Énergie"]}`},
		{"https://example.com/day", `"2025-05-29"`, `{"title":"Day"}`},
		{"https://example.com/garbage", `"last Tuesday"`, `not json`},
		{"https://example.com/number", `12`, `{}`},
	}
	for i, d := range docs {
		id := schema.DocumentID(d.url)
		if _, err := old.db.Exec(`INSERT INTO documents (id, canonical_url, url, final_url, status, content_type,
			fetched_at, content_hash, body_gzip, text, metadata, method) VALUES (?, ?, ?, ?, 200, 'text/html',
			'2025-06-01T10:00:00.5Z', 'h', ?, 'Some voitures.', ?, 'x')`, id, d.url, d.url, d.url, body,
			`{"published":`+d.published+`}`); err != nil {
			t.Fatal(err)
		}
		for v := 1; v <= 2; v++ {
			if _, err := old.db.Exec(`INSERT INTO cards (document_id, version, url, card_json, markdown, raw_json,
				provider, model, prompt_name, prompt_version, prompt_hash, input_tokens, output_tokens, requests,
				latency_ms, cost_usd, cached, rows_total, rows_grounded, created_at) VALUES (?, ?, ?, ?, '', '',
				'openai', 'm', '', '', '', 0, 0, 0, 0, 0, 0, 0, 0, '2025-06-01T10:00:01Z')`,
				id, v, d.url, d.cardJSON); err != nil {
				t.Fatalf("doc %d: %v", i, err)
			}
		}
	}
	old.Close()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wants := []time.Time{time.Date(2025, 5, 30, 6, 0, 0, 0, time.UTC), time.Date(2025, 5, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)}
	for i, d := range docs {
		c, err := s.LatestCard(t.Context(), schema.DocumentID(d.url))
		if err != nil || c.Version != 2 || !c.Published.Equal(wants[i]) {
			t.Errorf("%s: published %v (version %d, %v), want %v", d.url, c.Published, c.Version, err, wants[i])
		}
	}
	if n, err := s.CountCards(t.Context(), schema.CardFilter{}); err != nil || n != 4 {
		t.Errorf("CountCards = %d, %v; want 4 (newest versions)", n, err)
	}
	cards, err := s.ListCards(t.Context(), schema.CardFilter{Theme: "énergie", Host: "example.com", Category: "city"})
	if err != nil || len(cards) != 1 || cards[0].Title != "Dated énergies" {
		t.Errorf("ListCards after the backfill = %+v, %v", cards, err)
	}
	if hits, err := s.SearchCards(t.Context(), "energie", schema.CardFilter{}); err != nil || len(hits) != 1 {
		t.Errorf("search after the backfill = %+v, %v", hits, err)
	}
	if hits, err := s.SearchCards(t.Context(), "voiture", schema.CardFilter{}); err != nil || len(hits) != 4 {
		t.Errorf("search in the page texts after the backfill = %d hits, %v; want 4", len(hits), err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "veille.db")
	missing := filepath.Join(t.TempDir(), "none.db")
	if _, err := OpenReadOnly(ctx, missing); err == nil || err.Error() != "database "+missing+": no such file" {
		t.Errorf("OpenReadOnly of a missing file: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s", missing)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	doc := storetest.Document("https://example.com/a", "Les voitures.")
	if err := s.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SaveCard(ctx, schema.NewCard{DocumentID: doc.ID, URL: doc.URL, CardJSON: `{"title":"Bus"}`},
		schema.ModelRun{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if hits, err := ro.SearchCards(ctx, "voiture", schema.CardFilter{}); err != nil || len(hits) != 1 {
		t.Errorf("SearchCards read-only = %+v, %v", hits, err)
	}
	if n, err := ro.CountCards(ctx, schema.CardFilter{}); err != nil || n != 1 {
		t.Errorf("CountCards read-only = %d, %v", n, err)
	}
	if err := ro.SaveDocument(ctx, storetest.Document("https://example.com/b", "b")); err == nil {
		t.Error("SaveDocument on a read-only store: no error")
	}
	if _, _, _, err := ro.ImportCard(ctx, schema.NewCard{DocumentID: doc.ID, URL: doc.URL, CardJSON: `{}`}); err == nil {
		t.Error("ImportCard on a read-only store: no error")
	}

	old := filepath.Join(t.TempDir(), "old.db")
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	applyFirst(t, old, ms[:len(ms)-1]).Close()
	if _, err := OpenReadOnly(ctx, old); err == nil || !strings.Contains(err.Error(), "older") {
		t.Errorf("OpenReadOnly of an older schema: %v", err)
	}
}

package postgres

import (
	"slices"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/postgres/pgtest"
	"github.com/veille/veille/store/storetest"
)

// indexNames are the names of the indexes of the store's tables, and of
// their constraints (with their definitions), sorted.
func indexNames(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT indexname FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename NOT LIKE 'river%'
		UNION ALL
		SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
			WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE 'river%'
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// TestDeferredIndexesBuiltOnOpen drops the indexes and constraints of the
// derived tables, the cards and their spans as a copy does, then opens
// the store again, as after a copy cut off: Open builds them, and the
// search finds the cards as before.
func TestDeferredIndexesBuiltOnOpen(t *testing.T) {
	ctx := t.Context()
	dsn := pgtest.NewDatabase(t)
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.ImportRankCards(t, s)
	want := indexNames(t, s)
	hits, err := s.SearchCards(ctx, "solar", schema.CardFilter{})
	if err != nil || len(hits) == 0 {
		t.Fatalf("SearchCards = %d hits, %v; want some", len(hits), err)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range append([]string{"cards", "card_spans"}, derivedTables...) {
		if err := deferIndexes(ctx, conn, table); err != nil {
			t.Fatal(err)
		}
	}
	conn.Release()
	got := indexNames(t, s)
	for _, name := range []string{"card_tags_pkey", "card_tags_card_id_fkey", "cards_document_id_fkey",
		"card_spans_pkey", "card_search_doc"} {
		if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, name) }) {
			t.Errorf("after deferIndexes: %s is left; want it dropped", name)
		}
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "cards_pkey") }) {
		t.Errorf("after deferIndexes: cards_pkey dropped; want it left (foreign keys need it)")
	}
	s.Close()

	s, err = Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := indexNames(t, s); !slices.Equal(got, want) {
		t.Errorf("indexes after Open = %q\nwant %q", got, want)
	}
	var left int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key LIKE 'index:%'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("meta rows of deferred indexes after Open = %d, %v; want none", left, err)
	}
	again, err := s.SearchCards(ctx, "solar", schema.CardFilter{})
	if err != nil || len(again) != len(hits) {
		t.Errorf("SearchCards after Open = %d hits, %v; want %d", len(again), err, len(hits))
	}
}

package sqlite

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/storetest"
)

// TestDeferIndexes checks that the indexes an import defers are dropped
// and recorded until BuildIndexes, or until the store is opened again after
// an import cut off, that they come back as they were, and that listing
// works meanwhile.
func TestDeferIndexes(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "veille.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	importSome := func(from int) {
		t.Helper()
		var cs []schema.NewCard
		for i := from; i < from+3; i++ {
			cs = append(cs, storetest.ImportedCard(t, fmt.Sprintf("https://site%d.example/%d", i%2, i),
				time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC), schema.Answer{Title: fmt.Sprintf("Card %d", i),
					Themes: []string{"énergie"}, Category: schema.Categories[i%2]}))
		}
		if _, err := s.ImportCards(ctx, cs); err != nil {
			t.Fatal(err)
		}
	}
	const indexes = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`
	const deferred = `SELECT key FROM meta WHERE key LIKE 'index:%' ORDER BY key`
	listing := `SELECT card_id, title FROM card_latest WHERE category = '` + string(schema.Categories[1]) +
		`' ORDER BY published DESC`
	importSome(0)
	all := dump(t, s, indexes)
	steps := []struct {
		name string
		run  func() error
	}{
		{"built by BuildIndexes", func() error { return s.BuildIndexes(ctx) }},
		{"built by Open after a cut-off import", func() error {
			if err := s.Close(); err != nil {
				return err
			}
			s, err = Open(ctx, path)
			return err
		}},
	}
	for i, step := range steps {
		want := dump(t, s, listing)
		if want == "" {
			t.Fatalf("%s: the listing is empty", step.name)
		}
		if err := s.DeferIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(dump(t, s, deferred), "\n"); got != len(deferredIndexes) {
			t.Errorf("%s: %d indexes recorded as deferred, want %d", step.name, got, len(deferredIndexes))
		}
		if got := strings.Count(dump(t, s, indexes), "\n"); got != strings.Count(all, "\n")-len(deferredIndexes) {
			t.Errorf("%s: %d indexes left, want %d", step.name, got, strings.Count(all, "\n")-len(deferredIndexes))
		}
		if got := dump(t, s, listing); got != want {
			t.Errorf("%s: listing without the indexes:\n%s\nwant\n%s", step.name, got, want)
		}
		importSome(3 * (i + 1))
		if err := step.run(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := dump(t, s, indexes); got != all {
			t.Errorf("%s: indexes\n%s\nwant\n%s", step.name, got, all)
		}
		if got := dump(t, s, deferred); got != "" {
			t.Errorf("%s: still recorded as deferred: %s", step.name, got)
		}
	}
}

// TestImportCheckpointsInBackground checks that the pages a batch wrote are
// copied into the database file once its checkpoint, which runs after the
// commit, is done: the batch's connection does not checkpoint itself.
func TestImportCheckpointsInBackground(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "veille.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var cs []schema.NewCard
	for i := range 200 {
		cs = append(cs, storetest.ImportedCard(t, fmt.Sprintf("https://site.example/%d", i),
			time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), schema.Answer{Title: fmt.Sprintf("Card %d", i),
				Summary: strings.Repeat("Une longue synthèse. ", 50)}))
	}
	if _, err := s.ImportCards(ctx, cs); err != nil {
		t.Fatal(err)
	}
	s.checkpoints.wait()
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() <= before.Size() {
		t.Errorf("database file of %d bytes after the import's checkpoint, %d before: nothing was copied from the log",
			after.Size(), before.Size())
	}
}

// TestSearchHashSize checks that both full-text indexes gather a large
// transaction's words in one segment (migration 0016).
func TestSearchHashSize(t *testing.T) {
	s := openTestStore(t)
	for _, table := range []string{"card_search", "card_head"} {
		if got := dump(t, s, `SELECT v FROM `+table+`_config WHERE k = 'hashsize'`); got != "33554432\n" {
			t.Errorf("%s hashsize = %q, want 33554432", table, got)
		}
	}
}

// TestImportSetsConnectionBack checks that the connections an import
// leaves in the pool check foreign keys and checkpoint at commit again.
func TestImportSetsConnectionBack(t *testing.T) {
	ctx := t.Context()
	s := openTestStore(t)
	c := storetest.ImportedCard(t, "https://site.example/a", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		schema.Answer{Title: "A"})
	if _, err := s.ImportCards(ctx, []schema.NewCard{c}); err != nil {
		t.Fatal(err)
	}
	s.checkpoints.wait()
	// Every idle connection is taken at once: the import's is among them.
	var conns []*sql.Conn
	for range maxIdleConns {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conns = append(conns, conn)
	}
	for i, conn := range conns {
		var fk, checkpoint int
		if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&checkpoint); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || checkpoint != 1000 {
			t.Errorf("connection %d: foreign_keys %d, wal_autocheckpoint %d; want 1 and 1000", i, fk, checkpoint)
		}
	}
}

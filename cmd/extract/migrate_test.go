package main

import (
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
	"github.com/veille/veille/store/sqlite"
)

func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// TestMigrateToPostgres copies a SQLite collection to PostgreSQL twice
// (the second copy changes nothing), then reads it back through the
// commands with --db postgres://…: they print what they print on SQLite.
func TestMigrateToPostgres(t *testing.T) {
	db := collectionDB(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	cards, err := st.LatestCards(ctx, time.Time{})
	if err != nil || len(cards) != 3 {
		t.Fatalf("cards = %d, %v", len(cards), err)
	}
	if err := st.SaveEmbedding(ctx, schema.Embedding{CardID: cards[0].ID, Model: "m", Vector: []float32{0.5, -1, 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveEvalRun(ctx, schema.EvalRun{Gold: "gold", Predictions: "store", Cards: 1, Overall: 0.5,
		ReportJSON: "{}", Sections: []schema.EvalSection{{Section: "signals", Cards: 1}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	dsn := pgtest.NewDatabase(t)
	for range 2 {
		stdout, stderr, code := runExtract(t, "", "migrate", "--from", db, "--to", dsn)
		if code != exitOK || !strings.Contains(stdout, "counts match") {
			t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "cards             3\n") || !strings.Contains(stdout, "card_embeddings   1\n") {
			t.Errorf("migrate counts:\n%s", stdout)
		}
	}
	for _, args := range [][]string{
		{"list"},
		{"list", "--since", "2026-02-01"},
		{"list", "--host", "www.gazette.example.com", "--json"},
		{"related", articleURL},
		{"search", "heat pumps"},
		{"search", "pompes"},
		{"show", articleURL},
	} {
		want, _, code := runExtract(t, "", append(args, "--db", db)...)
		if code != exitOK {
			t.Fatalf("%v on SQLite: exit %d", args, code)
		}
		got, stderr, code := runExtract(t, "", append(args, "--db", dsn)...)
		if args[0] == "search" || args[0] == "related" {
			// The same hits; their scores and order are each backend's
			// ranking (BM25 on SQLite, cover density on PostgreSQL).
			got, want = unranked(got), unranked(want)
		}
		if code != exitOK || got != want {
			t.Errorf("%v on PostgreSQL: exit %d %s\n%s\nwant (as on SQLite)\n%s", args, code, stderr, got, want)
		}
	}
	pg, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	e, err := pg.EmbeddingOf(ctx, cards[0].ID, "m")
	if err != nil || len(e.Vector) != 3 || e.Vector[2] != 2 {
		t.Errorf("embedding = %+v, %v", e, err)
	}
	// New records take ids after the copied ones.
	if _, err := pg.SaveEvalRun(ctx, schema.EvalRun{Gold: "g", Predictions: "p", ReportJSON: "{}"}); err != nil {
		t.Errorf("save after migrate: %v", err)
	}
}

// unranked is the lines of a search or related listing without their
// scores, sorted.
func unranked(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if f := strings.Fields(l); len(f) > 1 && strings.ContainsAny(f[0][:1], "0123456789") && strings.Contains(f[0], ".") {
			lines[i] = strings.Join(f[1:], " ")
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func TestMigrateBadInput(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate", "--from", "x.db"}, exitUsage, "--from and --to are both needed"},
		{[]string{"migrate", "--from", "x.db", "--to", "y.db"}, exitUsage, "want a postgres:// or postgresql:// URL"},
		{[]string{"migrate", "--from", "postgres://h/db", "--to", "postgres://h/db"}, exitUsage, "want a SQLite file"},
		{[]string{"migrate", "--from", "does-not-exist.db", "--to", "postgres://h/db"}, exitFailure, "no such file"},
	}
	for _, tt := range tests {
		_, stderr, code := runExtract(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q on one line", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// TestPostgresDownOneLine checks that a PostgreSQL server that does not
// answer is one line of error naming it, without the password, and exit 1.
func TestPostgresDownOneLine(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, args := range [][]string{{"list"}, {"batch"}, {"serve"}} {
		_, stderr, code := runExtract(t, "", append(args, "--db", "postgres://me:hunter2@"+addr+"/veille")...)
		if code != exitFailure || !strings.Contains(stderr, addr+"/veille") || !strings.Contains(stderr, "connection refused") ||
			strings.Contains(stderr, "hunter2") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line naming %s/veille", args, code, stderr, addr)
		}
	}
}

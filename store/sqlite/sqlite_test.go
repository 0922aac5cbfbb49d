package sqlite

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/storetest"
)

// openTestStore opens a new database in a temporary directory.
func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return openTestStore(t) })
}

// TestNotFoundHidesSQL checks that a missing record is reported as
// schema.ErrNotFound alone: database/sql's error does not escape.
func TestNotFoundHidesSQL(t *testing.T) {
	ctx := t.Context()
	s := openTestStore(t)
	_, errDoc := s.GetDocument(ctx, "https://example.com/none")
	_, errID := s.GetDocumentByID(ctx, "none")
	_, errCard := s.LatestCard(ctx, "none")
	_, errReport := s.EvalRunReport(ctx, 1)
	for i, err := range []error{errDoc, errID, errCard, errReport} {
		if !errors.Is(err, schema.ErrNotFound) || errors.Is(err, sql.ErrNoRows) {
			t.Errorf("error #%d = %v, want schema.ErrNotFound and not sql.ErrNoRows", i, err)
		}
	}
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "sub", "veille.db")
	latest := latestVersion(t)
	for i := 0; i < 2; i++ { // the second Open must find nothing to do
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		if v, err := s.schemaVersion(ctx); err != nil || v != latest {
			t.Errorf("open #%d: user_version = %d, %v; want %d", i+1, v, err, latest)
		}
		assertPragmas(t, s)
		s.Close()
	}
}

// latestVersion is the version of the newest embedded migration.
func latestVersion(t *testing.T) int {
	t.Helper()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1].Version
}

// assertPragmas checks the connection settings of the DSN.
func assertPragmas(t *testing.T, s *Store) {
	t.Helper()
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := s.db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: PRAGMA %s = %q, want %q", s.Path(), pragma, got, want)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "veille.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 9999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer program")
	}
}

// releasedVersion is the schema version of the last released program: the
// databases it made hold cards in the layout of fillReleased.
const releasedVersion = 5

// TestOpenMigratesOlderDatabases checks that a database made by an earlier
// program, at any schema version, opens and reaches the latest version, and
// that the records the last release wrote read back.
func TestOpenMigratesOlderDatabases(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n <= len(ms); n++ {
		path := filepath.Join(t.TempDir(), "old.db")
		old := applyFirst(t, path, ms[:n])
		withData := n > 0 && ms[n-1].Version == releasedVersion
		if withData {
			fillReleased(t, old)
		}
		old.Close()
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("open a database with %d migrations: %v", n, err)
		}
		if v, err := s.schemaVersion(t.Context()); err != nil || v != latestVersion(t) {
			t.Errorf("%d migrations: user_version = %d, %v after Open", n, v, err)
		}
		if withData {
			assertReleasedData(t, s)
		}
		s.Close()
	}
}

// applyFirst makes a database at path with the migrations ms applied.
func applyFirst(t *testing.T, path string, ms []store.Migration) *Store {
	t.Helper()
	s, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if err := s.apply(t.Context(), m); err != nil {
			t.Fatalf("migration %s: %v", m.Name, err)
		}
	}
	return s
}

// Records written by fillReleased.
var (
	oldURL = "https://example.com/old"
	oldID  = schema.DocumentID(oldURL)
)

// fillReleased writes a document, a card with one span and its run the way
// the release at schema version releasedVersion did.
func fillReleased(t *testing.T, s *Store) {
	t.Helper()
	body, err := store.Gzip([]byte("<p>Old text.</p>"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO documents (id, canonical_url, url, final_url, status, content_type, fetched_at,
			content_hash, body_gzip, text, metadata, method) VALUES (?, ?, ?, ?, 200, 'text/html',
			'2025-06-01T10:00:00Z', 'h', ?, 'Old text.', '{"title":"Old"}', 'trafilatura')`,
			[]any{oldID, oldURL, oldURL, oldURL, body}},
		{`INSERT INTO cards (id, document_id, version, url, card_json, markdown, raw_json, provider, model,
			prompt_name, prompt_version, prompt_hash, input_tokens, output_tokens, requests, latency_ms,
			cost_usd, cached, rows_total, rows_grounded, created_at) VALUES (1, ?, 1, ?, '{}', '# Old', '{}',
			'openai', 'gpt-4o-mini', 'card', 'v1', 'p', 10, 5, 1, 1500, 0.01, 0, 1, 1, '2025-06-01T10:00:01Z')`,
			[]any{oldID, oldURL}},
		{`INSERT INTO card_spans (card_id, section, row_index, name, evidence, start_char, end_char, method,
			score) VALUES (1, 'signals', 0, 'n', 'Old', 0, 3, 'exact', 1)`, nil},
	} {
		if _, err := s.db.ExecContext(t.Context(), q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
}

// assertReleasedData reads back what fillReleased wrote.
func assertReleasedData(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	doc, err := s.GetDocumentByID(ctx, oldID)
	if err != nil || doc.Text != "Old text." || string(doc.Body) != "<p>Old text.</p>" || doc.Metadata.Title != "Old" {
		t.Errorf("old document = %+v, %v", doc, err)
	}
	c, err := s.LatestCard(ctx, oldID)
	if err != nil || c.Version != 1 || c.Markdown != "# Old" || c.Latency != 1500*time.Millisecond ||
		!c.CreatedAt.Equal(time.Date(2025, 6, 1, 10, 0, 1, 0, time.UTC)) {
		t.Errorf("old card = %+v, %v", c, err)
	}
	spans, err := s.CardSpans(ctx, c.ID)
	want := schema.Span{Section: "signals", Name: "n", Evidence: "Old", End: 3, Method: schema.GroundExact, Score: 1}
	if err != nil || len(spans) != 1 || spans[0] != want {
		t.Errorf("old spans = %+v, %v; want [%+v]", spans, err, want)
	}
}

// TestOpenPathWithURIDelimiters checks that a database path holding the
// characters a SQLite URI gives a meaning to (?, #, %) opens that very file,
// with its connection settings.
func TestOpenPathWithURIDelimiters(t *testing.T) {
	ctx := t.Context()
	for _, name := range []string{"why?.db", "a#b.db", "100%.db", "q?x=1&y#z%41.db"} {
		path := filepath.Join(t.TempDir(), name)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertPragmas(t, s)
		s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: database not at its path: %v", name, err)
		}
	}
}

// TestReadOnlyFile checks that a database file the user may not write
// opens for reading, and that a write fails with an error.
func TestReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes to read-only files")
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "veille.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	doc := storetest.Document("https://example.com/a", "a")
	if err := s.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a read-only, up-to-date database: %v", err)
	}
	defer ro.Close()
	if _, err := ro.GetDocument(ctx, doc.CanonicalURL); err != nil {
		t.Errorf("GetDocument: %v", err)
	}
	if err := ro.SaveDocument(ctx, storetest.Document("https://example.com/b", "b")); err == nil {
		t.Error("SaveDocument to a read-only file: no error")
	}
}

func TestInMemory(t *testing.T) {
	s, err := Open(t.Context(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	doc := storetest.Document("https://example.com/a", "a")
	if err := s.SaveDocument(t.Context(), doc); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DocumentCount(t.Context()); err != nil || n != 1 {
		t.Errorf("DocumentCount = %d, %v; want 1", n, err)
	}
}

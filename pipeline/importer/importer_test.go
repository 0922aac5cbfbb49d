package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// fakeStore records the cards it gets and answers as the SQLite store
// does: a new version when the document's newest card differs.
type fakeStore struct {
	mu     sync.Mutex
	calls  []schema.NewCard
	newest map[string]string // document ID → card JSON
	ver    map[string]int
	err    error // returned by every call when set
}

func newFakeStore() *fakeStore {
	return &fakeStore{newest: map[string]string{}, ver: map[string]int{}}
}

func (s *fakeStore) ImportCard(_ context.Context, c schema.NewCard) (int64, int, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	if s.err != nil {
		return 0, 0, false, s.err
	}
	if json, ok := s.newest[c.DocumentID]; ok && json == c.CardJSON {
		return int64(len(s.calls)), s.ver[c.DocumentID], false, nil
	}
	s.newest[c.DocumentID] = c.CardJSON
	s.ver[c.DocumentID]++
	return int64(len(s.calls)), s.ver[c.DocumentID], true, nil
}

func (s *fakeStore) urls() []string {
	var out []string
	for _, c := range s.calls {
		out = append(out, c.URL)
	}
	return out
}

func TestImportFolder(t *testing.T) {
	st := newFakeStore()
	sum, err := Import(context.Background(), st, []string{"testdata/cards"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failures) > 0 {
		t.Fatalf("failures: %v", sum.Failures)
	}
	// WalkDir visits a folder's entries in lexical order: "deeper" comes
	// before "run.jsonl".
	want := []string{
		"https://example.org/2026/green-roofs", // current.md
		"https://example.com/exported?id=7",    // export.json
		"https://example.org/a",                // nested/deeper/plain.txt
		"https://example.net/one",              // nested/run.jsonl
		"https://example.net/two",
		"https://example.org/robots?x=1", // older.markdown
		"https://example.com/parsed",     // parse.json
	}
	if got := st.urls(); !slices.Equal(got, want) {
		t.Errorf("cards imported:\n got %q\nwant %q", got, want)
	}
	if sum.Files != 6 || sum.New != 7 || sum.Changed != 0 || sum.Unchanged != 0 || sum.Cards() != 7 {
		t.Errorf("summary = %+v, want 6 files, 7 new cards", sum)
	}
	for _, c := range st.calls {
		if c.Provider != schema.ProviderImported || c.RawJSON != "{}" || c.DocumentID != schema.DocumentID(c.URL) {
			t.Errorf("%s: provider %q, raw %q, document %s", c.URL, c.Provider, c.RawJSON, c.DocumentID)
		}
		if c.Published.IsZero() {
			t.Errorf("%s: no published date", c.URL)
		}
	}

	// A second import of the same files hands the store identical cards.
	first := slices.Clone(st.calls)
	st.calls = nil
	sum, err = Import(context.Background(), st, []string{"testdata/cards"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unchanged != 7 || sum.New != 0 || sum.Changed != 0 {
		t.Errorf("second import: summary = %+v, want 7 unchanged", sum)
	}
	if !reflect.DeepEqual(st.calls, first) {
		t.Errorf("second import: the cards differ from the first's")
	}
}

func TestImportCard(t *testing.T) {
	cards, err := ReadFile("testdata/cards/current.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 1 {
		t.Fatalf("got %d cards, want 1", len(cards))
	}
	c := cards[0]
	b, err := os.ReadFile("testdata/cards/current.md")
	if err != nil {
		t.Fatal(err)
	}
	card, err := markdown.Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat("testdata/cards/current.md")
	if err != nil {
		t.Fatal(err)
	}
	cardJSON, _ := json.Marshal(card)
	if c.URL != "https://example.org/2026/green-roofs" || c.DocumentID != schema.DocumentID(c.URL) ||
		c.Model != "current.md" || c.Provider != schema.ProviderImported || c.RawJSON != "{}" ||
		c.CardJSON != string(cardJSON) || c.Markdown != "" || !c.Published.Equal(info.ModTime()) {
		t.Errorf("card = %+v", c)
	}
	// One ungrounded span per row: 2 signals, 2 concerns, 1 behavior, 1 issue.
	if len(c.Spans) != 6 {
		t.Fatalf("got %d spans, want 6", len(c.Spans))
	}
	want := schema.Span{Section: "issues", Row: 0, Name: "東京の屋上緑化", Start: -1, End: -1, Method: schema.GroundNone}
	if c.Spans[5] != want {
		t.Errorf("last span = %+v, want %+v", c.Spans[5], want)
	}
}

func TestReadFilePublished(t *testing.T) {
	mtime := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	parse := copyFile(t, "testdata/cards/parse.json", dir)
	if err := os.Chtimes(parse, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want []time.Time
	}{
		{parse, []time.Time{mtime}},
		{"testdata/cards/nested/run.jsonl", []time.Time{
			time.Date(2026, 3, 4, 4, 6, 7, 0, time.UTC), time.Date(2025, 12, 24, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		cards, err := ReadFile(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		for _, c := range cards {
			got = append(got, c.Published)
		}
		if !slices.EqualFunc(got, tt.want, time.Time.Equal) {
			t.Errorf("%s: published %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	tests := []struct {
		path      string
		wantCards int
		want      string // the whole message
	}{
		{"testdata/bad/malformed.md", 0,
			`testdata/bad/malformed.md:9: want a table row of 2 cells framed by pipes, got "| only | two columns | extra |"`},
		{"testdata/bad/syntax.json", 0,
			`testdata/bad/syntax.json:4: not a JSON card: invalid character ',' looking for beginning of value`},
		{"testdata/bad/nolink.md", 0, "testdata/bad/nolink.md:3: want `__[External link](URL)__`, got \"## Summary\""},
		{"testdata/bad/nourl.json", 0, `testdata/bad/nourl.json:1: card has no URL (its external link)`},
		{"testdata/bad/badurl.md", 0,
			`testdata/bad/badurl.md:3: card URL: canonical URL "/just/a/path": not an absolute URL (no scheme)`},
		{"testdata/bad/published.json", 0,
			`testdata/bad/published.json:1: field "published" "last tuesday": want an RFC 3339 date-time or a YYYY-MM-DD date`},
		{"testdata/bad/wrongtype.jsonl", 1,
			`testdata/bad/wrongtype.jsonl:3: not a JSON card: field "keywords": want an array, got a string (byte 79)`},
		{"testdata/missing.md", 0, `testdata/missing.md: no such file or directory`},
		{"testdata/cards", 0, `testdata/cards: not a regular file but a directory`},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			cards, err := ReadFile(tt.path)
			if len(cards) != tt.wantCards {
				t.Errorf("got %d cards, want %d", len(cards), tt.wantCards)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want a *FileError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestImportFailures(t *testing.T) {
	st := newFakeStore()
	sum, err := Import(context.Background(), st, []string{"testdata/bad", "testdata/missing", "testdata/cards/parse.json"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range sum.Failures {
		got = append(got, fmt.Sprintf("%s:%d", f.Path, f.Line))
	}
	want := []string{
		"testdata/bad/badurl.md:3", "testdata/bad/malformed.md:9", "testdata/bad/nolink.md:3", "testdata/bad/nourl.json:1",
		"testdata/bad/published.json:1", "testdata/bad/syntax.json:4", "testdata/bad/wrongtype.jsonl:3",
		"testdata/missing:0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("failures:\n got %q\nwant %q", got, want)
	}
	// The first card of wrongtype.jsonl and parse.json are imported.
	if urls := st.urls(); !slices.Equal(urls, []string{"https://example.org/ok", "https://example.com/parsed"}) {
		t.Errorf("imported %q", urls)
	}
	if sum.Files != 8 || sum.New != 2 {
		t.Errorf("summary = %+v, want 8 files and 2 new cards", sum)
	}
}

func TestImportStoreError(t *testing.T) {
	st := newFakeStore()
	st.err = errors.New("database is locked")
	sum, err := Import(context.Background(), st, []string{"testdata/cards"})
	if err == nil || !strings.Contains(err.Error(), "import testdata/cards/current.md to ") || !strings.Contains(err.Error(), "database is locked") {
		t.Fatalf("error = %v", err)
	}
	if len(st.calls) != 1 || sum.Cards() != 0 {
		t.Errorf("store called %d times, summary %+v; want the import to stop at once", len(st.calls), sum)
	}
}

func TestImportCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Import(ctx, newFakeStore(), []string{"testdata/cards"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestIsCardFile(t *testing.T) {
	tests := map[string]bool{"a.md": true, "A.MD": true, "a.markdown": true, "a.txt": true, "a.json": true,
		"a.jsonl": true, "a.html": false, "a.png": false, "md": false, "a.md.bak": false}
	for name, want := range tests {
		if got := IsCardFile(name); got != want {
			t.Errorf("IsCardFile(%q) = %v, want %v", name, got, want)
		}
	}
}

// copyFile copies src into dir and returns the copy's path.
func copyFile(t testing.TB, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// ImportCards imports each card in turn, as the SQLite store does in one
// transaction; an error fails the whole batch.
func (s *fakeStore) ImportCards(ctx context.Context, cs []schema.NewCard) ([]schema.ImportResult, error) {
	out := make([]schema.ImportResult, len(cs))
	for i, c := range cs {
		id, version, changed, err := s.ImportCard(ctx, c)
		if err != nil {
			return nil, err
		}
		out[i] = schema.ImportResult{CardID: id, Version: version, Changed: changed}
	}
	return out, nil
}

// deferringStore is a fakeStore that defers its indexes, and records
// after how many cards it was told to defer and to build them.
type deferringStore struct {
	*fakeStore
	before           int // the cards it holds before the import
	deferAt, builtAt int // -1: not called
}

func (s *deferringStore) CountCards(context.Context, schema.CardFilter) (int, error) {
	return s.before, nil
}

func (s *deferringStore) DeferIndexes(context.Context) error {
	s.deferAt = len(s.calls)
	return nil
}

func (s *deferringStore) BuildIndexes(context.Context) error {
	s.builtAt = len(s.calls)
	return nil
}

func TestImportDefersIndexes(t *testing.T) {
	tests := []struct {
		name             string
		before, cards    int
		deferAt, builtAt int
	}{
		{"one batch", 0, batchSize, -1, -1},
		{"into an empty store", 0, 2*batchSize + 500, batchSize, 2*batchSize + 500},
		{"about as many as held", 2*batchSize - 100, 2*batchSize + 500, batchSize, 2*batchSize + 500},
		{"reached by the third batch", 2*batchSize + 100, 2*batchSize + 500, 2 * batchSize, 2*batchSize + 500},
		{"fewer than held", 2*batchSize + 600, 2*batchSize + 500, -1, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var lines bytes.Buffer
			for i := range tc.cards {
				fmt.Fprintf(&lines, `{"url":"https://example.com/%d","title":"Card %d"}`+"\n", i, i)
			}
			path := filepath.Join(t.TempDir(), "cards.jsonl")
			if err := os.WriteFile(path, lines.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			st := &deferringStore{fakeStore: newFakeStore(), before: tc.before, deferAt: -1, builtAt: -1}
			sum, err := Import(t.Context(), st, []string{path})
			if err != nil || sum.New != tc.cards {
				t.Fatalf("Import = %+v, %v", sum, err)
			}
			if st.deferAt != tc.deferAt || st.builtAt != tc.builtAt {
				t.Errorf("deferred after %d cards, built after %d; want %d and %d", st.deferAt, st.builtAt,
					tc.deferAt, tc.builtAt)
			}
		})
	}
}

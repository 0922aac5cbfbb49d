package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// storedCard is a stored card of the given card, as the store returns it.
func storedCard(t testing.TB, id string, card schema.Card) schema.StoredCard {
	t.Helper()
	js, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	return schema.StoredCard{DocumentID: id, Version: 1, CreatedAt: time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC),
		NewCard: schema.NewCard{DocumentID: id, URL: card.URL, CardJSON: string(js), Markdown: markdown.Render(card)}}
}

func relevancy(n int) *int { return &n }

// testCards are two cards, the first with a signal whose text starts like
// a spreadsheet formula.
func testCards(t testing.TB) []schema.StoredCard {
	cards := []schema.StoredCard{
		storedCard(t, "a1", schema.Card{URL: "https://example.org/bikes", Origin: &schema.Link{Label: "digest", URL: "https://digest.example/12"},
			Answer: schema.Answer{Title: "Cargo bikes", Keywords: []string{"bikes"}, Category: "technology", Signals: []schema.Signal{
				{Name: "Shared fleets", Description: "=cheaper than vans", Relevancy: relevancy(4)},
				{Name: "-Fewer vans", Evidence: "shops report fewer emissions"},
			}, Concerns: []schema.Row{{Name: "Parking", Description: "Where do they park?"}}}}),
		storedCard(t, "b2", schema.Card{URL: "https://example.org/ai", Answer: schema.Answer{Title: "AI"}}),
	}
	cards[0].Published = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	cards[0].Provider = "openai"
	cards[0].RowsTotal, cards[0].RowsGrounded = 4, 2
	cards[1].Published = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	return cards
}

func TestWrite(t *testing.T) {
	cards := testCards(t)
	tests := []struct {
		format Format
		check  func(t *testing.T, out string)
	}{
		{Markdown, func(t *testing.T, out string) {
			if want := cards[0].Markdown + "\n\n" + cards[1].Markdown + "\n"; out != want {
				t.Errorf("got %q, want %q", out, want)
			}
		}},
		{JSON, func(t *testing.T, out string) {
			var all []Card
			if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != 2 || all[1].ID != "b2" || all[1].Title != "AI" {
				t.Errorf("%+v, %v", all, err)
			}
			if !strings.HasPrefix(out, "[\n  {\n    \"id\": \"a1\",") {
				t.Errorf("not an indented array:\n%s", out)
			}
		}},
		{JSONLines, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d lines, want 2", len(lines))
			}
			var c Card
			if err := json.Unmarshal([]byte(lines[0]), &c); err != nil || c.ID != "a1" || c.Version != 1 || c.URL != "https://example.org/bikes" ||
				!c.Published.Equal(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)) || c.Provenance.Provider != "openai" ||
				c.Grounding != (Grounding{Rows: 4, Grounded: 2, Share: 0.5}) {
				t.Errorf("%+v, %v", c, err)
			}
		}},
		{RowsCSV, func(t *testing.T, out string) {
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(rowsHeader(), ",") {
				t.Fatalf("rows = %q, want the header and one line per row of every table", rows)
			}
			want := []string{"a1", "Cargo bikes", "https://example.org/bikes", "https://digest.example/12", "2026-01-15",
				"openai", "technology", "", "bikes", "", "0.50", "signals", "Shared fleets", "'=cheaper than vans", "", "", "", "4", ""}
			if strings.Join(rows[1], "|") != strings.Join(want, "|") {
				t.Errorf("row 1 = %q, want %q", rows[1], want)
			}
			if rows[2][12] != "'-Fewer vans" || rows[2][17] != "" {
				t.Errorf("row 2 = %q", rows[2])
			}
			if rows[3][11] != "concerns" || rows[3][12] != "Parking" || rows[3][14] != "" {
				t.Errorf("row 3 = %q, want the concern", rows[3])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, cards, tt.format); err != nil {
				t.Fatal(err)
			}
			tt.check(t, b.String())
		})
	}
}

func TestWriteErrors(t *testing.T) {
	bad := []schema.StoredCard{{DocumentID: "x1", NewCard: schema.NewCard{CardJSON: `{"title": 1}`}}}
	tests := []struct {
		name   string
		cards  []schema.StoredCard
		format Format
		want   string
	}{
		{"unknown format", nil, "xml", `export format "xml"`},
		{"bad stored JSON", bad, JSONLines, `card x1: not a JSON card: field "title"`},
		{"bad stored JSON in CSV", bad, RowsCSV, `card x1: not a JSON card`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(io.Discard, tt.cards, tt.format)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWriteDir(t *testing.T) {
	cards := testCards(t)
	for _, format := range Formats() {
		t.Run(string(format), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new", "dir")
			if err := WriteDir(dir, cards, format); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := format.FileName()
			if format == Markdown {
				want = "a1.md,b2.md"
			}
			if got := strings.Join(names, ","); got != want {
				t.Errorf("files %q, want %q (no temporary file left)", got, want)
			}
			if format == Markdown {
				if got, _ := os.ReadFile(filepath.Join(dir, "a1.md")); string(got) != cards[0].Markdown {
					t.Errorf("a1.md = %q, want the stored markdown", got)
				}
			}
		})
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1 555", "'+1 555"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"a = b", "a = b"},
		{"title \x1b[2J\x1b]0;pwned\x07 end", "title [2J]0;pwned end"},
		{"\x1b=cmd", "'=cmd"}, // the escape dropped first, then the formula guarded
		{"evil\u202egnp.exe", "evilgnp.exe"},
		{"two\nlines", "two\nlines"},
	}
	for _, tt := range tests {
		if got := spreadsheetSafe(tt.in); got != tt.want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	failure := errors.New("disk on fire")
	tests := []struct {
		name    string
		path    string
		write   func(io.Writer) error
		want    string // the file's content afterwards
		wantErr string
	}{
		{"failed write keeps the old file", path, func(w io.Writer) error {
			io.WriteString(w, "half")
			return failure
		}, "old", "write " + path + ": disk on fire"},
		{"write replaces the file", path, func(w io.Writer) error {
			_, err := io.WriteString(w, "new")
			return err
		}, "new", ""},
		{"missing directory", filepath.Join(dir, "no", "such", "x"), func(io.Writer) error { return nil },
			"", "write " + filepath.Join(dir, "no", "such", "x") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteFileAtomic(tt.path, tt.write)
			if (err == nil) != (tt.wantErr == "") || err != nil && err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.want != "" {
				if got, _ := os.ReadFile(tt.path); string(got) != tt.want {
					t.Errorf("file = %q, want %q", got, tt.want)
				}
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory, want only out.txt (no temporary file)", len(entries))
	}
}

func TestCheckWritableDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckWritableDir(dir); err != nil {
		t.Errorf("writable directory: %v", err)
	}
	if err := CheckWritableDir(filepath.Join(dir, "missing")); err == nil || strings.Contains(err.Error(), ".extract-") {
		t.Errorf("missing directory: err = %v, want the cause without the probe file's name", err)
	}
	if err := CheckWritableDir(file); err == nil {
		t.Error("a file taken for a directory")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries, want the probe file removed", len(entries))
	}
}

func TestAddClosest(t *testing.T) {
	card := schema.Card{URL: "https://a.example/x", Answer: schema.Answer{Title: "A card", Keywords: []string{"k"}}}
	js, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	cards := []schema.StoredCard{{DocumentID: "d1", NewCard: schema.NewCard{CardJSON: string(js), Markdown: markdown.Render(card)}}}
	related := func(_ context.Context, id string) ([]schema.Link, error) {
		if id != "d1" {
			t.Errorf("related asked for %q", id)
		}
		return []schema.Link{{Label: "Another card", URL: "0123456789abcdef0123456789abcdef"}}, nil
	}
	if err := AddClosest(context.Background(), cards, related); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cards[0].Markdown, "## Closest\n\n* [Another card](0123456789abcdef0123456789abcdef)") {
		t.Errorf("markdown has no Closest list:\n%s", cards[0].Markdown)
	}
	back, err := markdown.Parse(cards[0].Markdown)
	if err != nil || len(back.Closest) != 1 || !strings.Contains(cards[0].CardJSON, `"closest"`) {
		t.Errorf("closest not kept: %v, %+v, %s", err, back.Closest, cards[0].CardJSON)
	}
	failing := func(context.Context, string) ([]schema.Link, error) { return nil, errors.New("boom") }
	if err := AddClosest(context.Background(), cards, failing); err == nil || !strings.Contains(err.Error(), "d1") {
		t.Errorf("err = %v, want one naming the card", err)
	}
}

func TestWriteOrdersByDate(t *testing.T) {
	cards := testCards(t)
	cards[0], cards[1] = cards[1], cards[0] // the older first
	var b bytes.Buffer
	if err := Write(&b, cards, JSONLines); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(b.String(), "\n"); !strings.Contains(first, `"id":"a1"`) {
		t.Errorf("first line %s, want the newest card a1", first)
	}
}

package markdown

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
	"github.com/veille/veille/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// TestRowTableMatchesTabulate compares a table of awkward text (East Asian
// wide and fullwidth characters, combining and zero-width characters,
// emoji, ambiguous-width letters, an escaped pipe) with the output of
// python-tabulate 0.8.9 with wcwidth 0.2.5 on the same rows, in
// testdata/tabulate (rows.md was written by tabulate, not by this code).
func TestRowTableMatchesTabulate(t *testing.T) {
	var rows []schema.Row
	readJSON(t, filepath.Join("testdata", "tabulate", "rows.json"), &rows)
	want, err := os.ReadFile(filepath.Join("testdata", "tabulate", "rows.md"))
	if err != nil {
		t.Fatal(err)
	}
	if got := rowTable(rows); got != string(want) {
		t.Errorf("rowTable differs from tabulate:\n%s", firstDifference(string(want), got))
	}
}

// TestRenderGolden renders the synthetic cards testdata/render/*.json and
// compares them with the golden files beside them; -update rewrites those.
func TestRenderGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "render", "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata/render/*.json (%v)", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			var c schema.Card
			readJSON(t, in, &c)
			got := Render(c)
			golden := strings.TrimSuffix(in, ".json") + ".md"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./schema -run TestRenderGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("Render(%s) differs from %s:\n%s", in, golden, firstDifference(string(want), got))
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// BenchmarkRender renders the seed card.
func BenchmarkRender(b *testing.B) {
	c := seedCard(b)
	for b.Loop() {
		Render(c)
	}
}

// BenchmarkParse parses the seed card.
func BenchmarkParse(b *testing.B) {
	md := Render(seedCard(b))
	for b.Loop() {
		if _, err := Parse(md); err != nil {
			b.Fatal(err)
		}
	}
}

// seedCard parses the repository's seed card (seeds/).
func seedCard(tb testing.TB) schema.Card {
	tb.Helper()
	md, err := os.ReadFile(filepath.Join("..", "..", "seeds", "000_bf3c44b3c8125320.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := Parse(string(md))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestDisplayWidthFollowsWcwidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"plain text", 10},
		{"é’ü", 3},          // East Asian ambiguous: 1
		{"e\u0301", 1},      // combining acute accent: 0
		{"東京", 4},           // wide: 2
		{"ｆｕｌｌ", 8},         // fullwidth: 2
		{"한국", 4},           // Hangul syllables: 2
		{"😀", 2},            // emoji presentation: 2
		{"a\u200bb", 2},     // zero-width space: 0
		{"soft\u00adhy", 7}, // soft hyphen: 1, as wcwidth
	}
	for _, tt := range tests {
		if got := displayWidth(tt.s); got != tt.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestDisplayWidthBelowCombining checks the count of the code points
// below U+0300, made without runewidth, against runewidth.
func TestDisplayWidthBelowCombining(t *testing.T) {
	cond := runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}
	for r := rune(0); r < 0x300; r++ {
		want := cond.RuneWidth(r)
		if r == softHyphen {
			want = 1
		}
		if got := displayWidth(string(r)); got != want {
			t.Errorf("displayWidth(%U) = %d, runewidth says %d", r, got, want)
		}
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	r := 3
	c := schema.Card{URL: "https://a.example/x", Answer: schema.Answer{
		Title:    "Title <script>alert(1)</script>",
		Keywords: []string{"<b>bold</b>"},
		Summary:  "A summary with <img src=x onerror=alert(1)> in it.",
		Concerns: []schema.Row{{Name: "<i>n</i>", Description: "d < e", Relevancy: &r}},
	}}
	md := Render(c)
	if strings.Contains(md, "<") {
		t.Fatalf("rendered card contains raw HTML:\n%s", md)
	}
	back, err := Parse(md)
	if err != nil {
		t.Fatal(err)
	}
	if back.Title != c.Title || back.Keywords[0] != c.Keywords[0] || back.Summary != c.Summary ||
		back.Concerns[0].Name != c.Concerns[0].Name || back.Concerns[0].Description != c.Concerns[0].Description {
		t.Errorf("Parse(Render(c)) lost text: got %+v", back)
	}
}

func TestRenderDropsControlCharacters(t *testing.T) {
	c := schema.Card{URL: "https://a.example/x", Answer: schema.Answer{
		Title:   "Title \x1b[2J\x1b]0;pwned\x07 end",
		Summary: "line one\x00\nline two\u009b",
	}}
	md := Render(c)
	for _, bad := range []string{"\x1b", "\x07", "\x00", "\u009b"} {
		if strings.Contains(md, bad) {
			t.Errorf("rendered card contains control character %q", bad)
		}
	}
	if !strings.Contains(md, "Title [2J]0;pwned end") || !strings.Contains(md, "line one\nline two") {
		t.Errorf("text around the control characters was lost:\n%s", md)
	}
}

func TestStored(t *testing.T) {
	card := schema.Card{URL: "https://example.com/a", Answer: schema.Answer{Title: "Stored"}}
	js, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		markdown string
		cardJSON string
		want     string
	}{
		{"markdown stored", "# __kept__", string(js), "# __kept__"},
		{"none stored: rendered", "", string(js), Render(card)},
		{"none stored, JSON that does not decode", "", "{", ""},
	}
	for _, tc := range tests {
		c := schema.StoredCard{NewCard: schema.NewCard{CardJSON: tc.cardJSON, Markdown: tc.markdown}}
		if got := Stored(c); got != tc.want {
			t.Errorf("%s: Stored = %q, want %q", tc.name, got, tc.want)
		}
	}
}

package eval

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

func TestDecodeCardErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
	}{
		{"a.json", "{\n \"url\": \"https://x.org\",\n \"keywords\": \"not a list\"\n}", 3},
		{"b.json", "{\n \"url\": \"https://x.org\",,\n}", 2},
		{"c.json", "", 1},
		{"d.md", "# __T__\n\n__[External link](https://x.org)__\n\n## Signals\n\n| name |\n|:--|\n| a | b |\n", 9},
		{"e.md", "no title line", 1},
	}
	for _, tt := range tests {
		_, err := DecodeCard(tt.name, []byte(tt.data))
		var pe *markdown.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a *markdown.ParseError", tt.name, err)
			continue
		}
		if pe.Line != tt.line {
			t.Errorf("%s: line %d, want %d (%v)", tt.name, pe.Line, tt.line, err)
		}
	}
}

func TestCardIDAndPairing(t *testing.T) {
	if got := cardID(filepath.Join("gold", "pairs", "abc", "card.md")); got != "abc" {
		t.Errorf("cardID(pairs/abc/card.md) = %q", got)
	}
	if got := cardID("seeds/000_x.txt"); got != "000_x" {
		t.Errorf("cardID(seeds/000_x.txt) = %q", got)
	}
	card := func(url string) *schema.Card { return &schema.Card{URL: url} }
	gold := []LoadedCard{
		{ID: "a", File: "g/a.md", Card: card("https://Example.org/a?utm_source=x")},
		{ID: "b", File: "g/b.md", Card: card("https://example.org/b")},
		{ID: "c", File: "g/c.md", Card: card("")},
		{ID: "d", File: "g/d.md", Card: card("https://example.org/d")},
	}
	preds := []LoadedCard{
		{ID: "renamed", File: "p/renamed.md", Card: card("https://example.org/a")}, // by URL
		{ID: "b", File: "p/b.md", Card: card("https://example.org/other")},         // by file name
		{ID: "c", File: "p/c.md", Card: card("")},                                  // by file name
		{ID: "z", File: "p/z.md", Card: card("https://example.org/z")},             // unpaired
	}
	pairs, unpaired := PairCards(gold, preds)
	want := map[string]string{"a": "p/renamed.md", "b": "p/b.md", "c": "p/c.md", "d": ""}
	for _, p := range pairs {
		if p.PredFile != want[p.ID] {
			t.Errorf("%s paired with %q, want %q", p.ID, p.PredFile, want[p.ID])
		}
	}
	if unpaired != 1 {
		t.Errorf("unpaired = %d, want 1", unpaired)
	}
}

func TestLoadGoldFindsCardFilesOnly(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cardMD := "# __T__\n\n__[External link](https://x.org/1)__\n\n## Keywords\n\n* a"
	write("pairs/p1/card.md", cardMD)
	write("pairs/p1/article.txt", "Headline\nText.")
	write("pairs/p1/page.json", `{"url": "https://x.org/1"}`)
	write("seeds/000_s.txt", cardMD)
	write("cards/broken.md", "oops")
	cards, errs, err := LoadGold(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 2 || cards[0].ID != "p1" || cards[1].ID != "000_s" {
		t.Errorf("cards = %+v, want p1 and 000_s", cards)
	}
	if len(errs) != 1 || errs[0].Line != 1 || filepath.Base(errs[0].File) != "broken.md" {
		t.Errorf("errors = %+v, want broken.md line 1", errs)
	}
}

func FuzzDecodeCard(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("..", "seeds", "000_bf3c44b3c8125320.txt"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("card.md", seed)
	f.Add("card.json", []byte(`{"url":"https://x.org","title":"T","keywords":["a"],"signals":[{"name":"n","relevancy":3}],"provenance":{"model":"m"}}`))
	f.Add("card.json", []byte("{\n\"title\": 1}"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		lc, err := DecodeCard(name, data)
		if err != nil {
			var pe *markdown.ParseError
			if errors.As(err, &pe) && (pe.Line < 1 || pe.Line > bytes.Count(data, []byte("\n"))+2) {
				t.Fatalf("error line %d outside the file's %d lines: %v", pe.Line, bytes.Count(data, []byte("\n"))+1, err)
			}
			return
		}
		// Whatever parses can be scored, and scores 1 against itself.
		c := Compare(lc.Card, lc.Card)
		for _, s := range c.Sections {
			if !s.NA && s.Score != 1 {
				t.Fatalf("%s against itself: %s = %v", name, s.Section, s.Score)
			}
		}
	})
}

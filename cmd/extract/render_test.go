package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseThenRenderReproducesTheSeed is `extract parse X.md | extract
// render -` on the seed card.
func TestParseThenRenderReproducesTheSeed(t *testing.T) {
	want, err := os.ReadFile(seedCard)
	if err != nil {
		t.Fatal(err)
	}
	cardJSON, stderr, code := runExtract(t, "", "parse", seedCard)
	if code != exitOK {
		t.Fatalf("parse: exit %d: %s", code, stderr)
	}
	got, stderr, code := runExtract(t, cardJSON, "render", "-")
	if code != exitOK {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	if got != string(want) {
		t.Error("extract parse seed | extract render - differs from the seed")
	}
}

// TestParseThenRenderReproducesGoldCards runs the pipe on every
// current-layout gold card in ../shared.
func TestParseThenRenderReproducesGoldCards(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "gold")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("../shared/gold not found (%v): skipping", err)
	}
	cards, _ := filepath.Glob(filepath.Join(shared, "cards", "*.md"))
	pairs, _ := filepath.Glob(filepath.Join(shared, "pairs", "*", "card.md"))
	checked := 0
	for _, path := range append(cards, pairs...) {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.SplitN(string(want), "\n", 2)[0], "__, from ([") {
			continue // older layout: Render writes the current one
		}
		cardJSON, stderr, code := runExtract(t, "", "parse", path)
		if code != exitOK {
			t.Errorf("parse %s: exit %d: %s", path, code, stderr)
			continue
		}
		got, _, _ := runExtract(t, cardJSON, "render", "-")
		if got != string(want) {
			t.Errorf("extract parse %s | extract render - differs from the file", path)
		}
		checked++
	}
	t.Logf("%d current-layout gold cards reproduced byte for byte", checked)
}

func TestRenderRejectsBadJSON(t *testing.T) {
	tests := []struct{ name, stdin, want string }{
		{"not JSON", "hello", "render -: not a JSON card: "},
		{"unknown field", `{"url": "u", "colour": "red"}`, `unknown field "colour"`},
		{"trailing data", `{"url": "u"} {}`, "data after the card"},
		{"wrong type", `{"url": 3}`, `field "url": want a string, got a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runExtract(t, tt.stdin, "render", "-")
			if code != exitFailure || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, tt.want)
			}
		})
	}
}

func TestRenderReadsAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "card.json")
	if err := os.WriteFile(path, []byte(`{"url": "https://e.example", "title": "T", "keywords": ["a"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runExtract(t, "", "render", path)
	want := "# __T__\n\n__[External link](https://e.example)__\n\n\n\n## Keywords\n\n* a"
	if code != exitOK || stdout != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}
}

package markdown

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

// sharedDir is the data beside the repository (../shared from the module
// root); tests that need it skip when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(filepath.Join(dir, "gold")); err != nil {
		t.Skipf("../shared/gold not found (%v): skipping the tests on gold cards", err)
	}
	return dir
}

// goldCards lists every gold card: ../shared/gold/cards/*.md,
// ../shared/gold/pairs/*/card.md and the repository's seeds/*.txt.
func goldCards(t *testing.T) []string {
	t.Helper()
	dir := sharedDir(t)
	var files []string
	for _, pattern := range []string{
		filepath.Join(dir, "gold", "cards", "*.md"),
		filepath.Join(dir, "gold", "pairs", "*", "card.md"),
		filepath.Join("..", "..", "seeds", "*.txt"),
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no gold cards found")
	}
	return files
}

// isOlderLayout reports whether a card's title line is the 2022–2023 one.
func isOlderLayout(markdown string) bool {
	first, _, _ := strings.Cut(markdown, "\n")
	return strings.Contains(first, "__, from ([")
}

func readCard(t *testing.T, path string) (string, schema.Card) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(string(b))
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return string(b), c
}

func TestRenderReproducesCurrentGoldCards(t *testing.T) {
	identical, current := 0, 0
	for _, path := range goldCards(t) {
		md, c := readCard(t, path)
		if isOlderLayout(md) {
			continue
		}
		current++
		got := Render(c)
		if got != md {
			t.Errorf("Render(Parse(%s)) differs from the file:\n%s", path, firstDifference(md, got))
			continue
		}
		identical++
	}
	t.Logf("%d/%d current-layout gold cards byte-identical", identical, current)
}

func TestParseRenderParseIsStableOnGoldCards(t *testing.T) {
	files := goldCards(t)
	stable := 0
	defer func() {
		t.Logf("%d/%d gold cards (both layouts) stable under Parse(Render(Parse(f)))", stable, len(files))
	}()
	for _, path := range files {
		_, c := readCard(t, path)
		again, err := Parse(Render(c))
		if err != nil {
			t.Errorf("Parse(Render(Parse(%s))): %v", path, err)
			continue
		}
		if !reflect.DeepEqual(again, c) {
			t.Errorf("Parse(Render(Parse(%s))) != Parse(%s):\n got %+v\nwant %+v", path, path, again, c)
			continue
		}
		stable++
	}
}

// firstDifference describes the first line where want and got differ.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, wl, gl)
		}
	}
	return "no line differs"
}

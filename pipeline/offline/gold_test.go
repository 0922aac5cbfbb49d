package offline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// goldPair is one archived page of ../shared/gold/pairs with its gold card.
type goldPair struct {
	id   string
	page Page
	card string // the gold card's markdown
}

// goldPairs loads ../shared/gold/pairs, skipping the test when it is absent.
func goldPairs(t testing.TB) []goldPair {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "gold", "pairs")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("gold pairs not available (%v): run beside ../shared", err)
	}
	var pairs []goldPair
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		text, err := os.ReadFile(filepath.Join(p, "article.txt"))
		if err != nil {
			t.Fatalf("read gold pair %s: %v", e.Name(), err)
		}
		card, err := os.ReadFile(filepath.Join(p, "card.md"))
		if err != nil {
			t.Fatalf("read gold pair %s: %v", e.Name(), err)
		}
		var meta struct{ URL, Title, Lang string }
		raw, err := os.ReadFile(filepath.Join(p, "page.json"))
		if err != nil {
			t.Fatalf("read gold pair %s: %v", e.Name(), err)
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatalf("parse %s/page.json: %v", e.Name(), err)
		}
		pairs = append(pairs, goldPair{id: e.Name(), card: string(card),
			page: Page{URL: meta.URL, Title: meta.Title, Text: string(text), Lang: meta.Lang}})
	}
	return pairs
}

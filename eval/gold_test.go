package eval

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// sharedDir returns ../shared beside the module root, skipping the test
// when it is absent (a fresh clone).
func sharedDir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "shared")
	if _, err := os.Stat(filepath.Join(dir, "gold")); err != nil {
		t.Skipf("../shared/gold not available (%v): skipping the gold-card tests", err)
	}
	return dir
}

func loadAllGold(t testing.TB) []LoadedCard {
	t.Helper()
	cards, errs, err := LoadGold(filepath.Join(sharedDir(t), "gold"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("gold card does not parse: %s", e)
	}
	seed, err := ReadCardFile(filepath.Join("..", "seeds", "000_bf3c44b3c8125320.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return append(cards, seed)
}

func TestEveryGoldCardAgainstItselfScoresOne(t *testing.T) {
	gold := loadAllGold(t)
	if len(gold) < 20 {
		t.Fatalf("%d gold cards, want at least 20", len(gold))
	}
	pairs, unpaired := PairCards(gold, gold)
	urls := map[string]bool{}
	for _, g := range gold {
		urls[urlKey(g.Card.URL)] = true
	}
	// A card present twice (gold/cards and gold/pairs) pairs with its first copy.
	if want := len(gold) - len(urls); unpaired != want {
		t.Errorf("%d gold cards unpaired with themselves, want %d (duplicates)", unpaired, want)
	}
	r, err := Evaluate(t.Context(), pairs, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Overall != 1 {
		t.Errorf("overall = %v, want 1", r.Overall)
	}
	for _, c := range r.Cards {
		for _, s := range c.Sections {
			if !s.NA && s.Score != 1 {
				t.Errorf("%s %s = %v, want 1", c.ID, s.Section, s.Score)
			}
		}
	}
}

func TestOtherArticlesScoreNearTheFloor(t *testing.T) {
	gold := loadAllGold(t)
	var worst, sum float64
	n := 0
	for i, g := range gold {
		for j, p := range gold {
			if i == j || urlKey(g.Card.URL) == urlKey(p.Card.URL) {
				continue
			}
			c := Compare(g.Card, p.Card)
			sum += c.Overall
			n++
			if c.Overall > worst {
				worst = c.Overall
			}
		}
	}
	t.Logf("cross-article overall: mean %.3f, max %.3f over %d pairs", sum/float64(n), worst, n)
	if mean := sum / float64(n); mean > 0.15 {
		t.Errorf("mean cross-article overall = %.3f, want near the floor (≤ 0.15)", mean)
	}
}

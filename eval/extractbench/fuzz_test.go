package extractbench

import "testing"

func FuzzCompareShingles(f *testing.F) {
	f.Add("one two three four five", "one two three")
	f.Add("", "x")
	f.Add("été à Québec", "ÉTÉ")
	f.Fuzz(func(t *testing.T, truth, pred string) {
		c := CompareShingles(truth, pred)
		for _, v := range []float64{c.Precision(), c.Recall(), c.F1()} {
			if v < 0 || v > 1 {
				t.Fatalf("score %v out of [0, 1] for %q vs %q", v, truth, pred)
			}
		}
		if self := CompareShingles(truth, truth); self.F1() != 1 {
			t.Fatalf("text against itself scores %v: %q", self.F1(), truth)
		}
	})
}

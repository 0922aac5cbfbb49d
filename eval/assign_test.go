package eval

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteForceBest is the largest total weight of a one-to-one pairing of the
// rows and columns of w, trying every pairing.
func bruteForceBest(w [][]float64) float64 {
	rows, cols := len(w), len(w[0])
	used := make([]bool, cols)
	var best float64
	var walk func(i int, total float64)
	walk = func(i int, total float64) {
		if i == rows {
			best = math.Max(best, total)
			return
		}
		walk(i+1, total) // row i left out
		for j := 0; j < cols; j++ {
			if !used[j] {
				used[j] = true
				walk(i+1, total+w[i][j])
				used[j] = false
			}
		}
	}
	walk(0, 0)
	return best
}

func TestAssignMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 500; trial++ {
		rows, cols := 1+rng.IntN(6), 1+rng.IntN(6)
		w := make([][]float64, rows)
		for i := range w {
			w[i] = make([]float64, cols)
			for j := range w[i] {
				if rng.IntN(4) > 0 { // some zeros, as in similarity matrices
					w[i][j] = rng.Float64()
				}
			}
		}
		got := Assign(w)
		if len(got) != rows {
			t.Fatalf("trial %d: %d assignments for %d rows", trial, len(got), rows)
		}
		seen := map[int]bool{}
		var total float64
		for i, j := range got {
			if j < 0 {
				continue
			}
			if seen[j] {
				t.Fatalf("trial %d: column %d assigned twice: %v", trial, j, got)
			}
			seen[j] = true
			total += w[i][j]
		}
		if want := min(rows, cols); len(seen) != want {
			t.Errorf("trial %d: %d pairs, want %d", trial, len(seen), want)
		}
		if best := bruteForceBest(w); math.Abs(total-best) > 1e-9 {
			t.Errorf("trial %d: %dx%d total %.6f, brute force %.6f (w=%v, got %v)", trial, rows, cols, total, best, w, got)
		}
	}
}

func TestAssignEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		w    [][]float64
		want []int
	}{
		{"no rows", nil, nil},
		{"no columns", [][]float64{{}, {}}, []int{-1, -1}},
		{"identity", [][]float64{{1, 0}, {0, 1}}, []int{0, 1}},
		{"crossed", [][]float64{{0.2, 0.9}, {0.8, 0.1}}, []int{1, 0}},
		{"more rows", [][]float64{{0.1}, {0.9}, {0.3}}, []int{-1, 0, -1}},
		{"more columns", [][]float64{{0.1, 0.2, 0.7}}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Assign(tt.w)
			if len(got) != len(tt.want) {
				t.Fatalf("Assign = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Assign = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

package eval

import "math"

// Assign pairs the rows of the weight matrix w with its columns one-to-one so
// that the total weight of the pairs is as large as possible (the assignment
// problem), by the Hungarian algorithm (Kuhn–Munkres with potentials, O(n²m)
// for n ≤ m). w may be rectangular; every row of w must have the same length.
// The result gives, for each row i, its column, or -1 when there are more
// rows than columns and row i is left out.
func Assign(w [][]float64) []int {
	rows := len(w)
	if rows == 0 {
		return nil
	}
	cols := len(w[0])
	if cols == 0 {
		return filled(rows, -1)
	}
	if rows <= cols {
		return minCostAssign(rows, cols, func(i, j int) float64 { return -w[i][j] })
	}
	// More rows than columns: assign the columns to rows, then invert.
	colToRow := minCostAssign(cols, rows, func(i, j int) float64 { return -w[j][i] })
	rowToCol := filled(rows, -1)
	for c, r := range colToRow {
		rowToCol[r] = c
	}
	return rowToCol
}

// minCostAssign solves the assignment problem for an n×m cost matrix with
// n ≤ m, returning the column of each row. It is the classic shortest
// augmenting path formulation with row potentials u and column potentials v;
// indices are 1-based inside, column 0 being a virtual start.
func minCostAssign(n, m int, cost func(i, j int) float64) []int {
	u := make([]float64, n+1)
	v := make([]float64, m+1)
	p := make([]int, m+1)   // p[j]: the row matched to column j (0: none)
	way := make([]int, m+1) // way[j]: the previous column on the augmenting path
	minv := make([]float64, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for p[j0] != 0 {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				if cur := cost(i0-1, j-1) - u[i0] - v[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
		}
		for j0 != 0 { // flip the augmenting path
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	rowToCol := filled(n, -1)
	for j := 1; j <= m; j++ {
		if p[j] != 0 {
			rowToCol[p[j]-1] = j - 1
		}
	}
	return rowToCol
}

// similarities is the matrix of sim(gold[i], pred[j]), the weights Assign
// pairs gold items with predicted ones on.
func similarities[T any](gold, pred []T, sim func(a, b T) float64) [][]float64 {
	w := make([][]float64, len(gold))
	for i := range gold {
		w[i] = make([]float64, len(pred))
		for j := range pred {
			w[i][j] = sim(gold[i], pred[j])
		}
	}
	return w
}

func filled(n, x int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = x
	}
	return s
}

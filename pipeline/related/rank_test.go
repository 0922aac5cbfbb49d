package related

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/veille/veille/schema"
)

func emb(id int64, v ...float32) schema.Embedding {
	return schema.Embedding{CardID: id, Model: "m", Vector: v}
}

func TestRank(t *testing.T) {
	cands := []schema.Embedding{
		emb(5, 1, 0),                   // same direction as the query
		emb(3, 10, 0),                  // same direction, longer: same score, lower ID first
		emb(9, 0, 1),                   // orthogonal
		emb(7, -1, 0),                  // opposite
		emb(8, 1, 1),                   // 45°
		emb(4, 0, 0),                   // zero: skipped
		emb(6, 1, 0, 0),                // another dimension: skipped
		emb(1, 2, 0),                   // the query's own card: excluded
		emb(2, float32(math.NaN()), 1), // NaN: skipped
	}
	tests := []struct {
		name    string
		query   []float32
		exclude int64
		limit   int
		want    []int64
	}{
		{"all", []float32{3, 0}, 1, 10, []int64{3, 5, 8, 9, 7}},
		{"top two", []float32{3, 0}, 1, 2, []int64{3, 5}},
		{"exclude none", []float32{1, 0}, 0, 3, []int64{1, 3, 5}},
		{"limit zero", []float32{1, 0}, 1, 0, nil},
		{"zero query", []float32{0, 0}, 1, 5, nil},
		{"query of another dimension", []float32{1, 0, 0, 0}, 1, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Rank(tt.query, cands, tt.exclude, tt.limit)
			var ids []int64
			for _, s := range got {
				ids = append(ids, s.CardID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("Rank = %v, want cards %v", got, tt.want)
			}
			x, err := BuildIndex("m", validOnly(cands, len(tt.query)), false)
			if err != nil {
				t.Fatal(err)
			}
			ids = nil
			for _, s := range x.Rank(tt.query, tt.exclude, tt.limit) {
				ids = append(ids, s.CardID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("Index.Rank = %v, want cards %v", ids, tt.want)
			}
		})
	}
	got := Rank([]float32{1, 0}, cands, 1, 3)
	want := []Scored{{3, 1}, {5, 1}, {8, float32(1 / math.Sqrt2)}}
	for i := range want {
		if got[i].CardID != want[i].CardID || math.Abs(float64(got[i].Score-want[i].Score)) > 1e-6 {
			t.Errorf("Rank = %v, want %v", got, want)
		}
	}
}

// validOnly keeps the candidates an index accepts: of dimension dim,
// finite and not zero.
func validOnly(cands []schema.Embedding, dim int) []schema.Embedding {
	var out []schema.Embedding
	for _, c := range cands {
		if _, ok := normalised(c.Vector, nil); ok && len(c.Vector) == dim {
			out = append(out, c)
		}
	}
	return out
}

// randomEmbeddings makes n random vectors of dim components, card IDs 1..n.
func randomEmbeddings(n, dim int, seed uint64) []schema.Embedding {
	r := rand.New(rand.NewPCG(seed, 1))
	backing := make([]float32, n*dim)
	for i := range backing {
		backing[i] = float32(r.NormFloat64())
	}
	out := make([]schema.Embedding, n)
	for i := range out {
		out[i] = schema.Embedding{CardID: int64(i + 1), Model: "m", Vector: backing[i*dim : (i+1)*dim : (i+1)*dim]}
	}
	return out
}

// bruteForce ranks by float64 cosine and a full sort.
func bruteForce(q []float32, cands []schema.Embedding, exclude int64, limit int) []Scored {
	var all []Scored
	qn := 0.0
	for _, x := range q {
		qn += float64(x) * float64(x)
	}
	for _, c := range cands {
		if c.CardID == exclude {
			continue
		}
		var d, n float64
		for i, x := range c.Vector {
			d += float64(x) * float64(q[i])
			n += float64(x) * float64(x)
		}
		all = append(all, Scored{c.CardID, float32(d / math.Sqrt(n*qn))})
	}
	sort.Slice(all, func(i, j int) bool { return better(all[i], all[j]) })
	return all[:min(limit, len(all))]
}

func ids(ss []Scored) []int64 {
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i] = s.CardID
	}
	return out
}

// TestRankLarge checks Rank and both indexes against a brute-force
// ranking, on a collection large enough to be split across cores.
func TestRankLarge(t *testing.T) {
	const n, dim, limit = 20000, 128, 20
	cands := randomEmbeddings(n, dim, 1)
	if n*dim < parallelWork {
		t.Fatal("the collection is too small to test the parallel ranking")
	}
	q := randomEmbeddings(1, dim, 2)[0].Vector
	want := bruteForce(q, cands, 7, limit)

	got := Rank(q, cands, 7, limit)
	if !slices.Equal(ids(got), ids(want)) {
		t.Errorf("Rank:\n got %v\nwant %v", got, want)
	}
	x, err := BuildIndex("m", cands, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Rank(q, 7, limit); !slices.Equal(ids(got), ids(want)) {
		t.Errorf("Index.Rank:\n got %v\nwant %v", got, want)
	}
	// The quantised index: scores close to the exact ones, and most of
	// the same neighbours.
	xq, err := BuildIndex("m", cands, true)
	if err != nil {
		t.Fatal(err)
	}
	gotq := xq.Rank(q, 7, limit)
	exact := map[int64]float32{}
	for _, s := range bruteForce(q, cands, 7, n) {
		exact[s.CardID] = s.Score
	}
	common := 0
	for _, s := range gotq {
		if d := math.Abs(float64(s.Score - exact[s.CardID])); d > 0.01 {
			t.Errorf("quantised score of card %d: %v, exact %v", s.CardID, s.Score, exact[s.CardID])
		}
		if slices.Contains(ids(want), s.CardID) {
			common++
		}
	}
	if common < limit*8/10 {
		t.Errorf("quantised index: %d of the %d nearest cards, want at least 80%%", common, limit)
	}
}

func TestIndex(t *testing.T) {
	x := NewIndex("m")
	for _, e := range []schema.Embedding{emb(1, 1, 0), emb(2, 0, 1), emb(3, 1, 1)} {
		if err := x.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	errs := []struct {
		e    schema.Embedding
		want string
	}{
		{schema.Embedding{CardID: 4, Model: "other", Vector: []float32{1, 0}}, "index of m: card 4: embedding of another model, other"},
		{emb(5, 1, 0, 0), "index of m: card 5: vector dimension differs from the index's: 3, want 2"},
		{emb(6, 0, 0), "index of m: card 6: the vector is empty, zero or not finite"},
	}
	for _, tt := range errs {
		if err := x.Add(tt.e); err == nil || err.Error() != tt.want {
			t.Errorf("Add(%v) = %v, want %s", tt.e, err, tt.want)
		}
	}
	if x.Len() != 3 || x.Dim() != 2 || x.Model() != "m" {
		t.Errorf("index: %d cards of %d dimensions, model %s", x.Len(), x.Dim(), x.Model())
	}
	got, ok := x.Related(1, 5)
	if !ok || !slices.Equal(ids(got), []int64{3, 2}) {
		t.Errorf("Related(1) = %v, %v; want cards 3, 2", got, ok)
	}
	// Replacing card 2's vector moves it.
	if err := x.Add(emb(2, 1, 0.1)); err != nil {
		t.Fatal(err)
	}
	if got, _ := x.Related(1, 5); !slices.Equal(ids(got), []int64{2, 3}) || x.Len() != 3 {
		t.Errorf("after replacing card 2: Related(1) = %v, %d cards", got, x.Len())
	}
	if _, ok := x.Related(99, 5); ok {
		t.Errorf("Related(99): found a card not in the index")
	}
	// A quantised index answers the same here.
	xq := NewQuantizedIndex("m")
	for _, e := range []schema.Embedding{emb(1, 1, 0), emb(2, 1, 0.1), emb(3, 1, 1)} {
		if err := xq.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := xq.Related(1, 5); !slices.Equal(ids(got), []int64{2, 3}) {
		t.Errorf("quantised: Related(1) = %v", got)
	}
	big := randomEmbeddings(1, maxQuantDim+1, 3)[0]
	if err := NewQuantizedIndex("m").Add(big); !errors.Is(err, ErrDimension) {
		t.Errorf("quantised index: Add of %d dimensions = %v, want ErrDimension", len(big.Vector), err)
	}
	// BuildIndex skips other models.
	b, err := BuildIndex("m", []schema.Embedding{emb(1, 1, 0), {CardID: 2, Model: "n", Vector: []float32{1}}}, false)
	if err != nil || b.Len() != 1 {
		t.Errorf("BuildIndex = %d cards, %v; want 1", b.Len(), err)
	}
	if got := Rank(nil, nil, 0, 3); got != nil || !reflect.DeepEqual(NewIndex("m").Rank([]float32{1}, 0, 3), []Scored(nil)) {
		t.Errorf("empty rankings: %v", got)
	}
}

// TestKernels checks dot, dotNorm and dotQ against plain loops in float64
// and int64, for every length up to 70 and long vectors.
func TestKernels(t *testing.T) {
	for _, n := range append(rangeInts(71), 1536, 3072, maxQuantDim) {
		v := randomEmbeddings(2, max(n, 1), uint64(n)+5)
		a, b := v[0].Vector[:n], v[1].Vector[:n]
		var wantDot, wantNorm float64
		for i := range a {
			wantDot += float64(a[i]) * float64(b[i])
			wantNorm += float64(b[i]) * float64(b[i])
		}
		close := func(x float32, y float64) bool { return math.Abs(float64(x)-y) <= 1e-4*(1+math.Abs(y)) }
		if got := dot(a, b); !close(got, wantDot) {
			t.Errorf("n=%d: dot = %v, want %v", n, got, wantDot)
		}
		if d, nn := dotNorm(a, b); !close(d, wantDot) || !close(nn, wantNorm) {
			t.Errorf("n=%d: dotNorm = %v, %v; want %v, %v", n, d, nn, wantDot, wantNorm)
		}
		qa, qb := make([]int16, n), make([]int8, n)
		quantizeQuery(a, qa)
		quantize(b, qb)
		for i := range qa { // the extremes, where overflow would show
			if i%3 == 0 || n == maxQuantDim {
				qa[i], qb[i] = quantMaxQuery, 127
			}
		}
		var want int64
		for i := range qa {
			want += int64(qa[i]) * int64(qb[i])
		}
		if got := dotQ(qa, qb); int64(got) != want {
			t.Errorf("n=%d: dotQ = %d, want %d", n, got, want)
		}
	}
}

func rangeInts(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

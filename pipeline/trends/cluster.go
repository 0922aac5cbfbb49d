package trends

import (
	"math"
	"slices"
	"strings"

	"github.com/veille/veille/schema"
)

// This file holds the clustering itself: each row, in order, joins the
// cluster of its most similar earlier row when their similarity reaches a
// threshold, else it starts a cluster. An index answers "the most similar
// row added so far"; the lexical index finds candidates through an
// inverted index of terms, the dense one compares embeddings.

// index finds the row most similar to a row among the rows added to it.
type index interface {
	// best returns the most similar row added (the lowest on ties) and
	// their cosine similarity; -1 when none shares anything with row i.
	best(i int) (j int, sim float64)
	// add makes row i a candidate for the rows after it.
	add(i int)
}

// assign clusters rows[start:] in order, given rows[:start] already
// clustered: each row joins the cluster of its most similar earlier row
// when their similarity is at least threshold, else it gets a new cluster
// id, from next on. It returns the next unused id.
func assign(rows []schema.TrendRow, start int, idx index, threshold float64, next int64) int64 {
	for i := range start {
		idx.add(i)
	}
	for i := start; i < len(rows); i++ {
		if j, sim := idx.best(i); j >= 0 && sim >= threshold {
			rows[i].Cluster = rows[j].Cluster
		} else {
			rows[i].Cluster = next
			next++
		}
		idx.add(i)
	}
	return next
}

// sparse is an L2-normalised term vector, terms ascending.
type sparse struct {
	terms   []int32
	weights []float32
}

// rowTerms is a row's terms as the lexical space keeps them
// ([schema.TrendRow].Terms): the terms of its name, a bar, the terms of its
// description. buf is scratch space.
func (c *termCache) rowTerms(r schema.TrendRow, buf []byte) (string, []byte) {
	buf = c.appendTerms(buf[:0], r.Name)
	buf = append(buf, '|')
	buf = c.appendTerms(buf, r.Description)
	return string(buf), buf
}

// splitTerms reads what rowTerms wrote: the name's terms and the
// description's.
func splitTerms(s string) (name, desc []string) {
	n, d, _ := strings.Cut(s, "|")
	return strings.Fields(n), strings.Fields(d)
}

// lexical is the index of the lexical space: TF-IDF weights over every
// row given (so that the weights are those of the whole collection), the
// rows' vectors and candidate terms (made when first needed), and postings
// of the rows added.
type lexical struct {
	// terms holds every row's term ids in order (the name's twice), row i's
	// at terms[offsets[i]:offsets[i+1]].
	terms   []int32
	offsets []int
	df      []int32
	idf     []float64
	vecs    []sparse
	made    []bool
	// cands holds the candidate terms of the rows whose vector is made.
	cands [][]int32
	// first is, for each row, the first row with the same Terms and posted
	// by the same rule (itself if none): rows alike have the same vector
	// and the same partial scores, so only the first is posted, and later
	// added ones are listed in dups under it, in order.
	first []int32
	dups  [][]int32
	start int
	// postings lists, for each term, the rows added that have it among
	// their candidate terms.
	postings [][]int32
	// maxDF is the largest document frequency of a term that generates
	// candidates: rows sharing only very common terms are not compared.
	maxDF int32
	// wanted, when not nil, marks the candidate terms of the rows being
	// clustered: the rows already clustered are posted under those only.
	wanted []bool
	// stamp marks the terms seen in the current row.
	stamp []int32
	// acc and touched accumulate the partial dot products of one query;
	// top keeps the best of them.
	acc     []float32
	touched []int32
	top     []scored
	// query holds the weights of the row being queried, by term (0 for the
	// terms it lacks).
	query []float32
	buf   []int32
}

// scored is a candidate row and its partial score.
type scored struct {
	acc float32
	j   int32
}

// before reports whether candidate a is shortlisted before b: the higher
// partial score first, then the lower row.
func (a scored) before(b scored) bool { return a.acc > b.acc || a.acc == b.acc && a.j < b.j }

// candidateTerms bounds the terms of a row that generate candidates: its
// rarest ones.
const candidateTerms = 12

// addTerms appends the ids of the terms of part, separated by spaces, to
// lx.terms, as terms of row i, numbering the new ones.
func (lx *lexical) addTerms(ids map[string]int32, part string, i int) {
	for part != "" {
		t, rest, _ := strings.Cut(part, " ")
		part = rest
		if t == "" {
			continue
		}
		id, ok := ids[t]
		if !ok {
			id = int32(len(lx.df))
			ids[t] = id
			lx.df = append(lx.df, 0)
			lx.stamp = append(lx.stamp, 0)
		}
		if lx.stamp[id] != int32(i+1) {
			lx.stamp[id] = int32(i + 1)
			lx.df[id]++
		}
		lx.terms = append(lx.terms, id)
	}
}

// newLexical computes the term weights of rows from their Terms (see
// rowTerms): term frequency 1 + ln tf (the name's terms counted twice),
// inverse document frequency ln((1 + n) / (1 + df)) + 1. Rows from start
// on are the ones to cluster; the rows before are posted, when added, under
// the candidate terms of those only.
func newLexical(rows []schema.TrendRow, start int) *lexical {
	lx := &lexical{offsets: make([]int, 1, len(rows)+1), vecs: make([]sparse, len(rows)), made: make([]bool, len(rows)),
		cands: make([][]int32, len(rows)), start: start, maxDF: int32(max(200, len(rows)/200)), acc: make([]float32, len(rows))}
	lx.first, lx.dups = make([]int32, len(rows)), make([][]int32, len(rows))
	ids := map[string]int32{}
	// The first row of each Terms, by posting rule: the rows to cluster,
	// the others.
	firsts := [2]map[string]int32{make(map[string]int32, len(rows)-start), make(map[string]int32, start)}
	for i, r := range rows {
		rule := 0
		if i < start {
			rule = 1
		}
		if f, ok := firsts[rule][r.Terms]; ok {
			lx.first[i] = f
			for _, id := range lx.terms[lx.offsets[f]:lx.offsets[f+1]] {
				if lx.stamp[id] != int32(i+1) {
					lx.stamp[id] = int32(i + 1)
					lx.df[id]++
				}
				lx.terms = append(lx.terms, id)
			}
			lx.offsets = append(lx.offsets, len(lx.terms))
			continue
		}
		firsts[rule][r.Terms], lx.first[i] = int32(i), int32(i)
		name, desc, _ := strings.Cut(r.Terms, "|")
		from := len(lx.terms)
		lx.addTerms(ids, name, i)
		lx.terms = append(lx.terms, lx.terms[from:]...) // the name's terms count twice
		lx.addTerms(ids, desc, i)
		lx.offsets = append(lx.offsets, len(lx.terms))
	}
	n := float64(len(rows))
	lx.idf = make([]float64, len(lx.df))
	lx.query = make([]float32, len(lx.df))
	for t, d := range lx.df {
		lx.idf[t] = math.Log((1+n)/(1+float64(d))) + 1
	}
	lx.postings = make([][]int32, len(lx.df))
	if start > 0 {
		lx.wanted = make([]bool, len(lx.df))
		for i := start; i < len(rows); i++ {
			for _, t := range lx.candidates(i) {
				lx.wanted[t] = true
			}
		}
	}
	clear(lx.stamp)
	return lx
}

// vec is row i's L2-normalised TF-IDF vector.
func (lx *lexical) vec(i int) sparse {
	if lx.made[i] {
		return lx.vecs[i]
	}
	if f := int(lx.first[i]); f != i {
		v := lx.vec(f) // the same terms
		lx.vecs[i], lx.made[i], lx.cands[i] = v, true, lx.cands[f]
		return v
	}
	buf := append(lx.buf[:0], lx.terms[lx.offsets[i]:lx.offsets[i+1]]...)
	slices.Sort(buf)
	var v sparse
	var norm float64
	for k := 0; k < len(buf); {
		t, tf := buf[k], 1
		for k+tf < len(buf) && buf[k+tf] == t {
			tf++
		}
		k += tf
		w := float32((1 + math.Log(float64(tf))) * lx.idf[t])
		v.terms = append(v.terms, t)
		v.weights = append(v.weights, w)
		norm += float64(w) * float64(w)
	}
	if norm > 0 {
		for k := range v.weights {
			v.weights[k] = float32(float64(v.weights[k]) / math.Sqrt(norm))
		}
	}
	lx.buf = buf
	lx.vecs[i], lx.made[i] = v, true
	lx.cands[i] = lx.rarest(v)
	return v
}

func (lx *lexical) add(i int) {
	if f := lx.first[i]; int(f) != i {
		lx.dups[f] = append(lx.dups[f], int32(i))
		return
	}
	if lx.wanted != nil && i < lx.start {
		// An old row: posted under the wanted terms it has.
		for _, id := range lx.terms[lx.offsets[i]:lx.offsets[i+1]] {
			if lx.wanted[id] && lx.df[id] <= lx.maxDF && lx.stamp[id] != int32(i+1) {
				lx.stamp[id] = int32(i + 1)
				lx.postings[id] = append(lx.postings[id], int32(i))
			}
		}
		return
	}
	for _, t := range lx.candidates(i) {
		lx.postings[t] = append(lx.postings[t], int32(i))
	}
}

// candidates are the terms of row i that generate candidates: up to
// candidateTerms of its rarest terms under maxDF, ties by term id.
func (lx *lexical) candidates(i int) []int32 {
	lx.vec(i)
	return lx.cands[i]
}

// rarest picks the candidate terms of v (see candidates).
func (lx *lexical) rarest(v sparse) []int32 {
	n := 0
	for _, t := range v.terms {
		if lx.df[t] > 1 && lx.df[t] <= lx.maxDF {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	ts := make([]int32, 0, n)
	for _, t := range v.terms {
		if lx.df[t] > 1 && lx.df[t] <= lx.maxDF {
			ts = append(ts, t)
		}
	}
	if len(ts) > candidateTerms {
		slices.SortFunc(ts, func(a, b int32) int {
			if lx.df[a] != lx.df[b] {
				return int(lx.df[a] - lx.df[b])
			}
			return int(a - b)
		})
		ts = slices.Clip(ts[:candidateTerms])
	}
	return ts
}

// shortlist is how many candidates, by partial score, get their exact
// similarity computed.
const shortlist = 16

func (lx *lexical) best(i int) (int, float64) {
	q := lx.vec(i)
	for k, t := range q.terms {
		lx.query[t] = q.weights[k]
	}
	defer func() {
		for _, t := range q.terms {
			lx.query[t] = 0
		}
	}()
	for _, t := range lx.cands[i] {
		w := lx.query[t]
		for _, j := range lx.postings[t] {
			if lx.acc[j] == 0 {
				lx.touched = append(lx.touched, j)
			}
			lx.acc[j] += w // a lower bound's proxy: how much of q the candidate shares
		}
	}
	if len(lx.touched) == 0 {
		return -1, 0
	}
	bestJ, bestSim := -1, 0.0
	for _, c := range lx.shortlist() {
		j := int(c.j)
		if int(lx.first[j]) != j {
			continue // as similar as its first row, shortlisted before it
		}
		if sim := lx.similarity(j); sim > bestSim || sim == bestSim && j < bestJ {
			bestJ, bestSim = j, sim
		}
	}
	return bestJ, bestSim
}

// similarity is the dot product of row j's vector and the query's: the
// sum of the products of the terms they share, in term order.
func (lx *lexical) similarity(j int) float64 {
	v := lx.vec(j)
	var s float64
	for k, t := range v.terms {
		if w := lx.query[t]; w != 0 {
			s += float64(w) * float64(v.weights[k])
		}
	}
	return s
}

// shortlist returns the first shortlist candidates touched by a query, in
// the order of [scored.before], and clears the query's scores. A touched
// row stands for its dups too, of the same score.
func (lx *lexical) shortlist() []scored {
	top := lx.top[:0]
	for _, j := range lx.touched {
		acc := lx.acc[j]
		lx.acc[j] = 0
		var in bool
		if top, in = keep(top, scored{acc, j}); in {
			for _, d := range lx.dups[j] {
				if top, in = keep(top, scored{acc, d}); !in {
					break // the next dups come after it
				}
			}
		}
	}
	lx.touched = lx.touched[:0]
	lx.top = top
	return top
}

// keep adds c to top, the first shortlist candidates in the order of
// [scored.before], when it is one of them; it reports whether it is.
func keep(top []scored, c scored) ([]scored, bool) {
	if len(top) == shortlist {
		if !c.before(top[shortlist-1]) {
			return top, false
		}
		top = top[:shortlist-1]
	}
	k := len(top)
	top = append(top, c)
	for ; k > 0 && c.before(top[k-1]); k-- {
		top[k] = top[k-1]
	}
	top[k] = c
	return top, true
}

// dense is the index of an embeddings space: unit vectors, compared with
// every row added.
type dense struct {
	vecs  [][]float32
	added int
}

// newDense normalises vecs (in place) to unit length.
func newDense(vecs [][]float32) *dense {
	for _, v := range vecs {
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if n = math.Sqrt(n); n > 0 {
			for k := range v {
				v[k] = float32(float64(v[k]) / n)
			}
		}
	}
	return &dense{vecs: vecs}
}

// add relies on rows being added in order, each once.
func (d *dense) add(i int) { d.added = i + 1 }

func (d *dense) best(i int) (int, float64) {
	q := d.vecs[i]
	bestJ, bestSim := -1, float32(-2)
	for j := range min(d.added, i) {
		if sim := dot(q, d.vecs[j]); sim > bestSim {
			bestJ, bestSim = j, sim
		}
	}
	return bestJ, float64(bestSim)
}

// dot is the dot product of a and b, of the same length, with four
// accumulators so that the CPU overlaps the additions.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}

package related

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/veille/veille/schema"
)

// Scored is a card and its similarity to the query: the cosine of their
// vectors, from -1 to 1, higher is closer.
type Scored struct {
	CardID int64   `json:"card_id"`
	Score  float32 `json:"score"`
}

// better reports whether a ranks before b: a higher score, then a lower
// card ID.
func better(a, b Scored) bool {
	return a.Score > b.Score || (a.Score == b.Score && a.CardID < b.CardID)
}

// Rank returns the limit candidates closest to query by cosine similarity,
// best first, ties broken by lower CardID. The candidate whose CardID is
// exclude (the query's own card) is never returned, nor candidates whose
// dimension differs from the query's or whose vector is zero. Neither
// query nor the candidates need be normalised; Rank computes each
// candidate's norm as it goes, in one pass with its dot product. It
// allocates the normalised query and the result only (and one small heap
// per worker when it splits a large ranking across cores). For repeated
// rankings of the same candidates, an [Index] normalises them once.
//
// candidates should hold one embedding per document (its newest card
// version), or older versions of the query's card may be returned.
func Rank(query []float32, candidates []schema.Embedding, exclude int64, limit int) []Scored {
	if limit <= 0 || len(candidates) == 0 {
		return nil
	}
	q, ok := normalised(query, nil)
	if !ok {
		return nil
	}
	dim := len(q)
	score := func(i int) (Scored, bool) {
		c := &candidates[i]
		if c.CardID == exclude || len(c.Vector) != dim {
			return Scored{}, false
		}
		d, n := dotNorm(q, c.Vector)
		if n <= 0 {
			return Scored{}, false
		}
		s := d / float32(math.Sqrt(float64(n)))
		return Scored{CardID: c.CardID, Score: s}, s == s // not NaN
	}
	return topK(len(candidates), dim, limit, score)
}

// topK ranks n items scored by score, each costing about dim
// multiply-adds, keeping the best limit. Large rankings are split across
// the cores.
func topK(n, dim, limit int, score func(i int) (Scored, bool)) []Scored {
	workers := 1
	if n*dim >= parallelWork {
		workers = min(runtime.GOMAXPROCS(0), n/1024+1)
	}
	if workers <= 1 {
		h := make(topHeap, 0, min(limit, n))
		for i := range n {
			if s, ok := score(i); ok {
				h.offer(s, limit)
			}
		}
		return h.sorted()
	}
	heaps := make([]topHeap, workers)
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h := make(topHeap, 0, min(limit, chunk))
			for i := w * chunk; i < min((w+1)*chunk, n); i++ {
				if s, ok := score(i); ok {
					h.offer(s, limit)
				}
			}
			heaps[w] = h
		}(w)
	}
	wg.Wait()
	h := heaps[0]
	for _, other := range heaps[1:] {
		for _, s := range other {
			h.offer(s, limit)
		}
	}
	return h.sorted()
}

// parallelWork is the number of multiply-adds above which a ranking is
// split across cores (about 1 ms of work on one core).
const parallelWork = 1 << 21

// topHeap keeps the best items seen: a binary min-heap whose root is the
// worst item kept.
type topHeap []Scored

// offer adds s if the heap holds fewer than limit items or s beats its
// worst one.
func (h *topHeap) offer(s Scored, limit int) {
	a := *h
	if len(a) < limit {
		a = append(a, s)
		// Sift up.
		for i := len(a) - 1; i > 0; {
			p := (i - 1) / 2
			if !better(a[p], a[i]) {
				break
			}
			a[p], a[i] = a[i], a[p]
			i = p
		}
		*h = a
		return
	}
	if !better(s, a[0]) {
		return
	}
	a[0] = s
	// Sift down.
	for i := 0; ; {
		l, r, worst := 2*i+1, 2*i+2, i
		if l < len(a) && better(a[worst], a[l]) {
			worst = l
		}
		if r < len(a) && better(a[worst], a[r]) {
			worst = r
		}
		if worst == i {
			break
		}
		a[i], a[worst] = a[worst], a[i]
		i = worst
	}
}

// sorted returns the heap's items best first, in place.
func (h topHeap) sorted() []Scored {
	slices.SortFunc(h, func(a, b Scored) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	if len(h) == 0 {
		return nil
	}
	return h
}

// normalised returns v scaled to unit length, in dst when it is large
// enough; ok is false for an empty or zero vector, or one holding NaN or
// infinite components.
func normalised(v, dst []float32) (out []float32, ok bool) {
	if len(v) == 0 {
		return nil, false
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, false
	}
	inv := 1 / math.Sqrt(n)
	if cap(dst) < len(v) {
		dst = make([]float32, len(v))
	}
	dst = dst[:len(v)]
	for i, x := range v {
		dst[i] = float32(float64(x) * inv)
	}
	return dst, true
}

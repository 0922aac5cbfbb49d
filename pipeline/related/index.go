package related

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/veille/veille/schema"
)

// Index holds the embeddings of one model in memory, normalised once, for
// fast repeated rankings: a ranking is one dot product per card over
// contiguous memory, split across the cores when large.
//
// Memory: a float32 index takes 4 bytes a dimension, 614 MB for 100,000
// cards of 1,536 dimensions (text-embedding-3-small). A quantised index
// ([NewQuantizedIndex]) stores each component as an int8 with one float32
// scale per vector: a quarter of the memory (154 MB for the same cards),
// for scores within about 0.01 of the exact cosine, which keeps the
// neighbours' order except between near-ties; its dimension is at most
// 4,096. A ranking reads a quarter of the memory, and on amd64 its
// kernel multiplies eight components an instruction (int8 vector, int16
// query), so it is the faster index for large collections, where a float32
// ranking is bound by memory reads. The float32 index is the default: most
// collections hold a few thousand cards, where memory and speed are no
// concern and scores are exact.
//
// An Index is safe for concurrent use.
type Index struct {
	mu        sync.RWMutex
	model     string
	dim       int
	quantized bool
	ids       []int64
	row       map[int64]int // card ID → position in ids
	vecs      []float32     // len(ids)*dim normalised components (float32 index)
	q8        []int8        // len(ids)*dim quantised components (quantised index)
	scales    []float32     // one per vector (quantised index): component = q8 * scale
}

// NewIndex returns an empty float32 index for the vectors of model.
func NewIndex(model string) *Index {
	return &Index{model: model, row: map[int64]int{}}
}

// NewQuantizedIndex returns an empty int8-quantised index for the vectors
// of model (see [Index] for the trade-off).
func NewQuantizedIndex(model string) *Index {
	return &Index{model: model, row: map[int64]int{}, quantized: true}
}

// Model is the embeddings model of the index's vectors.
func (x *Index) Model() string { return x.model }

// Dim is the vectors' dimension, 0 while the index is empty.
func (x *Index) Dim() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.dim
}

// Len is the number of cards in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// ErrDimension is a vector whose dimension is not the index's.
var ErrDimension = errors.New("vector dimension differs from the index's")

// Add adds e to the index, or replaces the vector of its card. e must be of
// the index's model and dimension (the first vector added sets it), and
// neither zero nor holding NaN or infinite components.
func (x *Index) Add(e schema.Embedding) error {
	if e.Model != x.model {
		return fmt.Errorf("index of %s: card %d: embedding of another model, %s", x.model, e.CardID, e.Model)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.dim != 0 && len(e.Vector) != x.dim {
		return fmt.Errorf("index of %s: card %d: %w: %d, want %d", x.model, e.CardID, ErrDimension, len(e.Vector), x.dim)
	}
	var buf [2048]float32
	v, ok := normalised(e.Vector, buf[:0])
	if !ok {
		return fmt.Errorf("index of %s: card %d: the vector is empty, zero or not finite", x.model, e.CardID)
	}
	if x.quantized && len(v) > maxQuantDim {
		return fmt.Errorf("index of %s: card %d: %w: %d, a quantised index takes at most %d", x.model, e.CardID,
			ErrDimension, len(v), maxQuantDim)
	}
	x.dim = len(v)
	i, exists := x.row[e.CardID]
	if !exists {
		i = len(x.ids)
		x.row[e.CardID] = i
		x.ids = append(x.ids, e.CardID)
		// The new row is overwritten below: grow without zeroing it.
		if x.quantized {
			x.q8 = slices.Grow(x.q8, x.dim)[:len(x.q8)+x.dim]
			x.scales = append(x.scales, 0)
		} else {
			x.vecs = slices.Grow(x.vecs, x.dim)[:len(x.vecs)+x.dim]
		}
	}
	if x.quantized {
		x.scales[i] = quantize(v, x.q8[i*x.dim:(i+1)*x.dim])
	} else {
		copy(x.vecs[i*x.dim:(i+1)*x.dim], v)
	}
	return nil
}

// BuildIndex returns an index of the embeddings of model among embs
// (others are skipped), quantised or not. A vector of another dimension
// than the first, or zero, is an error naming its card.
func BuildIndex(model string, embs []schema.Embedding, quantized bool) (*Index, error) {
	x := NewIndex(model)
	x.quantized = quantized
	n := 0
	for _, e := range embs {
		if e.Model == model {
			n++
		}
	}
	x.ids = make([]int64, 0, n)
	for _, e := range embs {
		if e.Model != model {
			continue
		}
		if x.dim == 0 && len(e.Vector) > 0 {
			if quantized {
				x.q8 = make([]int8, 0, n*len(e.Vector))
				x.scales = make([]float32, 0, n)
			} else {
				x.vecs = make([]float32, 0, n*len(e.Vector))
			}
		}
		if err := x.Add(e); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// Rank returns the limit cards of the index closest to query, best first,
// ties broken by lower card ID, never the card exclude. A query of another
// dimension, or a zero one, ranks nothing.
func (x *Index) Rank(query []float32, exclude int64, limit int) []Scored {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if limit <= 0 || len(query) != x.dim || x.dim == 0 {
		return nil
	}
	q, ok := normalised(query, nil)
	if !ok {
		return nil
	}
	return x.rank(q, exclude, limit)
}

// Related returns the limit cards closest to card id, best first; ok is
// false when the card is not in the index.
func (x *Index) Related(id int64, limit int) (out []Scored, ok bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.row[id]
	if !ok {
		return nil, false
	}
	if limit <= 0 {
		return nil, true
	}
	var q []float32
	if x.quantized {
		q = make([]float32, x.dim)
		for j, c := range x.q8[i*x.dim : (i+1)*x.dim] {
			q[j] = float32(c) * x.scales[i]
		}
	} else {
		q = x.vecs[i*x.dim : (i+1)*x.dim]
	}
	return x.rank(q, id, limit), true
}

// rank ranks the index for a normalised query; the caller holds the lock.
func (x *Index) rank(q []float32, exclude int64, limit int) []Scored {
	dim := x.dim
	if x.quantized {
		q16 := make([]int16, dim)
		qs := quantizeQuery(q, q16)
		return topK(len(x.ids), dim, limit, func(i int) (Scored, bool) {
			id := x.ids[i]
			if id == exclude {
				return Scored{}, false
			}
			return Scored{CardID: id, Score: float32(dotQ(q16, x.q8[i*dim:(i+1)*dim])) * qs * x.scales[i]}, true
		})
	}
	return topK(len(x.ids), dim, limit, func(i int) (Scored, bool) {
		id := x.ids[i]
		if id == exclude {
			return Scored{}, false
		}
		return Scored{CardID: id, Score: dot(q, x.vecs[i*dim:(i+1)*dim])}, true
	})
}

// quantize writes v's components as int8 in dst, scaled so the largest
// magnitude is 127, and returns the scale: v[i] ≈ dst[i] * scale.
func quantize(v []float32, dst []int8) float32 {
	var m float32
	for _, c := range v {
		m = max(m, float32(math.Abs(float64(c))))
	}
	scale := m / 127
	inv := 127 / m
	for i, c := range v {
		dst[i] = int8(math.Round(float64(c * inv)))
	}
	return scale
}

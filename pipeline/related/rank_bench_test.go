package related

import (
	"sort"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

// The benchmark collection: 100,000 cards of text-embedding-3-small's
// 1,536 dimensions, made once (614 MB).
const benchCards, benchDim = 100_000, 1536

var benchEmbeddings []schema.Embedding

func benchCollection() []schema.Embedding {
	if benchEmbeddings == nil {
		benchEmbeddings = randomEmbeddings(benchCards, benchDim, 42)
	}
	return benchEmbeddings
}

// reportP95 reports the 95th percentile of the durations, in ms.
func reportP95(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) > 0 {
		b.ReportMetric(float64(ds[len(ds)*95/100])/1e6, "p95-ms")
	}
}

func benchRank(b *testing.B, rank func(q []float32, exclude int64) []Scored) {
	queries := randomEmbeddings(16, benchDim, 7)
	var ds []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		got := rank(queries[i%len(queries)].Vector, int64(i))
		ds = append(ds, time.Since(start))
		if len(got) != 10 {
			b.Fatalf("got %d cards", len(got))
		}
		i++
	}
	reportP95(b, ds)
}

// BenchmarkRank100k ranks 100,000 raw (not normalised) embeddings of 1,536
// dimensions with Rank.
func BenchmarkRank100k(b *testing.B) {
	cands := benchCollection()
	benchRank(b, func(q []float32, exclude int64) []Scored { return Rank(q, cands, exclude, 10) })
}

// BenchmarkIndexRank100k ranks the same collection with a float32 Index.
func BenchmarkIndexRank100k(b *testing.B) {
	x, err := BuildIndex("m", benchCollection(), false)
	if err != nil {
		b.Fatal(err)
	}
	benchRank(b, func(q []float32, exclude int64) []Scored { return x.Rank(q, exclude, 10) })
}

// BenchmarkIndexRank100kQuantized ranks it with an int8-quantised Index.
func BenchmarkIndexRank100kQuantized(b *testing.B) {
	x, err := BuildIndex("m", benchCollection(), true)
	if err != nil {
		b.Fatal(err)
	}
	benchRank(b, func(q []float32, exclude int64) []Scored { return x.Rank(q, exclude, 10) })
}

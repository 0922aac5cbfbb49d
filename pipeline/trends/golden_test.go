package trends

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veille/veille/pipeline/trends/trendstest"
	"github.com/veille/veille/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// syntheticRows are the rows of n synthetic cards of five rows each, with
// card ids from start + 1.
func syntheticRows(start, n int) []schema.TrendRow {
	var out []schema.TrendRow
	for i, c := range trendstest.Synthetic(start, n, 5, now) {
		c, published := c.Card, c.Published
		id := int64(start + i + 1)
		add := func(section string, k int, name, desc string) {
			out = append(out, schema.TrendRow{CardID: id, Section: section, Index: k, Name: name, Description: desc,
				Host: fmt.Sprint("host", id%50), Published: published})
		}
		for k, r := range c.Signals {
			add("signals", k, r.Name, r.Description)
		}
		for k, r := range c.Concerns {
			add("concerns", k, r.Name, r.Description)
		}
		for k, r := range c.Behaviors {
			add("behaviors", k, r.Name, r.Description)
		}
		for k, r := range c.Technologies {
			add("technologies", k, r.Name, r.Description)
		}
		for k, r := range c.Issues {
			add("issues", k, r.Name, r.Description)
		}
	}
	return out
}

// TestLexicalClustersGolden pins the clusters of a synthetic collection,
// clustered at once then grown by new cards, to those of testdata: the
// clustering's rules are the space's (LexicalSpace), so a change of
// clusters needs a new space.
func TestLexicalClustersGolden(t *testing.T) {
	ctx := context.Background()
	st := &memStore{rows: syntheticRows(0, 1500)}
	if _, err := Update(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	st.rows = append(st.rows, syntheticRows(1500, 500)...)
	if _, err := Update(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	keys := make([]schema.RowKey, 0, len(st.rows))
	for _, r := range st.rows {
		keys = append(keys, r.Key())
	}
	slices.SortFunc(keys, func(a, b schema.RowKey) int {
		if a.CardID != b.CardID {
			return int(a.CardID - b.CardID)
		}
		if a.Section != b.Section {
			return strings.Compare(a.Section, b.Section)
		}
		return a.Index - b.Index
	})
	// A line a card: its id, then the cluster of each of its rows in key
	// order.
	var b strings.Builder
	for i, k := range keys {
		if i == 0 || k.CardID != keys[i-1].CardID {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprint(&b, k.CardID)
		}
		fmt.Fprintf(&b, " %d", st.clusters[LexicalSpace][k])
	}
	b.WriteString("\n")
	path := filepath.Join("testdata", "lexical-clusters.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d: got %q, want %q (go test -update rewrites testdata)", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
}

// TestDuplicateRowsCluster checks that rows with the same terms, posted
// once, cluster as when each is posted: many rows repeated, clustered at
// once and after old rows.
func TestDuplicateRowsCluster(t *testing.T) {
	base := syntheticRows(0, 200)
	rng := rand.New(rand.NewPCG(1, 2))
	var rows []schema.TrendRow
	for range 4000 {
		// A few rows repeated often, so that a shortlist fills with copies.
		k := rng.IntN(len(base))
		if rng.IntN(3) == 0 {
			k = rng.IntN(12)
		}
		rows = append(rows, base[k])
	}
	var words termCache
	for i := range rows {
		rows[i].Terms, _ = words.rowTerms(rows[i], nil)
	}
	for _, start := range []int{0, 1500} {
		for _, threshold := range []float64{LexicalThreshold, 0.9} {
			clusters := func(dedup bool) []int64 {
				rs := slices.Clone(rows)
				for i := range start {
					rs[i].Cluster = int64(i%40 + 1)
				}
				lx := newLexical(rs, start)
				if !dedup {
					for i := range lx.first {
						lx.first[i] = int32(i)
					}
				}
				assign(rs, start, lx, threshold, 41)
				out := make([]int64, len(rs))
				for i, r := range rs {
					out[i] = r.Cluster
				}
				return out
			}
			if got, want := clusters(true), clusters(false); !slices.Equal(got, want) {
				t.Errorf("start %d, threshold %g: clusters with copies posted once differ from those of every row posted", start, threshold)
			}
		}
	}
}

func TestKeep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		var all, top []scored
		for j := range rng.IntN(60) {
			c := scored{float32(rng.IntN(5)), int32(rng.IntN(1000)*100 + j)}
			all = append(all, c)
			top, _ = keep(top, c)
		}
		slices.SortFunc(all, func(a, b scored) int {
			if a.before(b) {
				return -1
			}
			return 1
		})
		if want := all[:min(shortlist, len(all))]; !slices.Equal(top, want) {
			t.Fatalf("keep gave %v, want %v", top, want)
		}
	}
}

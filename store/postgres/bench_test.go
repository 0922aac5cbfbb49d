package postgres_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
	"github.com/veille/veille/store/sqlite"
)

// The benchmarks copy the SQLite collection of VEILLE_BENCH_DB, which the
// SQLite store's benchmarks build (100,000 cards by default):
//
//	VEILLE_BENCH_DB=/tmp/bench.db go test ./store/sqlite -run '^$' -bench 'Search$' -benchtime 1x
//	VEILLE_BENCH_DB=/tmp/bench.db go test ./store/postgres -run '^$' -bench . -benchtime 1x
//
// BenchmarkSearch searches the database of VEILLE_BENCH_PG instead, when
// set (a postgres:// URL of a collection copied already, by extract
// migrate).

// benchSource opens the SQLite collection of VEILLE_BENCH_DB, skipping the
// benchmark without it.
func benchSource(b *testing.B) *sqlite.Store {
	b.Helper()
	path := os.Getenv("VEILLE_BENCH_DB")
	if path == "" {
		b.Skip("VEILLE_BENCH_DB names no SQLite collection to copy (see bench_test.go): skipping")
	}
	src, err := sqlite.OpenReadOnly(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { src.Close() })
	return src
}

// copied copies src into a new database and returns the store and the
// cards copied a second.
func copied(b *testing.B, src *sqlite.Store) (*postgres.Store, float64) {
	b.Helper()
	ctx := context.Background()
	dst, err := postgres.Open(ctx, pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { dst.Close() })
	start := time.Now()
	counts, err := dst.CopySQLite(ctx, src.DB(), nil)
	if err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	for _, c := range counts {
		if c.Table == "cards" {
			return dst, float64(c.Target) / elapsed.Seconds()
		}
	}
	b.Fatal("no cards table copied")
	return nil, 0
}

// BenchmarkCopySQLite measures `extract migrate`: cards copied a second,
// with their documents, spans and runs, and their search index built.
func BenchmarkCopySQLite(b *testing.B) {
	src := benchSource(b)
	for range b.N {
		_, rate := copied(b, src)
		b.ReportMetric(rate, "cards/s")
	}
}

// searchRate is the copy rate of the collection BenchmarkSearch copied
// once (into a template database, copied again for each run).
var searchRate float64

// BenchmarkSearch measures SearchCards on the copied collection (or on
// the database of VEILLE_BENCH_PG, a collection copied already): the
// latency percentiles of a few queries, of one to three words, all of them
// in turn (all) then each alone (and the copy's rate, as
// BenchmarkCopySQLite).
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	dsn := os.Getenv("VEILLE_BENCH_PG")
	if dsn == "" {
		dsn = copiedTemplate(b)
	}
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	queries := []string{"energy", "voitures électriques", "intelligence artificielle", "climat eau",
		"data privacy surveillance", "hydrogène", "école", "batteries solaires"}
	b.Run("all", func(b *testing.B) { benchQueries(b, st, queries) })
	for _, q := range queries {
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) { benchQueries(b, st, []string{q}) })
	}
}

// copiedTemplate copies the collection of VEILLE_BENCH_DB once into a
// template database, and returns a copy of it.
func copiedTemplate(b *testing.B) string {
	ctx := context.Background()
	return pgtest.NewDatabaseFrom(b, "bench-copy", func(dsn string) error {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return err
		}
		start := time.Now()
		counts, err := st.CopySQLite(ctx, benchSource(b).DB(), nil)
		for _, c := range counts {
			if c.Table == "cards" {
				searchRate = float64(c.Target) / time.Since(start).Seconds()
			}
		}
		return errors.Join(err, st.Close())
	})
}

// benchQueries searches queries in turn, b.N times in all, and reports the
// latency percentiles.
func benchQueries(b *testing.B, st *postgres.Store, queries []string) {
	ctx := context.Background()
	var ds []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := st.SearchCards(ctx, queries[i%len(queries)], schema.CardFilter{Limit: 20}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(searchRate, "copy-cards/s")
}

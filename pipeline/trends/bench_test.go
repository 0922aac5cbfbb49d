package trends_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/trends"
	"github.com/veille/veille/pipeline/trends/trendstest"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

// The benchmarks run on a collection of benchCards cards of 5 rows each
// (100,000 rows by default; $VEILLE_TRENDS_BENCH_CARDS changes it), built
// once per process in a temporary directory, or kept at
// $VEILLE_TRENDS_BENCH_DB and reused by later runs:
//
//	go test ./pipeline/trends -run '^$' -bench . -benchtime 1x
const benchRowsPerCard = 5

var benchNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func benchCards() int {
	if n, err := strconv.Atoi(os.Getenv("VEILLE_TRENDS_BENCH_CARDS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureErr  error
)

// importSynthetic imports n synthetic cards numbered from start.
func importSynthetic(ctx context.Context, s *sqlite.Store, start, n int) error {
	const batch = 2000
	for first := start; first < start+n; first += batch {
		cards := trendstest.Synthetic(first, min(batch, start+n-first), benchRowsPerCard, benchNow)
		news := make([]schema.NewCard, 0, len(cards))
		for _, c := range cards {
			nc, err := c.NewCard()
			if err != nil {
				return err
			}
			news = append(news, nc)
		}
		if _, err := s.ImportCards(ctx, news); err != nil {
			return err
		}
	}
	return nil
}

// benchStore opens the fixture: the synthetic collection, clustered.
func benchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	fixtureOnce.Do(func() {
		fixturePath = os.Getenv("VEILLE_TRENDS_BENCH_DB")
		if fixturePath != "" {
			if _, err := os.Stat(fixturePath); err == nil {
				return
			}
		} else {
			dir, err := os.MkdirTemp("", "veille-trends-bench-")
			if fixtureErr = err; err != nil {
				return
			}
			fixturePath = filepath.Join(dir, "veille.db")
		}
		ctx := context.Background()
		s, err := sqlite.Open(ctx, fixturePath)
		if fixtureErr = err; err != nil {
			return
		}
		defer s.Close()
		start := time.Now()
		if fixtureErr = importSynthetic(ctx, s, 0, benchCards()); fixtureErr != nil {
			return
		}
		b.Logf("%d cards imported in %v at %s", benchCards(), time.Since(start).Round(time.Second), fixturePath)
		start = time.Now()
		_, fixtureErr = trends.Update(ctx, s, trends.Options{})
		b.Logf("clustered in %v", time.Since(start).Round(time.Millisecond))
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	s, err := sqlite.Open(b.Context(), fixturePath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// peakRSS reports the process's peak resident memory, in MB, from
// /proc/self/status (0 where there is none).
func peakRSS(b *testing.B) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			b.ReportMetric(kb/1024, "peak-MB")
		}
	}
}

// BenchmarkRebuild clusters every row of the collection again: the rows
// read from the store, clustered, their clusters saved.
func BenchmarkRebuild(b *testing.B) {
	s := benchStore(b)
	var res trends.Result
	for b.Loop() {
		var err error
		if res, err = trends.Update(b.Context(), s, trends.Options{Rebuild: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Clustered), "rows")
	b.ReportMetric(float64(res.Clusters), "clusters")
	peakRSS(b)
}

// BenchmarkAdd100Cards imports 100 new cards (not timed), then clusters
// their rows (timed).
func BenchmarkAdd100Cards(b *testing.B) {
	s := benchStore(b)
	next := 10_000_000 + int(time.Now().UnixNano()%1_000_000)*100
	for b.Loop() {
		b.StopTimer()
		if err := importSynthetic(b.Context(), s, next, 100); err != nil {
			b.Fatal(err)
		}
		next += 100
		b.StartTimer()
		res, err := trends.Update(b.Context(), s, trends.Options{})
		if err != nil || res.Clustered != 100*benchRowsPerCard {
			b.Fatalf("Update = %+v, %v; want %d rows clustered", res, err, 100*benchRowsPerCard)
		}
	}
	peakRSS(b)
}

// BenchmarkReport ranks the clusters of the last 90 days, with the theme
// and keyword counts per week.
func BenchmarkReport(b *testing.B) {
	s := benchStore(b)
	q := trends.Query{Since: benchNow.AddDate(0, 0, -90), Until: benchNow, Window: 7 * 24 * time.Hour, MinSources: 2,
		Limit: 20, Tags: 8}
	for b.Loop() {
		r, err := trends.Report(b.Context(), s, trends.LexicalSpace, q)
		if err != nil || len(r.Trends) == 0 {
			b.Fatalf("Report: %d trends, %v", len(r.Trends), err)
		}
	}
	peakRSS(b)
}

// BenchmarkCatchUp clusters every row of a collection none of whose rows
// is clustered yet, as extract import does after importing it: the
// collection is a copy (not timed) of the SQLite file at
// $VEILLE_TRENDS_CATCHUP_DB, made with extract import --cluster=false.
func BenchmarkCatchUp(b *testing.B) {
	src := os.Getenv("VEILLE_TRENDS_CATCHUP_DB")
	if src == "" {
		b.Skip("VEILLE_TRENDS_CATCHUP_DB names no collection to cluster: skipping")
	}
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	var res trends.Result
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "veille.db")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		s, err := sqlite.Open(b.Context(), path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if res, err = trends.Update(b.Context(), s, trends.Options{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(res.Clustered), "rows")
	b.ReportMetric(float64(res.Clusters), "clusters")
	peakRSS(b)
}

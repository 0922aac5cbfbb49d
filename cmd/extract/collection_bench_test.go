package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/veille/veille/internal/cputime"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
	"github.com/veille/veille/store/sqlite"
	"github.com/veille/veille/web"
)

// BenchmarkCollection measures the collection commands end to end on a
// synthetic collection made from the gold cards (varied words, hosts,
// dates and URLs), VEILLE_BENCH_CARDS cards (100,000 by default):
//
//	cd cmd/extract && go test -run '^$' -bench Collection -benchtime 1x .
//
// It reports `extract import --cluster=false` throughput from JSON-lines
// files of 10,000 cards, the time of the clustering that import does by
// default (as extract trends, run next, does it) and the throughput of
// both, the p50/p95 server time of /cards with two facets and of a search
// page, the process's peak RSS while serving, and `export --format site`
// of 10,000 cards. With VEILLE_BENCH_KEEP_DB set, the collection is
// imported into that file, which is kept.
func BenchmarkCollection(b *testing.B) {
	gold := goldCards(b)
	n := benchCards(b)
	dir := b.TempDir()
	cards := filepath.Join(dir, "cards")
	writeSyntheticCards(b, cards, gold, n)
	for range b.N {
		db := filepath.Join(dir, fmt.Sprintf("veille-%d.db", time.Now().UnixNano()))
		if keep := os.Getenv("VEILLE_BENCH_KEEP_DB"); keep != "" {
			db = keep // kept for BenchmarkServeCards (VEILLE_BENCH_DB)
		}
		start, cpu := time.Now(), cputime.Process()
		if _, stderr, code := runExtract(b, "", "import", "--cluster=false", "--db", db, cards); code != exitOK {
			b.Fatalf("import: %s", stderr)
		}
		imported := time.Since(start)
		b.ReportMetric(float64(n)/imported.Seconds(), "import-cards/s")
		b.ReportMetric((cputime.Process() - cpu).Seconds(), "import-cpu-s")
		// The clustering that import does after the cards by default,
		// timed apart: extract trends clusters the new rows the same way
		// (then ranks the clusters, a small part of its time).
		start, cpu = time.Now(), cputime.Process()
		if _, stderr, code := runExtract(b, "", "trends", "--db", db, "--limit", "1"); code != exitOK {
			b.Fatalf("trends: %s", stderr)
		}
		b.ReportMetric(time.Since(start).Seconds(), "trends-s")
		b.ReportMetric((cputime.Process() - cpu).Seconds(), "trends-cpu-s")
		b.ReportMetric(float64(n)/(imported+time.Since(start)).Seconds(), "import-and-trends-cards/s")
		st, err := sqlite.Open(context.Background(), db)
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(web.New(st, web.Options{}))
		reportTwoFacets(b, st, srv.URL)
		reportPages(b, srv.URL, "search", "/cards?q=intelligence+artificielle")
		srv.Close()
		b.ReportMetric(peakRSSMB(), "peak-rss-MB")
		reportSiteExport(b, st, dir)
		st.Close()
	}
}

// goldCards reads the gold cards, skipping the benchmark without them.
func goldCards(b *testing.B) []schema.Card {
	b.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "gold", "cards", "*.md"))
	if len(paths) == 0 {
		b.Skip("no gold cards in ../shared/gold/cards: skipping")
	}
	var cards []schema.Card
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if c, err := markdown.Parse(string(data)); err == nil {
			cards = append(cards, c)
		}
	}
	return cards
}

// benchCards is $VEILLE_BENCH_CARDS, else 100,000.
func benchCards(b *testing.B) int {
	if s := os.Getenv("VEILLE_BENCH_CARDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 {
			b.Fatalf("VEILLE_BENCH_CARDS=%q: want a number ≥ 10", s)
		}
		return n
	}
	return 100_000
}

// syntheticCard is a JSON card with its date, as import reads it.
type syntheticCard struct {
	schema.Card
	Published string `json:"published"`
}

// cardsPerFile is how many cards each JSON-lines file of the synthetic
// collection holds (a file may not pass importer.MaxJSONFileSize).
const cardsPerFile = 10_000

// writeSyntheticCards writes n cards made from gold into JSON-lines files
// in the folder dir: each a gold card with its title and keywords varied by
// words of other cards, on one of 500 hosts, dated within two years,
// categories and themes kept.
func writeSyntheticCards(b *testing.B, dir string, gold []schema.Card, n int) {
	b.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var vocab []string
	for _, c := range gold {
		vocab = append(vocab, strings.Fields(c.Summary)...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for first := 0; first < n; first += cardsPerFile {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cards-%03d.jsonl", first/cardsPerFile)))
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		for i := first; i < min(n, first+cardsPerFile); i++ {
			c := gold[i%len(gold)]
			c.URL = fmt.Sprintf("https://host%d.example/%d/%s", i%500, i, url.PathEscape(strings.ToLower(vocab[rng.IntN(len(vocab))])))
			c.Title = c.Title + " " + vocab[rng.IntN(len(vocab))] + " " + vocab[rng.IntN(len(vocab))]
			c.Keywords = append(slices.Clone(c.Keywords), vocab[rng.IntN(len(vocab))])
			c.Closest = nil
			date := epoch.Add(time.Duration(rng.IntN(730*24)) * time.Hour).Format("2006-01-02")
			if err := enc.Encode(syntheticCard{Card: c, Published: date}); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// reportTwoFacets reports the times of /cards on a category and a theme:
// 100 pages on different pairs of the commonest categories and their
// commonest themes (first views: the store keeps the facets it counted),
// then one of them 100 times (views again).
func reportTwoFacets(b *testing.B, st *sqlite.Store, base string) {
	b.Helper()
	ctx := context.Background()
	cats, err := st.Facets(ctx, schema.CardFilter{}, schema.FacetCategory, 5)
	if err != nil || len(cats) == 0 {
		b.Fatalf("categories: %v, %v", cats, err)
	}
	var paths []string
	for _, c := range cats {
		themes, err := st.Facets(ctx, schema.CardFilter{Category: c.Value}, schema.FacetTheme, 20)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range themes {
			paths = append(paths, "/cards?category="+url.QueryEscape(c.Value)+"&theme="+url.QueryEscape(t.Value))
		}
	}
	b.ReportMetric(float64(len(paths)), "cards-2facets-pairs")
	reportPages(b, base, "cards-2facets", paths...)
	reportPages(b, base, "cards-2facets-again", paths[0])
}

// reportPages requests 100 pages, of paths in turn, and reports the p50
// and p95 times (the server on loopback: server time plus a local round
// trip), and of the CPU time the process used meanwhile (the server's, and
// the client's little).
func reportPages(b *testing.B, base, name string, paths ...string) {
	b.Helper()
	var ds, cpus []time.Duration
	for i := range 100 {
		path := paths[i%len(paths)]
		start, cpu := time.Now(), cputime.Process()
		resp, err := http.Get(base + path)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %s", path, resp.Status)
		}
		ds, cpus = append(ds, time.Since(start)), append(cpus, cputime.Process()-cpu)
	}
	for _, m := range []struct {
		name string
		ds   []time.Duration
	}{{name, ds}, {name + "-cpu", cpus}} {
		slices.Sort(m.ds)
		b.ReportMetric(float64(m.ds[len(m.ds)/2].Microseconds())/1000, m.name+"-p50-ms")
		b.ReportMetric(float64(m.ds[len(m.ds)*95/100].Microseconds())/1000, m.name+"-p95-ms")
	}
}

// reportSiteExport exports the site of the newest 10,000 cards.
func reportSiteExport(b *testing.B, st *sqlite.Store, dir string) {
	b.Helper()
	ctx := context.Background()
	cards, err := st.ListCards(ctx, schema.CardFilter{Limit: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	since := cards[len(cards)-1].Published
	sub := limitedCollection{Store: st, since: since}
	start, cpu := time.Now(), cputime.Process()
	stats, err := web.ExportSite(ctx, sub, filepath.Join(dir, fmt.Sprintf("site-%d", time.Now().UnixNano())), web.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(stats.Cards), "site-cards")
	b.ReportMetric(time.Since(start).Seconds(), "site-export-s")
	b.ReportMetric((cputime.Process() - cpu).Seconds(), "site-export-cpu-s")
}

// limitedCollection is the store seen from a date on, so that a site can
// be exported for part of it.
type limitedCollection struct {
	*sqlite.Store
	since time.Time
}

func (c limitedCollection) ListCards(ctx context.Context, f schema.CardFilter) ([]schema.CardSummary, error) {
	f.Since = later(f.Since, c.since)
	return c.Store.ListCards(ctx, f)
}

func (c limitedCollection) CountCards(ctx context.Context, f schema.CardFilter) (int, error) {
	f.Since = later(f.Since, c.since)
	return c.Store.CountCards(ctx, f)
}

func (c limitedCollection) Facets(ctx context.Context, f schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error) {
	f.Since = later(f.Since, c.since)
	return c.Store.Facets(ctx, f, facet, limit)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// peakRSSMB is the process's peak resident set size.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

// BenchmarkServeCards measures the server time of /cards with two facets
// (categories and their themes) and of a search page on an existing
// collection, VEILLE_BENCH_DB (such as the one the store's benchmarks
// build), skipped when unset:
//
//	VEILLE_BENCH_DB=/tmp/bench100k.db go test -run '^$' -bench ServeCards -benchtime 1x .
func BenchmarkServeCards(b *testing.B) {
	path := os.Getenv("VEILLE_BENCH_DB")
	if path == "" {
		b.Skip("VEILLE_BENCH_DB unset: skipping")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(web.New(st, web.Options{}))
	defer srv.Close()
	for range b.N {
		reportTwoFacets(b, st, srv.URL)
		reportPages(b, srv.URL, "search", "/cards?q=energy")
	}
	b.ReportMetric(peakRSSMB(), "peak-rss-MB")
}

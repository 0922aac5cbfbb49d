package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// aebPages reads the gzipped pages of ../shared/aeb/html, skipping the
// benchmark when the shared data is absent.
func aebPages(b *testing.B) [][]byte {
	b.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "aeb", "html")
	names, err := filepath.Glob(filepath.Join(dir, "*.html.gz"))
	if err != nil || len(names) == 0 {
		b.Skipf("no pages in %s (../shared is absent): skipping", dir)
	}
	sort.Strings(names)
	pages := make([][]byte, 0, len(names))
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		page, err := io.ReadAll(zr)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, page)
	}
	return pages
}

// benchDocs is the number of distinct URLs: $VEILLE_BENCH_DOCS, else 2000.
func benchDocs(b *testing.B) int {
	if s := os.Getenv("VEILLE_BENCH_DOCS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("VEILLE_BENCH_DOCS=%q: want a positive number", s)
		}
		return n
	}
	return 2000
}

// BenchmarkBatchAEB runs extract batch (the real binary) over the aeb pages
// served under VEILLE_BENCH_DOCS distinct URLs, against an
// OpenAI-compatible server that answers every request after 1 s, with
// --concurrency 8 --host-rps 0; then runs it again over the same URLs.
// Run it with -benchtime=1x. Reported: cards/s and its share of the ideal
// 8/s, peak RSS, store bytes per card, and the second run's time, fetches
// and model requests.
func BenchmarkBatchAEB(b *testing.B) {
	pages := aebPages(b)
	docs := benchDocs(b)
	bin := buildExtract(b)
	var fetches atomic.Int64
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		if err != nil || n < 0 {
			http.NotFound(w, r)
			return
		}
		fetches.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pages[n%len(pages)])
	}))
	defer site.Close()
	model := newFakeOpenAI(b, time.Second)
	var list strings.Builder
	for i := 0; i < docs; i++ {
		fmt.Fprintf(&list, "%s/p/%d\n", site.URL, i)
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		listPath := filepath.Join(dir, "list.txt")
		if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		db := filepath.Join(dir, "veille.db")
		args := []string{"batch", "--db", db, "--provider", "openai", "--no-cache", "--concurrency", "8",
			"--host-rps", "0", "--progress-every", "30s", listPath}

		requests0 := model.requests.Load()
		first, usage := runBench(b, bin, model, args)
		stored := storedCards(b, db)
		cards := len(stored)
		var modelTime time.Duration
		for _, c := range stored {
			modelTime += c.Latency
		}
		requests := model.requests.Load() - requests0
		size := storeSize(db)
		fetches0, requests1 := fetches.Load(), model.requests.Load()
		second, _ := runBench(b, bin, model, args)
		cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())

		b.ReportMetric(float64(cards)/first.Seconds(), "cards/s")
		b.ReportMetric(100*float64(cards)/first.Seconds()/8, "%ideal")
		b.ReportMetric(float64(usage.Maxrss)/1024, "peakRSS_MB")
		b.ReportMetric(float64(cpu.Milliseconds())/float64(max(cards, 1)), "cpu_ms/card")
		b.ReportMetric(float64(size)/float64(max(cards, 1)), "storeB/card")
		b.ReportMetric(float64(requests), "model_requests")
		b.ReportMetric(modelTime.Seconds()/float64(max(cards, 1)), "model_s/card")
		b.ReportMetric(jobSeconds(b, db), "job_s/card")
		b.ReportMetric(float64(cards), "cards")
		b.ReportMetric(second.Seconds(), "rerun_s")
		b.ReportMetric(float64(fetches.Load()-fetches0), "rerun_fetches")
		b.ReportMetric(float64(model.requests.Load()-requests1), "rerun_model_requests")
	}
}

// runBench runs the binary once and returns its wall time and resource
// usage (Maxrss in KB).
func runBench(b *testing.B, bin string, model *fakeOpenAI, args []string) (time.Duration, *syscall.Rusage) {
	b.Helper()
	cmd := batchProcess(bin, model, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	elapsed := time.Since(start)
	if err != nil {
		b.Fatalf("batch: %v\n%s\n%s", err, out, stderr.String())
	}
	b.Logf("%s", out)
	return elapsed, cmd.ProcessState.SysUsage().(*syscall.Rusage)
}

// storeSize is the database's size on disk, WAL included.
func storeSize(db string) int64 {
	var total int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(db + suffix); err == nil {
			total += fi.Size()
		}
	}
	return total
}

// jobSeconds is the mean duration of the first run's finished attempts.
func jobSeconds(b *testing.B, db string) float64 {
	attempts, err := openBatchStore(b, db).RunAttempts(context.Background(), 1)
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for _, a := range attempts {
		total += a.FinishedAt.Sub(a.StartedAt)
	}
	return total.Seconds() / float64(max(len(attempts), 1))
}

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/batch/queue"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
)

// BenchmarkBatchPostgres is BenchmarkBatchAEB on a PostgreSQL queue worked
// by 1 and by 4 processes (--concurrency 8 each; three wait for jobs, one
// queues the list and works too): VEILLE_BENCH_DOCS URLs per worker (200
// by default), a fake model answering after 1 s. Run it with -benchtime=1x:
//
//	cd cmd/extract && go test -run '^$' -bench BatchPostgres -benchtime 1x .
//
// Reported: cards/s, its share of the ideal (8/s per worker) and the CPU
// time of the workers per card, which bounds the rate on a small machine.
func BenchmarkBatchPostgres(b *testing.B) {
	pages := aebPages(b)
	perWorker := 200
	if v := os.Getenv("VEILLE_BENCH_DOCS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("VEILLE_BENCH_DOCS=%q: want a positive number", v)
		}
		perWorker = n
	}
	bin := buildExtract(b)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		if err != nil || n < 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pages[n%len(pages)])
	}))
	defer site.Close()
	model := newFakeOpenAI(b, time.Second)
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for range b.N {
				docs := perWorker * workers
				dsn := pgtest.NewDatabase(b)
				st, err := postgres.Open(b.Context(), dsn)
				if err != nil {
					b.Fatal(err)
				}
				q, err := queue.NewPostgres(st.DB(), st.Pool(), queue.DefaultConfig())
				if err == nil {
					err = q.Migrate(b.Context())
				}
				st.Close()
				if err != nil {
					b.Fatal(err)
				}
				var list strings.Builder
				for i := range docs {
					fmt.Fprintf(&list, "%s/p/%d?w=%d\n", site.URL, i, workers)
				}
				listPath := filepath.Join(b.TempDir(), "list.txt")
				if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
					b.Fatal(err)
				}
				common := []string{"--db", dsn, "--provider", "openai", "--no-cache", "--concurrency", "8",
					"--host-rps", "0", "--progress-every", "30s"}
				var waiting []*exec.Cmd
				for range workers - 1 {
					w := batchProcess(bin, model, append([]string{"batch", "--wait"}, common...)...)
					if err := w.Start(); err != nil {
						b.Fatal(err)
					}
					waiting = append(waiting, w)
				}
				elapsed, usage := runBench(b, bin, model, append(append([]string{"batch"}, common...), listPath))
				cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
				for _, w := range waiting {
					w.Process.Signal(os.Interrupt)
					w.Wait()
					ru := w.ProcessState.SysUsage().(*syscall.Rusage)
					cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				}
				st, err = postgres.Open(b.Context(), dsn)
				if err != nil {
					b.Fatal(err)
				}
				cards, err := st.CountCards(b.Context(), schema.CardFilter{})
				st.Close()
				if err != nil {
					b.Fatal(err)
				}
				rate := float64(cards) / elapsed.Seconds()
				b.ReportMetric(rate, "cards/s")
				b.ReportMetric(100*rate/float64(8*workers), "%ideal")
				b.ReportMetric(float64(cpu.Milliseconds())/float64(max(cards, 1)), "cpu_ms/card")
				b.ReportMetric(float64(cards), "cards")
			}
		})
	}
}

package extractbench

import (
	"bytes"
	"testing"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"github.com/veille/veille/pipeline/extract"
)

// benchmarkPages runs extract over every benchmark page per iteration and
// reports pages/s.
func benchmarkPages(b *testing.B, extract func([]byte) error) {
	pages, err := LoadPages(aebDir(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			if err := extract(p.HTML); err != nil {
				b.Logf("%s: %v", p.ID, err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkExtractPlainTrafilatura is the reference: go-trafilatura with
// its default options, as its README calls it.
func BenchmarkExtractPlainTrafilatura(b *testing.B) {
	benchmarkPages(b, func(body []byte) error {
		_, err := trafilatura.Extract(bytes.NewReader(body), trafilatura.Options{})
		return err
	})
}

// BenchmarkExtractPlainTrafilaturaFallback is go-trafilatura with its
// fallback extractors (readability, dom-distiller).
func BenchmarkExtractPlainTrafilaturaFallback(b *testing.B) {
	benchmarkPages(b, func(body []byte) error {
		_, err := trafilatura.Extract(bytes.NewReader(body), trafilatura.Options{EnableFallback: true})
		return err
	})
}

// BenchmarkExtractHTML is the product's extractor.
func BenchmarkExtractHTML(b *testing.B) {
	benchmarkPages(b, func(body []byte) error {
		_, err := extract.HTML(body, "")
		return err
	})
}

// BenchmarkExtractRelative alternates plain go-trafilatura and HTML
// page by page, so that both see the same machine load, and reports the
// pages/s of each and their ratio (the target is ratio ≥ 0.5).
func BenchmarkExtractRelative(b *testing.B) {
	pages, err := LoadPages(aebDir(b))
	if err != nil {
		b.Fatal(err)
	}
	var plain, ours time.Duration
	for b.Loop() {
		for _, p := range pages {
			start := time.Now()
			_, _ = trafilatura.Extract(bytes.NewReader(p.HTML), trafilatura.Options{})
			mid := time.Now()
			_, _ = extract.HTML(p.HTML, "")
			plain += mid.Sub(start)
			ours += time.Since(mid)
		}
	}
	n := float64(b.N * len(pages))
	b.ReportMetric(n/plain.Seconds(), "plain-pages/s")
	b.ReportMetric(n/ours.Seconds(), "pages/s")
	b.ReportMetric(plain.Seconds()/ours.Seconds(), "ratio")
}

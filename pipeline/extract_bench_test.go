package pipeline

import (
	"bytes"
	"testing"

	trafilatura "github.com/markusmobius/go-trafilatura"
)

// benchmarkPages runs extract over every benchmark page per iteration and
// reports pages/s.
func benchmarkPages(b *testing.B, extract func([]byte) error) {
	pages, err := LoadBenchmarkPages(aebDir(b))
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
		_, err := ExtractHTML(body, "")
		return err
	})
}

package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/internal/cputime"
	"github.com/veille/veille/schema"
)

// nopStore accepts every card.
type nopStore struct{}

func (nopStore) ImportCard(context.Context, schema.NewCard) (int64, int, bool, error) {
	return 1, 1, true, nil
}

// BenchmarkImport imports 1,000 markdown cards of the full layout and
// reports cards per second (the store does nothing).
func BenchmarkImport(b *testing.B) {
	src, err := os.ReadFile("testdata/cards/current.md")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	const n = 1000
	for i := range n {
		card := strings.Replace(string(src), "green-roofs?utm", fmt.Sprintf("green-roofs-%d?utm", i), 1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.md", i)), []byte(card), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		sum, err := Import(context.Background(), nopStore{}, []string{dir})
		if err != nil || sum.New != n {
			b.Fatalf("summary %+v, error %v", sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "cards/s")
}

// BenchmarkImportJSON reads 2,000 cards of the full layout from a JSON
// lines file, as `extract export` writes them, and reports cards per
// second and the CPU time per card (the store does nothing).
func BenchmarkImportJSON(b *testing.B) {
	cards, err := ReadFile("testdata/cards/current.md")
	if err != nil {
		b.Fatal(err)
	}
	var card map[string]any
	if err := json.Unmarshal([]byte(cards[0].CardJSON), &card); err != nil {
		b.Fatal(err)
	}
	card["published"] = "2026-01-02T03:04:05Z"
	const n = 2000
	var lines bytes.Buffer
	for i := range n {
		card["url"] = fmt.Sprintf("https://news.example/green-roofs-%d", i)
		line, err := json.Marshal(card)
		if err != nil {
			b.Fatal(err)
		}
		lines.Write(append(line, '\n'))
	}
	path := filepath.Join(b.TempDir(), "cards.jsonl")
	if err := os.WriteFile(path, lines.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Process()
	for b.Loop() {
		sum, err := Import(context.Background(), nopStore{}, []string{path})
		if err != nil || sum.New != n {
			b.Fatalf("summary %+v, error %v", sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "cards/s")
	b.ReportMetric(float64((cputime.Process()-cpu).Microseconds())/1000/float64(n*b.N), "cpu-ms/card")
}

func (st nopStore) ImportCards(ctx context.Context, cs []schema.NewCard) ([]schema.ImportResult, error) {
	out := make([]schema.ImportResult, len(cs))
	for i := range cs {
		out[i] = schema.ImportResult{CardID: 1, Version: 1, Changed: true}
	}
	return out, nil
}

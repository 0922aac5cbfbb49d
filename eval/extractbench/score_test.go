package extractbench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/pipeline/extract"
)

// aebTargetF1 is the body F1 the extractor reaches on the development half
// of the article-extraction benchmark; the test keeps it from regressing.
const aebTargetF1 = 0.977

// aebDir locates ../shared/aeb beside the module root, skipping the test
// when it is absent.
func aebDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "aeb"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ground-truth.json")); err != nil {
		tb.Skipf("benchmark data absent (%s): %v", dir, err)
	}
	return dir
}

// aebGroundTruth reads dir/ground-truth.json as id → article body.
func aebGroundTruth(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var truth map[string]prediction
	if err := json.Unmarshal(raw, &truth); err != nil {
		tb.Fatalf("ground truth: %v", err)
	}
	bodies := make(map[string]string, len(truth))
	for id, t := range truth {
		bodies[id] = t.ArticleBody
	}
	return bodies
}

func TestExtractHTMLBenchmarkF1(t *testing.T) {
	if testing.Short() {
		t.Skip("extracts 88 pages")
	}
	dir := aebDir(t)
	truth := aebGroundTruth(t, dir)
	pages, err := LoadPages(dir)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]ShingleCounts, 0, len(pages))
	for _, p := range pages {
		want, ok := truth[p.ID]
		if !ok {
			t.Fatalf("page %s has no ground truth", p.ID)
		}
		got := ""
		if ex, err := extract.HTML(p.HTML, ""); err == nil {
			got = ex.Text
		}
		c := CompareShingles(want, got)
		counts = append(counts, c)
		if c.F1() < 0.9 {
			t.Logf("%s: F1 %.3f precision %.3f recall %.3f", p.ID, c.F1(), c.Precision(), c.Recall())
		}
	}
	s := Score(counts)
	t.Logf("aeb body F1 %.4f precision %.4f recall %.4f (%d pages)", s.F1, s.Precision, s.Recall, len(counts))
	if s.F1 < aebTargetF1 {
		t.Errorf("aeb body F1 = %.4f, want ≥ %.3f", s.F1, aebTargetF1)
	}
}

func TestCompareShingles(t *testing.T) {
	tests := []struct {
		name       string
		truth      string
		pred       string
		p, r, f1   float64
		tp, fp, fn float64
	}{
		{"both empty", "", "", 1, 1, 1, 0, 0, 0},
		{"nothing predicted", "a b c d e", "", 0, 0, 0, 0, 0, 1},
		{"exact", "one two three four five", "one, two; three four five!", 1, 1, 1, 1, 0, 0},
		{"short texts are one shingle", "a b", "a b", 1, 1, 1, 1, 0, 0},
		{"extra text", "a b c d", "a b c d e", 0.5, 1, 2.0 / 3, 0.5, 0.5, 0},
		{"case matters", "A b c d", "a b c d", 0, 0, 0, 0, 0.5, 0.5},
		{"unicode words", "été à Québec 2024", "été à Québec 2024", 1, 1, 1, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareShingles(tt.truth, tt.pred)
			for _, v := range []struct {
				what      string
				got, want float64
			}{
				{"tp", c.TP, tt.tp}, {"fp", c.FP, tt.fp}, {"fn", c.FN, tt.fn},
				{"precision", c.Precision(), tt.p}, {"recall", c.Recall(), tt.r}, {"f1", c.F1(), tt.f1},
			} {
				if math.Abs(v.got-v.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", v.what, v.got, v.want)
				}
			}
		})
	}
}

func TestBenchmarkPredictions(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "html"), 0o755); err != nil {
		t.Fatal(err)
	}
	pages := map[string][]byte{
		"article": readExtractFixture(t, "article.html"),
		"empty":   readExtractFixture(t, "empty.html"),
	}
	for id, body := range pages {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(body); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "html", id+".html.gz"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := WritePredictions(context.Background(), dir, &out); err != nil {
		t.Fatal(err)
	}
	var got map[string]prediction
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("predictions are not JSON: %v\n%s", err, out.String())
	}
	if len(got) != 2 {
		t.Fatalf("got %d predictions, want 2: %v", len(got), got)
	}
	if !strings.HasPrefix(got["article"].ArticleBody, "Trois villes du Québec") {
		t.Errorf("article body = %.60q…", got["article"].ArticleBody)
	}
	if got["empty"].ArticleBody != "" {
		t.Errorf("empty page body = %q, want empty", got["empty"].ArticleBody)
	}
}

func TestBenchmarkPredictionsWithoutPages(t *testing.T) {
	err := WritePredictions(context.Background(), t.TempDir(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no html/*.html.gz pages") {
		t.Errorf("error = %v, want one saying there are no pages", err)
	}
}

// readExtractFixture reads a page of the extractor's own test fixtures.
func readExtractFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "pipeline", "extract", "testdata", "extract", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

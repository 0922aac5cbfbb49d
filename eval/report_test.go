package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// syntheticReport scores the synthetic card files of testdata/cards: a
// perfect prediction in JSON (airlines), a partial one paired by canonical
// URL under another name (ia-quebec), the card of another article (other),
// a gold card without prediction (missing), a prediction without gold and a
// malformed prediction.
func syntheticReport(t testing.TB) Report {
	t.Helper()
	gold, goldErrs, err := LoadGold(filepath.Join("testdata", "cards", "gold"))
	if err != nil {
		t.Fatal(err)
	}
	preds, predErrs, err := LoadPredictions(filepath.Join("testdata", "cards", "pred"))
	if err != nil {
		t.Fatal(err)
	}
	pairs, unpaired := PairCards(gold, preds)
	r := evaluate(t, pairs, append(goldErrs, predErrs...), unpaired)
	r.Gold, r.Predictions = "testdata/cards/gold", "testdata/cards/pred"
	r.Provenance = MergeProvenance(preds)
	return r
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./eval -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./eval -update rewrites it):\n%s", name, got)
	}
}

func TestWriteTableGolden(t *testing.T) {
	r := syntheticReport(t)
	var b bytes.Buffer
	if err := WriteTable(&b, &r); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.txt", b.Bytes())
}

func TestWriteJSONGolden(t *testing.T) {
	r := syntheticReport(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, &r); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.json", b.Bytes())
	var top map[string]any
	if err := json.Unmarshal(b.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	if _, ok := top["overall"].(float64); !ok {
		t.Errorf("top-level overall = %v, want a number", top["overall"])
	}
}

func TestReportCounts(t *testing.T) {
	r := syntheticReport(t)
	want := Counts{Gold: 4, Scored: 4, Missing: 1, Unpaired: 1, Errors: 1}
	if r.Counts != want {
		t.Errorf("counts = %+v, want %+v", r.Counts, want)
	}
	wantOverall := map[string]float64{"airlines": 1, "missing": 0}
	for _, c := range r.Cards {
		if want, ok := wantOverall[c.ID]; ok && c.Overall != want {
			t.Errorf("%s: overall %v, want %v", c.ID, c.Overall, want)
		}
		if c.ID == "other" && c.Overall > 0.15 {
			t.Errorf("other: overall %v, want near 0", c.Overall)
		}
		if c.ID == "ia-quebec" && filepath.Base(c.PredFile) != "renamed-ia.md" {
			t.Errorf("ia-quebec paired with %q, want renamed-ia.md (same canonical URL)", c.PredFile)
		}
	}
	if e := r.Errors[0]; filepath.Base(e.File) != "broken.md" || e.Line != 13 || e.Role != "pred" {
		t.Errorf("error = %+v, want pred broken.md line 13", e)
	}
	if r.Provenance.Provider != "offline" {
		t.Errorf("provenance = %+v", r.Provenance)
	}
	// The run's overall is the mean of its section scores.
	var sum float64
	for _, s := range r.Sections {
		sum += s.Score
	}
	assertNear(t, "overall", r.Overall, sum/float64(len(r.Sections)), 1e-12)
}

func TestBaselineDeltas(t *testing.T) {
	before := syntheticReport(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, &before); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "prev.json")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	prev, err := ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	// Improve one card, spoil another.
	pairs := []Pair{
		{ID: "ia-quebec", Gold: frenchCard(), Pred: frenchCard()},
		{ID: "airlines", Gold: englishCard(), Pred: nil},
	}
	after := evaluate(t, pairs, nil, 0)
	cmp := CompareReports(prev, &after, path)
	if d, _ := cmp.Card("ia-quebec"); d.Overall.Mark != MarkImproved || d.Overall.After != 1 {
		t.Errorf("ia-quebec delta = %+v, want improved to 1", d.Overall)
	}
	if d, _ := cmp.Card("airlines"); d.Overall.Mark != MarkRegressed || d.Overall.Delta != -1 {
		t.Errorf("airlines delta = %+v, want regressed by 1", d.Overall)
	}
	if _, ok := cmp.Card("other"); ok {
		t.Errorf("other has a delta, but it is not in the new report")
	}
	if d := cmp.Sections[SectionKeywords]; d.Before != prev.Sections[0].Score {
		t.Errorf("keywords before = %.3f, want %.3f", d.Before, prev.Sections[0].Score)
	}
	after.Baseline = cmp
	var out bytes.Buffer
	if err := WriteTable(&out, &after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+0.23 ▲") || !strings.Contains(out.String(), "-1.00 ▼") {
		t.Errorf("table does not mark the deltas:\n%s", out.String())
	}
}

func TestWriteHTMLEscapesAndIsSelfContained(t *testing.T) {
	gold := frenchCard()
	gold.Title = `<script>alert("title")</script>`
	gold.Concerns[0].Name = `<img src=x onerror=alert(1)>`
	pred := cloneCard(gold)
	pred.Summary = `</td><b>injected</b>`
	r := evaluate(t, []Pair{{ID: "x", Gold: gold, Pred: pred}}, []FileError{{File: "<bad>.md", Role: "gold", Message: "<oops>"}}, 0)
	var b bytes.Buffer
	if err := WriteHTML(&b, &r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<img", "<b>injected", "<bad>", "<oops>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	for _, external := range []string{"<link", "src=\"http", "@import", "url("} {
		if strings.Contains(page, external) {
			t.Errorf("page loads an external asset (%q)", external)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "class=\"hist\"", "class=\"bar\"", "<details>", "Informal Use of Banned AI Tools"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRunSectionDetails(t *testing.T) {
	gold := frenchCard()
	good, bad := cloneCard(gold), cloneCard(gold)
	good.Signals[0].Relevancy = rel(2) // error 2 on 1 row of 4
	bad.Signals = bad.Signals[:2]      // 2 rows matched, no error
	r := evaluate(t, []Pair{{ID: "good", Gold: gold, Pred: good}, {ID: "bad", Gold: gold, Pred: bad}}, nil, 0)
	for _, s := range r.Sections {
		switch s.Section {
		case SectionCategory, SectionTitle:
			if s.Precision != nil || s.Columns != nil {
				t.Errorf("%s has precision or columns", s.Section)
			}
		case SectionSignals:
			if s.Precision == nil || *s.Precision != 1 || *s.Recall != 0.75 {
				t.Errorf("signals P/R = %v/%v, want 1/0.75", s.Precision, s.Recall)
			}
			if s.RelevancyN != 6 || s.RelevancyMAE == nil {
				t.Fatalf("signals relevancy n = %d, want 6 rows pooled", s.RelevancyN)
			}
			assertNear(t, "pooled MAE", *s.RelevancyMAE, 2.0/6, 1e-12)
			if len(s.Columns) != 3 || s.Columns[0].N != 6 || *s.Columns[0].Mean != 1 {
				t.Errorf("signals columns = %+v", s.Columns)
			}
		}
	}
}

func FuzzDecodeReport(f *testing.F) {
	r := syntheticReport(f)
	var b bytes.Buffer
	if err := WriteJSON(&b, &r); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"version":1,"overall":0.5,"cards":[{"id":"a","sections":[{"section":"keywords","score":2}]}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeReport(data)
		if err != nil {
			return
		}
		// A report compared with itself changes nothing; no input makes the
		// comparison or the reports fail.
		c := CompareReports(r, r, "self")
		if c.Overall.Mark != "" && !math.IsNaN(r.Overall) && !math.IsInf(r.Overall, 0) {
			t.Fatalf("self delta marked: %+v", c.Overall)
		}
		r.Baseline = c
		if err := WriteTable(io.Discard, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteHTML(io.Discard, r); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDeltaTextMarksTheDirection(t *testing.T) {
	tests := []struct {
		d    Delta
		want string
	}{
		{Delta{Delta: 0.12, Mark: MarkImproved}, "▲ +0.120"},
		{Delta{Delta: -0.243, Mark: MarkRegressed}, "▼ -0.243"},
		{Delta{Delta: 0.001}, "+0.001"},
	}
	for _, tt := range tests {
		if got := deltaText(tt.d); got != tt.want {
			t.Errorf("deltaText(%+v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestDrillDownSaysNAForAMissingGoldLabel checks that the per-card
// drill-down agrees with the score table: no gold category is n/a, not
// "wrong".
func TestDrillDownSaysNAForAMissingGoldLabel(t *testing.T) {
	gold := frenchCard()
	gold.Category = ""
	pred := cloneCard(gold)
	pred.Category = "politics"
	r := evaluate(t, []Pair{{ID: "x", Gold: gold, Pred: pred}}, nil, 0)
	var b bytes.Buffer
	if err := WriteHTML(&b, &r); err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`<tr><th>category</th>.*</tr>`).FindString(b.String())
	if !strings.Contains(row, "n/a") || strings.Contains(row, "wrong") {
		t.Errorf("category row = %s, want n/a", row)
	}
}

// evaluate is [Evaluate] for tests: it fails the test on an error.
func evaluate(tb testing.TB, pairs []Pair, errs []FileError, unpaired int) Report {
	tb.Helper()
	r, err := Evaluate(context.Background(), pairs, errs, unpaired)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestEvaluateStopsWhenCancelled: a cancelled context stops the scoring
// before every pair is scored and says why.
func TestEvaluateStopsWhenCancelled(t *testing.T) {
	gold := &schema.Card{URL: "https://a.example/x", Answer: schema.Answer{Title: "t", Summary: "s"}}
	pairs := make([]Pair, 10000)
	for i := range pairs {
		pairs[i] = Pair{ID: fmt.Sprint(i), Gold: gold, Pred: gold}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Evaluate(ctx, pairs, nil, 0)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Evaluate with a cancelled context: err = %v, want context.Canceled", err)
	}
}

package eval

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// syntheticReport scores a fixed set of synthetic pairs: a perfect one, a
// partial one, a card of another article, a missing prediction, and an error.
func syntheticReport() Report {
	partial := cloneCard(frenchCard())
	partial.Signals = partial.Signals[:2]
	partial.Keywords = []string{"IA générative", "Québec", "santé"}
	partial.Category = schema.CategoryTechnology
	partial.Summary = "L'auteur critique l'interdiction de l'IA générative dans la fonction publique."
	pairs := []Pair{
		{ID: "b-partial", GoldFile: "gold/b.md", PredFile: "pred/b.md", Gold: frenchCard(), Pred: partial},
		{ID: "a-perfect", GoldFile: "gold/a.md", PredFile: "pred/a.json", Gold: englishCard(), Pred: englishCard()},
		{ID: "c-other", GoldFile: "gold/c.md", PredFile: "pred/c.md", Gold: englishCard(), Pred: frenchCard()},
		{ID: "d-missing", GoldFile: "gold/d.md", Gold: frenchCard()},
	}
	errs := []FileError{{File: "pred/e.md", Line: 12, Role: "pred", Message: "table row has 3 cells, header has 6"}}
	r := Evaluate(pairs, errs, 1)
	r.Gold, r.Predictions = "gold", "pred"
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
	r := syntheticReport()
	var b bytes.Buffer
	if err := WriteTable(&b, &r); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.txt", b.Bytes())
}

func TestWriteJSONGolden(t *testing.T) {
	r := syntheticReport()
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
	r := syntheticReport()
	want := Counts{Gold: 4, Scored: 4, Missing: 1, Unpaired: 1, Errors: 1}
	if r.Counts != want {
		t.Errorf("counts = %+v, want %+v", r.Counts, want)
	}
	if r.Cards[0].ID != "a-perfect" || r.Cards[0].Overall != 1 {
		t.Errorf("first card = %s %.3f, want a-perfect 1.000 (sorted by ID)", r.Cards[0].ID, r.Cards[0].Overall)
	}
	// The run's overall is the mean of its section scores.
	var sum float64
	for _, s := range r.Sections {
		sum += s.Score
	}
	assertNear(t, "overall", r.Overall, sum/float64(len(r.Sections)), 1e-12)
}

func TestBaselineDeltas(t *testing.T) {
	before := syntheticReport()
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
		{ID: "b-partial", Gold: frenchCard(), Pred: frenchCard()},
		{ID: "a-perfect", Gold: englishCard(), Pred: nil},
	}
	after := Evaluate(pairs, nil, 0)
	cmp := CompareReports(prev, &after, path)
	if d, _ := cmp.Card("b-partial"); d.Overall.Mark != MarkImproved || d.Overall.After != 1 {
		t.Errorf("b-partial delta = %+v, want improved to 1", d.Overall)
	}
	if d, _ := cmp.Card("a-perfect"); d.Overall.Mark != MarkRegressed || d.Overall.Delta != -1 {
		t.Errorf("a-perfect delta = %+v, want regressed by 1", d.Overall)
	}
	if _, ok := cmp.Card("c-other"); ok {
		t.Errorf("c-other has a delta, but it is not in the new report")
	}
	if d := cmp.Sections[SectionKeywords]; d.Before != prev.Sections[0].Score {
		t.Errorf("keywords before = %.3f, want %.3f", d.Before, prev.Sections[0].Score)
	}
	after.Baseline = cmp
	var out bytes.Buffer
	if err := WriteTable(&out, &after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+0.") || !strings.Contains(out.String(), "-1.00-") {
		t.Errorf("table does not mark the deltas:\n%s", out.String())
	}
}

func TestWriteHTMLEscapesAndIsSelfContained(t *testing.T) {
	gold := frenchCard()
	gold.Title = `<script>alert("title")</script>`
	gold.Concerns[0].Name = `<img src=x onerror=alert(1)>`
	pred := cloneCard(gold)
	pred.Summary = `</td><b>injected</b>`
	r := Evaluate([]Pair{{ID: "x", Gold: gold, Pred: pred}}, []FileError{{File: "<bad>.md", Role: "gold", Message: "<oops>"}}, 0)
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
	r := Evaluate([]Pair{{ID: "good", Gold: gold, Pred: good}, {ID: "bad", Gold: gold, Pred: bad}}, nil, 0)
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

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/eval"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
	"github.com/veille/veille/store/sqlite"
)

// runEvalCmd runs one command line in-process: exit status, stdout, stderr.
func runEvalCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	stdout, stderr, code = runExtract(t, "", args...)
	return code, stdout, stderr
}

func readJSONReport(t *testing.T, path string) eval.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r eval.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

const evalData = "testdata/eval"

func TestEvalScoresDespiteMalformedCards(t *testing.T) {
	dir := t.TempDir()
	db, js, page := filepath.Join(dir, "v.db"), filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	code, stdout, stderr := runEvalCmd(t, "eval", "--gold", evalData+"/gold", "--pred", evalData+"/pred",
		"--db", db, "--json", js, "--html", page)
	if code != exitFailure {
		t.Errorf("exit %d, want %d (two card files are malformed)", code, exitFailure)
	}
	for _, want := range []string{"gold/broken.md:9: gold card:", "pred/bad.json:3: pred card:", "2 errors"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "card files that could not be read: 2") {
		t.Errorf("stderr = %q", stderr)
	}
	r := readJSONReport(t, js)
	if r.Counts.Scored != 2 || r.Counts.Errors != 2 || len(r.Cards) != 2 {
		t.Errorf("counts = %+v, want 2 scored, 2 errors", r.Counts)
	}
	// renamed-ia.md pairs with ia-quebec.md by canonical URL (its link has utm_source).
	if c := r.Cards[1]; c.ID != "ia-quebec" || !strings.HasSuffix(c.PredFile, "renamed-ia.md") {
		t.Errorf("card 2 = %s paired with %q, want ia-quebec with renamed-ia.md", c.ID, c.PredFile)
	}
	if r.Provenance.Provider != "offline" {
		t.Errorf("provenance = %+v, want the JSON card's", r.Provenance)
	}
	if html, err := os.ReadFile(page); err != nil || !bytes.Contains(html, []byte("<details>")) {
		t.Errorf("HTML report: %v", err)
	}
	code, stdout, _ = runEvalCmd(t, "eval", "--history", "--db", db)
	if code != exitOK || !strings.Contains(stdout, "offline/baseline/card-v1") || !strings.Contains(stdout, evalData+"/pred") {
		t.Errorf("--history: exit %d\n%s", code, stdout)
	}
}

func TestEvalGoldAgainstItself(t *testing.T) {
	gold := evalData + "/gold/airlines.md"
	code, stdout, stderr := runEvalCmd(t, "eval", "--gold", gold, "--pred", gold, "--db", filepath.Join(t.TempDir(), "v.db"), "--min-score", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "overall 1.000") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestEvalMinScoreAndBaseline(t *testing.T) {
	dir := t.TempDir()
	db, first, second := filepath.Join(dir, "v.db"), filepath.Join(dir, "1.json"), filepath.Join(dir, "2.json")
	gold, pred := evalData+"/gold/ia-quebec.md", evalData+"/pred/renamed-ia.md"
	code, _, stderr := runEvalCmd(t, "eval", "--gold", gold, "--pred", pred, "--db", db, "--json", first, "--min-score", "0.99")
	if code != exitFailure || !strings.Contains(stderr, "below --min-score 0.990") {
		t.Errorf("--min-score 0.99: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr := runEvalCmd(t, "eval", "--gold", gold, "--pred", gold, "--db", db, "--json", second, "--baseline", first, "--min-score", "0.5")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "delta") || !strings.Contains(stdout, "+") {
		t.Errorf("no marked deltas:\n%s", stdout)
	}
	r := readJSONReport(t, second)
	if r.Baseline == nil || r.Baseline.Overall.Mark != eval.MarkImproved {
		t.Errorf("baseline = %+v, want an improvement", r.Baseline)
	}
}

func TestEvalEmptyPredictionsScoreZero(t *testing.T) {
	empty := t.TempDir()
	js := filepath.Join(empty, "..", "r.json")
	code, _, stderr := runEvalCmd(t, "eval", "--gold", evalData+"/gold/airlines.md", "--pred", empty, "--db", filepath.Join(t.TempDir(), "v.db"), "--json", js)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := readJSONReport(t, js)
	if r.Overall != 0 || r.Counts.Missing != 1 {
		t.Errorf("overall %v, missing %d; want 0 and 1", r.Overall, r.Counts.Missing)
	}
}

func TestEvalUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"eval"},
		{"eval", "--gold", evalData + "/gold", "--min-score", "2"},
		{"eval", "--gold", evalData + "/gold", "extra-arg"},
	} {
		if code, _, _ := runEvalCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	code, _, stderr := runEvalCmd(t, "eval", "--gold", "no/such/dir", "--db", filepath.Join(t.TempDir(), "v.db"))
	if code != exitFailure || !strings.Contains(stderr, "no/such/dir") {
		t.Errorf("missing gold: exit %d, stderr %q", code, stderr)
	}
	empty := t.TempDir()
	code, _, stderr = runEvalCmd(t, "eval", "--gold", empty, "--db", filepath.Join(t.TempDir(), "v.db"))
	if code != exitFailure || !strings.Contains(stderr, "no gold card file in "+empty) {
		t.Errorf("empty gold directory: exit %d, stderr %q", code, stderr)
	}
}

// TestEvalLatestStoredCards scores the latest stored card of each gold
// card's document when --pred is not given.
func TestEvalLatestStoredCards(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "v.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	goldCard, err := eval.ReadCardFile(evalData + "/gold/airlines.md")
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := schema.CanonicalURL(goldCard.Card.URL)
	if err != nil {
		t.Fatal(err)
	}
	doc := schema.Document{ID: schema.DocumentID(canonical), CanonicalURL: canonical, URL: canonical, Text: "page text"}
	if err := st.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	older := *goldCard.Card
	older.Keywords = nil
	for _, c := range []schema.Card{older, *goldCard.Card} { // the second version is the latest
		js, _ := json.Marshal(c)
		nc := schema.NewCard{DocumentID: doc.ID, URL: canonical, CardJSON: string(js), Markdown: markdown.Render(c),
			RawJSON: "{}", Provenance: schema.Provenance{Provider: "offline", Model: "baseline", PromptName: "card", PromptVersion: "v1"}}
		if _, _, err := st.SaveCard(ctx, nc, schema.ModelRun{Input: canonical, DocumentID: doc.ID, Provider: "offline", Model: "baseline"}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	js := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runEvalCmd(t, "eval", "--gold", evalData+"/gold", "--db", db, "--json", js)
	if code != exitFailure { // gold/broken.md is malformed
		t.Errorf("exit %d, want %d: %s", code, exitFailure, stderr)
	}
	r := readJSONReport(t, js)
	if r.Predictions != "store" || r.Provenance.Prompt != "card@v1" {
		t.Errorf("predictions %q, provenance %+v", r.Predictions, r.Provenance)
	}
	for _, c := range r.Cards {
		switch c.ID {
		case "airlines":
			if c.Overall != 1 || !strings.HasSuffix(c.PredFile, "@v2") {
				t.Errorf("airlines: overall %v from %s, want 1 from version 2", c.Overall, c.PredFile)
			}
		case "ia-quebec":
			if !c.Missing || c.Overall != 0 {
				t.Errorf("ia-quebec: missing %v overall %v, want missing and 0", c.Missing, c.Overall)
			}
		}
	}
}

// TestEvalRunMakesMissingCardsOffline makes the prediction of a gold pair
// from the page file beside it, with the offline baseline, then finds it in
// the store on the next run.
func TestEvalRunMakesMissingCardsOffline(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	js := filepath.Join(t.TempDir(), "r.json")
	args := []string{"eval", "--gold", evalData + "/pairs", "--run", "--provider", "offline", "--db", db, "--json", js}
	code, _, stderr := runEvalCmd(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "made 1 of 1 missing cards") {
		t.Errorf("stderr = %q", stderr)
	}
	r := readJSONReport(t, js)
	if len(r.Cards) != 1 || r.Cards[0].Missing || r.Cards[0].Overall <= 0 {
		t.Fatalf("cards = %+v, want one scored prediction", r.Cards)
	}
	if r.Provenance.Provider != "offline" {
		t.Errorf("provenance = %+v", r.Provenance)
	}
	first := r.Overall
	code, _, stderr = runEvalCmd(t, args...)
	if code != exitOK || strings.Contains(stderr, "made") {
		t.Errorf("second run: exit %d, stderr %q; want the stored card reused", code, stderr)
	}
	if r := readJSONReport(t, js); r.Overall != first {
		t.Errorf("second run overall %v, first %v", r.Overall, first)
	}
	if code, _, _ := runEvalCmd(t, "eval", "--gold", evalData+"/pairs", "--run", "--pred", evalData+"/pred"); code != exitUsage {
		t.Errorf("--run with --pred: exit %d, want %d", code, exitUsage)
	}
}

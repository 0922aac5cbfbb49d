package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

func TestEvalRunsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	score := 0.75
	first := EvalRun{Gold: "gold/", Predictions: "pred/", Provider: "offline", Model: "baseline-v1",
		Prompt: "card-v1", Cards: 2, Missing: 1, Errors: 0, Overall: 0.5, ReportJSON: `{"overall":0.5}`,
		Sections:   []EvalSection{{Section: "keywords", Score: &score, Cards: 2}, {Section: "issues", Cards: 0}},
		CardScores: []EvalCard{{Card: "a", GoldFile: "gold/a.md", PredFile: "pred/a.md", Overall: 1}, {Card: "b", GoldFile: "gold/b.md", Overall: 0}}}
	id1, err := s.SaveEvalRun(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.SaveEvalRun(ctx, EvalRun{Gold: "gold/", Predictions: "store", Cards: 1, Overall: 0.9, ReportJSON: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.EvalRuns(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != id2 || runs[1].ID != id1 {
		t.Fatalf("runs = %+v, want the two runs newest first", runs)
	}
	got := runs[1]
	if got.Provider != "offline" || got.Model != "baseline-v1" || got.Missing != 1 || got.Overall != 0.5 || got.CreatedAt.IsZero() {
		t.Errorf("run = %+v", got)
	}
	if len(got.Sections) != 2 || *got.Sections[0].Score != 0.75 || got.Sections[1].Score != nil {
		t.Errorf("sections = %+v, want keywords 0.75 and issues without score", got.Sections)
	}
	if limited, _ := s.EvalRuns(ctx, 1); len(limited) != 1 {
		t.Errorf("EvalRuns(1) = %d runs", len(limited))
	}
	if rep, err := s.EvalRunReport(ctx, id1); err != nil || rep != `{"overall":0.5}` {
		t.Errorf("report = %q, %v", rep, err)
	}
	if _, err := s.EvalRunReport(ctx, 999); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("missing report: err = %v, want sql.ErrNoRows", err)
	}
}

func TestSaveEvalRunIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dup := []EvalCard{{Card: "a"}, {Card: "a"}} // violates the primary key
	if _, err := s.SaveEvalRun(ctx, EvalRun{Gold: "g", Predictions: "p", ReportJSON: "{}", CardScores: dup}); err == nil {
		t.Fatal("SaveEvalRun with a duplicate card: no error")
	}
	if runs, _ := s.EvalRuns(ctx, 0); len(runs) != 0 {
		t.Errorf("a failed save left %d runs", len(runs))
	}
}

// TestEvalRunsReportsReadErrors checks that an error met while reading the
// runs' rows is returned, not taken for the end of the list.
func TestEvalRunsReportsReadErrors(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		if _, err := s.SaveEvalRun(ctx, EvalRun{Gold: "gold/", Predictions: "pred/", ReportJSON: "{}"}); err != nil {
			t.Fatal(err)
		}
	}
	// A view in place of the table fails on the oldest row while stepping
	// (json() of malformed text), after the newest row was read.
	for _, q := range []string{
		`ALTER TABLE eval_runs RENAME TO eval_runs_saved`,
		`CREATE VIEW eval_runs AS SELECT id, created_at, gold, predictions, provider, model, prompt,
			cards, missing, errors, CASE WHEN id = 1 THEN json('not json') ELSE overall END AS overall,
			report_json FROM eval_runs_saved`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s.EvalRuns(ctx, 0)
	if err == nil {
		t.Fatalf("EvalRuns = %d runs and no error, want the read error", len(runs))
	}
}

package sqlite

import (
	"testing"

	"github.com/veille/veille/schema"
)

// TestEvalRunsReportsReadErrors checks that an error met while reading the
// runs' rows is returned, not taken for the end of the list.
func TestEvalRunsReportsReadErrors(t *testing.T) {
	ctx := t.Context()
	s := openTestStore(t)
	for range 2 {
		if _, err := s.SaveEvalRun(ctx, schema.EvalRun{Gold: "gold/", Predictions: "pred/", ReportJSON: "{}"}); err != nil {
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

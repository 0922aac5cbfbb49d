package eval

import (
	"bytes"
	"context"

	"github.com/veille/veille/schema"
)

// RunStore stores eval runs.
type RunStore interface {
	SaveEvalRun(ctx context.Context, run schema.EvalRun) (int64, error)
}

// SaveRun stores the report r in runs, with its section and card scores and
// the full JSON report, and returns the run's ID.
func SaveRun(ctx context.Context, runs RunStore, r *Report) (int64, error) {
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		return 0, err
	}
	run := schema.EvalRun{
		Gold: r.Gold, Predictions: r.Predictions,
		Provider: r.Provenance.Provider, Model: r.Provenance.Model, Prompt: r.Provenance.Prompt,
		Cards: r.Counts.Scored, Missing: r.Counts.Missing, Errors: r.Counts.Errors,
		Overall: r.Overall, ReportJSON: js.String(),
	}
	for _, s := range r.Sections {
		sec := schema.EvalSection{Section: s.Section, Cards: s.Cards}
		if !s.NA {
			score := s.Score
			sec.Score = &score
		}
		run.Sections = append(run.Sections, sec)
	}
	for _, c := range r.Cards {
		run.CardScores = append(run.CardScores, schema.EvalCard{Card: c.ID, GoldFile: c.GoldFile, PredFile: c.PredFile, Overall: c.Overall})
	}
	return runs.SaveEvalRun(ctx, run)
}

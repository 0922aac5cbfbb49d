package web

import (
	"context"
	"net/http"

	"github.com/veille/veille/schema"
)

// runsData is the runs page: the batch runs with their failures, and the
// eval runs.
type runsData struct {
	Batches []batchView
	Evals   []schema.EvalRun
}

// batchView is one batch run and its failed attempts.
type batchView struct {
	schema.BatchRun
	Failures []schema.JobAttempt
}

// Number of runs shown.
const (
	batchRunsShown = 20
	evalRunsShown  = 20
)

// handleRuns shows the latest batch runs and eval runs.
func (s *server) handleRuns(w http.ResponseWriter, r *http.Request) {
	d, err := s.runsData(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "runs", s.newPage(serverLinks{}, "Runs", "runs"), d)
}

// runsData reads the runs and each batch run's failed attempts.
func (s *server) runsData(ctx context.Context) (*runsData, error) {
	batches, err := s.c.BatchRuns(ctx, batchRunsShown)
	if err != nil {
		return nil, err
	}
	d := &runsData{}
	for _, b := range batches {
		attempts, err := s.c.RunAttempts(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		v := batchView{BatchRun: b}
		for _, a := range attempts {
			if a.Outcome == schema.AttemptFailed || a.Outcome == schema.AttemptGaveUp || a.Outcome == schema.AttemptRetry {
				v.Failures = append(v.Failures, a)
			}
		}
		d.Batches = append(d.Batches, v)
	}
	if d.Evals, err = s.c.EvalRuns(ctx, evalRunsShown); err != nil {
		return nil, err
	}
	return d, nil
}

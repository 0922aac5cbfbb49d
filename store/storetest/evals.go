package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

var evalTests = []test{
	{"RoundTrip", testEvalRunsRoundTrip},
	{"ReportNotFound", testEvalRunReportNotFound},
	{"SaveIsAllOrNothing", testSaveEvalRunIsAllOrNothing},
}

func testEvalRunsRoundTrip(t *testing.T, s Backend) {
	ctx := t.Context()
	score := 0.75
	first := schema.EvalRun{CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), Gold: "gold/",
		Predictions: "pred/", Provider: "offline", Model: "baseline-v1", Prompt: "card-v1", Cards: 2,
		Missing: 1, Errors: 3, Overall: 0.5, ReportJSON: `{"overall":0.5}`,
		Sections: []schema.EvalSection{{Section: "keywords", Score: &score, Cards: 2}, {Section: "issues", Cards: 0}},
		CardScores: []schema.EvalCard{{Card: "a", GoldFile: "gold/a.md", PredFile: "pred/a.md", Overall: 1},
			{Card: "b", GoldFile: "gold/b.md", Overall: 0}}}
	id1, err := s.SaveEvalRun(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Minute)
	id2, err := s.SaveEvalRun(ctx, schema.EvalRun{Gold: "gold/", Predictions: "store", Cards: 1, Overall: 0.9, ReportJSON: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.EvalRuns(ctx, 0)
	if err != nil || len(runs) != 2 || runs[0].ID != id2 || runs[1].ID != id1 {
		t.Fatalf("EvalRuns = %+v, %v; want runs %d and %d, newest first", runs, err, id2, id1)
	}
	want := first
	want.ID, want.CardScores, want.ReportJSON = id1, nil, "" // listed without them
	if !reflect.DeepEqual(runs[1], want) {
		t.Errorf("EvalRuns[1] =\n%+v\nwant\n%+v", runs[1], want)
	}
	if runs[0].CreatedAt.Before(before) {
		t.Errorf("a run saved without CreatedAt was dated %v, want now", runs[0].CreatedAt)
	}
	if limited, err := s.EvalRuns(ctx, 1); err != nil || len(limited) != 1 || limited[0].ID != id2 {
		t.Errorf("EvalRuns(1) = %+v, %v; want run %d", limited, err, id2)
	}
	if rep, err := s.EvalRunReport(ctx, id1); err != nil || rep != first.ReportJSON {
		t.Errorf("EvalRunReport = %q, %v; want %q", rep, err, first.ReportJSON)
	}
}

func testEvalRunReportNotFound(t *testing.T, s Backend) {
	if _, err := s.EvalRunReport(t.Context(), 999); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("EvalRunReport of a missing run: err = %v, want schema.ErrNotFound", err)
	}
}

func testSaveEvalRunIsAllOrNothing(t *testing.T, s Backend) {
	ctx := t.Context()
	dup := []schema.EvalCard{{Card: "a"}, {Card: "a"}} // one card scored twice
	if _, err := s.SaveEvalRun(ctx, schema.EvalRun{Gold: "g", Predictions: "p", ReportJSON: "{}", CardScores: dup}); err == nil {
		t.Fatal("SaveEvalRun with a card scored twice: no error")
	}
	if runs, err := s.EvalRuns(ctx, 0); err != nil || len(runs) != 0 {
		t.Errorf("EvalRuns = %d runs, %v; want none left by a failed save", len(runs), err)
	}
}

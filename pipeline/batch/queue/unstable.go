package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
	"github.com/veille/veille/pipeline/batch"
)

// This file holds every call to River's driver executor
// (riverdriver.Executor). River marks that interface "API is not stable.
// DO NOT USE.": it may change in any release, so the calls are kept here,
// in one place, and the tests of this package exercise each of them.
// River's public client has no equivalent for either need: rescuing the
// jobs of a process known to be dead at once (its rescuer waits for
// RescueStuckJobsAfter) and counting jobs by state without listing them.

// RescueOrphans moves every running job back to available, through the
// same driver call River's own job rescuer uses.
func (q *River) RescueOrphans(ctx context.Context) ([]batch.QueuedJob, error) {
	exec := q.exec
	stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{
		Max: 100000, StuckHorizon: time.Now().Add(time.Minute)})
	if err != nil {
		return nil, fmt.Errorf("find interrupted jobs: %w", err)
	}
	if len(stuck) == 0 {
		return nil, nil
	}
	now := time.Now().UTC()
	params := &riverdriver.JobRescueManyParams{StuckHorizon: time.Now().Add(time.Minute)}
	var rescued []batch.QueuedJob
	for _, j := range stuck {
		errJSON, err := json.Marshal(rivertype.AttemptError{At: now, Attempt: max(j.Attempt, 0),
			Error: "the batch process died during this attempt"})
		if err != nil {
			return nil, err
		}
		params.ID = append(params.ID, j.ID)
		params.Error = append(params.Error, errJSON)
		params.FinalizedAt = append(params.FinalizedAt, nil)
		params.ScheduledAt = append(params.ScheduledAt, now)
		params.State = append(params.State, string(rivertype.JobStateAvailable))
		if qj, err := queuedJob(j); err == nil {
			rescued = append(rescued, qj)
		}
	}
	if _, err := exec.JobRescueMany(ctx, params); err != nil {
		return nil, fmt.Errorf("requeue interrupted jobs: %w", err)
	}
	return rescued, nil
}

// Counts counts jobs by state.
func (q *River) Counts(ctx context.Context) (batch.Counts, error) {
	byState, err := q.exec.JobCountByAllStates(ctx, &riverdriver.JobCountByAllStatesParams{})
	if err != nil {
		return nil, fmt.Errorf("count queued jobs: %w", err)
	}
	counts := batch.Counts{}
	for state, n := range byState {
		counts[string(state)] = n
	}
	return counts, nil
}

package llm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

// usageModel answers every call with a fixed token usage.
type usageModel struct{ in, out int }

func (usageModel) Provider() string { return "test" }
func (usageModel) Model() string    { return "usage" }
func (m usageModel) Card(ctx context.Context, in Input) (Result, error) {
	return Result{Provenance: schema.Provenance{InputTokens: m.in, OutputTokens: m.out}}, nil
}

func TestLimitedModelChargesTokensUsed(t *testing.T) {
	m := NewLimitedModel(usageModel{in: 2000, out: 500}, Limits{RPM: 60, TPM: 10000})
	if _, err := m.Card(context.Background(), Input{Text: "short"}); err != nil {
		t.Fatal(err)
	}
	// The bucket paid the 2,500 tokens used, not just the estimate.
	if left := m.tokens.local.Tokens(); left > 7501 || left < 7400 {
		t.Errorf("tokens left = %.0f, want about 7500", left)
	}
	if left := m.requests.local.Tokens(); left > 59.1 || left < 58.9 {
		t.Errorf("requests left = %.1f, want 59", left)
	}
	if m.Provider() != "test" || m.Model() != "usage" {
		t.Errorf("wrapper names %s/%s", m.Provider(), m.Model())
	}
}

func TestLimitedModelWaitsForTheBucket(t *testing.T) {
	m := NewLimitedModel(usageModel{}, Limits{RPM: 1}) // one request a minute
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := m.Card(ctx, Input{}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Card(ctx, Input{}); err == nil {
		t.Error("second request within the minute was not held back")
	}
}

func TestLimitedModelSlots(t *testing.T) {
	m := NewLimitedModel(usageModel{}, Limits{Concurrent: 1})
	m.slots <- struct{}{} // the only slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := m.Card(ctx, Input{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Card without a free slot = %v, want a deadline error", err)
	}
	<-m.slots
	if _, err := m.Card(context.Background(), Input{}); err != nil || len(m.slots) != 0 {
		t.Errorf("Card with a free slot = %v, slots in use %d", err, len(m.slots))
	}
}

// recordingLimiter is a SharedLimiter that records the reservations and
// asks each caller to wait for wait.
type recordingLimiter struct {
	wait  time.Duration
	calls []string
}

func (r *recordingLimiter) Reserve(_ context.Context, key string, n int, perSecond float64, burst int) (time.Duration, error) {
	r.calls = append(r.calls, fmt.Sprintf("%s %d %.1f/s %d", key, n, perSecond, burst))
	return r.wait, nil
}

func TestLimitedModelDrawsFromSharedBuckets(t *testing.T) {
	shared := &recordingLimiter{}
	m := NewLimitedModel(usageModel{in: 2000, out: 500}, Limits{RPM: 60, TPM: 6000, Shared: shared})
	if _, err := m.Card(context.Background(), Input{Text: "short"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"model:test/usage:requests 1 1.0/s 60",
		fmt.Sprintf("model:test/usage:tokens %d 100.0/s 6000", estimateTokens("short")+promptOverheadTokens),
		fmt.Sprintf("model:test/usage:tokens %d 100.0/s 6000", 2500-estimateTokens("short")-promptOverheadTokens),
	}
	if !slices.Equal(shared.calls, want) {
		t.Errorf("reservations\n%q\nwant\n%q", shared.calls, want)
	}
	shared.wait = time.Hour // the bucket is in debt: the call waits
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := m.Card(ctx, Input{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Card with an empty shared bucket = %v, want a deadline error", err)
	}
}

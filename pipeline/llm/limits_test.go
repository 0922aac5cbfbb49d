package llm

import (
	"context"
	"errors"
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
	if left := m.tokens.Tokens(); left > 7501 || left < 7400 {
		t.Errorf("tokens left = %.0f, want about 7500", left)
	}
	if left := m.requests.Tokens(); left > 59.1 || left < 58.9 {
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

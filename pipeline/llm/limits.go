package llm

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// Limits bound the use of a model by every worker together; zero
// fields mean no limit.
type Limits struct {
	// RPM and TPM are requests and tokens per minute, as providers count
	// them; each bucket holds one minute's allowance.
	RPM, TPM int
	// Concurrent is how many cards may be at the model at once. A batch
	// runs more workers than this, so that pages are fetched and extracted
	// while others wait for the model.
	Concurrent int
}

// LimitedModel is a [Model] behind limits shared by every caller. A Card
// call takes a concurrency slot, one request (its inner retries are not
// counted separately) and the estimated prompt tokens up front; tokens the
// answer used beyond the estimate are charged afterwards, delaying later
// calls.
type LimitedModel struct {
	inner    Model
	requests *rate.Limiter // nil: no limit
	tokens   *rate.Limiter // nil: no limit
	slots    chan struct{} // nil: no limit
}

// NewLimitedModel wraps m in limits.
func NewLimitedModel(m Model, limits Limits) *LimitedModel {
	r := &LimitedModel{inner: m}
	if limits.RPM > 0 {
		r.requests = rate.NewLimiter(rate.Limit(float64(limits.RPM)/60), limits.RPM)
	}
	if limits.TPM > 0 {
		r.tokens = rate.NewLimiter(rate.Limit(float64(limits.TPM)/60), limits.TPM)
	}
	if limits.Concurrent > 0 {
		r.slots = make(chan struct{}, limits.Concurrent)
	}
	return r
}

// Card waits for a slot and the buckets, then asks the wrapped model.
func (m *LimitedModel) Card(ctx context.Context, in Input) (Result, error) {
	if m.slots != nil {
		select {
		case m.slots <- struct{}{}:
			defer func() { <-m.slots }()
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
	if m.requests != nil {
		if err := m.requests.Wait(ctx); err != nil {
			return Result{}, fmt.Errorf("model rate limit (--rpm): %w", err)
		}
	}
	estimate := 0
	if m.tokens != nil {
		estimate = min(estimateTokens(in.Text)+promptOverheadTokens, m.tokens.Burst())
		if err := m.tokens.WaitN(ctx, estimate); err != nil {
			return Result{}, fmt.Errorf("model rate limit (--tpm): %w", err)
		}
	}
	res, err := m.inner.Card(ctx, in)
	if m.tokens != nil && err == nil {
		used := res.Provenance.InputTokens + res.Provenance.OutputTokens
		if extra := min(used-estimate, m.tokens.Burst()); extra > 0 {
			m.tokens.ReserveN(time.Now(), extra) // a debt the next callers wait for
		}
	}
	return res, err
}

// promptOverheadTokens approximates what a card request adds to the page
// text: instructions, schema and the answer budget.
const promptOverheadTokens = 1500

// PromptHash forwards the wrapped model's prompt hash, if it has one, so
// runs record it.
func (m *LimitedModel) PromptHash() string { return PromptHashOf(m.inner) }

// Provider names the wrapped model's backend.
func (m *LimitedModel) Provider() string { return m.inner.Provider() }

// Model names the wrapped model.
func (m *LimitedModel) Model() string { return m.inner.Model() }

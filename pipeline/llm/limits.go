package llm

import (
	"context"
	"fmt"
	"time"

	"github.com/veille/veille/pipeline/retry"
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
	// Shared, when set, keeps the RPM and TPM buckets where every process
	// of the database draws from them (the PostgreSQL store), instead of
	// in this process. Concurrent stays per process.
	Shared SharedLimiter
}

// SharedLimiter keeps token buckets that several processes draw from.
type SharedLimiter interface {
	// Reserve takes n tokens from bucket key (refilled at perSecond,
	// holding at most burst), going into debt when it holds fewer, and
	// returns how long the caller must wait before using them.
	Reserve(ctx context.Context, key string, n int, perSecond float64, burst int) (time.Duration, error)
}

// bucket is one of a LimitedModel's two limits: in this process (local),
// or a shared one (key in shared).
type bucket struct {
	local  *rate.Limiter
	shared SharedLimiter
	key    string
	limit  int // per minute
}

// newBucket returns the bucket of perMinute, nil when zero.
func newBucket(perMinute int, shared SharedLimiter, key string) *bucket {
	if perMinute <= 0 {
		return nil
	}
	if shared != nil {
		return &bucket{shared: shared, key: key, limit: perMinute}
	}
	return &bucket{local: rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute), limit: perMinute}
}

// wait takes n tokens, waiting until they are there.
func (b *bucket) wait(ctx context.Context, n int) error {
	if b.local != nil {
		return b.local.WaitN(ctx, n)
	}
	d, err := b.shared.Reserve(ctx, b.key, n, float64(b.limit)/60, b.limit)
	if err != nil || d <= 0 {
		return err
	}
	return retry.Sleep(ctx, d)
}

// charge takes n tokens without waiting: a debt the next callers wait for.
func (b *bucket) charge(ctx context.Context, n int) {
	if b.local != nil {
		b.local.ReserveN(time.Now(), n)
		return
	}
	_, _ = b.shared.Reserve(ctx, b.key, n, float64(b.limit)/60, b.limit) // a lost debt only lets the next call go sooner
}

// LimitedModel is a [Model] behind limits shared by every caller. A Card
// call takes a concurrency slot, one request (its inner retries are not
// counted separately) and the estimated prompt tokens up front; tokens the
// answer used beyond the estimate are charged afterwards, delaying later
// calls.
type LimitedModel struct {
	inner    Model
	requests *bucket       // nil: no limit
	tokens   *bucket       // nil: no limit
	slots    chan struct{} // nil: no limit
}

// NewLimitedModel wraps m in limits.
func NewLimitedModel(m Model, limits Limits) *LimitedModel {
	key := "model:" + m.Provider() + "/" + m.Model()
	r := &LimitedModel{inner: m, requests: newBucket(limits.RPM, limits.Shared, key+":requests"),
		tokens: newBucket(limits.TPM, limits.Shared, key+":tokens")}
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
		if err := m.requests.wait(ctx, 1); err != nil {
			return Result{}, fmt.Errorf("model rate limit (--rpm): %w", err)
		}
	}
	estimate := 0
	if m.tokens != nil {
		estimate = min(estimateTokens(in.Text)+promptOverheadTokens, m.tokens.limit)
		if err := m.tokens.wait(ctx, estimate); err != nil {
			return Result{}, fmt.Errorf("model rate limit (--tpm): %w", err)
		}
	}
	res, err := m.inner.Card(ctx, in)
	if m.tokens != nil && err == nil {
		used := res.Provenance.InputTokens + res.Provenance.OutputTokens
		if extra := min(used-estimate, m.tokens.limit); extra > 0 {
			m.tokens.charge(ctx, extra) // a debt the next callers wait for
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

package batch

import (
	"context"
	"sync"
	"time"

	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/pipeline/retry"
	"golang.org/x/time/rate"
)

// HostLimiter paces requests per host (politeness): at most rps requests a
// second to each host, shared by every worker, and by every process when
// it draws from a [SharedLimiter]. Zero rps means no limit.
type HostLimiter struct {
	rps      float64
	shared   SharedLimiter // nil: the limits are this process's
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// SharedLimiter keeps token buckets that several processes draw from (the
// PostgreSQL store does).
type SharedLimiter interface {
	// Reserve takes n tokens from bucket key (refilled at perSecond,
	// holding at most burst), going into debt when it holds fewer, and
	// returns how long the caller must wait before using them.
	Reserve(ctx context.Context, key string, n int, perSecond float64, burst int) (time.Duration, error)
}

// NewHostLimiter returns a limiter allowing rps requests a second per host,
// drawing from shared when it is not nil.
func NewHostLimiter(rps float64, shared SharedLimiter) *HostLimiter {
	return &HostLimiter{rps: rps, shared: shared, limiters: map[string]*rate.Limiter{}}
}

// Wait blocks until a request to rawURL's host is allowed, or ctx is done.
func (h *HostLimiter) Wait(ctx context.Context, rawURL string) error {
	if h == nil || h.rps <= 0 {
		return nil
	}
	host, err := fetch.HostKey(rawURL)
	if err != nil {
		return err
	}
	if h.shared != nil {
		d, err := h.shared.Reserve(ctx, "host:"+host, 1, h.rps, 1)
		if err != nil || d <= 0 {
			return err
		}
		return retry.Sleep(ctx, d)
	}
	h.mu.Lock()
	l, ok := h.limiters[host]
	if !ok {
		l = rate.NewLimiter(rate.Limit(h.rps), 1)
		h.limiters[host] = l
	}
	h.mu.Unlock()
	return l.Wait(ctx)
}

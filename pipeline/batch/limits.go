package batch

import (
	"context"
	"sync"

	"github.com/veille/veille/pipeline/fetch"
	"golang.org/x/time/rate"
)

// HostLimiter paces requests per host (politeness): at most rps requests a
// second to each host, shared by every worker. Zero rps means no limit.
type HostLimiter struct {
	rps      float64
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// NewHostLimiter returns a limiter allowing rps requests a second per host.
func NewHostLimiter(rps float64) *HostLimiter {
	return &HostLimiter{rps: rps, limiters: map[string]*rate.Limiter{}}
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
	h.mu.Lock()
	l, ok := h.limiters[host]
	if !ok {
		l = rate.NewLimiter(rate.Limit(h.rps), 1)
		h.limiters[host] = l
	}
	h.mu.Unlock()
	return l.Wait(ctx)
}

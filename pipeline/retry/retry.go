// Package retry paces repeated requests: backoff with jitter and the
// Retry-After header, shared by the page fetcher and the model clients.
package retry

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Policy bounds and paces the requests made for one model call.
type Policy struct {
	// MaxAttempts is the number of requests tried before giving up (≥ 1).
	MaxAttempts int
	// Timeout bounds each request.
	Timeout time.Duration
	// BaseDelay is the wait after the first failure; it doubles after each
	// further one, up to MaxDelay, with full jitter.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter caps how long a server's Retry-After is honoured; a
	// longer demand ends the call.
	MaxRetryAfter time.Duration
}

// DefaultPolicy suits hosted APIs: 4 attempts, 2 minutes a request.
func DefaultPolicy() Policy {
	return Policy{MaxAttempts: 4, Timeout: 2 * time.Minute, BaseDelay: time.Second,
		MaxDelay: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}
}

// Delay returns how long to wait before attempt n+1 (n ≥ 1 failures so
// far): the server's Retry-After when given, else exponential backoff with
// full jitter.
func (p Policy) Delay(n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	d := p.BaseDelay << (n - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

// ParseAfter reads a Retry-After header, seconds or an HTTP date, as the
// wait it asks for; 0 when the header is empty, invalid or in the past.
func ParseAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil && s >= 0 {
		if s > int64(math.MaxInt64/time.Second) {
			return math.MaxInt64 // beyond any cap: the caller gives up
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Sleep waits d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

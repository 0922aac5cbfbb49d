package pipeline

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy bounds and paces the requests made for one model call.
type RetryPolicy struct {
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

// DefaultRetryPolicy suits hosted APIs: 4 attempts, 2 minutes a request.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, Timeout: 2 * time.Minute, BaseDelay: time.Second,
		MaxDelay: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}
}

// statusError is a failed HTTP exchange with what the server said about
// retrying.
type statusError struct {
	status     int
	retryAfter time.Duration
	err        error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// retryable reports whether a failed request is worth trying again: rate
// limits, server errors, timeouts and network failures.
func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) && se.status != 0 {
		return se.status == http.StatusTooManyRequests || se.status == http.StatusRequestTimeout || se.status >= 500
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) || errors.Is(err, errTransport)
}

// errTransport marks network errors that the net package does not type.
var errTransport = errors.New("transport error")

// delay returns how long to wait before attempt n+1 (n ≥ 1 failures so
// far): the server's Retry-After when given, else exponential backoff with
// full jitter.
func (p RetryPolicy) delay(n int, retryAfter time.Duration) time.Duration {
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

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
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

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
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

// responseNote receives the status and Retry-After header of the last HTTP
// response of a request; the client libraries do not expose headers.
type responseNote struct {
	status     int
	retryAfter time.Duration
}

type responseNoteKey struct{}

// withResponseNote returns ctx carrying a fresh note for noteTransport.
func withResponseNote(ctx context.Context) (context.Context, *responseNote) {
	n := &responseNote{}
	return context.WithValue(ctx, responseNoteKey{}, n), n
}

// noteTransport is an http.RoundTripper that writes each response's status
// and Retry-After into the request context's responseNote, if any.
type noteTransport struct {
	base http.RoundTripper
}

func (t noteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if n, ok := req.Context().Value(responseNoteKey{}).(*responseNote); ok && resp != nil {
		n.status = resp.StatusCode
		n.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, err
}

// noteClient returns an HTTP client whose responses fill responseNotes.
func noteClient(base *http.Client) *http.Client {
	c := *base
	if c.Transport == nil {
		c.Transport = http.DefaultTransport
	}
	c.Transport = noteTransport{base: c.Transport}
	return &c
}

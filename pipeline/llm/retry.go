package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/veille/veille/pipeline/retry"
)

// StatusError is a failed HTTP exchange with what the server said about
// retrying.
// Backends return one for every failed request.
type StatusError struct {
	// Status is the HTTP status, 0 when no response was received.
	Status int
	// RetryAfter is the server's Retry-After delay, if it sent one.
	RetryAfter time.Duration
	Err        error
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

// Retryable reports whether a failed request is worth trying again: rate
// limits, server errors, timeouts and network failures.
func Retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) && se.Status != 0 {
		return se.Status == http.StatusTooManyRequests || se.Status == http.StatusRequestTimeout || se.Status >= 500
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) || errors.Is(err, ErrTransport)
}

// ErrTransport marks network errors that the net package does not type.
var ErrTransport = errors.New("transport error")

// ResponseNote receives the status and Retry-After header of the last HTTP
// response of a request; the client libraries do not expose headers.
type ResponseNote struct {
	Status     int
	RetryAfter time.Duration
}

type responseNoteKey struct{}

// WithResponseNote returns ctx carrying a fresh note, filled by the
// transport of a [NoteClient].
func WithResponseNote(ctx context.Context) (context.Context, *ResponseNote) {
	n := &ResponseNote{}
	return context.WithValue(ctx, responseNoteKey{}, n), n
}

// noteTransport is an http.RoundTripper that writes each response's status
// and Retry-After into the request context's ResponseNote, if any.
type noteTransport struct {
	base http.RoundTripper
}

func (t noteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if n, ok := req.Context().Value(responseNoteKey{}).(*ResponseNote); ok && resp != nil {
		n.Status = resp.StatusCode
		n.RetryAfter = retry.ParseAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	if resp != nil {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: MaxResponseBytes}
	}
	return resp, err
}

// MaxResponseBytes caps a model server's answer: a card's answer is a few
// kilobytes and a batch of embeddings a few megabytes, so a larger answer
// is broken or hostile, and reading it would only fill the memory.
const MaxResponseBytes = 32 << 20

// ErrResponseTooLarge is the error of an answer over [MaxResponseBytes].
var ErrResponseTooLarge = fmt.Errorf("model server's answer is over %d MB", MaxResponseBytes>>20)

// cappedBody fails a read that goes past the cap.
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// NoteClient returns an HTTP client whose responses fill responseNotes.
// It never sends a key to another host: a redirect to another host loses
// the credential headers (see [dropCredentialsOffHost]).
func NoteClient(base *http.Client) *http.Client {
	c := *base
	if c.Transport == nil {
		c.Transport = http.DefaultTransport
	}
	c.Transport = noteTransport{base: c.Transport}
	c.CheckRedirect = dropCredentialsOffHost(base.CheckRedirect)
	return &c
}

// dropCredentialsOffHost returns a redirect policy that removes the headers
// model APIs take keys in (Azure's api-key, Anthropic's x-api-key, Google's
// x-goog-api-key, any Authorization) from a redirect to another host than
// the first request's, then applies next (nil: Go's default, at most 10
// redirects). Go itself drops only Authorization and cookies, and only
// across domains.
func dropCredentialsOffHost(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
			for _, h := range []string{"Authorization", "Proxy-Authorization", "Api-Key", "X-Api-Key", "X-Goog-Api-Key"} {
				req.Header.Del(h)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

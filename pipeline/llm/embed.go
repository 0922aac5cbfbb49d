package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/veille/veille/pipeline/retry"
)

// Embedder turns texts into vectors with one embeddings model, for ranking
// related cards (see package related).
type Embedder interface {
	// Model names the embeddings model; vectors of different models are
	// not comparable.
	Model() string
	// Embed returns one vector per text, in order, all of one dimension.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// ErrBadEmbeddings marks an embeddings answer that is unusable: not one
// vector per input, vectors of different dimensions, or NaN or infinite
// components. It is not retried.
var ErrBadEmbeddings = errors.New("bad embeddings answer")

// DefaultEmbedBatch is how many texts go in one embeddings request.
const DefaultEmbedBatch = 64

// EmbedOptions tunes [EmbedBatches].
type EmbedOptions struct {
	// BatchSize caps the texts of one request; 0 means [DefaultEmbedBatch].
	BatchSize int
	// Retry bounds and paces each request; zero means retry.DefaultPolicy.
	Retry retry.Policy
	// Logger receives retries; nil means slog.Default.
	Logger *slog.Logger
	// Secrets are the API keys in use: they are hidden in every error
	// the embedder returns or logs (see [Redactor]).
	Secrets []string
}

// EmbedFunc sends one embeddings request for texts. It returns a
// *[StatusError] when the request fails, so that [Retryable] can tell
// transient failures.
type EmbedFunc func(ctx context.Context, texts []string) ([][]float32, error)

// EmbedBatches embeds texts with send, [EmbedOptions.BatchSize] texts a
// request, retrying each request as the chat model does (rate limits,
// server errors, timeouts and network failures, with backoff and
// Retry-After), and checks every answer with [CheckEmbeddings]. name
// prefixes the errors ("openai text-embedding-3-small").
func EmbedBatches(ctx context.Context, name string, texts []string, opts EmbedOptions, send EmbedFunc) ([][]float32, error) {
	if opts.BatchSize < 1 {
		opts.BatchSize = DefaultEmbedBatch
	}
	if opts.Retry.MaxAttempts < 1 {
		opts.Retry = retry.DefaultPolicy()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	send = redactedSend(NewRedactor(opts.Secrets...), send)
	out := make([][]float32, 0, len(texts))
	dim := 0
	for start := 0; start < len(texts); start += opts.BatchSize {
		batch := texts[start:min(start+opts.BatchSize, len(texts))]
		vecs, err := embedWithRetry(ctx, name, batch, opts, send)
		if err != nil {
			return nil, fmt.Errorf("%s: texts %d-%d of %d: %w", name, start+1, start+len(batch), len(texts), err)
		}
		if err := CheckEmbeddings(len(batch), vecs); err != nil {
			return nil, fmt.Errorf("%s: texts %d-%d of %d: %w", name, start+1, start+len(batch), len(texts), err)
		}
		if dim == 0 {
			dim = len(vecs[0])
		} else if len(vecs[0]) != dim {
			return nil, fmt.Errorf("%s: texts %d-%d of %d: %w: dimension %d, earlier %d", name, start+1,
				start+len(batch), len(texts), ErrBadEmbeddings, len(vecs[0]), dim)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// redactedSend returns send with the secrets hidden in its errors, before
// they are logged or returned.
func redactedSend(r Redactor, send EmbedFunc) EmbedFunc {
	return func(ctx context.Context, texts []string) ([][]float32, error) {
		vecs, err := send(ctx, texts)
		return vecs, r.Error(err)
	}
}

// embedWithRetry sends one batch, retrying transient failures.
func embedWithRetry(ctx context.Context, name string, batch []string, opts EmbedOptions, send EmbedFunc) ([][]float32, error) {
	p := opts.Retry
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, p.Timeout)
		vecs, err := send(actx, batch)
		cancel()
		if err == nil {
			return vecs, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !Retryable(err) || n >= p.MaxAttempts {
			return nil, fmt.Errorf("%d attempt(s): %w", n, err)
		}
		var se *StatusError
		var retryAfter time.Duration
		if errors.As(err, &se) {
			retryAfter = se.RetryAfter
		}
		if retryAfter > p.MaxRetryAfter {
			return nil, fmt.Errorf("server asks to retry after %s: %w", retryAfter, err)
		}
		d := p.Delay(n, retryAfter)
		opts.Logger.Info("embeddings request failed, retrying", "model", name, "attempt", n, "wait", d, "error", err)
		if err := retry.Sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

// CheckEmbeddings reports, as an error wrapping [ErrBadEmbeddings], why
// vecs is not one usable vector for each of n inputs: a count that differs,
// an empty vector, dimensions that differ, NaN or infinite components.
func CheckEmbeddings(n int, vecs [][]float32) error {
	if len(vecs) != n {
		return fmt.Errorf("%w: %d vectors for %d inputs", ErrBadEmbeddings, len(vecs), n)
	}
	for i, v := range vecs {
		if len(v) == 0 {
			return fmt.Errorf("%w: vector %d is empty", ErrBadEmbeddings, i)
		}
		if len(v) != len(vecs[0]) {
			return fmt.Errorf("%w: vector %d has dimension %d, vector 0 %d", ErrBadEmbeddings, i, len(v), len(vecs[0]))
		}
		for j, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("%w: vector %d has %v at %d", ErrBadEmbeddings, i, x, j)
			}
		}
	}
	return nil
}

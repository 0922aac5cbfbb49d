package llm

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/veille/veille/schema"
)

// Input is what a Model reads to fill one card: a source page's extracted
// text and what is known about it. Text is untrusted data.
type Input struct {
	// URL is the source page (the card's External link).
	URL string
	// Title is the page's own title, if known.
	Title string
	// Text is the extracted main text, one paragraph a line.
	Text string
	// Lang is the source's language (BCP 47, e.g. "fr"), if known.
	Lang string
	// OutputLang is the language the card is written in; empty means the
	// language of the source.
	OutputLang string
	// Metadata is what the page says about itself.
	Metadata schema.Metadata
}

// Provenance records how a card was made. It is stored with every card.
type Provenance struct {
	// Provider names the backend: "openai", "anthropic", "googleai",
	// "ollama" or "offline".
	Provider string `json:"provider"`
	// Model is the model name as sent to the provider.
	Model string `json:"model"`
	// PromptName, PromptVersion and PromptHash identify the prompt template
	// (see package prompts); PromptHash is the hex SHA-256 of its text.
	PromptName    string `json:"prompt_name"`
	PromptVersion string `json:"prompt_version"`
	PromptHash    string `json:"prompt_hash"`
	// InputTokens and OutputTokens are summed over every request made for
	// the card, as the provider reported them (estimated when it did not).
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	// Requests counts the model requests sent (retries included); 0 when the
	// answer came from the response cache or the offline baseline.
	Requests int `json:"requests"`
	// Latency is the wall time spent in model calls.
	Latency time.Duration `json:"latency_ns"`
	// CostUSD is the estimated price of the requests (0 when unknown).
	CostUSD float64 `json:"cost_usd"`
	// Cached is true when the answer came from the response cache.
	Cached bool `json:"cached,omitempty"`
}

// Attempt is one request sent to a model, successful or not. Failed
// attempts are stored with the run so errors can be inspected later.
type Attempt struct {
	// Status is the HTTP status when one was received, else 0.
	Status int `json:"status,omitempty"`
	// FinishReason is the provider's reason for stopping ("stop",
	// "length", ...), when a response was received.
	FinishReason string `json:"finish_reason,omitempty"`
	// Err describes what went wrong; empty for a usable response.
	Err string `json:"error,omitempty"`
	// Latency is how long the request took.
	Latency time.Duration `json:"latency_ns"`
}

// Result is a Model's answer for one Input.
type Result struct {
	// Answer is the validated card content.
	Answer schema.Answer
	// Provenance says how the answer was made.
	Provenance Provenance
	// Raw is the model's final JSON answer as received (before grounding).
	Raw json.RawMessage
	// Attempts lists every request made, in order.
	Attempts []Attempt
}

// Model fills a signal card from a page's text. Implementations: the
// OpenAI-compatible client (openai.go), the langchaingo providers
// (langchain.go) and the offline baseline (offline_model.go).
//
// Card returns a validated Answer or an error; on error, AttemptsOf(err)
// gives the requests that were made.
type Model interface {
	// Provider names the backend, e.g. "openai".
	Provider() string
	// Model names the model, e.g. "gpt-4o-mini".
	Model() string
	// Card fills one card from in.
	Card(ctx context.Context, in Input) (Result, error)
}

// CallError is a failed Card call with the attempts made before giving up.
type CallError struct {
	Attempts []Attempt
	Err      error
}

func (e *CallError) Error() string { return e.Err.Error() }
func (e *CallError) Unwrap() error { return e.Err }

// AttemptsOf returns the attempts recorded in err, if it is (or wraps) a
// *CallError.
func AttemptsOf(err error) []Attempt {
	var ce *CallError
	if errors.As(err, &ce) {
		return ce.Attempts
	}
	return nil
}

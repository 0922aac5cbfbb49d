package llm

import (
	"context"
	"encoding/json"
	"errors"

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

// Result is a Model's answer for one Input.
type Result struct {
	// Answer is the validated card content.
	Answer schema.Answer
	// Provenance says how the answer was made.
	Provenance schema.Provenance
	// Raw is the model's final JSON answer as received (before grounding).
	Raw json.RawMessage
	// Attempts lists every request made, in order.
	Attempts []schema.Attempt
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
	Attempts []schema.Attempt
	Err      error
}

func (e *CallError) Error() string { return e.Err.Error() }
func (e *CallError) Unwrap() error { return e.Err }

// AttemptsOf returns the attempts recorded in err, if it is (or wraps) a
// *CallError.
func AttemptsOf(err error) []schema.Attempt {
	var ce *CallError
	if errors.As(err, &ce) {
		return ce.Attempts
	}
	return nil
}

// PromptHashOf returns m's prompt hash when it has one (a [ChatModel] or a
// wrapper around one), else "".
func PromptHashOf(m Model) string {
	if p, ok := m.(interface{ PromptHash() string }); ok {
		return p.PromptHash()
	}
	return ""
}

// Package langchain is the [llm.Backend] for the providers reached through
// github.com/tmc/langchaingo: Anthropic and Ollama's native API.
// langchaingo passes a JSON Schema only to OpenAI, so these get JSON mode
// with the schema in the prompt, and the answer goes through veille's own
// validation.
package langchain

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/veille/veille/pipeline/llm"
)

// maxOutputTokens bounds a card's answer (the largest cards are about 3000
// tokens).
const maxOutputTokens = 6000

// Config configures a langchaingo provider.
type Config struct {
	// Provider is [llm.ProviderAnthropic] or [llm.ProviderOllama].
	Provider string
	// Model is required for every provider.
	Model string
	// APIKey is ANTHROPIC_API_KEY (Ollama needs none).
	APIKey string
	// BaseURL overrides the server: OLLAMA_HOST for Ollama, a proxy for
	// Anthropic.
	BaseURL string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
}

// New returns a model for Anthropic or Ollama's native API through
// langchaingo.
func New(ctx context.Context, cfg Config, opts llm.ChatOptions) (*llm.ChatModel, error) {
	if cfg.Model == "" {
		return nil, fmt.Errorf("%s: no model given (set --model or EXTRACT_MODEL)", cfg.Provider)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	hc := llm.NoteClient(cfg.HTTPClient)
	var lm llms.Model
	var err error
	switch cfg.Provider {
	case llm.ProviderAnthropic:
		o := []anthropic.Option{anthropic.WithToken(cfg.APIKey), anthropic.WithModel(cfg.Model), anthropic.WithHTTPClient(hc)}
		if cfg.BaseURL != "" {
			o = append(o, anthropic.WithBaseURL(cfg.BaseURL))
		}
		lm, err = anthropic.New(o...)
	case llm.ProviderOllama:
		o := []ollama.Option{ollama.WithModel(cfg.Model), ollama.WithFormat("json"), ollama.WithHTTPClient(hc)}
		if cfg.BaseURL != "" {
			o = append(o, ollama.WithServerURL(cfg.BaseURL))
		}
		lm, err = ollama.New(o...)
	default:
		return nil, fmt.Errorf("unknown langchaingo provider %q", cfg.Provider)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Provider, err)
	}
	return llm.NewChatModel(cfg.Provider, cfg.Model, backend{model: lm}, opts)
}

var _ llm.Backend = backend{}

// backend sends chat requests through a langchaingo llms.Model.
type backend struct {
	model llms.Model
}

// SchemaInPrompt is true: langchaingo cannot pass these providers a schema.
func (b backend) SchemaInPrompt() bool { return true }

// Complete sends one request.
func (b backend) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	ctx, note := llm.WithResponseNote(ctx)
	msgs := make([]llms.MessageContent, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = llms.TextParts(role(m.Role), m.Content)
	}
	resp, err := b.model.GenerateContent(ctx, msgs, llms.WithJSONMode(), llms.WithMaxTokens(maxOutputTokens))
	if err != nil {
		if note.Status == 0 && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %w", llm.ErrTransport, err)
		}
		return llm.Response{Status: note.Status}, &llm.StatusError{Status: note.Status, RetryAfter: note.RetryAfter, Err: err}
	}
	out := llm.Response{Status: note.Status}
	if len(resp.Choices) == 0 {
		return out, &llm.StatusError{Status: note.Status, Err: errors.New("response has no choices")}
	}
	c := resp.Choices[0]
	out.Content, out.FinishReason = c.Content, normaliseStopReason(c.StopReason)
	out.InputTokens = intInfo(c.GenerationInfo, "InputTokens", "PromptTokens", "input_tokens")
	out.OutputTokens = intInfo(c.GenerationInfo, "OutputTokens", "CompletionTokens", "output_tokens")
	if out.FinishReason == "refusal" {
		out.Refusal = "the provider stopped the answer (" + c.StopReason + ")"
	}
	return out, nil
}

func role(role string) llms.ChatMessageType {
	switch role {
	case "system":
		return llms.ChatMessageTypeSystem
	case "assistant":
		return llms.ChatMessageTypeAI
	default:
		return llms.ChatMessageTypeHuman
	}
}

// normaliseStopReason maps providers' stop reasons (Anthropic's
// "max_tokens", "refusal"; Gemini's "FinishReasonMaxTokens",
// "FinishReasonSafety", ...) to "length", "refusal" or "stop".
func normaliseStopReason(r string) string {
	lower := strings.ToLower(r)
	for _, w := range []string{"safety", "refusal", "recitation", "blocklist", "prohibited", "spii"} {
		if strings.Contains(lower, w) {
			return "refusal"
		}
	}
	if lower == "length" || strings.Contains(strings.ReplaceAll(lower, "_", ""), "maxtokens") {
		return "length"
	}
	return "stop"
}

// intInfo returns the first integer found in info under one of keys.
func intInfo(info map[string]any, keys ...string) int {
	for _, k := range keys {
		switch v := info[k].(type) {
		case int:
			return v
		case int32:
			return int(v)
		case int64:
			return int(v)
		case float64:
			return int(v)
		}
	}
	return 0
}

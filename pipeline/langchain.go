package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/generative-ai-go/genai"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/googleai"
	"github.com/tmc/langchaingo/llms/ollama"
	"google.golang.org/api/option"
)

// Providers reached through github.com/tmc/langchaingo. langchaingo passes
// a JSON Schema only to OpenAI, so these get JSON mode with the schema in
// the prompt, and the answer goes through our own validation.
const (
	ProviderAnthropic = "anthropic"
	ProviderGoogleAI  = "googleai"
	ProviderOllama    = "ollama"
)

// maxOutputTokens bounds a card's answer (the largest cards are about 3000
// tokens).
const maxOutputTokens = 6000

// LangChainConfig configures a langchaingo provider.
type LangChainConfig struct {
	// Provider is ProviderAnthropic, ProviderGoogleAI or ProviderOllama.
	Provider string
	// Model is required for every provider.
	Model string
	// APIKey is ANTHROPIC_API_KEY or GOOGLE_API_KEY/GEMINI_API_KEY.
	APIKey string
	// BaseURL overrides the server: OLLAMA_HOST for Ollama, a proxy for
	// Anthropic, GOOGLE_GEMINI_BASE_URL for Google AI (scheme and host, to
	// which the client adds /v1beta/models/MODEL:streamGenerateContent).
	BaseURL string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
}

// NewLangChain returns a Model for Anthropic, Google Gemini or Ollama's
// native API through langchaingo.
func NewLangChain(ctx context.Context, cfg LangChainConfig, opts ChatOptions) (*ChatModel, error) {
	if cfg.Model == "" {
		return nil, fmt.Errorf("%s: no model given (set --model or EXTRACT_MODEL)", cfg.Provider)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	hc := noteClient(cfg.HTTPClient)
	var llm llms.Model
	var err error
	switch cfg.Provider {
	case ProviderAnthropic:
		o := []anthropic.Option{anthropic.WithToken(cfg.APIKey), anthropic.WithModel(cfg.Model), anthropic.WithHTTPClient(hc)}
		if cfg.BaseURL != "" {
			o = append(o, anthropic.WithBaseURL(cfg.BaseURL))
		}
		llm, err = anthropic.New(o...)
	case ProviderGoogleAI:
		llm, err = newGoogleAI(ctx, cfg, hc)
	case ProviderOllama:
		o := []ollama.Option{ollama.WithModel(cfg.Model), ollama.WithFormat("json"), ollama.WithHTTPClient(hc)}
		if cfg.BaseURL != "" {
			o = append(o, ollama.WithServerURL(cfg.BaseURL))
		}
		llm, err = ollama.New(o...)
	default:
		return nil, fmt.Errorf("unknown langchaingo provider %q", cfg.Provider)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Provider, err)
	}
	return newChatModel(cfg.Provider, cfg.Model, langChainBackend{llm: llm}, opts)
}

// newGoogleAI returns Gemini through langchaingo's googleai, which talks to
// the REST API (streamGenerateContent, even for a whole answer). Google's
// transport adds the API key only when it builds the HTTP client itself, so
// with ours the key goes in the x-goog-api-key header, as the Gemini REST
// documentation shows.
func newGoogleAI(ctx context.Context, cfg LangChainConfig, hc *http.Client) (*googleai.GoogleAI, error) {
	keyed := *hc
	keyed.Transport = headerTransport{base: hc.Transport, name: "x-goog-api-key", value: cfg.APIKey}
	o := []googleai.Option{googleai.WithAPIKey(cfg.APIKey), googleai.WithDefaultModel(cfg.Model),
		googleai.WithHTTPClient(&keyed), googleai.WithDefaultMaxTokens(maxOutputTokens)}
	if cfg.BaseURL != "" {
		o = append(o, func(opts *googleai.Options) {
			opts.ClientOptions = append(opts.ClientOptions, option.WithEndpoint(cfg.BaseURL))
		})
	}
	return googleai.New(ctx, o...)
}

// headerTransport is an http.RoundTripper that sets one header on every
// request.
type headerTransport struct {
	base        http.RoundTripper
	name, value string
}

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(t.name, t.value)
	return t.base.RoundTrip(req)
}

// langChainBackend sends chat requests through a langchaingo llms.Model.
type langChainBackend struct {
	llm llms.Model
}

func (b langChainBackend) schemaInPrompt() bool { return true }

func (b langChainBackend) complete(ctx context.Context, req chatRequest) (chatResponse, error) {
	ctx, note := withResponseNote(ctx)
	msgs := make([]llms.MessageContent, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = llms.TextParts(langChainRole(m.Role), m.Content)
	}
	resp, err := b.llm.GenerateContent(ctx, msgs, llms.WithJSONMode(), llms.WithMaxTokens(maxOutputTokens))
	var blocked *genai.BlockedError
	if errors.As(err, &blocked) {
		// Gemini's client turns a safety or recitation stop into an error.
		return chatResponse{Status: note.status, FinishReason: "refusal",
			Refusal: "the provider blocked the answer (" + blocked.Error() + ")"}, nil
	}
	if err != nil {
		if note.status == 0 && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %w", errTransport, err)
		}
		return chatResponse{Status: note.status}, &statusError{status: note.status, retryAfter: note.retryAfter, err: err}
	}
	out := chatResponse{Status: note.status}
	if len(resp.Choices) == 0 {
		return out, &statusError{status: note.status, err: errors.New("response has no choices")}
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

func langChainRole(role string) llms.ChatMessageType {
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

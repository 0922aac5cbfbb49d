// Package openai is the [llm.Backend] for OpenAI-compatible chat-completion
// APIs, through github.com/sashabaranov/go-openai: OpenAI, Azure OpenAI,
// local servers (Ollama, llama.cpp, vLLM) and Google Gemini's
// OpenAI-compatible endpoint.
package openai

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
)

// DefaultModel is the original generator's model.
const DefaultModel = "gpt-4o-mini"

// Config configures an OpenAI-compatible endpoint.
type Config struct {
	// APIKey is OPENAI_API_KEY; some local servers accept any value.
	APIKey string
	// BaseURL is OPENAI_BASE_URL, e.g. http://localhost:11434/v1 for
	// Ollama; empty means https://api.goopenai.com/v1.
	BaseURL string
	// Model defaults to DefaultModel.
	Model string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
	// Azure selects Azure OpenAI's deployments API: BaseURL is the
	// resource (https://NAME.openai.azure.com), Model the deployment's name,
	// and the key goes in the api-key header.
	Azure bool
	// APIVersion is Azure's api-version; it defaults to
	// DefaultAzureAPIVersion, the first GA version with structured outputs.
	APIVersion string
	// Provider is the name recorded in each card's provenance; empty means
	// [llm.ProviderOpenAI]. Gemini through [GeminiBaseURL] is
	// [llm.ProviderGoogleAI].
	Provider string
}

// GeminiBaseURL is Google's OpenAI-compatible endpoint for Gemini; the key
// is a Gemini API key, sent as a bearer token like OpenAI's.
const GeminiBaseURL = "https://generativelanguage.googleapis.com/v1beta/openai"

// DefaultAzureAPIVersion is the Azure OpenAI api-version used unless
// OPENAI_API_VERSION says otherwise.
const DefaultAzureAPIVersion = "2024-10-21"

// IsAzureDeploymentsURL reports whether base is an Azure OpenAI resource
// address served by the deployments API (not its OpenAI-compatible /openai/v1
// API, which works as a plain OpenAI base URL).
func IsAzureDeploymentsURL(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	azureHost := strings.HasSuffix(host, ".openai.azure.com") || strings.HasSuffix(host, ".cognitiveservices.azure.com")
	return azureHost && !strings.HasPrefix(strings.TrimRight(u.Path, "/")+"/", "/openai/v1/")
}

// New returns a Model speaking the OpenAI chat-completions API
// through github.com/sashabaranov/go-openai, with strict json_schema
// structured output (falling back to JSON mode with the schema in the
// prompt when the server rejects it).
func New(cfg Config, opts llm.ChatOptions) (*llm.ChatModel, error) {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	oc := goopenai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.Azure {
		oc = goopenai.DefaultAzureConfig(cfg.APIKey, strings.TrimRight(cfg.BaseURL, "/"))
		oc.APIVersion = cmp.Or(cfg.APIVersion, DefaultAzureAPIVersion)
		oc.AzureModelMapperFunc = func(model string) string { return model } // --model names the deployment
	}
	oc.HTTPClient = llm.NoteClient(cfg.HTTPClient)
	if opts.Price == nil && !listPriced(cfg) {
		opts.Price = &llm.Price{} // a compatible server's price is not OpenAI's list price
	}
	b := &backend{client: goopenai.NewClientWithConfig(oc), model: cfg.Model}
	return llm.NewChatModel(cmp.Or(cfg.Provider, llm.ProviderOpenAI), cfg.Model, b, opts)
}

var _ llm.Backend = (*backend)(nil)

// backend sends chat requests with go-openai.
type backend struct {
	client *goopenai.Client
	model  string
}

func (b *backend) SchemaInPrompt() bool { return false }

func (b *backend) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	ctx, note := llm.WithResponseNote(ctx)
	creq := goopenai.ChatCompletionRequest{Model: b.model, Messages: messages(req.Messages)}
	if req.JSONMode {
		creq.ResponseFormat = &goopenai.ChatCompletionResponseFormat{Type: goopenai.ChatCompletionResponseFormatTypeJSONObject}
	} else {
		creq.ResponseFormat = &goopenai.ChatCompletionResponseFormat{
			Type: goopenai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{
				Name: cmp.Or(req.SchemaName, schema.AnswerSchemaName), Schema: req.Schema, Strict: true,
			},
		}
	}
	resp, err := b.client.CreateChatCompletion(ctx, creq)
	if err != nil {
		return llm.Response{Status: note.Status}, classify(err, note)
	}
	out := llm.Response{Status: note.Status, InputTokens: resp.Usage.PromptTokens, OutputTokens: resp.Usage.CompletionTokens}
	if len(resp.Choices) == 0 {
		return out, &llm.StatusError{Status: note.Status, Err: errors.New("response has no choices")}
	}
	c := resp.Choices[0]
	out.Content, out.FinishReason, out.Refusal = c.Message.Content, string(c.FinishReason), c.Message.Refusal
	if c.FinishReason == goopenai.FinishReasonContentFilter && out.Refusal == "" {
		out.Refusal = "the content filter stopped the answer"
	}
	return out, nil
}

func messages(ms []llm.Message) []goopenai.ChatCompletionMessage {
	out := make([]goopenai.ChatCompletionMessage, len(ms))
	for i, m := range ms {
		out[i] = goopenai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	return out
}

// classify classifies a go-openai error: a server rejecting json_schema
// becomes llm.ErrSchemaUnsupported; HTTP failures become *statusError with the
// Retry-After the server sent.
func classify(err error, note *llm.ResponseNote) error {
	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	status := note.Status
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
		if status == http.StatusBadRequest && mentionsSchema(apiErr.Message) {
			return fmt.Errorf("%w: %s", llm.ErrSchemaUnsupported, apiErr.Message)
		}
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		if status == http.StatusBadRequest && mentionsSchema(string(reqErr.Body)) {
			return fmt.Errorf("%w: %s", llm.ErrSchemaUnsupported, strings.Join(strings.Fields(string(reqErr.Body)), " "))
		}
	}
	if status == 0 && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%w: %w", llm.ErrTransport, err)
	}
	return &llm.StatusError{Status: status, RetryAfter: note.RetryAfter, Err: err}
}

func mentionsSchema(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "json_schema") || strings.Contains(msg, "response_format")
}

// listPriced reports whether cfg reaches a service whose list prices
// [llm.EstimateCost] knows: OpenAI itself, Azure OpenAI or Gemini — not a
// local or other OpenAI-compatible server.
func listPriced(cfg Config) bool {
	if cfg.Azure || cfg.BaseURL == "" {
		return true
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "api.openai.com" || host == "generativelanguage.googleapis.com"
}

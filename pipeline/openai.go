package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sashabaranov/go-openai"
	"github.com/veille/veille/schema"
)

// DefaultOpenAIModel is the original generator's model.
const DefaultOpenAIModel = "gpt-4o-mini"

// OpenAIConfig configures an OpenAI-compatible endpoint.
type OpenAIConfig struct {
	// APIKey is OPENAI_API_KEY; some local servers accept any value.
	APIKey string
	// BaseURL is OPENAI_BASE_URL, e.g. http://localhost:11434/v1 for
	// Ollama; empty means https://api.openai.com/v1.
	BaseURL string
	// Model defaults to DefaultOpenAIModel.
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
}

// DefaultAzureAPIVersion is the Azure OpenAI api-version used unless
// OPENAI_API_VERSION says otherwise.
const DefaultAzureAPIVersion = "2024-10-21"

// isAzureDeploymentsURL reports whether base is an Azure OpenAI resource
// address served by the deployments API (not its OpenAI-compatible /openai/v1
// API, which works as a plain OpenAI base URL).
func isAzureDeploymentsURL(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	azureHost := strings.HasSuffix(host, ".openai.azure.com") || strings.HasSuffix(host, ".cognitiveservices.azure.com")
	return azureHost && !strings.HasPrefix(strings.TrimRight(u.Path, "/")+"/", "/openai/v1/")
}

// NewOpenAI returns a Model speaking the OpenAI chat-completions API
// through github.com/sashabaranov/go-openai, with strict json_schema
// structured output (falling back to JSON mode with the schema in the
// prompt when the server rejects it).
func NewOpenAI(cfg OpenAIConfig, opts ChatOptions) (*ChatModel, error) {
	if cfg.Model == "" {
		cfg.Model = DefaultOpenAIModel
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.Azure {
		oc = openai.DefaultAzureConfig(cfg.APIKey, strings.TrimRight(cfg.BaseURL, "/"))
		oc.APIVersion = cmp.Or(cfg.APIVersion, DefaultAzureAPIVersion)
		oc.AzureModelMapperFunc = func(model string) string { return model } // --model names the deployment
	}
	oc.HTTPClient = noteClient(cfg.HTTPClient)
	b := &openAIBackend{client: openai.NewClientWithConfig(oc), model: cfg.Model}
	return newChatModel("openai", cfg.Model, b, opts)
}

// openAIBackend sends chat requests with go-openai.
type openAIBackend struct {
	client *openai.Client
	model  string
}

func (b *openAIBackend) schemaInPrompt() bool { return false }

func (b *openAIBackend) complete(ctx context.Context, req chatRequest) (chatResponse, error) {
	ctx, note := withResponseNote(ctx)
	creq := openai.ChatCompletionRequest{Model: b.model, Messages: openAIMessages(req.Messages)}
	if req.JSONMode {
		creq.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	} else {
		creq.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: schema.AnswerSchemaName, Schema: req.Schema, Strict: true,
			},
		}
	}
	resp, err := b.client.CreateChatCompletion(ctx, creq)
	if err != nil {
		return chatResponse{Status: note.status}, openAIError(err, note)
	}
	out := chatResponse{Status: note.status, InputTokens: resp.Usage.PromptTokens, OutputTokens: resp.Usage.CompletionTokens}
	if len(resp.Choices) == 0 {
		return out, &statusError{status: note.status, err: errors.New("response has no choices")}
	}
	c := resp.Choices[0]
	out.Content, out.FinishReason, out.Refusal = c.Message.Content, string(c.FinishReason), c.Message.Refusal
	if c.FinishReason == openai.FinishReasonContentFilter && out.Refusal == "" {
		out.Refusal = "the content filter stopped the answer"
	}
	return out, nil
}

func openAIMessages(ms []chatMessage) []openai.ChatCompletionMessage {
	out := make([]openai.ChatCompletionMessage, len(ms))
	for i, m := range ms {
		out[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	return out
}

// openAIError classifies a go-openai error: a server rejecting json_schema
// becomes errSchemaUnsupported; HTTP failures become *statusError with the
// Retry-After the server sent.
func openAIError(err error, note *responseNote) error {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	status := note.status
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
		if status == http.StatusBadRequest && mentionsSchema(apiErr.Message) {
			return fmt.Errorf("%w: %s", errSchemaUnsupported, apiErr.Message)
		}
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		if status == http.StatusBadRequest && mentionsSchema(string(reqErr.Body)) {
			return fmt.Errorf("%w: %s", errSchemaUnsupported, oneLine(string(reqErr.Body)))
		}
	}
	if status == 0 && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%w: %w", errTransport, err)
	}
	return &statusError{status: status, retryAfter: note.retryAfter, err: err}
}

func mentionsSchema(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "json_schema") || strings.Contains(msg, "response_format")
}

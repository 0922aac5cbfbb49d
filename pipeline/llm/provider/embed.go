package provider

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/openai"
)

// EnvEmbedModel names the embeddings model, as --embed-model does.
const EnvEmbedModel = "EXTRACT_EMBED_MODEL"

// EmbedConfig says which embeddings model to use.
type EmbedConfig struct {
	// Model overrides EXTRACT_EMBED_MODEL.
	Model string
	// Getenv reads the environment (os.Getenv in the program).
	Getenv func(string) string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
	// Options sets the batch size and the retries.
	Options llm.EmbedOptions
}

// SelectEmbedder builds the [llm.Embedder] the environment names:
//
//   - OPENAI_API_KEY set, or OPENAI_BASE_URL with a model → the
//     OpenAI-compatible embeddings API at OPENAI_BASE_URL (OpenAI's by
//     default; Azure as for [Select]), with the given model or
//     [openai.DefaultEmbedModel];
//   - else an Ollama server answering at OLLAMA_HOST and a model given →
//     Ollama's OpenAI-compatible endpoint, HOST/v1;
//   - else no embedder (nil) and a notice saying that related cards are
//     ranked by the offline text similarity, and how to set a model.
//
// The model is cfg.Model, else EXTRACT_EMBED_MODEL.
func SelectEmbedder(ctx context.Context, cfg EmbedConfig) (e llm.Embedder, notice string, err error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	model := strings.TrimSpace(cfg.Model)
	if model == "" {
		model = strings.TrimSpace(cfg.Getenv(EnvEmbedModel))
	}
	cfg.Options.Secrets = append(slices.Clip(cfg.Options.Secrets), secrets(cfg.Getenv)...)
	key, base := cfg.Getenv(EnvOpenAIKey), cfg.Getenv(EnvOpenAIBaseURL)
	if key != "" || (base != "" && model != "") {
		azure := strings.EqualFold(cfg.Getenv(EnvOpenAIAPIType), "azure") || openai.IsAzureDeploymentsURL(base)
		return openai.NewEmbedder(openai.EmbedConfig{APIKey: key, BaseURL: base, Model: model,
			HTTPClient: cfg.HTTPClient, Azure: azure, APIVersion: cfg.Getenv(EnvOpenAIVersion),
			Options: cfg.Options}), "", nil
	}
	host := ollamaURL(cfg.Getenv(EnvOllamaHost))
	models, probeErr := ollamaModels(ctx, cfg.HTTPClient, host)
	switch {
	case probeErr == nil && model != "":
		return openai.NewEmbedder(openai.EmbedConfig{APIKey: "ollama", BaseURL: host + "/v1", Model: model,
			HTTPClient: cfg.HTTPClient, Provider: llm.ProviderOllama, Options: cfg.Options}), "", nil
	case probeErr == nil:
		hint := "an embeddings model such as nomic-embed-text (ollama pull nomic-embed-text)"
		if len(models) > 0 {
			hint += "; installed: " + strings.Join(models, ", ")
		}
		return nil, fmt.Sprintf("no embeddings model given: related cards are ranked by the offline text similarity; "+
			"set --embed-model or %s to %s", EnvEmbedModel, hint), nil
	}
	return nil, fmt.Sprintf("no embeddings configured (%s unset, no Ollama at %s): related cards are ranked by the "+
		"offline text similarity; set %s, or run Ollama and set %s", EnvOpenAIKey, host, EnvOpenAIKey, EnvEmbedModel), nil
}

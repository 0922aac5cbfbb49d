// Package provider chooses the model a card is made with, from flags and
// the environment: OpenAI or a compatible server, Azure OpenAI, Anthropic,
// Google Gemini, Ollama, or the offline baseline when none is configured.
package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/langchain"
	"github.com/veille/veille/pipeline/llm/openai"
	"github.com/veille/veille/pipeline/offline"
)

// Auto is the provider name that lets [Select] choose from the environment.
const Auto = "auto"

// Names lists the provider names --provider accepts, for help texts.
var Names = []string{Auto, llm.ProviderOpenAI, llm.ProviderAnthropic, llm.ProviderGoogleAI, llm.ProviderOllama, llm.ProviderOffline}

// Environment variables read by Select.
const (
	EnvOpenAIKey     = "OPENAI_API_KEY"
	EnvOpenAIBaseURL = "OPENAI_BASE_URL"
	EnvOpenAIAPIType = "OPENAI_API_TYPE"    // "azure" forces Azure OpenAI's deployments API
	EnvOpenAIVersion = "OPENAI_API_VERSION" // Azure's api-version
	EnvAnthropicKey  = "ANTHROPIC_API_KEY"
	EnvGoogleKey     = "GOOGLE_API_KEY"
	EnvGeminiKey     = "GEMINI_API_KEY"
	EnvGeminiBaseURL = "GOOGLE_GEMINI_BASE_URL" // a proxy or compatible server for googleai
	EnvOllamaHost    = "OLLAMA_HOST"
	EnvExtractModel  = "EXTRACT_MODEL"
)

// DefaultOllamaHost is where Ollama listens unless OLLAMA_HOST says
// otherwise.
const DefaultOllamaHost = "http://localhost:11434"

// ollamaProbeTimeout bounds the check that an Ollama server answers.
const ollamaProbeTimeout = 2 * time.Second

// Config says which model to use.
type Config struct {
	// Provider is one of Names; empty means Auto.
	Provider string
	// Model overrides EXTRACT_MODEL.
	Model string
	// Getenv reads the environment (os.Getenv in the program).
	Getenv func(string) string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
	// Chat tunes the model-backed providers.
	Chat llm.ChatOptions
}

// Select builds the [llm.Model] cfg names. With Auto: OPENAI_API_KEY
// set → OpenAI (gpt-4o-mini unless a model is given); else an Ollama server
// answering at OLLAMA_HOST → Ollama with the given model (an error listing
// the installed models when none is given); else the offline baseline.
// notice, when not empty, is one line to show the user (the offline
// fallback and how to set a model).
func Select(ctx context.Context, cfg Config) (m llm.Model, notice string, err error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Model == "" {
		cfg.Model = cfg.Getenv(EnvExtractModel)
	}
	cfg.Chat.Secrets = append(cfg.Chat.Secrets, secrets(cfg.Getenv)...)
	ollamaHost := ollamaURL(cfg.Getenv(EnvOllamaHost))
	switch cfg.Provider {
	case "", Auto:
		return selectAuto(ctx, cfg, ollamaHost)
	case llm.ProviderOpenAI:
		m, err := newOpenAIFromEnv(cfg)
		return m, "", err
	case llm.ProviderAnthropic:
		if cfg.Getenv(EnvAnthropicKey) == "" {
			return nil, "", fmt.Errorf("provider anthropic: set %s", EnvAnthropicKey)
		}
		m, err := langchain.New(ctx, langchain.Config{Provider: llm.ProviderAnthropic, Model: cfg.Model,
			APIKey: cfg.Getenv(EnvAnthropicKey), HTTPClient: cfg.HTTPClient}, cfg.Chat)
		return m, "", err
	case llm.ProviderGoogleAI:
		key := cfg.Getenv(EnvGoogleKey)
		if key == "" {
			key = cfg.Getenv(EnvGeminiKey)
		}
		if key == "" {
			return nil, "", fmt.Errorf("provider googleai: set %s or %s", EnvGoogleKey, EnvGeminiKey)
		}
		m, err := newGemini(key, cfg)
		return m, "", err
	case llm.ProviderOllama:
		return selectOllama(ctx, cfg, ollamaHost)
	case llm.ProviderOffline:
		return offline.Model{}, "", nil
	}
	return nil, "", fmt.Errorf("unknown provider %q (want one of %s)", cfg.Provider, strings.Join(Names, ", "))
}

func selectAuto(ctx context.Context, cfg Config, ollamaHost string) (llm.Model, string, error) {
	if cfg.Getenv(EnvOpenAIKey) != "" {
		m, err := newOpenAIFromEnv(cfg)
		return m, "", err
	}
	if _, err := ollamaModels(ctx, cfg.HTTPClient, ollamaHost); err == nil {
		return selectOllama(ctx, cfg, ollamaHost)
	}
	notice := fmt.Sprintf("no model configured (%s unset, no Ollama at %s): using the offline baseline; "+
		"set %s, or run Ollama and set %s, or pass --provider and --model", EnvOpenAIKey, ollamaHost, EnvOpenAIKey, EnvExtractModel)
	return offline.Model{}, notice, nil
}

func newOpenAIFromEnv(cfg Config) (llm.Model, error) {
	key, base := cfg.Getenv(EnvOpenAIKey), cfg.Getenv(EnvOpenAIBaseURL)
	if key == "" && base == "" {
		return nil, fmt.Errorf("provider openai: set %s (and %s for a compatible server)", EnvOpenAIKey, EnvOpenAIBaseURL)
	}
	azure := strings.EqualFold(cfg.Getenv(EnvOpenAIAPIType), "azure") || openai.IsAzureDeploymentsURL(base)
	return openai.New(openai.Config{APIKey: key, BaseURL: base, Model: cfg.Model, HTTPClient: cfg.HTTPClient,
		Azure: azure, APIVersion: cfg.Getenv(EnvOpenAIVersion)}, cfg.Chat)
}

// selectOllama uses Ollama's native API; without a model it lists the
// installed ones in the error.
func selectOllama(ctx context.Context, cfg Config, host string) (llm.Model, string, error) {
	if cfg.Model == "" {
		models, err := ollamaModels(ctx, cfg.HTTPClient, host)
		if err != nil {
			return nil, "", fmt.Errorf("provider ollama: no model given (set --model or %s) and %w", EnvExtractModel, err)
		}
		if len(models) == 0 {
			return nil, "", fmt.Errorf("provider ollama at %s: no model given and none installed (run 'ollama pull MODEL', then set %s)", host, EnvExtractModel)
		}
		return nil, "", fmt.Errorf("provider ollama at %s: no model given; set --model or %s to one of: %s", host, EnvExtractModel, strings.Join(models, ", "))
	}
	m, err := langchain.New(ctx, langchain.Config{Provider: llm.ProviderOllama, Model: cfg.Model, BaseURL: host,
		HTTPClient: cfg.HTTPClient}, cfg.Chat)
	return m, "", err
}

// newGemini reaches Gemini through Google's OpenAI-compatible endpoint
// with go-openai. GOOGLE_GEMINI_BASE_URL may name a proxy either by scheme
// and host alone (the endpoint's path is added) or by the endpoint's full
// address.
func newGemini(key string, cfg Config) (llm.Model, error) {
	if cfg.Model == "" {
		return nil, fmt.Errorf("%s: no model given (set --model or %s)", llm.ProviderGoogleAI, EnvExtractModel)
	}
	return openai.New(openai.Config{APIKey: key, BaseURL: geminiURL(cfg.Getenv(EnvGeminiBaseURL)), Model: cfg.Model,
		HTTPClient: cfg.HTTPClient, Provider: llm.ProviderGoogleAI}, cfg.Chat)
}

// geminiURL is the OpenAI-compatible Gemini endpoint at base ("" means
// Google's own).
func geminiURL(base string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base == "" {
		return openai.GeminiBaseURL
	}
	if u, err := url.Parse(base); err == nil && u.Path == "" {
		gemini, _ := url.Parse(openai.GeminiBaseURL)
		return base + gemini.Path
	}
	return base
}

// secrets are the API keys in the environment, to hide in errors.
func secrets(getenv func(string) string) []string {
	var out []string
	for _, name := range []string{EnvOpenAIKey, EnvAnthropicKey, EnvGoogleKey, EnvGeminiKey} {
		if v := getenv(name); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ollamaURL turns OLLAMA_HOST (host, host:port or URL) into a base URL.
func ollamaURL(host string) string {
	host = strings.TrimRight(strings.TrimSpace(host), "/")
	switch {
	case host == "":
		return DefaultOllamaHost
	case strings.HasPrefix(host, "http://"), strings.HasPrefix(host, "https://"):
		return host
	case !strings.Contains(host, ":"):
		return "http://" + host + ":11434"
	}
	return "http://" + host
}

// ollamaModels lists the models installed on the Ollama server at host.
func ollamaModels(ctx context.Context, hc *http.Client, host string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, ollamaProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, host+"/api/tags", nil)
	if err != nil {
		return nil, fmt.Errorf("no Ollama at %s: %w", host, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no Ollama at %s: %w", host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("no Ollama at %s: %s", host, resp.Status)
	}
	var tags struct {
		Models []struct {
			Name string `json:"name"`
		} `json:"models"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tags); err != nil {
		return nil, fmt.Errorf("no Ollama at %s: %w", host, err)
	}
	names := make([]string, len(tags.Models))
	for i, m := range tags.Models {
		names[i] = m.Name
	}
	return names, nil
}

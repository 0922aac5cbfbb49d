package openai

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/veille/veille/pipeline/llm"
)

// DefaultEmbedModel is the embeddings model used unless one is given.
const DefaultEmbedModel = "text-embedding-3-small"

// EmbedConfig configures an OpenAI-compatible embeddings endpoint
// (/v1/embeddings): OpenAI, Azure OpenAI, or a local server such as
// Ollama at http://HOST:11434/v1.
type EmbedConfig struct {
	// APIKey is OPENAI_API_KEY; local servers accept any value.
	APIKey string
	// BaseURL is OPENAI_BASE_URL; empty means OpenAI's.
	BaseURL string
	// Model defaults to [DefaultEmbedModel].
	Model string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
	// Azure and APIVersion select Azure OpenAI's deployments API, as in
	// [Config].
	Azure      bool
	APIVersion string
	// Provider names the server in errors; empty means [llm.ProviderOpenAI].
	Provider string
	// Options sets the batch size and the retries.
	Options llm.EmbedOptions
}

var _ llm.Embedder = (*Embedder)(nil)

// Embedder is an [llm.Embedder] speaking the OpenAI embeddings API through
// github.com/sashabaranov/go-openai.
type Embedder struct {
	client *goopenai.Client
	model  string
	name   string
	opts   llm.EmbedOptions
}

// NewEmbedder returns an Embedder for cfg.
func NewEmbedder(cfg EmbedConfig) *Embedder {
	cfg.Model = cmp.Or(cfg.Model, DefaultEmbedModel)
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
		oc.AzureModelMapperFunc = func(model string) string { return model }
	}
	oc.HTTPClient = llm.NoteClient(cfg.HTTPClient)
	cfg.Options.Secrets = append(slices.Clip(cfg.Options.Secrets), cfg.APIKey)
	return &Embedder{client: goopenai.NewClientWithConfig(oc), model: cfg.Model,
		name: cmp.Or(cfg.Provider, llm.ProviderOpenAI) + " " + cfg.Model, opts: cfg.Options}
}

// Model is the embeddings model's name.
func (e *Embedder) Model() string { return e.model }

// Embed returns one vector per text, in batches of
// [llm.EmbedOptions].BatchSize texts a request, retrying transient
// failures (see [llm.EmbedBatches]). An empty text is sent as one space,
// which the API accepts.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return llm.EmbedBatches(ctx, e.name, texts, e.opts, e.send)
}

// send makes one embeddings request and orders the vectors by input.
func (e *Embedder) send(ctx context.Context, texts []string) ([][]float32, error) {
	input := make([]string, len(texts))
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			t = " "
		}
		input[i] = t
	}
	ctx, note := llm.WithResponseNote(ctx)
	resp, err := e.client.CreateEmbeddings(ctx, goopenai.EmbeddingRequestStrings{
		Input: input, Model: goopenai.EmbeddingModel(e.model), EncodingFormat: goopenai.EmbeddingEncodingFormatFloat})
	if err != nil {
		return nil, classify(err, note)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("%w: %d vectors for %d inputs", llm.ErrBadEmbeddings, len(resp.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(out) || out[d.Index] != nil {
			return nil, fmt.Errorf("%w: vector index %d out of range or repeated", llm.ErrBadEmbeddings, d.Index)
		}
		if d.Embedding == nil {
			d.Embedding = []float32{}
		}
		out[d.Index] = d.Embedding
	}
	return out, nil // len(Data) indexes, each distinct and in range: every vector is set
}

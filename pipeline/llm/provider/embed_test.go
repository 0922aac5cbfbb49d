package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/veille/veille/pipeline/llm/openai"
)

// embeddingsServer answers /api/tags as Ollama does and /v1/embeddings as
// OpenAI does, recording the model and key of each embeddings request.
func embeddingsServer(t *testing.T, got *[]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/tags":
			w.Write([]byte(`{"models":[{"name":"nomic-embed-text:latest"}]}`))
		case "/v1/embeddings":
			var req struct {
				Model string   `json:"model"`
				Input []string `json:"input"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				t.Error(err)
			}
			*got = append(*got, req.Model+" "+r.Header.Get("Authorization"))
			var data []map[string]any
			for i := range req.Input {
				data = append(data, map[string]any{"index": i, "embedding": []float32{1, 0}})
			}
			json.NewEncoder(w).Encode(map[string]any{"data": data})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSelectEmbedder(t *testing.T) {
	var requests []string
	srv := embeddingsServer(t, &requests)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	tests := []struct {
		name        string
		model       string
		env         map[string]string
		wantModel   string // "" for no embedder
		wantRequest string // model and Authorization header of the request, when one is sent
		wantNotice  string
	}{
		{name: "OpenAI key, default model", env: map[string]string{EnvOpenAIKey: "k", EnvOpenAIBaseURL: srv.URL + "/v1"},
			wantModel: openai.DefaultEmbedModel, wantRequest: "text-embedding-3-small Bearer k"},
		{name: "EXTRACT_EMBED_MODEL", env: map[string]string{EnvOpenAIKey: "k", EnvOpenAIBaseURL: srv.URL + "/v1",
			EnvEmbedModel: "text-embedding-3-large"}, wantModel: "text-embedding-3-large", wantRequest: "text-embedding-3-large Bearer k"},
		{name: "--embed-model beats EXTRACT_EMBED_MODEL", model: "m2", env: map[string]string{EnvOpenAIKey: "k",
			EnvOpenAIBaseURL: srv.URL + "/v1", EnvEmbedModel: "m1"}, wantModel: "m2", wantRequest: "m2 Bearer k"},
		{name: "compatible server without a key", model: "bge-m3", env: map[string]string{EnvOpenAIBaseURL: srv.URL + "/v1",
			EnvOllamaHost: gone.URL}, wantModel: "bge-m3", wantRequest: "bge-m3"},
		{name: "Ollama with a model", env: map[string]string{EnvOllamaHost: srv.URL, EnvEmbedModel: "nomic-embed-text"},
			wantModel: "nomic-embed-text", wantRequest: "nomic-embed-text Bearer ollama"},
		{name: "Ollama without a model", env: map[string]string{EnvOllamaHost: srv.URL},
			wantNotice: "set --embed-model or EXTRACT_EMBED_MODEL to an embeddings model such as nomic-embed-text (ollama pull nomic-embed-text); installed: nomic-embed-text:latest"},
		{name: "nothing", model: "nomic-embed-text", env: map[string]string{EnvOllamaHost: gone.URL},
			wantNotice: "no embeddings configured (OPENAI_API_KEY unset, no Ollama at " + gone.URL + "): related cards are ranked by the offline text similarity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requests = nil
			getenv := func(k string) string { return tt.env[k] }
			e, notice, err := SelectEmbedder(context.Background(), EmbedConfig{Model: tt.model, Getenv: getenv})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(notice, tt.wantNotice) || (tt.wantNotice == "" && notice != "") {
				t.Errorf("notice = %q, want %q", notice, tt.wantNotice)
			}
			if tt.wantModel == "" {
				if e != nil {
					t.Errorf("embedder %s, want none", e.Model())
				}
				return
			}
			if e == nil || e.Model() != tt.wantModel {
				t.Fatalf("embedder = %v, want model %s", e, tt.wantModel)
			}
			vecs, err := e.Embed(context.Background(), []string{"a text"})
			if err != nil || len(vecs) != 1 {
				t.Fatalf("Embed = %v, %v", vecs, err)
			}
			if want := strings.TrimSpace(tt.wantRequest); !slices.Equal(requests, []string{want}) &&
				!slices.Equal(requests, []string{want + " "}) {
				t.Errorf("requests = %q, want %q", requests, want)
			}
		})
	}
}

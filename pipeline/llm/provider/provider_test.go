package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSelectModel(t *testing.T) {
	ollama := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tags" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"models":[{"name":"llama3.2:latest"},{"name":"qwen2.5:7b"}]}`))
	}))
	defer ollama.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nothing listens there any more

	tests := []struct {
		name         string
		provider     string
		model        string
		env          map[string]string
		wantProvider string
		wantModel    string
		wantNotice   string
		wantErr      string
	}{
		{name: "auto with an OpenAI key", env: map[string]string{EnvOpenAIKey: "k", EnvOllamaHost: gone.URL},
			wantProvider: "openai", wantModel: "gpt-4o-mini"},
		{name: "auto with an OpenAI key and EXTRACT_MODEL", env: map[string]string{EnvOpenAIKey: "k", EnvExtractModel: "gpt-4.1-mini"},
			wantProvider: "openai", wantModel: "gpt-4.1-mini"},
		{name: "--model beats EXTRACT_MODEL", model: "gpt-4o", env: map[string]string{EnvOpenAIKey: "k", EnvExtractModel: "gpt-4.1-mini"},
			wantProvider: "openai", wantModel: "gpt-4o"},
		{name: "auto with Ollama and a model", env: map[string]string{EnvOllamaHost: ollama.URL, EnvExtractModel: "qwen2.5:7b"},
			wantProvider: "ollama", wantModel: "qwen2.5:7b"},
		{name: "auto with Ollama and no model", env: map[string]string{EnvOllamaHost: ollama.URL},
			wantErr: "llama3.2:latest, qwen2.5:7b"},
		{name: "auto with nothing", env: map[string]string{EnvOllamaHost: gone.URL},
			wantProvider: "offline", wantModel: "baseline", wantNotice: "offline baseline"},
		{name: "openai without a key", provider: "openai", wantErr: "set OPENAI_API_KEY"},
		{name: "openai-compatible server without a key", provider: "openai", env: map[string]string{EnvOpenAIBaseURL: "http://localhost:8080/v1"},
			wantProvider: "openai", wantModel: "gpt-4o-mini"},
		{name: "anthropic needs a model", provider: "anthropic", env: map[string]string{EnvAnthropicKey: "k"}, wantErr: "no model given"},
		{name: "anthropic", provider: "anthropic", model: "claude-3-5-haiku-latest", env: map[string]string{EnvAnthropicKey: "k"},
			wantProvider: "anthropic", wantModel: "claude-3-5-haiku-latest"},
		{name: "anthropic needs a key", provider: "anthropic", model: "claude-3-5-haiku-latest", wantErr: EnvAnthropicKey},
		{name: "offline", provider: "offline", wantProvider: "offline", wantModel: "baseline"},
		{name: "unknown", provider: "gpt", wantErr: `unknown provider "gpt"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			m, notice, err := Select(context.Background(), Config{Provider: tt.provider, Model: tt.model, Getenv: getenv})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Provider() != tt.wantProvider || m.Model() != tt.wantModel {
				t.Errorf("got %s %s, want %s %s", m.Provider(), m.Model(), tt.wantProvider, tt.wantModel)
			}
			if !strings.Contains(notice, tt.wantNotice) || (tt.wantNotice == "" && notice != "") {
				t.Errorf("notice = %q, want %q", notice, tt.wantNotice)
			}
		})
	}
}

func TestOllamaURL(t *testing.T) {
	tests := map[string]string{
		"":                       "http://localhost:11434",
		"0.0.0.0":                "http://0.0.0.0:11434",
		"gpu-box:8000":           "http://gpu-box:8000",
		"https://ollama.example": "https://ollama.example",
		"http://h:1/":            "http://h:1",
	}
	for in, want := range tests {
		if got := ollamaURL(in); got != want {
			t.Errorf("ollamaURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzOllamaURL(f *testing.F) {
	f.Add("localhost:11434")
	f.Add("https://h/")
	f.Fuzz(func(t *testing.T, host string) {
		u := ollamaURL(host)
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("ollamaURL(%q) = %q, not an http(s) URL", host, u)
		}
	})
}

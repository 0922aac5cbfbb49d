package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/retry"
)

// fakeEmbeddings is an OpenAI-compatible /v1/embeddings server. It checks
// each request and answers with vectors made from the input texts, or with
// the failures queued in fail.
type fakeEmbeddings struct {
	t     *testing.T
	srv   *httptest.Server
	model string

	mu       sync.Mutex
	requests [][]string
	fail     []int                                        // statuses answered first, one per request
	mangle   func(data []map[string]any) []map[string]any // edits the answer's data
}

func newFakeEmbeddings(t *testing.T, model string) *fakeEmbeddings {
	f := &fakeEmbeddings{t: t, model: model}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// vectorOf is the fake's vector for a text: its length and first byte.
func vectorOf(text string) []float32 {
	return []float32{float32(len(text)), float32(text[0]), 1}
}

func (f *fakeEmbeddings) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		f.t.Errorf("request %s %s, want POST /v1/embeddings", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer test-key" {
		f.t.Errorf("Authorization = %q", got)
	}
	var req struct {
		Model          string   `json:"model"`
		Input          []string `json:"input"`
		EncodingFormat string   `json:"encoding_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("request body: %v", err)
	}
	if req.Model != f.model || req.EncodingFormat != "float" {
		f.t.Errorf("model %q, encoding %q; want %q, float", req.Model, req.EncodingFormat, f.model)
	}
	f.mu.Lock()
	f.requests = append(f.requests, req.Input)
	var status int
	if len(f.fail) > 0 {
		status, f.fail = f.fail[0], f.fail[1:]
	}
	mangle := f.mangle
	f.mu.Unlock()
	if status != 0 {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"status %d","type":"server_error"}}`, status)
		return
	}
	var data []map[string]any
	// Answer in reverse order: the client must sort by index.
	for i := len(req.Input) - 1; i >= 0; i-- {
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": vectorOf(req.Input[i])})
	}
	if mangle != nil {
		data = mangle(data)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": f.model,
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

func fastRetry() retry.Policy {
	return retry.Policy{MaxAttempts: 3, Timeout: 5 * time.Second, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
		MaxRetryAfter: time.Second}
}

func TestEmbedderBatches(t *testing.T) {
	f := newFakeEmbeddings(t, DefaultEmbedModel)
	e := NewEmbedder(EmbedConfig{APIKey: "test-key", BaseURL: f.srv.URL + "/v1/",
		Options: llm.EmbedOptions{BatchSize: 2, Retry: fastRetry()}})
	if e.Model() != DefaultEmbedModel {
		t.Errorf("Model() = %q", e.Model())
	}
	texts := []string{"alpha", "be", "", "delta"}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	sent := []string{"alpha", "be", " ", "delta"} // an empty text goes as a space
	for i, v := range vecs {
		if !slices.Equal(v, vectorOf(sent[i])) {
			t.Errorf("vector %d = %v, want %v", i, v, vectorOf(sent[i]))
		}
	}
	want := [][]string{{"alpha", "be"}, {" ", "delta"}}
	if !slices.EqualFunc(f.requests, want, slices.Equal) {
		t.Errorf("requests = %q, want %q", f.requests, want)
	}
}

func TestEmbedderErrors(t *testing.T) {
	tests := []struct {
		name         string
		fail         []int
		mangle       func([]map[string]any) []map[string]any
		wantRequests int
		wantStatus   int   // of the *llm.StatusError, 0 for none
		wantIs       error // nil for none
		wantErr      string
	}{
		{name: "401 is not retried", fail: []int{401}, wantRequests: 1, wantStatus: 401, wantErr: "1 attempt(s)"},
		{name: "500 is retried", fail: []int{500, 503}, wantRequests: 3},
		{name: "500 three times gives up", fail: []int{500, 500, 500}, wantRequests: 3, wantStatus: 500, wantErr: "3 attempt(s)"},
		{name: "429 is retried", fail: []int{429}, wantRequests: 2},
		{name: "a vector missing", mangle: func(d []map[string]any) []map[string]any { return d[1:] },
			wantRequests: 1, wantIs: llm.ErrBadEmbeddings, wantErr: "1 vectors for 2 inputs"},
		{name: "a repeated index", mangle: func(d []map[string]any) []map[string]any {
			d[1]["index"] = d[0]["index"]
			return d
		}, wantRequests: 1, wantIs: llm.ErrBadEmbeddings, wantErr: "repeated"},
		{name: "NaN", mangle: func(d []map[string]any) []map[string]any {
			d[0]["embedding"] = []any{1, "NaN", 2} // go-openai decodes into float32: not a number is a decode error
			return d
		}, wantRequests: 1, wantErr: "cannot unmarshal"},
		{name: "dimensions differ", mangle: func(d []map[string]any) []map[string]any {
			d[0]["embedding"] = []float32{1, 2}
			return d
		}, wantRequests: 1, wantIs: llm.ErrBadEmbeddings, wantErr: "dimension 2"},
		{name: "an empty vector", mangle: func(d []map[string]any) []map[string]any {
			d[0]["embedding"] = []float32{}
			return d
		}, wantRequests: 1, wantIs: llm.ErrBadEmbeddings, wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbeddings(t, "nomic-embed-text")
			f.fail, f.mangle = tt.fail, tt.mangle
			e := NewEmbedder(EmbedConfig{APIKey: "test-key", BaseURL: f.srv.URL + "/v1", Model: "nomic-embed-text",
				Options: llm.EmbedOptions{Retry: fastRetry()}})
			vecs, err := e.Embed(context.Background(), []string{"one", "two"})
			if len(f.requests) != tt.wantRequests {
				t.Errorf("%d requests, want %d", len(f.requests), tt.wantRequests)
			}
			if tt.wantErr == "" && tt.wantStatus == 0 && tt.wantIs == nil {
				if err != nil || len(vecs) != 2 {
					t.Fatalf("Embed = %v, %v", vecs, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Embed = %v, want an error", vecs)
			}
			if !strings.HasPrefix(err.Error(), "openai nomic-embed-text: texts 1-2 of 2: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
			var se *llm.StatusError
			if tt.wantStatus != 0 && (!errors.As(err, &se) || se.Status != tt.wantStatus) {
				t.Errorf("error = %#v, want a StatusError %d", err, tt.wantStatus)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want one wrapping %v", err, tt.wantIs)
			}
		})
	}
}

// TestEmbedderRedactsEchoedKey: a server that quotes the key in its error
// body does not get it printed, logged or returned.
func TestEmbedderRedactsEchoedKey(t *testing.T) {
	const key = "sk-test-0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		code := http.StatusUnauthorized
		if r.Header.Get("X-Try") == "" && strings.Contains(r.URL.Path, "retry") {
			code = http.StatusServiceUnavailable
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error"}}`, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	var logs strings.Builder
	for _, base := range []string{srv.URL + "/v1", srv.URL + "/retry/v1"} {
		e := NewEmbedder(EmbedConfig{APIKey: key, BaseURL: base,
			Options: llm.EmbedOptions{Retry: fastRetry(), Logger: slog.New(slog.NewTextHandler(&logs, nil))}})
		_, err := e.Embed(t.Context(), []string{"one"})
		if err == nil {
			t.Fatal("Embed succeeded against a server refusing the key")
		}
		if strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("error = %v, want the key redacted", err)
		}
		var se *llm.StatusError
		if base == srv.URL+"/v1" && !errors.As(err, &se) {
			t.Errorf("redacted error %v no longer wraps *llm.StatusError", err)
		}
	}
	if strings.Contains(logs.String(), key) {
		t.Errorf("the key was logged:\n%s", logs.String())
	}
}

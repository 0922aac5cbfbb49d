package pipeline_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/langchain"
)

// answer returns the reply's answer: its fixture's content, else content.
func (r fakeReply) answer(t *testing.T) string {
	if r.fixture == "" {
		return r.content
	}
	b, err := os.ReadFile(filepath.Join("llm", "testdata", "model", r.fixture))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fakeOllama is an Ollama native-API server (/api/chat) that checks each
// request and answers from a script (the last reply repeats).
type fakeOllama struct {
	t        *testing.T
	srv      *httptest.Server
	replies  []fakeReply
	pageText string

	mu       sync.Mutex
	requests int
}

func newFakeOllama(t *testing.T, pageText string, replies ...fakeReply) *fakeOllama {
	f := &fakeOllama{t: t, replies: replies, pageText: pageText}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOllama) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *fakeOllama) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if r.URL.Path != "/api/chat" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Model    string `json:"model"`
		Format   any    `json:"format"`
		Stream   bool   `json:"stream"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		t.Errorf("request is not JSON: %v", err)
	}
	f.mu.Lock()
	reply := f.replies[min(f.requests, len(f.replies)-1)]
	f.requests++
	f.mu.Unlock()

	if req.Model != "llama3.2" || req.Format != "json" || req.Stream {
		t.Errorf("model %q format %v stream %v; want llama3.2, json, no stream", req.Model, req.Format, req.Stream)
	}
	if len(req.Messages) < 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
		t.Fatalf("messages = %+v", req.Messages)
	}
	if !strings.Contains(req.Messages[0].Content, string(compactSchema(t))) {
		t.Errorf("system prompt lacks the JSON Schema (langchaingo passes no schema to Ollama)")
	}
	if inside := pageBlock(t, req.Messages[1].Content); !strings.HasSuffix(inside, "\n"+strings.TrimSpace(f.pageText)) {
		t.Errorf("user message does not end with the delimited page")
	}

	if reply.status != 0 {
		w.WriteHeader(reply.status)
		io.WriteString(w, reply.body)
		return
	}
	b, _ := json.Marshal(map[string]any{
		"model": req.Model, "created_at": "2026-01-01T00:00:00Z", "done": true, "done_reason": "stop",
		"message":           map[string]any{"role": "assistant", "content": reply.answer(t)},
		"prompt_eval_count": 900, "eval_count": 300,
	})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// newTestLangChain returns the langchaingo provider cfg names, with the
// fast test retry policy and no logs.
func newTestLangChain(t *testing.T, cfg langchain.Config) *llm.ChatModel {
	t.Helper()
	m, err := langchain.New(context.Background(), cfg, llm.ChatOptions{Retry: testRetry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runExpecting runs the fixture page through m and checks the error: none
// when wantErr is empty, else one containing wantErr.
func (rf runFixture) runExpecting(t *testing.T, m llm.Model, wantErr string) pipeline.Outcome {
	t.Helper()
	out, err := rf.runner(t, m).Run(context.Background(), rf.page)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error = %v, want one containing %q", err, wantErr)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOllamaNative(t *testing.T) {
	tests := []struct {
		name         string
		replies      []fakeReply
		wantRequests int
		wantCards    int
		wantErr      string
	}{
		{name: "valid card", replies: []fakeReply{{fixture: "card_valid.json"}}, wantRequests: 1, wantCards: 1},
		{name: "invalid then valid", replies: []fakeReply{{fixture: "card_invalid.json"}, {fixture: "card_valid.json"}},
			wantRequests: 2, wantCards: 1},
		{name: "500 then valid", replies: []fakeReply{{status: 500, body: `{"error":"loading model"}`}, {fixture: "card_valid.json"}},
			wantRequests: 2, wantCards: 1},
		{name: "500 until attempts run out", replies: []fakeReply{{status: 500, body: `{"error":"boom"}`}},
			wantRequests: 3, wantErr: "3 attempt(s)"},
		{name: "truncated twice", replies: []fakeReply{{fixture: "card_truncated.json"}}, wantRequests: 2,
			wantErr: "invalid answer after one repair round"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rf := newRunFixture(t)
			f := newFakeOllama(t, rf.text, tt.replies...)
			m := newTestLangChain(t, langchain.Config{Provider: llm.ProviderOllama, Model: "llama3.2", BaseURL: f.srv.URL})
			out := rf.runExpecting(t, m, tt.wantErr)
			if f.count() != tt.wantRequests {
				t.Errorf("%d requests, want %d", f.count(), tt.wantRequests)
			}
			if got := len(rf.cards(t)); got != tt.wantCards {
				t.Errorf("%d cards stored, want %d", got, tt.wantCards)
			}
			if tt.wantCards == 1 {
				p := out.Provenance
				if p.Provider != "ollama" || p.Model != "llama3.2" || p.CostUSD != 0 || p.InputTokens == 0 {
					t.Errorf("provenance = %+v", p)
				}
			}
			runs := rf.runs(t)
			if len(runs) != 1 || len(runs[0].Attempts) != tt.wantRequests {
				t.Errorf("runs = %+v, want one run with %d attempts", runs, tt.wantRequests)
			}
		})
	}
}

// TestAnthropic runs the langchaingo Anthropic provider against a fake
// Messages API: a cut-off answer (stop_reason max_tokens) gets one repair
// round, and the card is stored with the reported usage.
func TestAnthropic(t *testing.T) {
	rf := newRunFixture(t)
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/messages" || r.Header.Get("x-api-key") != "test-key" {
			t.Errorf("request %s with key %q", r.URL.Path, r.Header.Get("x-api-key"))
		}
		var req struct {
			Model    string `json:"model"`
			System   string `json:"system"`
			Messages []struct {
				Role    string `json:"role"`
				Content any    `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("request: %v", err)
		}
		if req.Model != "claude-3-5-haiku-latest" || !strings.Contains(req.System, string(compactSchema(t))) {
			t.Errorf("model %q; system prompt with schema: %v", req.Model, strings.Contains(req.System, string(compactSchema(t))))
		}
		mu.Lock()
		requests++
		n := requests
		mu.Unlock()
		fixture, stop := "card_truncated.json", "max_tokens"
		if n > 1 {
			fixture, stop = "card_valid.json", "end_turn"
		}
		content, err := os.ReadFile(filepath.Join("llm", "testdata", "model", fixture))
		if err != nil {
			t.Fatal(err)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "msg_1", "type": "message", "role": "assistant", "model": req.Model,
			"content":     []any{map[string]any{"type": "text", "text": string(content)}},
			"stop_reason": stop, "usage": map[string]any{"input_tokens": 1500, "output_tokens": 500},
		})
	}))
	defer srv.Close()
	m, err := langchain.New(context.Background(), langchain.Config{Provider: llm.ProviderAnthropic, Model: "claude-3-5-haiku-latest",
		APIKey: "test-key", BaseURL: srv.URL + "/v1"}, llm.ChatOptions{Retry: testRetry()})
	if err != nil {
		t.Fatal(err)
	}
	out, err := rf.runner(t, m).Run(context.Background(), rf.page)
	if err != nil {
		t.Fatal(err)
	}
	if requests != 2 {
		t.Errorf("%d requests, want 2 (cut off, then repaired)", requests)
	}
	p := out.Provenance
	if p.Provider != "anthropic" || p.InputTokens != 3000 || p.OutputTokens != 1000 || p.CostUSD <= 0 {
		t.Errorf("provenance = %+v", p)
	}
	runs := rf.runs(t)
	if len(rf.cards(t)) != 1 || len(runs) != 1 || runs[0].Attempts[0].FinishReason != "length" {
		t.Errorf("runs = %+v; want one card, first attempt cut off", runs)
	}
}

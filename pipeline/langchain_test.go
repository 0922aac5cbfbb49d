package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// answer returns the reply's answer: its fixture's content, else content.
func (r fakeReply) answer(t *testing.T) string {
	if r.fixture == "" {
		return r.content
	}
	b, err := os.ReadFile(filepath.Join("testdata", "model", r.fixture))
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
func newTestLangChain(t *testing.T, cfg LangChainConfig) *ChatModel {
	t.Helper()
	m, err := NewLangChain(context.Background(), cfg, ChatOptions{Retry: testRetry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runExpecting runs the fixture page through m and checks the error: none
// when wantErr is empty, else one containing wantErr.
func (rf runFixture) runExpecting(t *testing.T, m Model, wantErr string) Outcome {
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
			m := newTestLangChain(t, LangChainConfig{Provider: ProviderOllama, Model: "llama3.2", BaseURL: f.srv.URL})
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
		content, err := os.ReadFile(filepath.Join("testdata", "model", fixture))
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
	m, err := NewLangChain(context.Background(), LangChainConfig{Provider: ProviderAnthropic, Model: "claude-3-5-haiku-latest",
		APIKey: "test-key", BaseURL: srv.URL + "/v1"}, ChatOptions{Retry: testRetry()})
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

func TestNormaliseStopReason(t *testing.T) {
	tests := map[string]string{
		"end_turn": "stop", "": "stop", "FinishReasonStop": "stop", "stop_sequence": "stop",
		"max_tokens": "length", "FinishReasonMaxTokens": "length", "length": "length",
		"refusal": "refusal", "FinishReasonSafety": "refusal", "FinishReasonRecitation": "refusal",
	}
	for in, want := range tests {
		if got := normaliseStopReason(in); got != want {
			t.Errorf("normaliseStopReason(%q) = %q, want %q", in, got, want)
		}
	}
}

// geminiRequest is the part of a generateContent request the tests check.
type geminiRequest struct {
	Path, APIKey      string
	Model             string `json:"model"`
	SystemInstruction struct {
		Parts []struct {
			Text string `json:"text"`
		} `json:"parts"`
	} `json:"systemInstruction"`
	Contents []struct {
		Role  string `json:"role"`
		Parts []struct {
			Text string `json:"text"`
		} `json:"parts"`
	} `json:"contents"`
	GenerationConfig struct {
		ResponseMIMEType string `json:"responseMimeType"`
		MaxOutputTokens  int    `json:"maxOutputTokens"`
	} `json:"generationConfig"`
}

// fakeGemini is a Gemini REST API server (v1beta streamGenerateContent,
// which the client uses for every request, streaming or not) that
// records each request and answers from a script (the last reply repeats).
type fakeGemini struct {
	t       *testing.T
	srv     *httptest.Server
	replies []fakeReply

	mu       sync.Mutex
	requests []geminiRequest
}

func newFakeGemini(t *testing.T, replies ...fakeReply) *fakeGemini {
	f := &fakeGemini{t: t, replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// received returns the requests received so far.
func (f *fakeGemini) received() []geminiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *fakeGemini) serve(w http.ResponseWriter, r *http.Request) {
	req := geminiRequest{Path: r.URL.Path, APIKey: r.Header.Get("x-goog-api-key")}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("request is not JSON: %v", err)
	}
	f.mu.Lock()
	reply := f.replies[min(len(f.requests), len(f.replies)-1)]
	f.requests = append(f.requests, req)
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	if reply.status != 0 {
		w.WriteHeader(reply.status)
		io.WriteString(w, reply.body)
		return
	}
	finish := reply.finish
	if finish == "" {
		finish = "STOP"
	}
	// The client always streams: the answer is a JSON array of two chunks,
	// the text split across them, the finish reason in the last, and the
	// usage so far in each.
	text := []rune(reply.answer(f.t))
	chunk := func(text string, answerTokens int) map[string]any {
		return map[string]any{
			"candidates": []any{map[string]any{"index": 0,
				"content": map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}}}},
			"usageMetadata": map[string]any{"promptTokenCount": 1100, "candidatesTokenCount": answerTokens,
				"totalTokenCount": 1100 + answerTokens},
		}
	}
	first, last := chunk(string(text[:len(text)/2]), 150), chunk(string(text[len(text)/2:]), 350)
	last["candidates"].([]any)[0].(map[string]any)["finishReason"] = finish
	json.NewEncoder(w).Encode([]any{first, last})
}

// checkGeminiRequest checks one request: the model, JSON output asked
// for, the schema in the system instruction, the key, and the page text
// inside its delimited block in the first user turn.
func checkGeminiRequest(t *testing.T, req geminiRequest, pageText string) {
	t.Helper()
	if req.Path != "/v1beta/models/gemini-2.0-flash:streamGenerateContent" || req.Model != "models/gemini-2.0-flash" {
		t.Errorf("request to %s for model %q", req.Path, req.Model)
	}
	if req.APIKey != "test-key" {
		t.Errorf("x-goog-api-key = %q, want the configured key", req.APIKey)
	}
	if req.GenerationConfig.ResponseMIMEType != "application/json" || req.GenerationConfig.MaxOutputTokens != maxOutputTokens {
		t.Errorf("generationConfig = %+v, want JSON output and %d tokens", req.GenerationConfig, maxOutputTokens)
	}
	if len(req.SystemInstruction.Parts) != 1 || !strings.Contains(req.SystemInstruction.Parts[0].Text, string(compactSchema(t))) {
		t.Errorf("system instruction lacks the JSON Schema (langchaingo passes no schema to Gemini)")
	}
	if len(req.Contents) == 0 || req.Contents[0].Role != "user" || len(req.Contents[0].Parts) != 1 {
		t.Fatalf("contents = %+v, want a user turn first", req.Contents)
	}
	if inside := pageBlock(t, req.Contents[0].Parts[0].Text); !strings.HasSuffix(inside, "\n"+strings.TrimSpace(pageText)) {
		t.Errorf("user turn does not end with the delimited page")
	}
}

// TestGoogleAI runs the langchaingo Gemini provider against a fake REST
// API: each request is checked, a repair round resends the conversation
// with the invalid answer and the errors, and what is stored is asserted.
func TestGoogleAI(t *testing.T) {
	tests := []struct {
		name       string
		replies    []fakeReply
		wantTurns  []int // number of contents in each request
		wantCards  int
		wantFinish []string // finish reason recorded per attempt ("" for an error)
		wantErr    string
	}{
		{name: "valid card", replies: []fakeReply{{fixture: "card_valid.json"}},
			wantTurns: []int{1}, wantCards: 1, wantFinish: []string{"stop"}},
		{name: "invalid then repaired", replies: []fakeReply{{fixture: "card_invalid.json"}, {fixture: "card_valid.json"}},
			wantTurns: []int{1, 3}, wantCards: 1, wantFinish: []string{"stop", "stop"}},
		{name: "cut off then repaired", replies: []fakeReply{{fixture: "card_truncated.json", finish: "MAX_TOKENS"}, {fixture: "card_valid.json"}},
			wantTurns: []int{1, 3}, wantCards: 1, wantFinish: []string{"length", "stop"}},
		{name: "500 then valid", replies: []fakeReply{{status: 500, body: `{"error":{"code":500,"message":"internal","status":"INTERNAL"}}`}, {fixture: "card_valid.json"}},
			wantTurns: []int{1, 1}, wantCards: 1, wantFinish: []string{"", "stop"}},
		{name: "blocked for safety", replies: []fakeReply{{fixture: "card_valid.json", finish: "SAFETY"}},
			wantTurns: []int{1}, wantFinish: []string{"refusal"}, wantErr: "refused"},
		// The REST streaming call Google's client makes has no retry of its
		// own (unlike its unary generateContent, which retries 503): the
		// 503 reaches ChatModel, which retries.
		{name: "503 then valid", replies: []fakeReply{{status: 503, body: `{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}`}, {fixture: "card_valid.json"}},
			wantTurns: []int{1, 1}, wantCards: 1, wantFinish: []string{"", "stop"}},
		{name: "500 until attempts run out", replies: []fakeReply{{status: 500, body: `{"error":{"code":500,"message":"boom","status":"INTERNAL"}}`}},
			wantTurns: []int{1, 1, 1}, wantFinish: []string{"", "", ""}, wantErr: "3 attempt(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rf := newRunFixture(t)
			f := newFakeGemini(t, tt.replies...)
			m := newTestLangChain(t, LangChainConfig{Provider: ProviderGoogleAI, Model: "gemini-2.0-flash",
				APIKey: "test-key", BaseURL: f.srv.URL})
			out := rf.runExpecting(t, m, tt.wantErr)
			reqs := f.received()
			if len(reqs) != len(tt.wantTurns) {
				t.Fatalf("%d requests, want %d", len(reqs), len(tt.wantTurns))
			}
			for i, req := range reqs {
				checkGeminiRequest(t, req, rf.text)
				if len(req.Contents) != tt.wantTurns[i] {
					t.Errorf("request %d has %d turns, want %d", i+1, len(req.Contents), tt.wantTurns[i])
				} else if len(req.Contents) == 3 && (req.Contents[1].Role != "model" || req.Contents[2].Role != "user") {
					t.Errorf("repair request turns = %+v, want user, model (the rejected answer), user (the errors)", req.Contents)
				}
			}
			if got := len(rf.cards(t)); got != tt.wantCards {
				t.Errorf("%d cards stored, want %d", got, tt.wantCards)
			}
			if tt.wantCards == 1 {
				// Every answered request reports 1100 prompt tokens. The
				// answer tokens are undercounted: generative-ai-go v0.15.1
				// keeps the first chunk's usage when it joins a stream.
				answered := len(slices.DeleteFunc(slices.Clone(tt.wantFinish), func(f string) bool { return f == "" }))
				p := out.Provenance
				if p.Provider != ProviderGoogleAI || p.Model != "gemini-2.0-flash" || p.CostUSD <= 0 ||
					p.InputTokens != 1100*answered || p.OutputTokens <= 0 || p.OutputTokens > 350*answered {
					t.Errorf("provenance = %+v, want googleai gemini-2.0-flash with a cost and %d answered requests' tokens", p, answered)
				}
			}
			runs := rf.runs(t)
			if len(runs) != 1 || len(runs[0].Attempts) != len(tt.wantFinish) {
				t.Fatalf("runs = %+v, want one run with %d attempts", runs, len(tt.wantFinish))
			}
			if (runs[0].Err != "") != (tt.wantErr != "") {
				t.Errorf("run error %q, want one only when the run fails", runs[0].Err)
			}
			for i, a := range runs[0].Attempts {
				if a.FinishReason != tt.wantFinish[i] {
					t.Errorf("attempt %d finish reason %q, want %q", i+1, a.FinishReason, tt.wantFinish[i])
				}
			}
		})
	}
}

// TestGoogleAIBaseURLFromEnv checks that SelectModel points Gemini at
// GOOGLE_GEMINI_BASE_URL with the key from GEMINI_API_KEY.
func TestGoogleAIBaseURLFromEnv(t *testing.T) {
	rf := newRunFixture(t)
	f := newFakeGemini(t, fakeReply{fixture: "card_valid.json"})
	env := map[string]string{EnvGeminiKey: "test-key", EnvGeminiBaseURL: f.srv.URL}
	m, _, err := SelectModel(context.Background(), ModelConfig{Provider: ProviderGoogleAI, Model: "gemini-2.0-flash",
		Getenv: func(k string) string { return env[k] }, Chat: ChatOptions{Retry: testRetry(), Logger: slog.New(slog.DiscardHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	rf.runExpecting(t, m, "")
	reqs := f.received()
	if len(reqs) != 1 {
		t.Fatalf("%d requests reached the fake server, want 1", len(reqs))
	}
	checkGeminiRequest(t, reqs[0], rf.text)
	if len(rf.cards(t)) != 1 {
		t.Errorf("no card stored")
	}
}

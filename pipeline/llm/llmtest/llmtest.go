// Package llmtest serves a fake OpenAI-compatible chat-completions API for
// the tests of the packages that ask a model: it records every request and
// answers from a script.
package llmtest

import (
	"encoding/json"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/openai"
)

// Usage is the token count every answer reports.
const (
	InputTokens  = 1000
	OutputTokens = 100
)

// Message is one message of a recorded request.
type Message struct {
	Role, Content string
}

// Request is one recorded chat request.
type Request struct {
	Model      string
	SchemaName string
	Schema     json.RawMessage
	Messages   []Message
}

// User is the first user message of r (the data of the prompt).
func (r Request) User() string {
	for _, m := range r.Messages {
		if m.Role == "user" {
			return m.Content
		}
	}
	return ""
}

// Chat is a fake OpenAI-compatible server: /v1/chat/completions, and
// /v1/embeddings with [Embed].
type Chat struct {
	// URL is the base URL to give the client (it ends in /v1).
	URL string
	// Reply, when set, makes the answer to the n-th request (from 0),
	// instead of the script.
	Reply func(n int, req Request) string

	mu       sync.Mutex
	replies  []string
	requests []Request
	embeds   int
}

// NewChat starts a server answering requests with replies in turn, the
// last one repeating; it is closed when the test ends.
func NewChat(t testing.TB, replies ...string) *Chat {
	c := &Chat{replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.serve(t, w, r) }))
	t.Cleanup(srv.Close)
	c.URL = srv.URL + "/v1"
	return c
}

// Requests returns the requests received, in order.
func (c *Chat) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Request(nil), c.requests...)
}

// Count is the number of requests received.
func (c *Chat) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

func (c *Chat) serve(t testing.TB, w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/v1/embeddings" {
		c.serveEmbeddings(t, w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		t.Errorf("fake chat server: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var raw struct {
		Model          string `json:"model"`
		ResponseFormat struct {
			JSONSchema struct {
				Name   string          `json:"name"`
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Errorf("fake chat server: request is not JSON: %v", err)
	}
	req := Request{Model: raw.Model, SchemaName: raw.ResponseFormat.JSONSchema.Name, Schema: raw.ResponseFormat.JSONSchema.Schema}
	for _, m := range raw.Messages {
		req.Messages = append(req.Messages, Message{m.Role, m.Content})
	}
	c.mu.Lock()
	n := len(c.requests)
	c.requests = append(c.requests, req)
	var content string
	switch {
	case c.Reply != nil:
	case len(c.replies) == 0:
		t.Errorf("fake chat server: no reply scripted")
	default:
		content = c.replies[min(n, len(c.replies)-1)]
	}
	reply := c.Reply
	c.mu.Unlock()
	if reply != nil {
		content = reply(n, req)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "model": req.Model,
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]any{"prompt_tokens": InputTokens, "completion_tokens": OutputTokens,
			"total_tokens": InputTokens + OutputTokens},
	})
}

// EmbedDim is the dimension of the fake embeddings.
const EmbedDim = 256

// Embed is the fake embedding of text: the first five letters of its
// lower-case words of four letters or more hashed into [EmbedDim]
// buckets, so that texts sharing words, or their stems ("compost",
// "composting"), are close.
func Embed(text string) []float32 {
	v := make([]float32, EmbedDim)
	v[0] = 0.01 // never the zero vector
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := []rune(w)
		if len(r) < 4 {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(string(r[:min(5, len(r))])))
		v[1+h.Sum32()%(EmbedDim-1)]++
	}
	return v
}

// EmbedRequests is the number of embeddings requests received.
func (c *Chat) EmbedRequests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.embeds
}

// serveEmbeddings answers /v1/embeddings with [Embed] of each input.
func (c *Chat) serveEmbeddings(t testing.TB, w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		t.Errorf("fake embeddings server: %v", err)
	}
	c.mu.Lock()
	c.embeds++
	c.mu.Unlock()
	data := make([]map[string]any, len(req.Input))
	for i, text := range req.Input {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": Embed(text)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
}

// Block returns the text of s between the delimiter lines of a data
// block of kind ("<<<CARDS tag>>>" and "<<<END CARDS tag>>>", see
// llm.Delimiters), and whether s has one.
func Block(s, kind string) (string, bool) {
	m := regexp.MustCompile(`<<<` + regexp.QuoteMeta(kind) + ` ([0-9a-f]+)>>>\n`).FindStringSubmatchIndex(s)
	if m == nil {
		return "", false
	}
	rest := s[m[1]:]
	end := strings.Index(rest, "<<<END "+kind+" "+s[m[2]:m[3]]+">>>")
	if end < 0 {
		return "", false
	}
	return rest[:end], true
}

// Model returns the chat model of the openai provider at c, built as the
// product builds it (go-openai underneath): gpt-4o-mini priced 1 USD per
// million input tokens and 2 per million output tokens, its log discarded,
// its answers kept in cache when cache is not nil.
func (c *Chat) Model(t testing.TB, cache llm.ResponseCache) *llm.ChatModel {
	t.Helper()
	m, err := openai.New(openai.Config{APIKey: "test-key", BaseURL: c.URL, Model: "gpt-4o-mini"},
		llm.ChatOptions{Cache: cache, Price: &llm.Price{Input: 1, Output: 2}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

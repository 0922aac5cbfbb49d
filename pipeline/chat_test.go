package pipeline_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/openai"
)

// TestJSONModeFallbackUnderConcurrentCards checks that every request the
// server rejects for its json_schema is sent again in JSON mode, even when
// another worker's rejection already switched the model to JSON mode while
// this request was on its way (batch workers share one llm.ChatModel).
func TestJSONModeFallbackUnderConcurrentCards(t *testing.T) {
	var (
		mu            sync.Mutex
		schemaReqs    int
		secondArrived = make(chan struct{})
		jsonSeen      = make(chan struct{})
		jsonOnce      sync.Once
	)
	wait := func(r *http.Request, ch chan struct{}) {
		select {
		case <-ch:
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
			t.Error("the other request never came")
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			ResponseFormat struct {
				Type string `json:"type"`
			} `json:"response_format"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("request body is not JSON: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		if req.ResponseFormat.Type == "json_object" {
			jsonOnce.Do(func() { close(jsonSeen) })
			io.WriteString(w, completionBody(t, fakeReply{fixture: "card_valid.json"}))
			return
		}
		mu.Lock()
		schemaReqs++
		n := schemaReqs
		mu.Unlock()
		// The first rejection is answered once both schema requests are in
		// flight; the second once the first worker retried in JSON mode.
		switch n {
		case 1:
			wait(r, secondArrived)
		case 2:
			close(secondArrived)
			wait(r, jsonSeen)
		}
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"response_format json_schema is not supported","type":"invalid_request_error"}}`)
	}))
	defer srv.Close()
	m, err := openai.New(openai.Config{APIKey: "test-key", BaseURL: srv.URL + "/v1"},
		llm.ChatOptions{Retry: testRetry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = m.Card(context.Background(), llm.Input{URL: "https://example.com/a", Text: "Heat pumps spread."})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("card %d: %v", i, err)
		}
	}
}

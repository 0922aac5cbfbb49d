package pipeline_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/openai"
	"github.com/veille/veille/pipeline/llm/provider"
	"github.com/veille/veille/pipeline/offline"
	"github.com/veille/veille/pipeline/retry"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

// fakeReply is one scripted answer of a fake model server.
type fakeReply struct {
	status     int    // HTTP status; 0 means 200
	retryAfter string // Retry-After header
	body       string // raw body for error statuses
	fixture    string // testdata/model file whose content is the answer
	content    string // the answer itself, when there is no fixture
	finish     string // finish_reason; "" means "stop"
	refusal    string
	delay      time.Duration
}

// fakeOpenAI is an OpenAI-compatible chat-completions server that checks
// every request and answers from a script (the last reply repeats).
type fakeOpenAI struct {
	t        *testing.T
	srv      *httptest.Server
	replies  []fakeReply
	pageText string // the page text each request must carry in its block
	jsonMode bool   // expect JSON mode (schema in the prompt) instead of json_schema
	// sectioned: expect part schemas and answer only the asked fields
	sectioned bool
	// azure: expect Azure OpenAI's deployments API (path, api-version, api-key)
	azure bool
	// gemini: expect Gemini's OpenAI-compatible endpoint, its key and model
	gemini bool
	// apiKey is the key expected as a bearer token; "" means "test-key".
	apiKey string

	mu       sync.Mutex
	requests []map[string]any
}

func newFakeOpenAI(t *testing.T, pageText string, replies ...fakeReply) *fakeOpenAI {
	f := &fakeOpenAI{t: t, replies: replies, pageText: pageText}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// count returns the number of requests received.
func (f *fakeOpenAI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeOpenAI) request(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[i]
}

func (f *fakeOpenAI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("request body is not JSON: %v", err)
	}
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, req)
	reply := f.replies[min(n, len(f.replies)-1)]
	f.mu.Unlock()
	f.check(r, req)

	if reply.delay > 0 {
		select {
		case <-time.After(reply.delay):
		case <-r.Context().Done():
			return
		}
	}
	if reply.retryAfter != "" {
		w.Header().Set("Retry-After", reply.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	if reply.status != 0 && reply.status != http.StatusOK {
		w.WriteHeader(reply.status)
		io.WriteString(w, reply.body)
		return
	}
	if f.sectioned {
		reply.content, reply.fixture = sectionAnswer(f.t, reply.fixture, req), ""
	}
	io.WriteString(w, completionBody(f.t, reply))
}

// sectionAnswer returns a fixture restricted to the properties the
// request's schema asks for.
func sectionAnswer(t *testing.T, fixture string, req map[string]any) string {
	b, err := os.ReadFile(filepath.Join("llm", "testdata", "model", fixture))
	if err != nil {
		t.Fatal(err)
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		t.Fatal(err)
	}
	rf := req["response_format"].(map[string]any)
	props := rf["json_schema"].(map[string]any)["schema"].(map[string]any)["properties"].(map[string]any)
	part := map[string]any{}
	for k := range props {
		part[k] = full[k]
	}
	out, err := json.Marshal(part)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// check asserts what every request must be: the model, the strict
// json_schema equal to schema/card.schema.json (or JSON mode with the
// schema in the prompt), and the page text inside its delimiters in the
// user message only.
func (f *fakeOpenAI) check(r *http.Request, req map[string]any) {
	t := f.t
	wantPath, authHeader, wantAuth := "/v1/chat/completions", "Authorization", "Bearer "+cmp.Or(f.apiKey, "test-key")
	if f.azure {
		wantPath, authHeader, wantAuth = "/openai/deployments/"+openai.DefaultModel+"/chat/completions", "api-key", "test-key"
		if got := r.URL.Query().Get("api-version"); got != openai.DefaultAzureAPIVersion {
			t.Errorf("api-version = %q, want %s", got, openai.DefaultAzureAPIVersion)
		}
	}
	wantModel := openai.DefaultModel
	if f.gemini {
		wantPath, wantAuth, wantModel = "/v1beta/openai/chat/completions", "Bearer gemini-key", "gemini-2.0-flash"
	}
	if r.URL.Path != wantPath || r.Method != http.MethodPost {
		t.Errorf("request %s %s, want POST %s", r.Method, r.URL.Path, wantPath)
	}
	if got := r.Header.Get(authHeader); got != wantAuth {
		t.Errorf("%s = %q", authHeader, got)
	}
	if req["model"] != wantModel {
		t.Errorf("model = %v, want %s", req["model"], wantModel)
	}
	rf, _ := req["response_format"].(map[string]any)
	msgs, _ := req["messages"].([]any)
	if len(msgs) < 2 {
		t.Fatalf("%d messages, want at least 2", len(msgs))
	}
	system := msgs[0].(map[string]any)["content"].(string)
	user := msgs[1].(map[string]any)["content"].(string)
	if f.jsonMode && rf["type"] == "json_object" {
		if !strings.Contains(system, string(compactSchema(t))) {
			t.Errorf("JSON mode: the system prompt does not carry the schema")
		}
	} else {
		js, _ := rf["json_schema"].(map[string]any)
		if rf["type"] != "json_schema" || js["strict"] != true || js["name"] != schema.AnswerSchemaName {
			t.Errorf("response_format = %v, want strict json_schema %s", rf, schema.AnswerSchemaName)
		}
		var want any
		if err := json.Unmarshal(schema.AnswerSchema(), &want); err != nil {
			t.Fatal(err)
		}
		if f.sectioned {
			want = partOf(t, js["schema"])
		}
		if !reflect.DeepEqual(js["schema"], want) {
			t.Errorf("json_schema.schema differs from schema/card.schema.json")
		}
	}
	if f.pageText == "" {
		return // a long page's chunks: each request carries a part of it
	}
	if inside := pageBlock(t, user); !strings.HasSuffix(inside, "\n"+strings.TrimSpace(f.pageText)) {
		t.Errorf("page text not inside its delimiters")
	}
	if strings.Contains(system, strings.TrimSpace(f.pageText)) {
		t.Errorf("page text leaked into the system prompt")
	}
}

// partOf returns the answer schema restricted to the properties part
// has, as the schema package builds it for a section (its own tests check
// that restriction).
func partOf(t *testing.T, part any) any {
	t.Helper()
	props, _ := part.(map[string]any)["properties"].(map[string]any)
	var fields []string
	for f := range props {
		fields = append(fields, f)
	}
	b, err := schema.AnswerFieldsSchema(fields...)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	return want
}

// pageBlockLines matches a user message: the page block, alone.
var pageBlockLines = regexp.MustCompile(`^<<<PAGE ([0-9a-f]{12})>>>\n((?s).*)\n<<<END PAGE ([0-9a-f]{12})>>>$`)

// pageBlock checks that user is one delimited page block, its closing line
// matching its opening one and appearing nowhere else, and returns what is
// inside.
func pageBlock(t *testing.T, user string) string {
	t.Helper()
	m := pageBlockLines.FindStringSubmatch(user)
	if m == nil || m[1] != m[3] {
		t.Fatalf("user message is not one delimited page block:\n%s", user)
	}
	if strings.Count(user, "<<<END PAGE "+m[1]+">>>") != 1 {
		t.Fatalf("the page's closing line appears inside the page")
	}
	return m[2]
}

// completionBody is a chat completion whose message is the reply's fixture.
func completionBody(t *testing.T, r fakeReply) string {
	content := r.answer(t)
	finish := r.finish
	if finish == "" {
		finish = "stop"
	}
	msg := map[string]any{"role": "assistant", "content": content}
	if r.refusal != "" {
		msg = map[string]any{"role": "assistant", "content": nil, "refusal": r.refusal}
	}
	b, err := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": openai.DefaultModel,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 1200, "completion_tokens": 400, "total_tokens": 1600},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func compactSchema(t *testing.T) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, schema.AnswerSchema()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testRetry keeps tests fast: short backoff, 3 attempts.
func testRetry() retry.Policy {
	return retry.Policy{MaxAttempts: 3, Timeout: 5 * time.Second, BaseDelay: time.Millisecond,
		MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 10 * time.Second}
}

// runFixture is one run of the test page against a fake server.
type runFixture struct {
	store *sqlite.Store
	page  string // path of the page file (the run's input)
	text  string
}

func newRunFixture(t *testing.T) runFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	text, err := os.ReadFile(filepath.Join("llm", "testdata", "model", "page.txt"))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "page.txt")
	if err := os.WriteFile(page, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return runFixture{store: st, page: page, text: string(text)}
}

func (rf runFixture) runner(t *testing.T, m llm.Model) *pipeline.Runner {
	return &pipeline.Runner{Loader: &pipeline.Loader{Store: rf.store}, Model: m, Store: rf.store}
}

// documentID is the id of the fixture page's document, known once run.
func (rf runFixture) cards(t *testing.T) []schema.StoredCard {
	t.Helper()
	doc, err := (&pipeline.Loader{}).Load(context.Background(), rf.page, false)
	if err != nil {
		t.Fatal(err)
	}
	cards, err := rf.store.CardVersions(context.Background(), schema.DocumentID(doc.CanonicalURL))
	if err != nil {
		t.Fatal(err)
	}
	return cards
}

func (rf runFixture) runs(t *testing.T) []schema.ModelRun {
	t.Helper()
	runs, err := rf.store.ModelRuns(context.Background(), rf.page)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func newTestOpenAI(t *testing.T, f *fakeOpenAI, opts llm.ChatOptions) *llm.ChatModel {
	t.Helper()
	if opts.Retry.MaxAttempts == 0 {
		opts.Retry = testRetry()
	}
	opts.Logger = slog.New(slog.DiscardHandler)
	m, err := openai.New(openai.Config{APIKey: "test-key", BaseURL: f.srv.URL + "/v1"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOpenAIValidCardIsStoredAndCached(t *testing.T) {
	ctx := context.Background()
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text, fakeReply{fixture: "card_valid.json"})
	r := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{Cache: rf.store}))

	out, err := r.Run(ctx, rf.page)
	if err != nil {
		t.Fatal(err)
	}
	if f.count() != 1 {
		t.Errorf("%d requests, want 1", f.count())
	}
	if out.Version != 1 || out.Card.Category != schema.CategoryPolitics {
		t.Errorf("version %d category %q", out.Version, out.Card.Category)
	}
	p := out.Provenance
	if p.Provider != "openai" || p.Model != openai.DefaultModel || p.PromptName != "card" || p.PromptVersion != "v1" ||
		p.PromptHash == "" || p.InputTokens != 1200 || p.OutputTokens != 400 || p.Requests != 1 || p.CostUSD != 0 {
		t.Errorf("provenance = %+v (a local server costs nothing unless priced)", p)
	}
	if out.Tally != (ground.Tally{Rows: 5, Grounded: 4, Ungrounded: 1}) {
		t.Errorf("tally = %+v, want 5 rows, 4 grounded", out.Tally)
	}
	cards := rf.cards(t)
	if len(cards) != 1 || cards[0].InputTokens != 1200 || cards[0].PromptHash != p.PromptHash ||
		!strings.HasPrefix(cards[0].Markdown, "# __Le Québec interdit") || cards[0].RowsGrounded != 4 {
		t.Fatalf("stored cards = %+v", cards)
	}
	spans, err := rf.store.CardSpans(ctx, cards[0].ID)
	if err != nil || len(spans) != 5 {
		t.Fatalf("spans = %v, %v", spans, err)
	}

	// The same page again: answered from the cache, stored as version 2.
	again, err := r.Run(ctx, rf.page)
	if err != nil {
		t.Fatal(err)
	}
	if f.count() != 1 || !again.Provenance.Cached || again.Provenance.Requests != 0 || again.Version != 2 {
		t.Errorf("second run: %d requests, provenance %+v, version %d; want the cache, version 2",
			f.count(), again.Provenance, again.Version)
	}
	// Without the cache (--no-cache) the model is asked again.
	r.Model = newTestOpenAI(t, f, llm.ChatOptions{})
	if _, err := r.Run(ctx, rf.page); err != nil {
		t.Fatal(err)
	}
	if f.count() != 2 || len(rf.cards(t)) != 3 {
		t.Errorf("no-cache run: %d requests, %d cards; want 2 and 3", f.count(), len(rf.cards(t)))
	}
}

func TestOpenAIRepairsAnInvalidCard(t *testing.T) {
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text, fakeReply{fixture: "card_invalid.json"}, fakeReply{fixture: "card_valid.json"})
	out, err := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{})).Run(context.Background(), rf.page)
	if err != nil {
		t.Fatal(err)
	}
	if f.count() != 2 || out.Provenance.Requests != 2 {
		t.Fatalf("%d requests, want 2", f.count())
	}
	msgs := f.request(1)["messages"].([]any)
	if len(msgs) != 4 {
		t.Fatalf("repair request has %d messages, want 4 (system, user, bad answer, errors)", len(msgs))
	}
	repair := msgs[3].(map[string]any)["content"].(string)
	if !strings.Contains(repair, "/category") || !strings.Contains(repair, "/signals/0/relevancy") {
		t.Errorf("repair message does not name the problems:\n%s", repair)
	}
	if len(rf.cards(t)) != 1 {
		t.Errorf("want 1 stored card")
	}
}

// TestOpenAIFailuresStoreNoCard checks each way a call fails: the run and
// its attempts are recorded, no card is.
func TestOpenAIFailuresStoreNoCard(t *testing.T) {
	serverError := fakeReply{status: 500, body: `{"error":{"message":"boom","type":"server_error"}}`}
	tests := []struct {
		name         string
		replies      []fakeReply
		timeout      time.Duration
		wantRequests int
		wantErr      string
		wantStatus   int
	}{
		{name: "500 until attempts run out", replies: []fakeReply{serverError}, wantRequests: 3, wantErr: "3 attempt(s)", wantStatus: 500},
		{name: "truncated twice", replies: []fakeReply{{fixture: "card_truncated.json", finish: "length"}},
			wantRequests: 2, wantErr: "cut off"},
		{name: "invalid twice", replies: []fakeReply{{fixture: "card_invalid.json"}}, wantRequests: 2,
			wantErr: "invalid answer after one repair round"},
		{name: "slower than the timeout", replies: []fakeReply{{fixture: "card_valid.json", delay: 2 * time.Second}},
			timeout: 100 * time.Millisecond, wantRequests: 3, wantErr: "deadline exceeded"},
		{name: "refusal", replies: []fakeReply{{refusal: "I can't help with that."}}, wantRequests: 1, wantErr: "model refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rf := newRunFixture(t)
			f := newFakeOpenAI(t, rf.text, tt.replies...)
			retry := testRetry()
			if tt.timeout > 0 {
				retry.Timeout = tt.timeout
			}
			_, err := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{Retry: retry})).Run(context.Background(), rf.page)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if f.count() != tt.wantRequests {
				t.Errorf("%d requests, want %d", f.count(), tt.wantRequests)
			}
			if cards := rf.cards(t); len(cards) != 0 {
				t.Errorf("%d cards stored, want none", len(cards))
			}
			runs := rf.runs(t)
			if len(runs) != 1 || runs[0].Err == "" || len(runs[0].Attempts) != tt.wantRequests {
				t.Fatalf("runs = %+v, want one failed run with %d attempts", runs, tt.wantRequests)
			}
			if tt.wantStatus != 0 && runs[0].Attempts[0].Status != tt.wantStatus {
				t.Errorf("attempt status = %d, want %d", runs[0].Attempts[0].Status, tt.wantStatus)
			}
		})
	}
}

func TestOpenAIHonoursRetryAfter(t *testing.T) {
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text,
		fakeReply{status: 429, retryAfter: "1", body: `{"error":{"message":"slow down","type":"rate_limit"}}`},
		fakeReply{fixture: "card_valid.json"})
	start := time.Now()
	out, err := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{})).Run(context.Background(), rf.page)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("retried after %s, want at least the 1s Retry-After", waited)
	}
	if f.count() != 2 || out.Provenance.Requests != 2 {
		t.Errorf("%d requests, want 2", f.count())
	}
	runs := rf.runs(t)
	if len(runs) != 1 || len(runs[0].Attempts) != 2 || runs[0].Attempts[0].Status != 429 || len(rf.cards(t)) != 1 {
		t.Errorf("runs = %+v; want attempts 429 then success and one card", runs)
	}
}

func TestOpenAIFallsBackToJSONMode(t *testing.T) {
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text,
		fakeReply{status: 400, body: `{"error":{"message":"response_format json_schema is not supported by this server","type":"invalid_request_error"}}`},
		fakeReply{fixture: "card_valid.json"})
	f.jsonMode = true
	if _, err := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{})).Run(context.Background(), rf.page); err != nil {
		t.Fatal(err)
	}
	if f.count() != 2 {
		t.Fatalf("%d requests, want 2", f.count())
	}
	if rf := f.request(1)["response_format"].(map[string]any); rf["type"] != "json_object" {
		t.Errorf("second request response_format = %v, want json_object", rf)
	}
}

func TestSectionedAsksSevenRequests(t *testing.T) {
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text, fakeReply{fixture: "card_valid.json"})
	f.sectioned = true
	out, err := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{Sectioned: true})).Run(context.Background(), rf.page)
	if err != nil {
		t.Fatal(err)
	}
	if f.count() != len(llm.CardSections) || len(llm.CardSections) != 7 {
		t.Errorf("%d requests, want 7", f.count())
	}
	if out.Card.Title == "" || len(out.Card.Signals) != 1 || out.Provenance.PromptName != "card/sectioned" {
		t.Errorf("card = %+v", out.Card)
	}
}

func TestLongTextIsSplitAndMerged(t *testing.T) {
	rf := newRunFixture(t)
	long := strings.Repeat(rf.text+"\n", 12)
	if err := os.WriteFile(rf.page, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFakeOpenAI(t, "", fakeReply{fixture: "card_valid.json"})
	f.sectioned = true // the merge pass asks for the head fields only
	out, err := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{MaxInputTokens: 400})).Run(context.Background(), rf.page)
	if err != nil {
		t.Fatal(err)
	}
	if f.count() < 3 {
		t.Errorf("%d requests, want one per chunk (at least two) and a merge pass", f.count())
	}
	last := f.request(f.count() - 1)
	user := last["messages"].([]any)[1].(map[string]any)["content"].(string)
	if !strings.Contains(user, "read in") || !strings.Contains(user, "Part 2:") {
		t.Errorf("last request is not the merge pass:\n%s", user)
	}
	// Every chunk gave the same rows: merged, they appear once.
	if len(out.Card.Signals) != 1 || len(out.Card.Concerns) != 1 || out.Card.Title == "" {
		t.Errorf("merged card = %+v", out.Card)
	}
}

func TestCardOfAnEmptyPageFails(t *testing.T) {
	m := offline.Model{}
	r := &pipeline.Runner{Loader: loaderFunc(func(context.Context, string, bool) (schema.Document, error) {
		return schema.Document{ID: "x", URL: "https://e.org/"}, nil
	}), Model: m}
	if _, err := r.Run(context.Background(), "https://e.org/"); err == nil || !strings.Contains(err.Error(), "no text") {
		t.Errorf("error = %v, want 'no text'", err)
	}
}

// loaderFunc adapts a function to pipeline.DocumentLoader.
type loaderFunc func(ctx context.Context, input string, refresh bool) (schema.Document, error)

func (f loaderFunc) Load(ctx context.Context, input string, refresh bool) (schema.Document, error) {
	return f(ctx, input, refresh)
}

// TestOpenAIAzureDeployments checks that OPENAI_API_TYPE=azure (or an Azure
// resource address) speaks Azure OpenAI's deployments API: the deployment
// in the path, an api-version, the key in the api-key header.
func TestOpenAIAzureDeployments(t *testing.T) {
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text, fakeReply{fixture: "card_valid.json"})
	f.azure = true
	env := map[string]string{provider.EnvOpenAIKey: "test-key", provider.EnvOpenAIBaseURL: f.srv.URL, provider.EnvOpenAIAPIType: "azure"}
	m, _, err := provider.Select(context.Background(), provider.Config{Getenv: func(k string) string { return env[k] },
		Chat: llm.ChatOptions{Retry: testRetry(), Logger: slog.New(slog.DiscardHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rf.runner(t, m).Run(context.Background(), rf.page); err != nil {
		t.Fatal(err)
	}
	if f.count() != 1 || len(rf.cards(t)) != 1 {
		t.Errorf("%d requests, %d cards; want 1 and 1", f.count(), len(rf.cards(t)))
	}
}

func TestIsAzureDeploymentsURL(t *testing.T) {
	tests := []struct {
		base string
		want bool
	}{
		{"https://myres.openai.azure.com", true},
		{"https://myres.openai.azure.com/", true},
		{"https://myres.cognitiveservices.azure.com", true},
		{"https://myres.openai.azure.com/openai/v1", false}, // OpenAI-compatible v1 API
		{"https://myres.openai.azure.com/openai/v1/", false},
		{"https://api.openai.com/v1", false},
		{"http://localhost:11434/v1", false},
		{"::not a url", false},
	}
	for _, tt := range tests {
		if got := openai.IsAzureDeploymentsURL(tt.base); got != tt.want {
			t.Errorf("openai.IsAzureDeploymentsURL(%q) = %v, want %v", tt.base, got, tt.want)
		}
	}
}

// TestGeminiThroughItsOpenAICompatibleEndpoint selects the googleai
// provider from the environment, as a user would, and makes a card through
// a fake of Gemini's OpenAI-compatible endpoint, given by
// GOOGLE_GEMINI_BASE_URL as a bare host (a proxy) or as the endpoint.
func TestGeminiThroughItsOpenAICompatibleEndpoint(t *testing.T) {
	for _, base := range []string{"", "/v1beta/openai", "/v1beta/openai/"} {
		t.Run("base"+base, func(t *testing.T) {
			rf := newRunFixture(t)
			f := newFakeOpenAI(t, rf.text, fakeReply{fixture: "card_valid.json"})
			f.gemini = true
			env := map[string]string{provider.EnvGeminiKey: "gemini-key", provider.EnvGeminiBaseURL: f.srv.URL + base}
			m, _, err := provider.Select(context.Background(), provider.Config{Provider: llm.ProviderGoogleAI,
				Model: "gemini-2.0-flash", Getenv: func(k string) string { return env[k] },
				Chat: llm.ChatOptions{Retry: testRetry(), Logger: slog.New(slog.DiscardHandler)}})
			if err != nil {
				t.Fatal(err)
			}
			out, err := rf.runner(t, m).Run(context.Background(), rf.page)
			if err != nil {
				t.Fatal(err)
			}
			if p := out.Provenance; p.Provider != llm.ProviderGoogleAI || p.Model != "gemini-2.0-flash" || p.Requests != 1 {
				t.Errorf("provenance = %+v, want googleai gemini-2.0-flash in one request", p)
			}
			if f.count() != 1 || len(rf.cards(t)) != 1 {
				t.Errorf("%d requests, %d cards; want 1 and 1", f.count(), len(rf.cards(t)))
			}
		})
	}
}

// TestGeminiNeedsKeyAndModel checks the two errors a user meets first.
func TestGeminiNeedsKeyAndModel(t *testing.T) {
	tests := []struct {
		name, model string
		env         map[string]string
		want        string
	}{
		{"no key", "gemini-2.0-flash", nil, "set GOOGLE_API_KEY or GEMINI_API_KEY"},
		{"no model", "", map[string]string{provider.EnvGoogleKey: "k"}, "no model given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := provider.Select(context.Background(), provider.Config{Provider: llm.ProviderGoogleAI,
				Model: tt.model, Getenv: func(k string) string { return tt.env[k] }})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestEchoedKeyIsNeverPrintedNorStored plays a server that quotes the key
// it refuses: the key reaches neither the error nor the stored run and its
// attempts.
func TestEchoedKeyIsNeverPrintedNorStored(t *testing.T) {
	const key = "sk-test-0123456789SECRET"
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text, fakeReply{status: http.StatusUnauthorized,
		body: `{"error":{"message":"Incorrect API key provided: ` + key + `. You can find your API key at …","type":"invalid_request_error"}}`})
	f.apiKey = key
	env := map[string]string{provider.EnvOpenAIKey: key, provider.EnvOpenAIBaseURL: f.srv.URL + "/v1"}
	m, _, err := provider.Select(context.Background(), provider.Config{Provider: llm.ProviderOpenAI,
		Getenv: func(k string) string { return env[k] },
		Chat:   llm.ChatOptions{Retry: testRetry(), Logger: slog.New(slog.DiscardHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rf.runner(t, m).Run(context.Background(), rf.page)
	if err == nil || strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("error = %v; want the key redacted", err)
	}
	runs := rf.runs(t)
	if len(runs) != 1 || strings.Contains(runs[0].Err, key) || len(runs[0].Attempts) == 0 {
		t.Fatalf("stored runs = %+v", runs)
	}
	for _, a := range runs[0].Attempts {
		if strings.Contains(a.Err, key) {
			t.Errorf("stored attempt keeps the key: %s", a.Err)
		}
	}
}

// TestPriceOfACompatibleServer checks that a compatible server is free
// unless a price is given, and that a given price is the one used.
func TestPriceOfACompatibleServer(t *testing.T) {
	for _, tt := range []struct {
		price *llm.Price
		want  float64
	}{
		{nil, 0},
		{&llm.Price{Input: 0.15, Output: 0.60}, (1200*0.15 + 400*0.60) / 1e6},
	} {
		rf := newRunFixture(t)
		f := newFakeOpenAI(t, rf.text, fakeReply{fixture: "card_valid.json"})
		out, err := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{Price: tt.price})).Run(context.Background(), rf.page)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(out.Provenance.CostUSD-tt.want) > 1e-12 {
			t.Errorf("price %+v: cost %v, want %v", tt.price, out.Provenance.CostUSD, tt.want)
		}
	}
}

// TestMinGroundedRefusesAnUngroundedCard checks that a card with fewer
// grounded rows than required is not stored, and that the run is recorded
// as failed with the tally.
func TestMinGroundedRefusesAnUngroundedCard(t *testing.T) {
	rf := newRunFixture(t)
	f := newFakeOpenAI(t, rf.text, fakeReply{fixture: "card_valid.json"}) // 4 of 5 rows grounded
	r := rf.runner(t, newTestOpenAI(t, f, llm.ChatOptions{}))
	r.MinGrounded = 0.9
	_, err := r.Run(context.Background(), rf.page)
	var ue *ground.UngroundedError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "4 of 5 rows grounded (80%), under the 90% required") {
		t.Fatalf("err = %v, want an UngroundedError", err)
	}
	if cards := rf.cards(t); len(cards) != 0 {
		t.Errorf("%d cards stored, want none", len(cards))
	}
	if runs := rf.runs(t); len(runs) != 1 || !strings.Contains(runs[0].Err, "under the 90% required") {
		t.Errorf("runs = %+v, want one failed run", runs)
	}
	r.MinGrounded = 0.8
	if _, err := r.Run(context.Background(), rf.page); err != nil {
		t.Errorf("at the required share: %v", err)
	}
}

package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/veille/veille/pipeline/retry"
	"github.com/veille/veille/prompts"
	"github.com/veille/veille/schema"
)

// Message is one message of a chat request.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Request is one request to a chat backend.
type Request struct {
	Messages []Message
	// Schema is the JSON Schema the answer must follow (compact JSON).
	Schema json.RawMessage
	// SchemaName names the schema for the provider; empty means the card's
	// (schema.AnswerSchemaName).
	SchemaName string
	// JSONMode means the schema is written in the system prompt and the
	// backend should only ask for a JSON object, not enforce the schema.
	JSONMode bool
}

// Response is a backend's answer to one request.
type Response struct {
	Content      string
	FinishReason string
	// Refusal is the model's explanation when it declined to answer.
	Refusal                   string
	InputTokens, OutputTokens int
	Status                    int
}

// Backend sends one request to a provider, without retrying: the seam
// between [ChatModel] and a provider's SDK (packages openai and
// langchain). A failed request is returned as a *[StatusError]; a server
// that rejects structured output with a JSON Schema as an error wrapping
// [ErrSchemaUnsupported].
type Backend interface {
	Complete(ctx context.Context, req Request) (Response, error)
	// SchemaInPrompt reports whether the backend needs the schema written
	// in the prompt (it cannot enforce it itself).
	SchemaInPrompt() bool
}

// ErrSchemaUnsupported means the server rejected structured output with a
// JSON Schema; the request is sent again in JSON mode.
var ErrSchemaUnsupported = errors.New("server does not support json_schema response format")

// ErrRefused means the model declined to answer.
var ErrRefused = errors.New("model refused")

// ChatOptions tune a ChatModel.
type ChatOptions struct {
	// Retry bounds and paces requests; zero means retry.DefaultPolicy.
	Retry retry.Policy
	// Sectioned asks one request per card section (CardSections) instead
	// of one for the whole card: easier for small local models.
	Sectioned bool
	// MaxInputTokens is the page-text budget of one request; longer texts
	// are split. Zero means DefaultMaxInputTokens.
	MaxInputTokens int
	// Cache, when not nil, answers repeated requests without a model call.
	Cache ResponseCache
	// Tokens counts tokens for splitting and when a provider reports no
	// usage; nil means a rough estimate.
	Tokens TokenCounter
	// Prompt is the prompt template id; empty means prompts.Card.
	Prompt string
	// Logger receives retries and fallbacks; nil means slog.Default().
	Logger *slog.Logger
	// Price, when not nil, prices the tokens instead of the list prices
	// of the provider's own service (see [EstimateCost]); a zero Price
	// makes the requests free, as on a local server.
	Price *Price
	// Secrets are the API keys in use: they are hidden in every error
	// the model returns, logs or records (see [Redactor]).
	Secrets []string
}

// DefaultMaxInputTokens is the default page-text budget of one request.
const DefaultMaxInputTokens = 24000

// ChatModel is a Model backed by a chat-completion API: it renders the
// prompt, sends requests with retries, validates the answer (with one
// repair round), splits long texts and merges their parts.
type ChatModel struct {
	provider, model string
	backend         Backend
	prompt          prompts.Template
	schema          json.RawMessage
	opts            ChatOptions
	redact          Redactor
	// jsonMode is set once the server has rejected json_schema; later
	// requests put the schema in the prompt instead.
	jsonMode atomic.Bool
}

// NewChatModel returns a [Model] that sends its requests through b and
// reports provider and model in each card's provenance.
func NewChatModel(provider, model string, backend Backend, opts ChatOptions) (*ChatModel, error) {
	if opts.Retry.MaxAttempts < 1 {
		opts.Retry = retry.DefaultPolicy()
	}
	if opts.MaxInputTokens <= 0 {
		opts.MaxInputTokens = DefaultMaxInputTokens
	}
	if opts.Prompt == "" {
		opts.Prompt = prompts.Card
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	t, err := prompts.Load(opts.Prompt)
	if err != nil {
		return nil, err
	}
	s, err := answerSchema()
	if err != nil {
		return nil, err
	}
	return &ChatModel{provider: provider, model: model, backend: backend, prompt: t, schema: s, opts: opts,
		redact: NewRedactor(opts.Secrets...)}, nil
}

// Provider names the backend.
func (m *ChatModel) Provider() string { return m.provider }

// Model names the model.
func (m *ChatModel) Model() string { return m.model }

// PromptHash identifies the prompt template in use.
func (m *ChatModel) PromptHash() string { return m.prompt.Hash }

// cost prices a card's tokens.
func (m *ChatModel) cost(inputTokens, outputTokens int) float64 {
	if m.opts.Price != nil {
		return m.opts.Price.Cost(inputTokens, outputTokens)
	}
	return EstimateCost(m.provider, m.model, inputTokens, outputTokens)
}

// callLog accumulates what the requests of one Card call cost.
type callLog struct {
	prov     schema.Provenance
	attempts []schema.Attempt
	allCache bool
}

func (l *callLog) attempt(a schema.Attempt, resp Response) {
	l.attempts = append(l.attempts, a)
	l.prov.Requests++
	l.prov.Latency += a.Latency
	l.prov.InputTokens += resp.InputTokens
	l.prov.OutputTokens += resp.OutputTokens
	l.allCache = false
}

// Card fills one card from in.
func (m *ChatModel) Card(ctx context.Context, in Input) (Result, error) {
	log := &callLog{allCache: true}
	log.prov = schema.Provenance{Provider: m.provider, Model: m.model, PromptName: m.prompt.Name,
		PromptVersion: m.prompt.Version, PromptHash: m.prompt.Hash}
	if m.opts.Sectioned {
		log.prov.PromptName += "/sectioned"
	}
	answer, raw, err := m.card(ctx, in, log)
	if err != nil {
		return Result{}, &CallError{Attempts: log.attempts, Err: m.redact.Error(err)}
	}
	prov := log.prov
	prov.Cached = log.allCache
	prov.CostUSD = m.cost(prov.InputTokens, prov.OutputTokens)
	return Result{Answer: answer, Provenance: prov, Raw: raw, Attempts: log.attempts}, nil
}

func (m *ChatModel) card(ctx context.Context, in Input, log *callLog) (schema.Answer, json.RawMessage, error) {
	chunks := splitText(in.Text, m.opts.MaxInputTokens, m.countTokens)
	if len(chunks) <= 1 {
		return m.cardOfText(ctx, in, log)
	}
	m.opts.Logger.Info("long text split", "url", in.URL, "chunks", len(chunks))
	var parts []schema.Answer
	for _, c := range chunks {
		part := in
		part.Text = c
		a, _, err := m.cardOfText(ctx, part, log)
		if err != nil {
			return schema.Answer{}, nil, fmt.Errorf("part %d of %d: %w", len(parts)+1, len(chunks), err)
		}
		parts = append(parts, a)
	}
	merged := mergeRows(parts)
	head, err := m.mergeHead(ctx, in, parts, log)
	if err != nil {
		return schema.Answer{}, nil, fmt.Errorf("merge pass: %w", err)
	}
	merged.Title, merged.Summary, merged.Keywords, merged.Themes = head.Title, head.Summary, head.Keywords, head.Themes
	merged.Category, merged.Type = head.Category, head.Type
	raw, err := json.Marshal(merged)
	if err != nil {
		return schema.Answer{}, nil, err
	}
	if err := schema.ValidateFields(raw, allFields...); err != nil {
		return schema.Answer{}, nil, fmt.Errorf("merged card: %w", err)
	}
	return merged, raw, nil
}

// cardOfText fills a card from one text that fits the budget: one request,
// or one per section.
func (m *ChatModel) cardOfText(ctx context.Context, in Input, log *callLog) (schema.Answer, json.RawMessage, error) {
	sections := []Section{WholeCard}
	if m.opts.Sectioned {
		sections = CardSections
	}
	merged := map[string]json.RawMessage{}
	for _, s := range sections {
		raw, err := m.ask(ctx, log, s.Fields, func(schemaText string) promptData {
			return pageData(in, s.Fields, schemaText)
		}, "user")
		if err != nil {
			if len(sections) > 1 {
				return schema.Answer{}, nil, fmt.Errorf("section %s: %w", s.Name, err)
			}
			return schema.Answer{}, nil, err
		}
		if len(sections) == 1 {
			a, err := decodeAnswer(raw)
			return a, raw, err
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return schema.Answer{}, nil, err
		}
		for _, f := range s.Fields {
			merged[f] = fields[f]
		}
	}
	raw, err := json.Marshal(merged)
	if err != nil {
		return schema.Answer{}, nil, err
	}
	a, err := schema.Validate(raw)
	if err != nil {
		return schema.Answer{}, nil, fmt.Errorf("assembled card: %w", err)
	}
	return a, raw, nil
}

// mergeHead asks for the title, summary, keywords, themes, category and
// type of a long page from its parts' answers.
func (m *ChatModel) mergeHead(ctx context.Context, in Input, parts []schema.Answer, log *callLog) (schema.Answer, error) {
	var texts []string
	for _, p := range parts {
		b, err := json.Marshal(map[string]any{"title": p.Title, "summary": p.Summary, "keywords": p.Keywords,
			"themes": p.Themes, "category": p.Category, "type": p.Type})
		if err != nil {
			return schema.Answer{}, err
		}
		texts = append(texts, string(b))
	}
	raw, err := m.ask(ctx, log, headFields, func(schemaText string) promptData {
		d := pageData(Input{URL: in.URL, Title: in.Title, Metadata: in.Metadata, OutputLang: in.OutputLang,
			Text: strings.Join(texts, "\n")}, headFields, schemaText)
		d.Parts = texts
		return d
	}, "merge")
	if err != nil {
		return schema.Answer{}, err
	}
	return decodeAnswer(raw)
}

// ask sends one prompt (with retries and one repair round) and returns a
// JSON object valid against the schema restricted to fields.
func (m *ChatModel) ask(ctx context.Context, log *callLog, fields []string, data func(schemaText string) promptData, userBlock string) (json.RawMessage, error) {
	sub, err := schema.AnswerFieldsSchema(fields...)
	if err != nil {
		return nil, err
	}
	build := func() (Request, error) { return m.request(sub, data, userBlock) }
	req, err := build()
	if err != nil {
		return nil, err
	}
	key := m.cacheKey(req)
	if raw, ok := m.cached(ctx, key, fields); ok {
		return raw, nil
	}
	resp, err := m.send(ctx, log, build)
	if err != nil {
		return nil, err
	}
	raw, problems := checkResponse(resp, sub, fields)
	if problems != nil {
		m.opts.Logger.Info("model answer invalid, repairing", "provider", m.provider, "model", m.model, "problems", strings.Join(problems, "; "))
		raw, err = m.repair(ctx, log, build, resp, problems, fields)
		if err != nil {
			return nil, err
		}
	}
	m.store(ctx, key, raw)
	return raw, nil
}

// request renders one request: the system and user messages, and the
// schema (written in the system prompt in JSON mode).
func (m *ChatModel) request(sub json.RawMessage, data func(schemaText string) promptData, userBlock string) (Request, error) {
	schemaText := ""
	if m.jsonMode.Load() || m.backend.SchemaInPrompt() {
		schemaText = string(sub)
	}
	system, user, err := renderMessages(m.prompt, userBlock, data(schemaText))
	if err != nil {
		return Request{}, err
	}
	return Request{Schema: sub, JSONMode: schemaText != "",
		Messages: []Message{{"system", system}, {"user", user}}}, nil
}

// repair sends the invalid answer back with its problems, once.
func (m *ChatModel) repair(ctx context.Context, log *callLog, build func() (Request, error), bad Response, problems, fields []string) (json.RawMessage, error) {
	msg, err := m.prompt.Execute("repair", promptData{Errors: problems, Truncated: bad.FinishReason == "length"})
	if err != nil {
		return nil, err
	}
	withRepair := func() (Request, error) {
		req, err := build()
		if err != nil {
			return req, err
		}
		req.Messages = append(req.Messages, Message{"assistant", bad.Content}, Message{"user", msg})
		return req, nil
	}
	resp, err := m.send(ctx, log, withRepair)
	if err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	raw, again := checkResponse(resp, m.subOf(build), fields)
	if again != nil {
		return nil, fmt.Errorf("invalid answer after one repair round: %s", strings.Join(again, "; "))
	}
	return raw, nil
}

// subOf returns the schema a request builder asks for.
func (m *ChatModel) subOf(build func() (Request, error)) json.RawMessage {
	req, err := build()
	if err != nil {
		return m.schema
	}
	return req.Schema
}

// checkResponse returns the JSON answer in resp, or the problems that make
// it unusable: truncation or failed validation.
func checkResponse(resp Response, sub json.RawMessage, fields []string) (json.RawMessage, []string) {
	raw := []byte(extractJSON(resp.Content))
	var problems []string
	if resp.FinishReason == "length" {
		problems = append(problems, "the answer was cut off at the output token limit")
	}
	if err := schema.ValidateFields(raw, fields...); err != nil {
		problems = append(problems, err.Error())
	}
	return raw, problems
}

// extractJSON returns the outermost JSON object of s, dropping markdown
// fences or prose some models wrap it in.
func extractJSON(s string) string {
	start, end := strings.Index(s, "{"), strings.LastIndex(s, "}")
	if start < 0 || end < start {
		return strings.TrimSpace(s)
	}
	return s[start : end+1]
}

// send makes one request with retries: exponential backoff with jitter on
// rate limits, server errors, timeouts and network errors, honouring
// Retry-After, at most Retry.MaxAttempts times. A server that rejects
// json_schema gets the request again in JSON mode, once.
func (m *ChatModel) send(ctx context.Context, log *callLog, build func() (Request, error)) (Response, error) {
	p := m.opts.Retry
	for n := 1; ; n++ {
		req, err := build()
		if err != nil {
			return Response{}, err
		}
		actx, cancel := context.WithTimeout(ctx, p.Timeout)
		start := time.Now()
		resp, err := m.backend.Complete(actx, req)
		cancel()
		a := schema.Attempt{Status: resp.Status, FinishReason: resp.FinishReason, Latency: time.Since(start)}
		if err != nil {
			a.Err = m.redact.String(err.Error())
			var se *StatusError
			if errors.As(err, &se) {
				a.Status = se.Status
			}
		} else if resp.InputTokens == 0 {
			resp.InputTokens = m.countRequest(req)
			resp.OutputTokens = m.countTokens(resp.Content)
		}
		if err == nil && resp.Refusal != "" {
			a.Err = "refused: " + resp.Refusal
			err = fmt.Errorf("%w: %s", ErrRefused, resp.Refusal)
		}
		log.attempt(a, resp)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return Response{}, fmt.Errorf("%s %s: %w", m.provider, m.model, ctx.Err())
		}
		// The request's own mode decides, not the model's: another worker
		// may have switched to JSON mode while this request was in flight.
		if errors.Is(err, ErrSchemaUnsupported) && !req.JSONMode {
			if !m.jsonMode.Swap(true) {
				m.opts.Logger.Warn("server rejected json_schema; falling back to JSON mode with the schema in the prompt", "provider", m.provider, "model", m.model)
			}
			n--
			continue
		}
		if !Retryable(err) || n >= p.MaxAttempts {
			return Response{}, fmt.Errorf("%s %s: %d attempt(s): %w", m.provider, m.model, n, err)
		}
		var se *StatusError
		var retryAfter time.Duration
		if errors.As(err, &se) {
			retryAfter = se.RetryAfter
		}
		if retryAfter > p.MaxRetryAfter {
			return Response{}, fmt.Errorf("%s %s: server asks to retry after %s: %w", m.provider, m.model, retryAfter, err)
		}
		d := p.Delay(n, retryAfter)
		m.opts.Logger.Info("model request failed, retrying", "provider", m.provider, "attempt", n, "wait", d, "error", m.redact.Error(err))
		if err := retry.Sleep(ctx, d); err != nil {
			return Response{}, fmt.Errorf("%s %s: %w", m.provider, m.model, err)
		}
	}
}

func (m *ChatModel) countTokens(s string) int {
	if m.opts.Tokens == nil {
		return estimateTokens(s)
	}
	return m.opts.Tokens.Count(s)
}

func (m *ChatModel) countRequest(req Request) int {
	n := 0
	for _, msg := range req.Messages {
		n += m.countTokens(msg.Content)
	}
	return n
}

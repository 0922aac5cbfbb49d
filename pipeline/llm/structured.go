package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/veille/veille/prompts"
	"github.com/veille/veille/schema"
)

// JSONQuery is one request for a JSON object other than a card: an answer
// to a question over the collection, the synthesis of a digest's topic.
// The caller's data goes in the prompt between delimiter lines (see
// [Delimiters]); the answer is checked by the caller's Check, with one
// repair round.
type JSONQuery struct {
	// Prompt is the template; it has the blocks "system", "user" and
	// "repair", which see a [JSONPromptData].
	Prompt prompts.Template
	// In is what the template's blocks see as .In.
	In any
	// SchemaName and Schema are the JSON Schema the answer must follow,
	// written for strict structured output (every property required, no
	// others).
	SchemaName string
	Schema     json.RawMessage
	// Check reads an answer and returns its problems, sent back once in a
	// repair round, and whether it is usable even so (its problems are
	// parts the caller drops, such as citations of unknown cards). An
	// answer that is still not usable after the repair round is an error.
	Check func(raw json.RawMessage) (problems []string, usable bool)
}

// JSONPromptData is what a [JSONQuery]'s template sees.
type JSONPromptData struct {
	// In is the query's own data.
	In any
	// Schema is the JSON Schema when it goes in the prompt (JSON mode),
	// else empty.
	Schema string
	// Errors and Truncated are for the "repair" block.
	Errors    []string
	Truncated bool
}

// JSONResult is a model's answer to a [JSONQuery].
type JSONResult struct {
	// Raw is the final answer, usable by the query's Check.
	Raw json.RawMessage
	// Problems are what Check still finds in Raw after the repair round:
	// the parts the caller drops.
	Problems []string
	// Provenance counts the requests, tokens and cost; Cached is set when
	// the answer came from the response cache (no request).
	Provenance schema.Provenance
	// Attempts lists every request made, in order.
	Attempts []schema.Attempt
}

// AskJSON sends q: one request (with retries on transient failures, and
// the fallback to JSON mode), then one repair round when Check finds
// problems. A usable answer is kept in the response cache, and a repeated
// query is answered from it without a request.
func (m *ChatModel) AskJSON(ctx context.Context, q JSONQuery) (JSONResult, error) {
	log := &callLog{allCache: true}
	log.prov = schema.Provenance{Provider: m.provider, Model: m.model, PromptName: q.Prompt.Name,
		PromptVersion: q.Prompt.Version, PromptHash: q.Prompt.Hash}
	raw, problems, err := m.askJSON(ctx, q, log)
	if err != nil {
		return JSONResult{}, &CallError{Attempts: log.attempts, Err: m.redact.Error(err)}
	}
	prov := log.prov
	prov.Cached = log.allCache
	prov.CostUSD = m.cost(prov.InputTokens, prov.OutputTokens)
	return JSONResult{Raw: raw, Problems: problems, Provenance: prov, Attempts: log.attempts}, nil
}

func (m *ChatModel) askJSON(ctx context.Context, q JSONQuery, log *callLog) (json.RawMessage, []string, error) {
	build := func() (Request, error) { return m.jsonRequest(q) }
	req, err := build()
	if err != nil {
		return nil, nil, err
	}
	key := m.cacheKey(req)
	key.PromptHash = q.Prompt.Hash
	if raw, problems, ok := m.cachedJSON(ctx, key, q); ok {
		return raw, problems, nil
	}
	resp, err := m.send(ctx, log, build)
	if err != nil {
		return nil, nil, err
	}
	raw, problems, usable := checkJSON(resp, q)
	if len(problems) > 0 {
		m.opts.Logger.Info("model answer invalid, repairing", "provider", m.provider, "model", m.model,
			"prompt", q.Prompt.Name, "problems", strings.Join(problems, "; "))
		resp, err = m.repairJSON(ctx, log, q, build, resp, problems)
		if err != nil {
			return nil, nil, err
		}
		raw, problems, usable = checkJSON(resp, q)
	}
	if !usable {
		return nil, nil, fmt.Errorf("invalid answer after one repair round: %s", strings.Join(problems, "; "))
	}
	m.store(ctx, key, raw)
	return raw, problems, nil
}

// jsonRequest renders the request of q.
func (m *ChatModel) jsonRequest(q JSONQuery) (Request, error) {
	d := JSONPromptData{In: q.In}
	if m.jsonMode.Load() || m.backend.SchemaInPrompt() {
		d.Schema = string(q.Schema)
	}
	system, err := q.Prompt.Execute("system", d)
	if err != nil {
		return Request{}, err
	}
	user, err := q.Prompt.Execute("user", d)
	if err != nil {
		return Request{}, err
	}
	return Request{Schema: q.Schema, SchemaName: q.SchemaName, JSONMode: d.Schema != "",
		Messages: []Message{{"system", system}, {"user", user}}}, nil
}

// repairJSON sends the unusable answer back with its problems, once.
func (m *ChatModel) repairJSON(ctx context.Context, log *callLog, q JSONQuery, build func() (Request, error), bad Response, problems []string) (Response, error) {
	msg, err := q.Prompt.Execute("repair", JSONPromptData{In: q.In, Errors: problems, Truncated: bad.FinishReason == "length"})
	if err != nil {
		return Response{}, err
	}
	resp, err := m.send(ctx, log, func() (Request, error) {
		req, err := build()
		if err != nil {
			return req, err
		}
		req.Messages = append(req.Messages, Message{"assistant", bad.Content}, Message{"user", msg})
		return req, nil
	})
	if err != nil {
		return Response{}, fmt.Errorf("repair: %w", err)
	}
	return resp, nil
}

// checkJSON returns the JSON answer in resp with its problems.
func checkJSON(resp Response, q JSONQuery) (json.RawMessage, []string, bool) {
	raw := json.RawMessage(extractJSON(resp.Content))
	problems, usable := q.Check(raw)
	if resp.FinishReason == "length" {
		problems = append(problems, "the answer was cut off at the output token limit")
	}
	return raw, problems, usable
}

// cachedJSON returns a cached answer to q that is still usable.
func (m *ChatModel) cachedJSON(ctx context.Context, key schema.CacheKey, q JSONQuery) (json.RawMessage, []string, bool) {
	if m.opts.Cache == nil {
		return nil, nil, false
	}
	resp, ok, err := m.opts.Cache.CachedResponse(ctx, key)
	if err != nil {
		m.opts.Logger.Warn("response cache unreadable", "error", err)
		return nil, nil, false
	}
	if !ok {
		return nil, nil, false
	}
	problems, usable := q.Check(json.RawMessage(resp))
	if !usable {
		return nil, nil, false
	}
	return json.RawMessage(resp), problems, true
}

// DecodeAnswer decodes a model's JSON answer into v strictly: one JSON
// object, no field v does not have, nothing after it. Pointer fields in v
// tell a missing field from an empty one.
func DecodeAnswer(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("answer is not the JSON object of the schema: %w", err)
	}
	if dec.More() {
		return errors.New("answer has data after its JSON object")
	}
	return nil
}

// CitedIDs cleans the ids an answer cites: trimmed, without blanks and
// repeats, in their order.
func CitedIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

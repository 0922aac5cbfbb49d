package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/veille/veille/schema"
)

// ResponseCache keeps valid model responses; *store.Store implements it.
type ResponseCache interface {
	CachedResponse(ctx context.Context, key schema.CacheKey) (string, bool, error)
	CacheResponse(ctx context.Context, key schema.CacheKey, response string) error
}

// cacheKey identifies a request in the response cache: the text hash
// covers every message and the schema.
func (m *ChatModel) cacheKey(req Request) schema.CacheKey {
	h := sha256.New()
	for _, msg := range req.Messages {
		fmt.Fprintf(h, "%s\x00%s\x00", msg.Role, msg.Content)
	}
	h.Write(req.Schema)
	return schema.CacheKey{Provider: m.provider, Model: m.model, PromptHash: m.prompt.Hash, TextHash: hex.EncodeToString(h.Sum(nil))}
}

// cached returns a cached response for key that still validates.
func (m *ChatModel) cached(ctx context.Context, key schema.CacheKey, fields []string) (json.RawMessage, bool) {
	if m.opts.Cache == nil {
		return nil, false
	}
	resp, ok, err := m.opts.Cache.CachedResponse(ctx, key)
	if err != nil {
		m.opts.Logger.Warn("response cache unreadable", "error", err)
		return nil, false
	}
	if !ok || schema.ValidateFields([]byte(resp), fields...) != nil {
		return nil, false
	}
	return json.RawMessage(resp), true
}

func (m *ChatModel) store(ctx context.Context, key schema.CacheKey, raw json.RawMessage) {
	if m.opts.Cache == nil {
		return
	}
	if err := m.opts.Cache.CacheResponse(ctx, key, string(raw)); err != nil {
		m.opts.Logger.Warn("response cache not written", "error", err)
	}
}

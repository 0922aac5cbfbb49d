package pipeline

import (
	"fmt"
	"strings"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
	"github.com/veille/veille/schema"
)

// o200kPattern is the pre-tokenisation pattern of o200k_base, as in
// tiktoken-go's encoding.go.
var o200kPattern = strings.Join([]string{
	`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
	`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
	`\p{N}{1,3}`,
	` ?[^\s\p{L}\p{N}]+[\r\n/]*`,
	`\s*[\r\n]+`,
	`\s+(?!\S)`,
	`\s+`,
}, "|")

// TokenCounter counts tokens with the o200k_base encoding (the GPT-4o
// family's), loaded from the vocabulary embedded in tiktoken-go-loader:
// no network access. Build one with NewTokenCounter and share it; it is
// safe for concurrent use.
type TokenCounter struct {
	enc *tiktoken.Tiktoken
}

// NewTokenCounter loads o200k_base. It takes about a second; callers keep
// the counter.
func NewTokenCounter() (*TokenCounter, error) {
	ranks, err := tiktoken_loader.NewOfflineLoader().LoadTiktokenBpe("o200k_base.tiktoken")
	if err != nil {
		return nil, fmt.Errorf("load o200k_base: %w", err)
	}
	special := map[string]int{"<|endoftext|>": 199999, "<|endofprompt|>": 200018}
	bpe, err := tiktoken.NewCoreBPE(ranks, special, o200kPattern)
	if err != nil {
		return nil, fmt.Errorf("load o200k_base: %w", err)
	}
	specialSet := map[string]any{}
	for k := range special {
		specialSet[k] = true
	}
	enc := &tiktoken.Encoding{Name: "o200k_base", PatStr: o200kPattern, MergeableRanks: ranks, SpecialTokens: special}
	return &TokenCounter{enc: tiktoken.NewTiktoken(bpe, enc, specialSet)}, nil
}

// Count returns the number of tokens of s, special tokens read as text.
func (c *TokenCounter) Count(s string) int {
	return len(c.enc.EncodeOrdinary(s))
}

// chatOverheadTokens is what OpenAI's chat format adds per message (role
// and separators) and per request (the reply's priming).
const (
	chatOverheadPerMessage = 3
	chatOverheadPerRequest = 3
)

// CountChat estimates the prompt tokens of one chat request: its messages
// plus the response schema, which the provider adds to the prompt.
func (c *TokenCounter) CountChat(messages []string, responseSchema string) int {
	n := chatOverheadPerRequest
	for _, m := range messages {
		n += chatOverheadPerMessage + c.Count(m)
	}
	if responseSchema != "" {
		n += c.Count(responseSchema)
	}
	return n
}

// estimateTokens is a cheap approximation (four bytes a token) for when no
// counter is at hand and the provider reports no usage.
func estimateTokens(s string) int {
	return (len(s) + 3) / 4
}

// PromptCost is what the prompts of one card cost.
type PromptCost struct {
	Requests     int
	PromptTokens int
}

// PromptCost counts, without sending anything, the requests and prompt
// tokens (messages plus the response schema) that filling one card from in
// takes with the given sections: []Section{WholeCard} for the default
// single request, CardSections for --sectioned (the original's layout).
// The text is assumed to fit the input budget.
func (m *ChatModel) PromptCost(in Input, sections []Section, tc *TokenCounter) (PromptCost, error) {
	var c PromptCost
	for _, s := range sections {
		sub, err := schema.AnswerFieldsSchema(s.Fields...)
		if err != nil {
			return PromptCost{}, err
		}
		req, err := m.request(sub, func(schemaText string) promptData { return pageData(in, s.Fields, schemaText) }, "user")
		if err != nil {
			return PromptCost{}, err
		}
		msgs := make([]string, len(req.Messages))
		for i, msg := range req.Messages {
			msgs[i] = msg.Content
		}
		schemaText := string(req.Schema)
		if req.JSONMode {
			schemaText = "" // already in the system message
		}
		c.Requests++
		c.PromptTokens += tc.CountChat(msgs, schemaText)
	}
	return c, nil
}

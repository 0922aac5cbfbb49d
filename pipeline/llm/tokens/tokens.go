// Package tokens counts tokens as OpenAI's o200k_base encoding does, through
// tiktoken-go and its offline vocabulary loader.
package tokens

import (
	"fmt"
	"strings"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
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

// Counter counts tokens with the o200k_base encoding (the GPT-4o
// family's), loaded from the vocabulary embedded in tiktoken-go-loader:
// no network access. Build one with New and share it; it is
// safe for concurrent use.
type Counter struct {
	enc *tiktoken.Tiktoken
}

// New loads o200k_base. It takes about a second; callers keep
// the counter.
func New() (*Counter, error) {
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
	return &Counter{enc: tiktoken.NewTiktoken(bpe, enc, specialSet)}, nil
}

// Count returns the number of tokens of s, special tokens read as text.
func (c *Counter) Count(s string) int {
	return len(c.enc.EncodeOrdinary(s))
}

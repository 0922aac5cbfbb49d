package extract

import "strings"

// shingleSize is the number of tokens in a shingle of the benchmark metric.
const shingleSize = 4

// Shingles counts the 4-token shingles of text; a text of fewer tokens is a
// single shingle, an empty text has none.
func Shingles(text string) map[string]int {
	return shingleCounts(wordTokens(text))
}

// shingleCounts counts the shingles of a token sequence.
func shingleCounts(tokens []string) map[string]int {
	counts := make(map[string]int)
	if len(tokens) == 0 {
		return counts
	}
	n := max(1, len(tokens)-shingleSize+1)
	for i := range n {
		counts[shingleKey(tokens[i:min(i+shingleSize, len(tokens))])]++
	}
	return counts
}

// shingleKey is the map key of a shingle.
func shingleKey(tokens []string) string {
	return strings.Join(tokens, "\x00")
}

package cardindex

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxQueryTerms caps the distinct words of a query that are searched; the
// others are ignored.
const MaxQueryTerms = 64

// QueryTerms turns any user input into the folded words to search: words
// are runs of letters and digits, so quotes, operators (AND, OR, NOT, NEAR,
// -, *, ^, :, parentheses) and punctuation never reach a query syntax.
// Duplicates are dropped, as are the words after MaxQueryTerms.
func QueryTerms(query string) []string {
	seen := map[string]bool{}
	var terms []string
	for _, w := range Words(query) {
		if seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
		if len(terms) == MaxQueryTerms {
			break
		}
	}
	return terms
}

// ClipQuery shortens a query for an error message.
func ClipQuery(q string) string {
	if utf8.RuneCountInString(q) <= 80 {
		return q
	}
	return string([]rune(q)[:80]) + "…"
}

// RelatedTerms is how many of a card's words a search for related cards
// uses.
const RelatedTerms = 12

// commonShare is the share of the collection above which a word is too
// common to relate cards: searching for it would rank most cards, and
// say little about what the card is about.
const commonShare = 0.10

// minCommon is how many cards a word must be in, at least, to be too
// common: in a small collection every word is in a large share of it.
const minCommon = 100

// Candidates are the words of c that may relate it to other cards: the
// folded words of its title, keywords, themes and row names, in that
// order, without English and French stop words, words under four letters
// and numbers.
func Candidates(c Card) []string {
	sources := append(append([]string{c.Title}, c.Keywords...), c.Themes...)
	for _, r := range c.Tables() {
		sources = append(sources, r.Name)
	}
	seen := map[string]bool{}
	var ws []string
	for _, src := range sources {
		for _, w := range Words(src) {
			if seen[w] || stopWords[w] || utf8.RuneCountInString(w) < 4 || strings.Trim(w, "0123456789") == "" {
				continue
			}
			seen[w] = true
			ws = append(ws, w)
		}
	}
	return ws
}

// Rarest picks among the candidate words ws those a search for related
// cards uses, given how many cards hold each (counts) among total: up to
// RelatedTerms of them, the rarest first (ties in the order of ws),
// leaving out those no other card holds and the common ones (held by more
// than a tenth of the cards), and stopping when the cards holding them
// add up to a twentieth of the collection.
func Rarest(ws []string, counts map[string]int, total int) []string {
	docs := map[string]int{}
	for w, n := range counts {
		common := n > minCommon && float64(n) > commonShare*float64(total)
		if n >= 2 && !common { // the card itself and another
			docs[w] = n
		}
	}
	var terms []string
	for _, w := range ws {
		if docs[w] > 0 {
			terms = append(terms, w)
		}
	}
	sort.SliceStable(terms, func(i, j int) bool { return docs[terms[i]] < docs[terms[j]] })
	// The search ranks every card holding any of the words: their cards
	// together are kept under a twentieth of the collection.
	budget, n := max(float64(minCommon), float64(total)/20), 0
	for i, w := range terms {
		if n += docs[w]; i == RelatedTerms || i > 0 && float64(n) > budget {
			return terms[:i]
		}
	}
	return terms
}

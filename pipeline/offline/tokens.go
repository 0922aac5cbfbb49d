package offline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a sentence.
type token struct {
	// text is the word as written, without a French elided article
	// ("IA" for "l'IA") nor an English possessive ("Watts" for "Watts'").
	text string
	// lower is text in lower case; stem is lower with plural endings removed.
	lower, stem string
	// stop marks a stop word of the page's language.
	stop bool
	// breakBefore marks punctuation between this token and the previous one:
	// a keyphrase never spans it.
	breakBefore bool
	// elided marks a French elided article or pronoun ("l" of "l'IA"):
	// keyphrases never contain one, as their words would lose the apostrophe.
	elided bool
	// modifier marks an English word that cannot head a keyphrase.
	modifier bool
}

// tokenize splits a sentence into word tokens. Words keep inner hyphens,
// dots (acronyms, decimals) and apostrophes; French elisions (l', d', qu'…)
// become stop-word tokens of their own.
func tokenize(sentence string, lex *lexicon) []token {
	var toks []token
	pendingBreak := false
	for i := 0; i < len(sentence); {
		r, size := utf8.DecodeRuneInString(sentence[i:])
		if !isWordRune(r) {
			if !unicode.IsSpace(r) {
				pendingBreak = true
			}
			i += size
			continue
		}
		j := wordEnd(sentence, i)
		words := splitElision(sentence[i:j])
		for k, w := range words {
			t := lex.newToken(w, pendingBreak)
			t.elided = k < len(words)-1
			toks = append(toks, t)
			pendingBreak = false
		}
		// A possessive ends a phrase: "Europe's homes" is not "Europe homes".
		pendingBreak = isPossessive(sentence[i:j])
		i = j
	}
	return toks
}

// isWordRune reports whether r can start or continue a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// wordEnd returns the end of the word starting at i: word runes, joined by
// single inner hyphens, dots, apostrophes or ampersands.
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			i += size
			continue
		}
		if !isJoiner(r) || i+size >= len(s) {
			return i
		}
		next, _ := utf8.DecodeRuneInString(s[i+size:])
		if !isWordRune(next) {
			return i
		}
		i += size
	}
	return i
}

// isJoiner reports whether r may join two parts of one word.
func isJoiner(r rune) bool {
	return r == '-' || r == '.' || r == '\'' || r == '’' || r == '&' || r == '‑'
}

// splitElision splits a French elided article or pronoun from its word
// ("l'IA" → "l", "IA") and drops an English possessive ("Watts's" → "Watts").
func splitElision(w string) []string {
	w = strings.ReplaceAll(w, "’", "'")
	k := strings.IndexByte(w, '\'')
	if k < 0 {
		return []string{w}
	}
	switch strings.ToLower(w[:k]) {
	case "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu":
		if k+1 < len(w) {
			return append([]string{w[:k]}, splitElision(w[k+1:])...)
		}
	}
	if isPossessive(w) && k == len(w)-2 {
		return []string{w[:k]}
	}
	return []string{w}
}

// isPossessive reports whether w ends with an English possessive "'s".
func isPossessive(w string) bool {
	w = strings.ToLower(strings.ReplaceAll(w, "’", "'"))
	return strings.HasSuffix(w, "'s") && len(w) > 2
}

// stem reduces a lower-case word to a crude stem shared by its singular and
// plural forms, in English and French ("technologies" and "technology" →
// "technolog", "risques" → "risqu"). It is a matching key, never shown.
func stem(w string) string {
	if utf8.RuneCountInString(w) <= 3 {
		return w
	}
	for _, suffix := range []string{"ies", "y", "es", "s", "x", "e"} {
		if strings.HasSuffix(w, suffix) && utf8.RuneCountInString(w)-len(suffix) >= 3 {
			return strings.TrimSuffix(w, suffix)
		}
	}
	return w
}

// isAcronym reports whether w is an acronym: two to six letters or digits,
// at least two of them capital letters, no lower-case letter except a
// trailing plural "s" ("AI", "NASA", "LLMs", "COVID-19" is not one).
func isAcronym(w string) bool {
	n := utf8.RuneCountInString(w)
	if n < 2 || n > 7 {
		return false
	}
	upper := 0
	for i, r := range strings.TrimSuffix(w, "s") {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsDigit(r) && i > 0:
		default:
			return false
		}
	}
	return upper >= 2
}

// isCapitalised reports whether w starts with a capital letter.
func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// hasLetter reports whether w contains a letter.
func hasLetter(w string) bool {
	return strings.IndexFunc(w, unicode.IsLetter) >= 0
}

package offline

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

//go:embed stopwords_en.txt
var stopwordsEN string

//go:embed stopwords_fr.txt
var stopwordsFR string

//go:embed modifiers_en.txt
var modifiersEN string

// lexicon holds the word lists for one page's language.
type lexicon struct {
	// lang is "fr" or "en".
	lang string
	stop map[string]bool
	// modifier holds English words that may modify a noun but never head a
	// keyphrase (adjectives such as "long" in "long COVID").
	modifier map[string]bool
}

// newLexicon returns the lexicon of lang ("fr…" or anything else for
// English). English stop words are always included: French pages quote
// English names and terms, and a stop word of either language never heads a
// keyphrase.
func newLexicon(lang string) *lexicon {
	lex := &lexicon{lang: "en", stop: map[string]bool{}, modifier: map[string]bool{}}
	addWords(lex.stop, stopwordsEN)
	addWords(lex.modifier, modifiersEN)
	if lang == "fr" {
		lex.lang = "fr"
		addWords(lex.stop, stopwordsFR)
	}
	return lex
}

// addWords adds the words of an embedded list (one a line, # comments) to set.
func addWords(set map[string]bool, list string) {
	for _, line := range strings.Split(list, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = true
		}
	}
}

// isConnector reports whether a stop word may join the words of a
// keyphrase ("learn in public", "fonction de l'État").
func isConnector(lower string) bool {
	switch lower {
	case "of", "and", "in", "for", "on", "de", "du", "des", "à", "en", "et", "pour", "sur", "au", "aux":
		return true
	}
	return false
}

// newToken builds the token of word w.
func (lex *lexicon) newToken(w string, breakBefore bool) token {
	lower := strings.ToLower(w)
	stop := lex.stop[lower] || !hasLetter(w) || utf8.RuneCountInString(w) < 2 && !isAcronym(w)
	return token{text: w, lower: lower, stem: stem(lower), stop: stop, breakBefore: breakBefore,
		modifier: !isAcronym(w) && (lex.modifier[lower] || lex.lang == "en" && isVerbForm(lower))}
}

// isVerbForm reports whether an English word is, by its ending, a past
// tense or participle ("launched", "completed") or an adverb ("previously",
// "rapidly"): such a word may modify a noun ("bottled water") but never
// heads a noun phrase. Words in "-eed" ("need", "speed"), short words
// ("bed", "ally") and nouns in "-ly" ("family", "supply", "assembly") are
// left alone.
func isVerbForm(lower string) bool {
	n := utf8.RuneCountInString(lower)
	if n >= 5 && strings.HasSuffix(lower, "ed") && !strings.HasSuffix(lower, "eed") {
		return true
	}
	if n < 6 {
		return false
	}
	for _, suffix := range []string{"ously", "ively", "ently", "antly", "ately", "edly", "ingly", "fully", "lessly", "ably", "ibly", "ally", "idly", "ctly"} {
		if strings.HasSuffix(lower, suffix) {
			return true
		}
	}
	return false
}

// language returns "fr" or "en": the page's declared language if it is one of
// them, else the language whose stop words are more frequent in text.
func language(declared, text string) string {
	declared = strings.ToLower(strings.TrimSpace(declared))
	switch {
	case strings.HasPrefix(declared, "fr"):
		return "fr"
	case strings.HasPrefix(declared, "en"):
		return "en"
	}
	fr, en := map[string]bool{}, map[string]bool{}
	addWords(fr, stopwordsFR)
	addWords(en, stopwordsEN)
	var nFR, nEN int
	for _, w := range strings.Fields(strings.ToLower(text)) {
		w = strings.Trim(w, ".,;:!?\"'()«»“”’")
		if fr[w] && !en[w] {
			nFR++
		}
		if en[w] && !fr[w] {
			nEN++
		}
	}
	if nFR > nEN {
		return "fr"
	}
	return "en"
}

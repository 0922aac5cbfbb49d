package offline

import "strings"

// sentence is one sentence of the page with its tokens.
type sentence struct {
	// text is the sentence verbatim.
	text string
	// index is the sentence's position in the page, from 0.
	index  int
	tokens []token
}

// words returns the number of words in the sentence.
func (s sentence) words() int { return len(strings.Fields(s.text)) }

// contentStems returns the set of the sentence's non-stop word stems.
func (s sentence) contentStems() map[string]bool {
	set := map[string]bool{}
	for _, t := range s.tokens {
		if !t.stop {
			set[t.stem] = true
		}
	}
	return set
}

// isProse reports whether a sentence reads as prose rather than a list, a
// menu or markup debris: it has at least one stop word (function words
// glue real sentences) and more than one other word.
func (s sentence) isProse() bool {
	stop, content := 0, 0
	for _, t := range s.tokens {
		switch {
		case t.stop && hasLetter(t.text):
			stop++
		case !t.stop:
			content++
		}
	}
	return stop > 0 && content > 1
}

// document is a page split into sentences and tokens.
type document struct {
	lex       *lexicon
	sentences []sentence
}

// maxSentences bounds the analysis of very long pages: the first sentences
// carry the page's subject, and the bound keeps the graph ranking fast.
const maxSentences = 600

// maxSentenceTokens bounds the words analysed in one sentence: a longer
// "sentence" is a page without punctuation (a menu, a dump), and its first
// words say as much as the rest.
const maxSentenceTokens = 300

// newDocument splits text into sentences and tokens, leaving out the
// site's notices (see isBoilerplate).
func newDocument(text string, lex *lexicon) *document {
	doc := &document{lex: lex}
	for _, s := range Sentences(text) {
		if len(doc.sentences) == maxSentences {
			break
		}
		toks := tokenize(s, lex)
		if len(toks) == 0 || isBoilerplate(s) {
			continue
		}
		toks = toks[:min(len(toks), maxSentenceTokens)]
		doc.sentences = append(doc.sentences, sentence{text: s, index: len(doc.sentences), tokens: toks})
	}
	return doc
}

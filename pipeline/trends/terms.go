package trends

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file turns a row's text into the terms the lexical space counts:
// words lower-cased, without diacritics, stop words left out, and brought
// to a light stem so that plurals and common suffixes meet.

// terms returns the stems of the words of s, in order, stop words and
// one-letter words left out.
func terms(s string) []string {
	var out []string
	for w := range strings.FieldsFuncSeq(s, notWordRune) {
		if t := wordTerm(w); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// wordTerm is the term of the word w: its stem, or "" for a stop word or
// a one-letter word.
func wordTerm(w string) string {
	w = foldWord(w)
	if utf8.RuneCountInString(w) < 2 || stopWords[w] {
		return ""
	}
	return stemWord(w)
}

// termCache remembers the term of each word it met: folding and stemming
// a word cost more than finding it again. Its zero value is ready.
type termCache struct {
	terms map[string]string
}

// maxCachedWords bounds the words a termCache remembers.
const maxCachedWords = 1 << 18

// term is wordTerm(w).
func (c *termCache) term(w string) string {
	if t, ok := c.terms[w]; ok {
		return t
	}
	t := wordTerm(w)
	if c.terms == nil {
		c.terms = map[string]string{}
	}
	if len(c.terms) < maxCachedWords {
		c.terms[strings.Clone(w)] = t
	}
	return t
}

// appendTerms appends the terms of s to b, separated by spaces: those of
// terms(s), words split as strings.FieldsFunc(s, notWordRune) splits them.
func (c *termCache) appendTerms(b []byte, s string) []byte {
	start, word := len(b), -1 // word: where the current word starts
	for i := 0; i <= len(s); {
		sep, size := true, 1
		if i < len(s) {
			if ch := s[i]; ch < utf8.RuneSelf {
				sep = !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9')
			} else {
				var r rune
				r, size = utf8.DecodeRuneInString(s[i:])
				sep = notWordRune(r)
			}
		}
		switch {
		case !sep && word < 0:
			word = i
		case sep && word >= 0:
			if t := c.term(s[word:i]); t != "" {
				if len(b) > start {
					b = append(b, ' ')
				}
				b = append(b, t...)
			}
			word = -1
		}
		i += size
	}
	return b
}

// notWordRune reports whether r separates words.
func notWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}
	return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r)
}

// foldWord lower-cases w and removes its diacritics (é → e).
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// stemSuffixes are cut from a word, the first that matches, when at least
// three letters remain: plurals, then common verb and noun endings, so
// that "banning", "bans" and "banned" meet at "ban".
var stemSuffixes = []struct{ suffix, replace string }{
	{"ies", "y"}, {"sses", "ss"}, {"ness", ""}, {"ments", ""}, {"ment", ""},
	{"ations", "ate"}, {"ation", "ate"}, {"ings", ""}, {"ing", ""}, {"ied", "y"}, {"ed", ""},
	{"ers", ""}, {"er", ""}, {"ly", ""}, {"es", ""}, {"s", ""},
}

// stemWord is w's light stem: w with the first matching suffix of
// stemSuffixes replaced, a doubled final consonant undoubled (bann →
// ban) and a final e dropped (drive → driv), for words of four letters or
// more; words ending in ss, us or is keep their s.
func stemWord(w string) string {
	if len(w) < 4 || strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is") {
		return w
	}
	for _, s := range stemSuffixes {
		if strings.HasSuffix(w, s.suffix) && len(w)-len(s.suffix) >= 3 {
			w = w[:len(w)-len(s.suffix)] + s.replace
			break
		}
	}
	if n := len(w); n >= 4 && w[n-1] == w[n-2] && isConsonant(w[n-1]) && w[n-1] != 'l' && w[n-1] != 's' {
		w = w[:n-1]
	}
	if n := len(w); n >= 4 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	return w
}

// isConsonant reports whether the ASCII letter c is a consonant.
func isConsonant(c byte) bool {
	return c >= 'a' && c <= 'z' && !strings.ContainsRune("aeiouy", rune(c))
}

// stopWords are English and French words too common to tell rows apart,
// folded.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a about above after again against all also am among an and another any are around as at be because
		been before being below between both but by can could did do does doing down during each either even
		every for from further had has have having he her here hers him his how however if in into is it its
		itself just least less made make many may more most much must new no nor not now of off on once only
		or other our out over own per same she should since so some such than that the their them then there
		these they this those through to too under until upon us use used using very was way we well were
		what when where which while who whom whose why will with within without would yet you your
		ainsi alors apres au aucun aussi autre autres aux avant avec avoir bien ce ces cela celle celles celui
		ceux chaque comme comment dans de depuis des deux doit donc dont du elle elles en encore entre est et
		etaient etait etre fait faire font il ils la le les leur leurs lors mais meme memes moins ne nous
		nouveau nouvelle nouvelles nouveaux notre nos ou par parce pas peu peut peuvent plus pour pourquoi
		quand que quel quelle quelles quels qui quoi sans selon ses sera seront son sont sous sur tous tout
		toute toutes tres un une unes uns vers votre vous`) {
		m[w] = true
	}
	return m
}()

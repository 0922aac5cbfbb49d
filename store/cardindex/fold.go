// Package cardindex holds what every storage backend indexes of a card
// the same way, so that a search finds the same cards on any of them: how
// a text is cut into words and each word folded (this file), the fields
// of a card's JSON that are indexed, the query words taken from any user
// input, the snippet shown with a hit and the words a card is related by.
package cardindex

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file holds the words of the full-text index: how a text is cut into
// words and how each word is folded, so that a query finds its singular and
// plural forms, with or without accents.
//
// A backend's search index holds the folded words of each
// card, never the words as written. A query's words are folded the same
// way, so a query matches a card when their folded words meet:
//
//  1. A word is a run of letters and digits (combining marks inside it
//     are dropped); it is lower-cased and its diacritics are removed
//     ("Énergies" → "energies"). (SQLite's FTS5 tokenizer, unicode61 with
//     remove_diacritics 2, does the same again.)
//  2. Words of four letters or more lose their plural, English or French,
//     by the first rule that applies:
//     - a short list of irregular words: children → child, women → woman,
//     people → person, gases → gas, news and series stay;
//     - …ies → …y (cities → city, technologies → technology);
//     - …eaux → …eau (réseaux → reseau), …aux → …al (journaux → journal),
//     …eux and …oux lose their x (jeux → jeu);
//     - …es after x, ch, sh, ss, zz or us loses es (boxes → box, churches →
//     church, buses → bus, classes → class);
//     - …ss, …us and …is stay (business, virus, analysis);
//     - any other …s loses it (voitures → voiture).
//  3. Then singulars are brought to the same stem: …ie → …y (French
//     énergie → energy, so that énergie, énergies, energy and energies
//     meet) and a final e after x, ch, sh, ss, zz or us is dropped (taxe →
//     tax, cause → caus, classe → class).
//
// The rules are deliberately small: they make "voiture" find "voitures",
// "city" find "cities" and "bus" find "buses", at the price of a few
// unrelated words meeting (taux and tal).

// Token is one word of a text: its byte offsets and its folded form.
type Token struct {
	Start, End int    // byte offsets in the text
	Word       string // folded
}

// Tokens cuts s into words and folds each (see the rules above).
func Tokens(s string) []Token {
	var out []Token
	eachWord(s, func(start, end int, word string) {
		out = append(out, Token{Start: start, End: end, Word: word})
	})
	return out
}

// EachWord calls fn with each of the folded [Words] of s, in order,
// without making a slice of them.
func EachWord(s string, fn func(word string)) {
	eachWord(s, func(_, _ int, word string) { fn(word) })
}

// eachWord cuts s into words and calls fn with the byte offsets and the
// folded form of each, in order.
func eachWord(s string, fn func(start, end int, word string)) {
	var b strings.Builder
	start := -1
	// plain: the word so far is s[start:i] as it is, lower-case ASCII letters
	// and digits, the common case, taken from s without copying it. Else it
	// is written to b, rune by rune.
	plain := true
	flush := func(end int) {
		if start >= 0 {
			w := s[start:end]
			if !plain {
				w = b.String()
			}
			fn(start, end, fold(w))
		}
		start, plain = -1, true
		b.Reset()
	}
	for i, r := range s {
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if start < 0 {
				start = i
			}
			if !plain {
				b.WriteRune(r)
			}
		case r < utf8.RuneSelf && !('A' <= r && r <= 'Z'):
			// ASCII that is no letter nor digit: a separator
			flush(i)
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if start < 0 {
				start = i
			}
			if plain {
				b.WriteString(s[start:i])
				plain = false
			}
			writeBase(&b, unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r) && start >= 0:
			// a combining mark inside a word: dropped, the word goes on
			if plain {
				b.WriteString(s[start:i])
				plain = false
			}
		default:
			flush(i)
		}
	}
	flush(len(s))
}

// Words returns the folded words of s.
func Words(s string) []string {
	out := []string{}
	eachWord(s, func(_, _ int, word string) { out = append(out, word) })
	return out
}

// FoldedText is s as an index holds it: its folded words, space-separated.
func FoldedText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	first := true
	eachWord(s, func(_, _ int, word string) {
		if !first {
			b.WriteByte(' ')
		}
		b.WriteString(word)
		first = false
	})
	return b.String()
}

// baseCache maps the runes of the Latin blocks to their base letter
// (é → e), filled at init from their canonical decomposition.
var baseCache [0x250]rune

func init() {
	for r := rune(0); r < rune(len(baseCache)); r++ {
		baseCache[r] = r
		if r < utf8.RuneSelf {
			continue
		}
		d := norm.NFD.String(string(r))
		if first, size := utf8.DecodeRuneInString(d); size < len(d) || first != r {
			baseCache[r] = first
		}
	}
}

// writeBase writes r without its diacritics (for the Latin letters).
func writeBase(b *strings.Builder, r rune) {
	if r >= 0 && r < rune(len(baseCache)) {
		r = baseCache[r]
	}
	b.WriteRune(r)
}

// irregular folds words the suffix rules would miss or spoil.
var irregular = map[string]string{
	"children": "child", "women": "woman", "men": "man", "people": "person",
	"gases": "gas", "news": "news", "series": "series", "species": "species",
	"lives": "life", "analyses": "analysis", "crises": "crisis", "mice": "mouse",
}

// sibilants are the endings after which English (and French) adds "es"
// for the plural, or ends a singular with a silent "e".
var sibilants = []string{"x", "ch", "sh", "ss", "zz", "us"}

func afterSibilant(stem string) bool {
	for _, s := range sibilants {
		if strings.HasSuffix(stem, s) {
			return true
		}
	}
	return false
}

// fold reduces a lower-case word without diacritics to its index form (see
// the rules at the top of this file).
func fold(w string) string {
	if f, ok := irregular[w]; ok {
		return f
	}
	if len(w) < 4 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "eaux"):
		w = w[:len(w)-1]
	case strings.HasSuffix(w, "aux"):
		w = w[:len(w)-2] + "l"
	case strings.HasSuffix(w, "eux"), strings.HasSuffix(w, "oux"):
		w = w[:len(w)-1]
	case strings.HasSuffix(w, "es") && afterSibilant(w[:len(w)-2]):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	}
	switch {
	case strings.HasSuffix(w, "ie") && len(w) > 4:
		return w[:len(w)-2] + "y"
	case strings.HasSuffix(w, "e") && afterSibilant(w[:len(w)-1]):
		return w[:len(w)-1]
	}
	return w
}

// stopWords are the English and French words too common to tell cards
// apart; [Candidates] leaves them out.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		about above after again against all also among and another any are around because been before being
		below between both but can could did does doing down during each either even every from further
		had has have having her here hers herself him himself his how however into its itself just least
		less made make many more most much must new not now off once only other our ours out over own per
		same she should since some such than that the their theirs them then there these they this those
		through too under until upon use used using very was way well were what when where which while who
		whom whose why will with within without would yet you your yours
		ainsi alors après assez aucun aussi autre autres avant avec avoir avons bien cela celle celles celui
		ceux chaque comme comment dans depuis des deux doit donc dont elle elles encore entre est étaient
		était être fait faire font leur leurs lors mais même mêmes moins nous nouveau nouvelle nouvelles
		nouveaux notre nos par parce pas peu peut peuvent plus pour pourquoi quand que quel quelle quelles
		quels qui quoi sans selon ses sera seront son sont sous sur tous tout toute toutes très une unes uns
		vers votre vous`) {
		m[FoldedText(w)] = true
	}
	return m
}()

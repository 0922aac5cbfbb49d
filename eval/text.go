package eval

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tokens splits s into lower-case, accent-free tokens: maximal runs of
// letters and digits, for French and English alike. Accents are removed by
// canonical decomposition (NFD) and dropping combining marks; ligatures are
// spelled out (œ→oe, æ→ae, ß→ss); everything else (spaces, punctuation,
// apostrophes, hyphens, symbols) separates tokens, so "l'IA générative" gives
// [l ia generative]. It is the tokenizer of every metric.
func Tokens(s string) []string {
	var folded strings.Builder
	folded.Grow(len(s))
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			folded.WriteByte(byte(r))
		case 'A' <= r && r <= 'Z':
			folded.WriteByte(byte(r + 'a' - 'A'))
		case r < utf8.RuneSelf:
			folded.WriteByte(' ')
		case unicode.Is(unicode.Mn, r):
			// a combining accent: dropped, and it does not split the token
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			writeFolded(&folded, r)
		default:
			folded.WriteByte(' ')
		}
	}
	return splitSpaces(folded.String())
}

// writeFolded writes the lower-case, accent-free spelling of the letter or
// digit r: the accented letters of French and other Western European
// languages directly, ligatures spelled out, anything else by canonical
// decomposition without its combining marks.
func writeFolded(b *strings.Builder, r rune) {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å':
		b.WriteByte('a')
	case 'ç', 'Ç':
		b.WriteByte('c')
	case 'è', 'é', 'ê', 'ë', 'È', 'É', 'Ê', 'Ë':
		b.WriteByte('e')
	case 'ì', 'í', 'î', 'ï', 'Ì', 'Í', 'Î', 'Ï':
		b.WriteByte('i')
	case 'ñ', 'Ñ':
		b.WriteByte('n')
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'Ò', 'Ó', 'Ô', 'Õ', 'Ö':
		b.WriteByte('o')
	case 'ù', 'ú', 'û', 'ü', 'Ù', 'Ú', 'Û', 'Ü':
		b.WriteByte('u')
	case 'ý', 'ÿ', 'Ý', 'Ÿ':
		b.WriteByte('y')
	default:
		if lig, ok := ligature(r); ok {
			b.WriteString(lig)
			return
		}
		for _, d := range norm.NFD.String(string(r)) {
			if !unicode.Is(unicode.Mn, d) {
				b.WriteRune(unicode.ToLower(d))
			}
		}
	}
}

// splitSpaces splits s, made of ASCII spaces and token bytes only, into its
// tokens; the tokens share s's memory.
func splitSpaces(s string) []string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && (i == 0 || s[i-1] == ' ') {
			n++
		}
	}
	toks := make([]string, 0, n)
	start := -1
	for i := 0; i <= len(s); i++ {
		switch {
		case i < len(s) && s[i] != ' ':
			if start < 0 {
				start = i
			}
		case start >= 0:
			toks = append(toks, s[start:i])
			start = -1
		}
	}
	return toks
}

// ligature spells out the letters that canonical decomposition keeps whole.
func ligature(r rune) (string, bool) {
	switch r {
	case 'œ', 'Œ':
		return "oe", true
	case 'æ', 'Æ':
		return "ae", true
	case 'ß':
		return "ss", true
	case 'ø', 'Ø':
		return "o", true
	case 'ł', 'Ł':
		return "l", true
	case 'đ', 'Đ':
		return "d", true
	}
	return "", false
}

// FoldPlural reduces a folded token to a simple singular, in both French and
// English: "ies"→"y" (technologies→technology), "eaux"→"eau", then a final
// "s" is dropped, except after "s", "u" or "i" (process, virus, bus,
// analysis) and in tokens of three letters or fewer (gas, bus, its).
func FoldPlural(tok string) string {
	if len(tok) <= 3 {
		return tok
	}
	switch {
	case strings.HasSuffix(tok, "ies") && len(tok) > 4:
		return tok[:len(tok)-3] + "y"
	case strings.HasSuffix(tok, "eaux"):
		return tok[:len(tok)-1]
	case strings.HasSuffix(tok, "s"):
		switch tok[len(tok)-2] {
		case 's', 'u', 'i':
			return tok
		}
		return tok[:len(tok)-1]
	}
	return tok
}

// Terms are the tokens of s with plural folding: the vocabulary in which
// keywords, themes and table rows are compared.
func Terms(s string) []string {
	toks := Tokens(s)
	for i, t := range toks {
		toks[i] = FoldPlural(t)
	}
	return toks
}

// ContentTerms are Terms without French and English stop words (articles,
// prepositions, pronouns, auxiliaries, single letters such as the elided
// "l" of "l'IA"). When s has nothing but stop words, its Terms are kept.
func ContentTerms(s string) []string {
	toks := Tokens(s)
	content := toks[:0] // filtered in place
	for _, t := range toks {
		if !isStopWord(t) {
			content = append(content, FoldPlural(t))
		}
	}
	if len(content) == 0 {
		return Terms(s)
	}
	return content
}

// vocab numbers the terms met in one comparison, so that bags, sets and
// n-grams compare small integers rather than strings.
type vocab map[string]int32

// ids returns the number of each term, numbering new terms as they come.
func (v vocab) ids(terms []string) []int32 {
	out := make([]int32, len(terms))
	for i, t := range terms {
		id, ok := v[t]
		if !ok {
			id = int32(len(v))
			v[t] = id
		}
		out[i] = id
	}
	return out
}

// bag is a sorted multiset of term numbers; comparing two bags is a linear
// merge.
type bag []int32

func newBag(ids []int32) bag {
	slices.Sort(ids)
	return bag(ids)
}

// overlap counts the terms two bags share, with multiplicity.
func (b bag) overlap(o bag) int { return sortedOverlap(b, o) }

// sortedOverlap counts the items two sorted lists share, with multiplicity
// (clipped counts), by a linear merge.
func sortedOverlap[T cmp.Ordered](a, b []T) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// dice is the F1 of two bags (2·overlap / (|a|+|b|)); two empty bags are
// identical (1), one empty bag shares nothing (0).
func (b bag) dice(o bag) float64 {
	if len(b)+len(o) == 0 {
		return 1
	}
	return 2 * float64(b.overlap(o)) / float64(len(b)+len(o))
}

// set is a sorted list of distinct term numbers.
type set []int32

func newSet(ids []int32) set {
	return set(slices.Compact(newBag(ids)))
}

// jaccard is |a∩b| / |a∪b|; two empty sets are identical (1).
func (s set) jaccard(o set) float64 {
	inter := bag(s).overlap(bag(o))
	union := len(s) + len(o) - inter
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}

// isStopWord reports whether a folded token is a French or English function
// word, or a single letter.
func isStopWord(t string) bool {
	if len(t) <= 1 {
		return true
	}
	switch t {
	// English
	case "the", "an", "and", "or", "of", "to", "in", "on", "at", "by", "for",
		"with", "from", "as", "into", "about", "over", "under", "between",
		"through", "is", "are", "was", "were", "be", "been", "being", "has",
		"have", "had", "do", "does", "did", "it", "its", "this", "that", "these",
		"those", "their", "they", "them", "there", "which", "who", "whom",
		"what", "while", "than", "then", "so", "such", "but", "not", "no", "can",
		"could", "may", "might", "will", "would", "should", "must", "more",
		"most", "other", "some", "any", "each", "all", "both", "also", "we",
		"our", "you", "your", "he", "she", "his", "her", "i", "my", "me", "us",
		"if", "how", "why", "when", "where", "up", "out", "via", "per", "amid",
		"toward", "towards", "within", "without", "across", "among", "new":
		return true
	// French (accents folded)
	case "le", "la", "les", "de", "du", "des", "un", "une", "et", "ou", "en",
		"au", "aux", "dans", "par", "pour", "sur", "sous", "avec", "sans", "entre",
		"vers", "chez", "est", "sont", "etre", "ete", "etait", "avoir", "ont",
		"ce", "cet", "cette", "ces", "se", "sa", "son", "ses", "leur", "qui",
		"que", "quoi", "dont", "ne", "pas", "plus", "moins", "tres", "il", "elle",
		"ils", "elles", "nous", "vous", "je", "tu", "lui", "mais", "donc",
		"car", "ni", "comme", "si", "tout", "tous", "toute", "autre", "face",
		"afin", "lors", "ainsi", "aussi", "meme", "leurs", "notre", "votre",
		"nos", "vos", "qu":
		return true
	}
	return false
}

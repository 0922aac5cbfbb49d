// Package ground locates the evidence of a card's rows in the text the
// card was made from: exactly, once normalised, or by a fuzzy window match.
package ground

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/veille/veille/schema"
)

// fuzzyThreshold is the share of an evidence quote's words that must occur
// in one window of the text for a fuzzy match.
const fuzzyThreshold = 0.8

// Tally counts a card's rows by grounding.
type Tally struct {
	Rows, Grounded, Ungrounded int
}

// TallyOf counts spans.
func TallyOf(spans []schema.Span) Tally {
	t := Tally{Rows: len(spans)}
	for _, s := range spans {
		if s.Grounded() {
			t.Grounded++
		} else {
			t.Ungrounded++
		}
	}
	return t
}

// UngroundedError is a card too few of whose rows quote their page.
type UngroundedError struct {
	Tally Tally
	// Min is the share of grounded rows required.
	Min float64
}

func (e *UngroundedError) Error() string {
	return fmt.Sprintf("%d of %d rows grounded (%.0f%%), under the %.0f%% required", e.Tally.Grounded, e.Tally.Rows,
		100*e.Tally.Share(), 100*e.Min)
}

// Share is the share of grounded rows, 1 for no row.
func (t Tally) Share() float64 {
	if t.Rows == 0 {
		return 1
	}
	return float64(t.Grounded) / float64(t.Rows)
}

// Add returns the sum of two tallies.
func (t Tally) Add(u Tally) Tally {
	return Tally{Rows: t.Rows + u.Rows, Grounded: t.Grounded + u.Grounded, Ungrounded: t.Ungrounded + u.Ungrounded}
}

// Locate locates every row's evidence of a in text and returns one span
// per row, in table order (signals, concerns, behaviors, technologies,
// issues).
func Locate(text string, a schema.Answer) []schema.Span {
	idx := newTextIndex(text)
	var spans []schema.Span
	add := func(section string, i int, name, evidence string) {
		sp := idx.locate(evidence)
		sp.Section, sp.Row, sp.Name, sp.Evidence = section, i, name, evidence
		spans = append(spans, sp)
	}
	for i, s := range a.Signals {
		add("signals", i, s.Name, s.Evidence)
	}
	for _, t := range a.RowTables() {
		for i, r := range *t.Rows {
			add(t.Key, i, r.Name, r.Evidence)
		}
	}
	return spans
}

// DropUngrounded removes from a the rows whose span is ungrounded and
// returns the spans of the rows kept, re-indexed.
func DropUngrounded(a *schema.Answer, spans []schema.Span) []schema.Span {
	drop := map[string]map[int]bool{}
	for _, s := range spans {
		if !s.Grounded() {
			if drop[s.Section] == nil {
				drop[s.Section] = map[int]bool{}
			}
			drop[s.Section][s.Row] = true
		}
	}
	signals := []schema.Signal{}
	for i, s := range a.Signals {
		if !drop["signals"][i] {
			signals = append(signals, s)
		}
	}
	a.Signals = signals
	for _, t := range a.RowTables() {
		kept := []schema.Row{}
		for i, r := range *t.Rows {
			if !drop[t.Key][i] {
				kept = append(kept, r)
			}
		}
		*t.Rows = kept
	}
	var out []schema.Span
	next := map[string]int{}
	for _, s := range spans {
		if s.Grounded() {
			s.Row = next[s.Section]
			next[s.Section]++
			out = append(out, s)
		}
	}
	return out
}

// textIndex is a source text prepared for repeated evidence look-ups.
type textIndex struct {
	runes []rune
	// norm is the normalised text; normAt[i] is the offset in runes of the
	// source character that produced norm[i].
	norm   []rune
	normAt []int
	words  []word
}

// word is one normalised word of the text and its rune offsets in it.
type word struct {
	text       string
	start, end int
}

func newTextIndex(text string) *textIndex {
	idx := &textIndex{runes: []rune(text)}
	idx.norm, idx.normAt = normaliseRunes(idx.runes)
	idx.words = splitWords(idx.runes)
	return idx
}

// locate finds evidence in the text, trying exact, then normalised, then
// fuzzy matching.
func (idx *textIndex) locate(evidence string) schema.Span {
	none := schema.Span{Start: -1, End: -1, Method: schema.GroundNone}
	ev := []rune(strings.TrimSpace(evidence))
	if len(ev) == 0 {
		return none
	}
	if i := runeIndex(idx.runes, ev); i >= 0 {
		return schema.Span{Start: i, End: i + len(ev), Method: schema.GroundExact, Score: 1}
	}
	nev, _ := normaliseRunes(ev)
	if len(nev) > 0 {
		if i := runeIndex(idx.norm, nev); i >= 0 {
			last := i + len(nev) - 1
			return schema.Span{Start: idx.normAt[i], End: idx.normAt[last] + 1, Method: schema.GroundNormalised, Score: 1}
		}
	}
	if sp, ok := idx.fuzzy(ev); ok {
		return sp
	}
	return none
}

// fuzzy finds the window of the text (as many words long as the evidence,
// or up to two words longer, for words the quote left out) that holds the
// largest share of the evidence's words, and accepts it when the share
// reaches fuzzyThreshold.
func (idx *textIndex) fuzzy(ev []rune) (schema.Span, bool) {
	evWords := splitWords(ev)
	n := len(evWords)
	if n < 3 {
		return schema.Span{}, false
	}
	want := map[string]int{}
	for _, w := range evWords {
		want[w.text]++
	}
	best, bestStart, bestEnd := 0, -1, -1
	for size := n; size <= n+2; size++ {
		for start := 0; start+size <= len(idx.words); start++ {
			if m := matchedWords(idx.words[start:start+size], want); m > best {
				best, bestStart, bestEnd = m, start, start+size-1
			}
		}
	}
	score := float64(best) / float64(n)
	if bestStart < 0 || score < fuzzyThreshold {
		return schema.Span{}, false
	}
	// Trim window words that match nothing in the evidence.
	for bestStart < bestEnd && want[idx.words[bestStart].text] == 0 {
		bestStart++
	}
	for bestEnd > bestStart && want[idx.words[bestEnd].text] == 0 {
		bestEnd--
	}
	return schema.Span{Start: idx.words[bestStart].start, End: idx.words[bestEnd].end, Method: schema.GroundFuzzy, Score: score}, true
}

// matchedWords counts the words of window that want holds, each at most as
// often as want has it.
func matchedWords(window []word, want map[string]int) int {
	have := map[string]int{}
	matched := 0
	for _, w := range window {
		if have[w.text] < want[w.text] {
			have[w.text]++
			matched++
		}
	}
	return matched
}

// normaliseRunes lower-cases rs, maps typographic quotes, apostrophes and
// dashes to their ASCII forms and collapses whitespace runs to one space,
// trimming both ends. at[i] is the index in rs of out[i]'s source rune.
func normaliseRunes(rs []rune) (out []rune, at []int) {
	space := false
	for i, r := range rs {
		if unicode.IsSpace(r) {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			at = append(at, i-1)
			space = false
		}
		out = append(out, foldRune(r))
		at = append(at, i)
	}
	return out, at
}

// foldRune maps one rune to its normalised form.
func foldRune(r rune) rune {
	switch r {
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u00B4', '`':
		return '\''
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB', '\u2033':
		return '"'
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
		return '-'
	case '\u00A0', '\u202F':
		return ' '
	}
	return unicode.ToLower(r)
}

// splitWords splits rs into lower-cased words of letters and digits, with
// their rune offsets. Scripts written without spaces (Han, kana, Thai...)
// give one word a character.
func splitWords(rs []rune) []word {
	var words []word
	start := -1
	flush := func(end int) {
		if start >= 0 {
			words = append(words, word{text: strings.ToLower(string(rs[start:end])), start: start, end: end})
			start = -1
		}
	}
	for i, r := range rs {
		switch {
		case unspaced(r):
			flush(i)
			words = append(words, word{text: string(r), start: i, end: i + 1})
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
	}
	flush(len(rs))
	return words
}

// unspaced reports whether r belongs to a script written without spaces
// between words.
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao,
		unicode.Khmer, unicode.Myanmar)
}

// runeIndex is strings.Index on rune slices: the rune offset of the first
// occurrence of sub in s, or -1.
func runeIndex(s, sub []rune) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if s[i] == sub[0] && equalRunes(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Words splits s into the lower-cased words that evidence matching
// compares (letters and digits; one word a character in scripts written
// without spaces).
func Words(s string) []string {
	ws := splitWords([]rune(s))
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.text
	}
	return out
}

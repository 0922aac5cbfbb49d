package cardindex

import (
	"math/bits"
	"strings"
	"unicode"

	"github.com/veille/veille/schema"
)

// SnippetWords is the length of a hit's snippet, in words.
const SnippetWords = 12

// Snippet cuts the excerpt of card c (with its document's text) that
// shows the most of the wanted (folded) words, the matches marked (see
// [Excerpt]); "" when none shows.
func Snippet(c Card, text string, want map[string]bool) string {
	var rows []string
	for _, r := range c.Tables() {
		rows = append(rows, r.Name+": "+r.Description)
	}
	// The columns in the order they are preferred on a tie: the prose
	// first, the title (shown beside the snippet anyway) after.
	columns := []string{c.Summary, strings.Join(rows, " · "), text, c.Title,
		strings.Join(c.Keywords, ", "), strings.Join(c.Themes, ", ")}
	best, bestScore := "", [2]int{}
	for _, col := range columns {
		cut, score := Excerpt(col, want, SnippetWords)
		if score[0] > bestScore[0] || score[0] == bestScore[0] && score[1] > bestScore[1] {
			best, bestScore = cut, score
		}
	}
	return best
}

// Excerpt returns the window of n words of text holding the most distinct
// wanted words (then the most occurrences), with each match between
// schema.SnippetOpen and SnippetClose and "…" where text was cut; and that
// window's score, distinct matches then occurrences. It is "" when text
// holds no wanted word.
func Excerpt(text string, want map[string]bool, n int) (string, [2]int) {
	if len(text) > maxSnippetSource {
		text = text[:maxSnippetSource]
	}
	ts := Tokens(text)
	// bit[i] is the bit of token i's wanted word, 0 when it is not wanted.
	index := map[string]uint64{}
	bit := make([]uint64, len(ts))
	for i, t := range ts {
		if !want[t.Word] {
			continue
		}
		b, ok := index[t.Word]
		if !ok {
			b = 1 << (uint(len(index)) % 64)
			index[t.Word] = b
		}
		bit[i] = b
	}
	var best [2]int
	bestStart := -1
	for i := range ts {
		if bit[i] == 0 {
			continue
		}
		start := max(0, i-2) // a little context before the first match
		var seen uint64
		count := 0
		for _, b := range bit[start:min(len(ts), start+n)] {
			if b != 0 {
				seen |= b
				count++
			}
		}
		if score := [2]int{bits.OnesCount64(seen), count}; score[0] > best[0] || score[0] == best[0] && score[1] > best[1] {
			best, bestStart = score, start
		}
	}
	if bestStart < 0 {
		return "", best
	}
	end := min(len(ts), bestStart+n)
	var b strings.Builder
	if bestStart > 0 {
		b.WriteString("…")
	}
	for i := bestStart; i < end; i++ {
		t := ts[i]
		if i > bestStart {
			b.WriteString(cleanGap(text[ts[i-1].End:t.Start]))
		}
		if bit[i] != 0 {
			b.WriteString(schema.SnippetOpen + text[t.Start:t.End] + schema.SnippetClose)
		} else {
			b.WriteString(text[t.Start:t.End])
		}
	}
	if end < len(ts) {
		b.WriteString("…")
	}
	return b.String(), best
}

// maxSnippetSource is how much of a column a snippet is looked for in, in
// bytes: the start of a very long page is enough.
const maxSnippetSource = 64 << 10

// markStripper removes the snippet marks from text.
var markStripper = strings.NewReplacer(schema.SnippetOpen, "", schema.SnippetClose, "")

// cleanGap is the text between two words of a snippet on one line, without
// the snippet marks: each run of white space, line breaks included, is one
// space, so that "word (IA) next, and" keeps its spaces around the
// punctuation.
func cleanGap(s string) string {
	s = markStripper.Replace(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

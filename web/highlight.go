package web

import (
	"slices"
	"sort"
	"strings"

	"github.com/veille/veille/schema"
)

// segment is a run of the page text: plain, or evidence of one or more
// rows (Keys, space-separated). Anchors are the ids of the rows whose
// evidence starts here.
type segment struct {
	Text    string
	Keys    string
	Anchors []string
}

// highlight cuts text at every span's bounds (rune offsets, End
// exclusive) and marks each piece with the rows whose evidence covers it.
// Spans out of the text's bounds are ignored; overlapping spans share the
// pieces they cover. The template escapes every piece.
func highlight(text string, spans []schema.Span) []segment {
	text = strings.ToValidUTF8(text, "\uFFFD")
	n := runeCount(text)
	var valid []schema.Span
	cuts := []int{0, n}
	for _, sp := range spans {
		if sp.Grounded() && sp.Start >= 0 && sp.End > sp.Start && sp.End <= n {
			valid = append(valid, sp)
			cuts = append(cuts, sp.Start, sp.End)
		}
	}
	sort.Ints(cuts)
	cuts = slices.Compact(cuts)
	bytesAt := byteOffsets(text, cuts)
	segs := make([]segment, 0, len(cuts))
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		seg := segment{Text: cleanText(text[bytesAt[a]:bytesAt[b]])}
		var keys []string
		for _, sp := range valid {
			if sp.Start <= a && sp.End >= b {
				keys = append(keys, rowKey(sp.Section, sp.Row))
			}
			if sp.Start == a {
				seg.Anchors = append(seg.Anchors, "ev-"+rowKey(sp.Section, sp.Row))
			}
		}
		seg.Keys = strings.Join(keys, " ")
		segs = append(segs, seg)
	}
	return segs
}

// runeCount counts the runes of s.
func runeCount(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// byteOffsets maps each rune offset in cuts (sorted) to its byte offset in s.
func byteOffsets(s string, cuts []int) map[int]int {
	out := make(map[int]int, len(cuts))
	next, r := 0, 0
	for b := range s {
		for next < len(cuts) && cuts[next] == r {
			out[cuts[next]] = b
			next++
		}
		r++
	}
	for ; next < len(cuts); next++ {
		out[cuts[next]] = len(s)
	}
	return out
}

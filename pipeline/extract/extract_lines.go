package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// Thresholds of the line selection in HTML, tuned on the development
// half of the article-extraction benchmark.
const (
	// minLineSupport is the share of a line's shingles that the other
	// extractor must hold for the line to count as confirmed.
	minLineSupport = 0.5
	// minConfirmCoverage is the share of the main text the other extractor
	// must hold before its disagreement is trusted: below it, the two
	// picked different parts of the page and no line is dropped.
	minConfirmCoverage = 0.5
	// minFragmentSupport is the share of a line's shingles that a longer
	// paragraph of the other extractor must hold for the line to count as
	// a fragment of it.
	minFragmentSupport = 0.9
	// linkLineMaxWords and linkLineDensity define a link line: short and
	// mostly link text in the page.
	linkLineMaxWords = 15
	linkLineDensity  = 0.5
	// teaserDensity, teaserLabelWords and teaserMinWords define a teaser
	// line: a short label and a colon, then a linked headline of a few
	// words ("Read more: <a>…</a>").
	teaserDensity    = 0.6
	teaserLabelWords = 3
	teaserMinWords   = 3
)

// confirmLines keeps the lines of main that other also holds. It reports
// false, and returns main unchanged, when other is empty, covers too
// little of main to be a judge, or confirms no line by itself.
func confirmLines(main, other []textLine) ([]textLine, bool) {
	if len(main) == 0 || len(other) == 0 {
		return main, false
	}
	ref := newShingleIndex(joinLines(other))
	if ref.support(joinLines(main)) < minConfirmCoverage {
		return main, false
	}
	kept := make([]textLine, 0, len(main))
	for _, l := range main {
		if ref.support(l.Text) >= minLineSupport {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return main, false
	}
	return kept, true
}

// completeFragments replaces a line of main that is only the tail (or a
// part) of a paragraph of other by that whole paragraph, when the rest of
// the paragraph is nowhere in main: trafilatura sometimes loses the start
// of a paragraph at inline markup.
func completeFragments(main, other []textLine) []textLine {
	all := newShingleIndex(joinLines(main))
	words := make([][]string, len(main))
	for i, l := range main {
		words[i] = wordTokens(l.Text)
	}
	out := make([]textLine, len(main))
	copy(out, main)
	for _, o := range other {
		oWords := wordTokens(o.Text)
		if len(oWords) < shingleSize || all.supportWords(oWords) >= minLineSupport {
			continue
		}
		para := newShingleIndex(o.Text)
		for i, w := range words {
			if len(w) >= shingleSize && para.supportWords(w) >= minFragmentSupport {
				out[i] = o
				break
			}
		}
	}
	return out
}

// dropHeadline removes the first line when it is the page title (or the
// title without its site name, or the title with a kicker).
func dropHeadline(lines []textLine, title string) []textLine {
	if len(lines) == 0 || !sameHeadline(lines[0].Text, title) {
		return lines
	}
	return lines[1:]
}

// sameHeadline reports whether line and title are the same headline: one's
// words contain the other's, which has at least half as many words.
func sameHeadline(line, title string) bool {
	a, b := wordTokens(line), wordTokens(title)
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if 2*len(a) < len(b) {
		return false
	}
	return strings.Contains(" "+strings.Join(b, " ")+" ", " "+strings.Join(a, " ")+" ")
}

// dropLinkLines removes the lines that point elsewhere rather than say
// something: runs of short link lines (lists of related articles, tags,
// share and subscribe links) and teasers ("Read more: <a>…</a>"). A lone
// link line (a cited URL) stays. page holds the lines' markup, which
// extractors drop.
func dropLinkLines(lines []textLine, page pageLines) []textLine {
	isLink := func(i int) bool {
		if i < 0 || i >= len(lines) {
			return false
		}
		words := wordTokens(lines[i].Text)
		return len(words) <= linkLineMaxWords &&
			page.lookup(lines[i].Text).LinkDensity() >= linkLineDensity
	}
	kept := make([]textLine, 0, len(lines))
	for i, l := range lines {
		if isTeaser(page.lookup(l.Text)) || isLink(i) && (isLink(i-1) || isLink(i+1)) {
			continue
		}
		kept = append(kept, l)
	}
	return kept
}

// isTeaser reports whether l is a label and a colon followed by a linked
// headline (words, not a URL) that makes most of the line.
func isTeaser(l textLine) bool {
	lead := strings.TrimSpace(l.Lead)
	n := len(wordTokens(lead))
	headline := strings.Fields(strings.TrimPrefix(l.Text, lead))
	return strings.HasSuffix(lead, ":") && n >= 1 && n <= teaserLabelWords &&
		len(headline) >= teaserMinWords && l.LinkDensity() >= teaserDensity
}

// pageLines indexes the rendered lines of a whole page by their words.
type pageLines map[string]textLine

// newPageLines renders doc and indexes its lines.
func newPageLines(doc *html.Node) pageLines {
	page := make(pageLines)
	for _, l := range renderLines(doc) {
		page[strings.Join(wordTokens(l.Text), " ")] = l
	}
	return page
}

// lookup returns the page line with the words of text, or a zero line.
func (p pageLines) lookup(text string) textLine {
	return p[strings.Join(wordTokens(text), " ")]
}

// shingleIndex tells how much of a line a reference text holds.
type shingleIndex struct {
	shingles map[string]int
	// words is the reference's words, space-separated and space-framed.
	words string
}

// newShingleIndex indexes text.
func newShingleIndex(text string) shingleIndex {
	words := wordTokens(text)
	return shingleIndex{
		shingles: shingleCounts(words),
		words:    " " + strings.Join(words, " ") + " ",
	}
}

// support is the share of text's 4-word shingles found in the reference;
// a text shorter than a shingle is found or not as a whole.
func (ix shingleIndex) support(text string) float64 {
	return ix.supportWords(wordTokens(text))
}

// supportWords is support for a text already split into words.
func (ix shingleIndex) supportWords(words []string) float64 {
	if len(words) == 0 {
		return 0
	}
	if len(words) < shingleSize {
		if strings.Contains(ix.words, " "+strings.Join(words, " ")+" ") {
			return 1
		}
		return 0
	}
	found := 0
	n := len(words) - shingleSize + 1
	for i := range n {
		if ix.shingles[shingleKey(words[i:i+shingleSize])] > 0 {
			found++
		}
	}
	return float64(found) / float64(n)
}

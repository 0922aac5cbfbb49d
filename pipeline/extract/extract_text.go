package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// blockTags are the elements that start and end a line of text.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"caption": true, "dd": true, "details": true, "div": true, "dl": true,
	"dt": true, "fieldset": true, "figcaption": true, "figure": true,
	"footer": true, "form": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "header": true, "hr": true,
	"li": true, "main": true, "nav": true, "ol": true, "p": true,
	"pre": true, "section": true, "summary": true, "table": true,
	"tbody": true, "thead": true, "tfoot": true, "tr": true, "ul": true,
	"body": true, "html": true,
}

// headingTags are the section heading elements.
var headingTags = map[string]bool{
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}

// skippedTags never hold readable text.
var skippedTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"head": true, "svg": true, "iframe": true, "object": true,
}

// renderText turns an HTML subtree into plain text: one block (paragraph,
// heading, list item, table row) a line, whitespace collapsed inside lines,
// line breaks kept inside <pre>.
func renderText(n *html.Node) string {
	return joinLines(renderLines(n))
}

// textLine is one rendered line and what is known of its markup.
type textLine struct {
	Text string
	// LinkRunes counts the letters and digits of Text inside links, Runes
	// all of them.
	LinkRunes, Runes int
	// Heading is set for <h1>…<h6> lines.
	Heading bool
	// Lead is the text before the line's first link ("Read more:" in
	// "Read more: <a>…</a>"); empty when the line has no link.
	Lead string
}

// LinkDensity is the share of the line's letters and digits inside links.
func (l textLine) LinkDensity() float64 {
	if l.Runes == 0 {
		return 0
	}
	return float64(l.LinkRunes) / float64(l.Runes)
}

// joinLines joins the lines' text, one a line.
func joinLines(lines []textLine) string {
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
	}
	return strings.Join(texts, "\n")
}

// renderLines is renderText's line by line result.
func renderLines(n *html.Node) []textLine {
	if n == nil {
		return nil
	}
	r := textRenderer{}
	r.walk(n, false, false)
	r.flush()
	return r.lines
}

// textRenderer accumulates the lines of renderLines.
type textRenderer struct {
	lines     []textLine
	cur       strings.Builder
	linkRunes int
	runes     int
	heading   bool
	// lead is the line's text before its first link, once one is seen.
	lead     string
	seenLink bool
}

func (r *textRenderer) walk(n *html.Node, inPre, inLink bool) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data, inPre, inLink)
		return
	case html.ElementNode:
		if skippedTags[n.Data] {
			return
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	tag := ""
	if n.Type == html.ElementNode {
		tag = n.Data
	}
	switch {
	case tag == "br":
		r.flush()
		return
	case tag == "td" || tag == "th":
		r.cur.WriteByte(' ')
	case blockTags[tag]:
		r.flush()
	}
	if headingTags[tag] {
		r.heading = true
	}
	pre := inPre || tag == "pre"
	link := inLink || tag == "a"
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, pre, link)
	}
	if blockTags[tag] || tag == "td" || tag == "th" {
		if blockTags[tag] {
			r.flush()
		} else {
			r.cur.WriteByte(' ')
		}
	}
}

// text adds a text node to the current line; inside <pre> its newlines end
// lines.
func (r *textRenderer) text(s string, inPre, inLink bool) {
	if !inPre {
		r.add(s, inLink)
		return
	}
	for i, part := range strings.Split(s, "\n") {
		if i > 0 {
			r.flush()
		}
		r.add(part, inLink)
	}
}

// add appends s to the current line and counts its letters and digits.
func (r *textRenderer) add(s string, inLink bool) {
	if inLink && !r.seenLink && strings.TrimSpace(s) != "" {
		r.lead, r.seenLink = r.cur.String(), true
	}
	r.cur.WriteString(s)
	n := 0
	for _, c := range s {
		if isWordRune(c) {
			n++
		}
	}
	r.runes += n
	if inLink {
		r.linkRunes += n
	}
}

// flush ends the current line, keeping it only if it holds some text.
func (r *textRenderer) flush() {
	text := strings.Join(strings.Fields(strings.Map(dropControl, r.cur.String())), " ")
	if text != "" {
		r.lines = append(r.lines, textLine{
			Text: text, LinkRunes: r.linkRunes, Runes: r.runes, Heading: r.heading,
			Lead: strings.Join(strings.Fields(strings.Map(dropControl, r.lead)), " "),
		})
	}
	r.cur.Reset()
	r.linkRunes, r.runes, r.heading = 0, 0, false
	r.lead, r.seenLink = "", false
}

// wordTokens splits text into words: runs of letters, digits and
// underscores (Python's \w, the benchmark's tokenizer).
func wordTokens(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) })
}

// isWordRune reports whether r belongs to a word.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// dropControl maps control characters and the replacement character
// (left by invalid UTF-8) to spaces, for strings.Map.
func dropControl(r rune) rune {
	if unicode.IsControl(r) || r == utf8.RuneError {
		return ' '
	}
	return r
}

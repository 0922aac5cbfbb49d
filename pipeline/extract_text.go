package pipeline

import (
	"strings"

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

// skippedTags never hold readable text.
var skippedTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"head": true, "svg": true, "iframe": true, "object": true,
}

// renderText turns an HTML subtree into plain text: one block (paragraph,
// heading, list item, table row) a line, whitespace collapsed inside lines,
// line breaks kept inside <pre>.
func renderText(n *html.Node) string {
	if n == nil {
		return ""
	}
	r := textRenderer{}
	r.walk(n, false)
	r.flush()
	return strings.Join(r.lines, "\n")
}

// textRenderer accumulates the lines of renderText.
type textRenderer struct {
	lines []string
	cur   strings.Builder
}

func (r *textRenderer) walk(n *html.Node, inPre bool) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data, inPre)
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
	pre := inPre || tag == "pre"
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, pre)
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
func (r *textRenderer) text(s string, inPre bool) {
	if !inPre {
		r.cur.WriteString(s)
		return
	}
	for i, part := range strings.Split(s, "\n") {
		if i > 0 {
			r.flush()
		}
		r.cur.WriteString(part)
	}
}

// flush ends the current line, keeping it only if it holds some text.
func (r *textRenderer) flush() {
	line := strings.Join(strings.Fields(r.cur.String()), " ")
	r.cur.Reset()
	if line != "" {
		r.lines = append(r.lines, line)
	}
}

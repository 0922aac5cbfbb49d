// Package markdown reads and writes signal cards in the markdown layout of
// the gold cards: a title line, the source link, keyword and theme lists,
// the summary and pipe tables, with column widths as python-tabulate draws
// them (go-runewidth measures the cells).
package markdown

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/veille/veille/schema"
)

// Render writes a card as markdown in the layout of the current gold cards
// (the original generator's): the title line (with the origin when there
// is one), the external link, then the sections Keywords, Themes, Other,
// Summary, Signals, Concerns, Behaviors, Technologies and Issues, and
// Closest when the card has such links. A section with nothing in it is
// left out; tables are in pandas' to_markdown pipe layout; a relevancy
// column appears in a table when any of its rows has a relevancy. Evidence
// is not part of the markdown. There is no final newline.
//
// Text that would break the layout is made to fit: line breaks in
// single-line fields become spaces, pipes in table cells are escaped,
// brackets in the origin's label become parentheses, whitespace in URLs is
// percent-encoded, a summary line starting with "## " gets a backslash, and
// "<" is written "&lt;" so that no page's HTML reaches a markdown viewer.
func Render(c schema.Card) string {
	c = withText(c, escapeText)
	var b strings.Builder
	b.WriteString(titleLine(c))
	b.WriteString("\n\n__[External link](" + linkURL(c.URL) + ")__")
	sections := renderSections(c)
	if len(sections) > 0 {
		b.WriteString("\n\n\n\n")
		b.WriteString(strings.Join(sections, "\n\n"))
	}
	return b.String()
}

func titleLine(c schema.Card) string {
	line := "# __" + oneLine(c.Title) + "__"
	if c.Origin != nil {
		line += ", (from page [" + originLabel(c.Origin.Label) + "](" + linkURL(c.Origin.URL) + ").)"
	}
	return line
}

// renderSections returns the card's non-empty sections in order, each
// "## Heading\n\nbody".
func renderSections(c schema.Card) []string {
	var sections []string
	add := func(heading, body string) {
		if body != "" {
			sections = append(sections, "## "+heading+"\n\n"+body)
		}
	}
	add("Keywords", bulletList(c.Keywords))
	add("Themes", bulletList(c.Themes))
	add("Other", otherList(c.Category, c.Type))
	add("Summary", summaryText(c.Summary))
	add("Signals", signalTable(c.Signals))
	for _, t := range c.RowTables() {
		add(t.Heading, rowTable(*t.Rows))
	}
	add("Closest", linkList(c.Closest))
	return sections
}

// summaryText is the summary without blank lines at either end (the
// summary of the gold cards keeps its trailing spaces), or "" when blank.
// A line that would read as a section heading has its "#" escaped.
func summaryText(summary string) string {
	lines := strings.Split(summary, "\n")
	for len(lines) > 0 && isBlank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if looksLikeHeading(l) {
			lines[i] = `\` + l
		}
	}
	return strings.Join(lines, "\n")
}

// looksLikeHeading reports whether a summary line reads as a section
// heading ("## ") or as an escaped one (`\## `, `\\## `…): the renderer
// escapes both with one more backslash, which the parser removes, so that
// every summary reads back as it was written.
func looksLikeHeading(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, `\`), "## ")
}

// originLabel fits an origin's label in the title line's link text: on one
// line, with brackets turned into parentheses.
func originLabel(label string) string {
	return strings.NewReplacer("[", "(", "]", ")").Replace(oneLine(label))
}

// linkURL fits a URL in a markdown link: the ASCII whitespace that would
// end it (space, tab, line breaks, form feed) is percent-encoded.
func linkURL(url string) string {
	const space = " \t\n\f\r"
	if !strings.ContainsAny(url, space) {
		return url
	}
	var b strings.Builder
	for i := 0; i < len(url); i++ {
		if strings.IndexByte(space, url[i]) >= 0 {
			fmt.Fprintf(&b, "%%%02X", url[i])
			continue
		}
		b.WriteByte(url[i])
	}
	return b.String()
}

func bulletList(items []string) string {
	lines := make([]string, len(items))
	for i, item := range items {
		lines[i] = "* " + oneLine(item)
	}
	return strings.Join(lines, "\n")
}

func otherList(category schema.Category, typ schema.Type) string {
	var lines []string
	if category != "" {
		lines = append(lines, "* Category: "+oneLine(string(category)))
	}
	if typ != "" {
		lines = append(lines, "* Type: "+oneLine(string(typ)))
	}
	return strings.Join(lines, "\n")
}

func linkList(links []schema.Link) string {
	lines := make([]string, len(links))
	for i, l := range links {
		lines[i] = "* [" + oneLine(l.Label) + "](" + linkURL(l.URL) + ")"
	}
	return strings.Join(lines, "\n")
}

// signalTable renders the weak-signals table, or "" when there are none.
func signalTable(signals []schema.Signal) string {
	if len(signals) == 0 {
		return ""
	}
	cols := []column{{header: "name"}, {header: "description"}, {header: "change"},
		{header: "10-year"}, {header: "driving-force"}}
	relevancy := column{header: "relevancy", numeric: true}
	hasRelevancy := false
	for _, s := range signals {
		for i, text := range []string{s.Name, s.Description, s.Change, s.TenYear, s.DrivingForce} {
			cols[i].cells = append(cols[i].cells, cellText(text))
		}
		relevancy.cells = append(relevancy.cells, relevancyCell(s.Relevancy))
		hasRelevancy = hasRelevancy || s.Relevancy != nil
	}
	if hasRelevancy {
		cols = append(cols, relevancy)
	}
	return renderTable(cols)
}

// rowTable renders a concerns, behaviors, technologies or issues table, or
// "" when there are no rows.
func rowTable(rows []schema.Row) string {
	if len(rows) == 0 {
		return ""
	}
	name := column{header: "name"}
	description := column{header: "description"}
	relevancy := column{header: "relevancy", numeric: true}
	hasRelevancy := false
	for _, r := range rows {
		name.cells = append(name.cells, cellText(r.Name))
		description.cells = append(description.cells, cellText(r.Description))
		relevancy.cells = append(relevancy.cells, relevancyCell(r.Relevancy))
		hasRelevancy = hasRelevancy || r.Relevancy != nil
	}
	cols := []column{name, description}
	if hasRelevancy {
		cols = append(cols, relevancy)
	}
	return renderTable(cols)
}

func relevancyCell(r *int) string {
	if r == nil {
		return ""
	}
	return strconv.Itoa(*r)
}

// Stored is a stored card in the gold layout: the markdown stored with it,
// else, for a card stored without one (an imported card, see
// [schema.NewCard]), its card rendered; "" when its JSON does not decode.
func Stored(c schema.StoredCard) string {
	if c.Markdown != "" {
		return c.Markdown
	}
	card, err := c.Card()
	if err != nil {
		return ""
	}
	return Render(card)
}

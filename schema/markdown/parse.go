package markdown

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/veille/veille/schema"
)

// ParseError is malformed card markdown, at a 1-based line.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func parseErrorf(line int, format string, args ...any) error {
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// The title line in its three forms, and the external link. Labels carry
// no brackets and URLs no spaces, so a title may hold anything.
var (
	titleCurrent = regexp.MustCompile(`^# __(.*)__, \(from page \[([^\[\]]*)\]\((\S*)\)\.\)$`)
	titleOlder   = regexp.MustCompile(`^# __(.*)__, from \(\[([^\[\]]*)\]\((\S*)\)\.\)$`)
	titleBare    = regexp.MustCompile(`^# __(.*)__$`)
	externalLink = regexp.MustCompile(`^__\[External link\]\((\S*)\)__$`)
	closestLink  = regexp.MustCompile(`^\* \[(.*)\]\((\S*)\)$`)
)

// section is a "## Heading" and the lines under it, up to the next heading.
type section struct {
	heading string
	line    int            // line number of the heading
	body    []numberedLine // lines after the heading, blank ones at either end removed
}

// numberedLine is a line of the card with its 1-based line number.
type numberedLine struct {
	n    int
	text string
}

// Parse reads a card in markdown: the current layout that Render writes,
// and the older one (summary first, title line "from ([LABEL](URL).)", a
// four-column signals table "Signal | Change | 10y horizon | Driving
// force", relevancy columns in any table, a final "## Closest" list of
// links). Sections may come in any order. Malformed input gives a
// *ParseError naming the line.
func Parse(markdown string) (schema.Card, error) {
	lines := strings.Split(schema.DropControls(markdown, ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	var c schema.Card
	if err := parseTitle(&c, lines[0]); err != nil {
		return schema.Card{}, err
	}
	next, err := parseExternalLink(&c, lines, 1)
	if err != nil {
		return schema.Card{}, err
	}
	sections, err := splitSections(lines, next)
	if err != nil {
		return schema.Card{}, err
	}
	seen := map[string]bool{}
	for _, s := range sections {
		if seen[s.heading] {
			return schema.Card{}, parseErrorf(s.line, "second %q section", s.heading)
		}
		seen[s.heading] = true
		if err := parseSection(&c, s); err != nil {
			return schema.Card{}, err
		}
	}
	return withText(c, unescapeText), nil
}

func parseTitle(c *schema.Card, line string) error {
	if m := titleCurrent.FindStringSubmatch(line); m != nil {
		c.Title, c.Origin = m[1], &schema.Link{Label: m[2], URL: m[3]}
		return nil
	}
	if m := titleOlder.FindStringSubmatch(line); m != nil {
		c.Title, c.Origin = m[1], &schema.Link{Label: m[2], URL: m[3]}
		return nil
	}
	if m := titleBare.FindStringSubmatch(line); m != nil {
		c.Title = m[1]
		return nil
	}
	return parseErrorf(1, "want a title line `# __TITLE__, (from page [LABEL](URL).)` or `# __TITLE__`, got %q", clip(line))
}

// parseExternalLink reads the "__[External link](URL)__" line, the first
// non-blank line from index i, and returns the index after it.
func parseExternalLink(c *schema.Card, lines []string, i int) (int, error) {
	for i < len(lines) && isBlank(lines[i]) {
		i++
	}
	if i == len(lines) {
		return 0, parseErrorf(i, "missing the `__[External link](URL)__` line")
	}
	m := externalLink.FindStringSubmatch(lines[i])
	if m == nil {
		return 0, parseErrorf(i+1, "want `__[External link](URL)__`, got %q", clip(lines[i]))
	}
	c.URL = m[1]
	return i + 1, nil
}

// splitSections cuts lines[from:] into "## " sections; only blank lines may
// come before the first.
func splitSections(lines []string, from int) ([]section, error) {
	var sections []section
	for i := from; i < len(lines); i++ {
		line := lines[i]
		if heading, ok := strings.CutPrefix(line, "## "); ok {
			sections = append(sections, section{heading: heading, line: i + 1})
			continue
		}
		if len(sections) == 0 {
			if !isBlank(line) {
				return nil, parseErrorf(i+1, "want a `## ` section heading, got %q", clip(line))
			}
			continue
		}
		last := &sections[len(sections)-1]
		last.body = append(last.body, numberedLine{n: i + 1, text: line})
	}
	for i := range sections {
		sections[i].body = trimBlankLines(sections[i].body)
	}
	return sections, nil
}

func trimBlankLines(lines []numberedLine) []numberedLine {
	for len(lines) > 0 && isBlank(lines[0].text) {
		lines = lines[1:]
	}
	for len(lines) > 0 && isBlank(lines[len(lines)-1].text) {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

func parseSection(c *schema.Card, s section) error {
	var err error
	switch s.heading {
	case "Keywords":
		c.Keywords, err = parseBullets(s)
	case "Themes":
		c.Themes, err = parseBullets(s)
	case "Other":
		err = parseOther(c, s)
	case "Summary":
		c.Summary = parseSummary(s)
	case "Signals":
		c.Signals, err = parseSignals(s)
	case "Concerns":
		c.Concerns, err = parseRows(s)
	case "Behaviors":
		c.Behaviors, err = parseRows(s)
	case "Technologies":
		c.Technologies, err = parseRows(s)
	case "Issues":
		c.Issues, err = parseRows(s)
	case "Closest":
		c.Closest, err = parseLinks(s)
	default:
		err = parseErrorf(s.line, "unknown section %q", s.heading)
	}
	return err
}

func parseSummary(s section) string {
	texts := make([]string, len(s.body))
	for i, l := range s.body {
		texts[i] = l.text
		if looksLikeHeading(l.text) {
			texts[i] = strings.TrimPrefix(l.text, `\`) // the renderer's escape
		}
	}
	return strings.Join(texts, "\n")
}

func parseBullets(s section) ([]string, error) {
	var items []string
	for _, l := range s.body {
		if isBlank(l.text) {
			continue
		}
		item, ok := strings.CutPrefix(l.text, "* ")
		if !ok {
			return nil, parseErrorf(l.n, "want a `* ` list item in %q, got %q", s.heading, clip(l.text))
		}
		items = append(items, item)
	}
	return items, nil
}

func parseOther(c *schema.Card, s section) error {
	var haveCategory, haveType bool
	for _, l := range s.body {
		if isBlank(l.text) {
			continue
		}
		if v, ok := strings.CutPrefix(l.text, "* Category:"); ok && !haveCategory {
			c.Category, haveCategory = schema.Category(strings.TrimSpace(v)), true
			continue
		}
		if v, ok := strings.CutPrefix(l.text, "* Type:"); ok && !haveType {
			c.Type, haveType = schema.Type(strings.TrimSpace(v)), true
			continue
		}
		return parseErrorf(l.n, "want `* Category: …` or `* Type: …` once each, got %q", clip(l.text))
	}
	return nil
}

func parseLinks(s section) ([]schema.Link, error) {
	var links []schema.Link
	for _, l := range s.body {
		if isBlank(l.text) {
			continue
		}
		m := closestLink.FindStringSubmatch(l.text)
		if m == nil {
			return nil, parseErrorf(l.n, "want a `* [LABEL](URL)` link, got %q", clip(l.text))
		}
		links = append(links, schema.Link{Label: m[1], URL: m[2]})
	}
	return links, nil
}

// clip shortens a line quoted in an error message.
func clip(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	for i := range s {
		if i >= limit {
			return s[:i] + "…"
		}
	}
	return s
}

// The columns a table may have, by header: the current layout's and the
// older layout's names.
const (
	colName         = "name"
	colDescription  = "description"
	colChange       = "change"
	colTenYear      = "10-year"
	colDrivingForce = "driving-force"
	colRelevancy    = "relevancy"
)

// currentHeader maps the older layout's signal headers ("Signal",
// "Change", "10y horizon", "Driving force") to the current ones.
func currentHeader(h string) string {
	switch h {
	case "Signal":
		return colName
	case "Change":
		return colChange
	case "10y horizon":
		return colTenYear
	case "Driving force":
		return colDrivingForce
	}
	return h
}

// tableRow is one parsed table row: cell text by column, and its line.
type tableRow struct {
	line  int
	cells map[string]string
}

// parseTable reads a section's pipe table whose headers must be among
// allowed (after mapping the older layout's names) and include "name".
func parseTable(s section, allowed ...string) ([]tableRow, error) {
	lines := s.body
	if len(lines) == 0 {
		return nil, nil
	}
	if len(lines) < 2 {
		return nil, parseErrorf(lines[0].n, "want a table with a header and an alignment row in %q", s.heading)
	}
	headers, err := tableHeaders(lines[0], allowed)
	if err != nil {
		return nil, err
	}
	sep, ok := splitRow(lines[1].text)
	if !ok || len(sep) != len(headers) || !isSeparatorRow(sep) {
		return nil, parseErrorf(lines[1].n, "want the table's alignment row (|:---|---:|) with %d columns, got %q", len(headers), clip(lines[1].text))
	}
	var rows []tableRow
	for _, l := range lines[2:] {
		cells, ok := splitRow(l.text)
		if !ok || len(cells) != len(headers) {
			return nil, parseErrorf(l.n, "want a table row of %d cells framed by pipes, got %q", len(headers), clip(l.text))
		}
		row := tableRow{line: l.n, cells: make(map[string]string, len(cells))}
		for i, h := range headers {
			row.cells[h] = cells[i]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func tableHeaders(l numberedLine, allowed []string) ([]string, error) {
	cells, ok := splitRow(l.text)
	if !ok {
		return nil, parseErrorf(l.n, "want a table header row framed by pipes, got %q", clip(l.text))
	}
	seen := map[string]bool{}
	for i, h := range cells {
		h = currentHeader(h)
		if !slices.Contains(allowed, h) {
			return nil, parseErrorf(l.n, "unexpected column %q (want %s)", cells[i], strings.Join(allowed, ", "))
		}
		if seen[h] {
			return nil, parseErrorf(l.n, "column %q twice", cells[i])
		}
		seen[h] = true
		cells[i] = h
	}
	if !seen[colName] {
		return nil, parseErrorf(l.n, "table without a %q column", colName)
	}
	return cells, nil
}

// relevancy reads a row's relevancy cell: nil when the column is missing
// or the cell empty.
func (r tableRow) relevancy() (*int, error) {
	text := r.cells[colRelevancy]
	if text == "" {
		return nil, nil
	}
	v, err := strconv.Atoi(text)
	if err != nil {
		return nil, parseErrorf(r.line, "relevancy %q is not an integer", clip(text))
	}
	return &v, nil
}

func parseSignals(s section) ([]schema.Signal, error) {
	rows, err := parseTable(s, colName, colDescription, colChange, colTenYear, colDrivingForce, colRelevancy)
	if err != nil {
		return nil, err
	}
	var signals []schema.Signal
	for _, r := range rows {
		rel, err := r.relevancy()
		if err != nil {
			return nil, err
		}
		signals = append(signals, schema.Signal{
			Name:         r.cells[colName],
			Description:  r.cells[colDescription],
			Change:       r.cells[colChange],
			TenYear:      r.cells[colTenYear],
			DrivingForce: r.cells[colDrivingForce],
			Relevancy:    rel,
		})
	}
	return signals, nil
}

func parseRows(s section) ([]schema.Row, error) {
	rows, err := parseTable(s, colName, colDescription, colRelevancy)
	if err != nil {
		return nil, err
	}
	var out []schema.Row
	for _, r := range rows {
		rel, err := r.relevancy()
		if err != nil {
			return nil, err
		}
		out = append(out, schema.Row{Name: r.cells[colName], Description: r.cells[colDescription], Relevancy: rel})
	}
	return out, nil
}

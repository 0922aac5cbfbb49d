package markdown

import (
	"strings"

	"github.com/mattn/go-runewidth"
)

// A markdown table in the pipe layout of pandas' DataFrame.to_markdown
// (python-tabulate's "pipe" format): every column is as wide as its widest
// cell or its header plus two, whichever is more, counted in display
// columns; text columns are left-aligned under ":---", integer columns
// right-aligned under "---:"; each cell is padded with one space on either
// side of the pipes.

// column is one column of a markdown table.
type column struct {
	header  string
	numeric bool // right-aligned integers
	cells   []string
}

// renderTable writes cols as a pipe table, without a final newline. All
// columns have the same number of cells.
func renderTable(cols []column) string {
	widths := make([]int, len(cols))
	// cellWidths[i][r] is the display width of cell r of column i,
	// counted once.
	cellWidths := make([][]int, len(cols))
	for i, c := range cols {
		widths[i] = displayWidth(c.header) + 2
		cellWidths[i] = make([]int, len(c.cells))
		for r, cell := range c.cells {
			cellWidths[i][r] = displayWidth(cell)
			widths[i] = max(widths[i], cellWidths[i][r])
		}
	}
	rows := 0
	if len(cols) > 0 {
		rows = len(cols[0].cells)
	}
	var b strings.Builder
	writeRow := func(r int) {
		b.WriteByte('|')
		for i, c := range cols {
			b.WriteByte(' ')
			s, w := c.header, 0
			if r < 0 {
				w = displayWidth(s)
			} else {
				s, w = c.cells[r], cellWidths[i][r]
			}
			writePadded(&b, s, widths[i]-w, c.numeric)
			b.WriteString(" |")
		}
	}
	writeRow(-1)
	b.WriteString("\n|")
	for i, c := range cols {
		dashes := strings.Repeat("-", widths[i]+1)
		if c.numeric {
			b.WriteString(dashes + ":|")
		} else {
			b.WriteString(":" + dashes + "|")
		}
	}
	for r := range rows {
		b.WriteByte('\n')
		writeRow(r)
	}
	return b.String()
}

// writePadded writes s with fill spaces (none if fill < 1) after it, or
// before it when right-aligned.
func writePadded(b *strings.Builder, s string, fill int, right bool) {
	if !right {
		b.WriteString(s)
	}
	for range fill {
		b.WriteByte(' ')
	}
	if right {
		b.WriteString(s)
	}
}

// displayWidth is the number of terminal columns s takes, by the rules of
// Python's wcwidth.wcswidth that tabulate uses: the sum of the code points'
// widths, East Asian wide and fullwidth characters 2, combining and
// zero-width characters 0, East Asian ambiguous characters (é, ’) 1, and
// the soft hyphen 1. (Characters whose width changed between Unicode
// versions may still differ from a given wcwidth release.)
func displayWidth(s string) int {
	cond := runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}
	w := 0
	for _, r := range s {
		// Below U+0300, the first combining character, a code point is one
		// column wide unless it is a control character: the common case
		// is counted without runewidth.
		switch {
		case r == softHyphen:
			w++
		case r < 0x20, 0x7f <= r && r <= 0x9f:
		case r < 0x300:
			w++
		default:
			w += cond.RuneWidth(r)
		}
	}
	return w
}

// softHyphen is U+00AD, width 0 for runewidth but 1 for wcwidth.
const softHyphen = '\u00ad'

// cellText makes s fit in one table cell: line breaks become spaces,
// surrounding space goes (as tabulate strips cells) and pipes are escaped.
func cellText(s string) string {
	s = oneLine(s)
	return strings.ReplaceAll(strings.TrimSpace(s), "|", `\|`)
}

// oneLine replaces line breaks ("\n" or "\r\n") in s by spaces.
func oneLine(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", " "), "\n", " ")
}

// splitRow splits a table line "| a | b |" into its trimmed, unescaped
// cells; ok is false when the line is not framed by pipes.
func splitRow(line string) (cells []string, ok bool) {
	if len(line) < 2 || line[0] != '|' || line[len(line)-1] != '|' || escapedAt(line, len(line)-1) {
		return nil, false
	}
	inner := line[1 : len(line)-1]
	start := 0
	for i := 0; i < len(inner); i++ {
		if inner[i] == '|' && !escapedAt(inner, i) {
			cells = append(cells, unescapeCell(inner[start:i]))
			start = i + 1
		}
	}
	return append(cells, unescapeCell(inner[start:])), true
}

// escapedAt reports whether the byte at i is preceded by a backslash.
func escapedAt(s string, i int) bool { return i > 0 && s[i-1] == '\\' }

func unescapeCell(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, `\|`, "|"))
}

// isSeparatorRow reports whether cells are a table's alignment row
// (":---", "---:", "---" or ":---:").
func isSeparatorRow(cells []string) bool {
	for _, c := range cells {
		c = strings.TrimSuffix(strings.TrimPrefix(c, ":"), ":")
		if c == "" || strings.Trim(c, "-") != "" {
			return false
		}
	}
	return true
}

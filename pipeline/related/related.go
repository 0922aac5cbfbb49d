// Package related ranks the cards of the collection by how close they are
// to one card: the cosine similarity of their embeddings (vectors made by
// an [llm.Embedder] from [CardText]), computed in memory by [Rank] or an
// [Index]. [EnsureEmbeddings] embeds the cards that have no vector yet.
package related

import (
	"strings"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

// MaxTextChars bounds the text embedded for a card, in bytes: about 2,000
// tokens, well within every embeddings model's input limit (8,192 tokens
// for OpenAI's), and enough for a card's title, tags, summary and rows.
const MaxTextChars = 8000

// CardText is the text embedded for a card: its title, keywords, themes
// and summary, then the name and description of each row (signals,
// concerns, behaviors, technologies, issues), one per line, cut at
// [MaxTextChars] bytes on a character boundary. The most telling parts
// come first, so a cut drops the least.
func CardText(c schema.Card) string {
	var b strings.Builder
	b.Grow(1024)
	line := func(parts ...string) bool {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
		return b.Len() < MaxTextChars
	}
	list := func(label string, items []string) bool {
		if len(items) == 0 {
			return true
		}
		return line(label, ": ", strings.Join(items, ", "))
	}
	row := func(name, desc string) bool {
		name, desc = oneLine(name), oneLine(desc)
		switch {
		case name == "" && desc == "":
			return true
		case desc == "":
			return line(name)
		case name == "":
			return line(desc)
		}
		return line(name, ": ", desc)
	}
	ok := line(oneLine(c.Title)) && list("Keywords", c.Keywords) && list("Themes", c.Themes) &&
		(strings.TrimSpace(c.Summary) == "" || line(oneLine(c.Summary)))
	for i := 0; ok && i < len(c.Signals); i++ {
		ok = row(c.Signals[i].Name, c.Signals[i].Description)
	}
	for _, t := range c.RowTables() {
		for i := 0; ok && i < len(*t.Rows); i++ {
			r := (*t.Rows)[i]
			ok = row(r.Name, r.Description)
		}
	}
	return truncate(strings.TrimRight(b.String(), "\n"), MaxTextChars)
}

// oneLine folds the white space of s, new lines included, to single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

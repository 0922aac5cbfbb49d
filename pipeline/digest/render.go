package digest

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

// summaryChars bounds a notable card's summary in the digest.
const summaryChars = 300

// Markdown writes d as markdown: every text escaped (no raw HTML, no
// markdown syntax from pages or models), links only to http and https
// URLs.
func (d Digest) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", mdText(d.Title), d.SummaryLine())
	for _, s := range d.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n*%s*\n", mdText(s.Title), mdText(s.MetaLine()))
		if s.Synthesis != "" {
			fmt.Fprintf(&b, "\n%s\n", mdText(s.Synthesis))
		}
		if len(s.Implications) > 0 {
			b.WriteString("\nImplications:\n\n")
			for _, imp := range s.Implications {
				fmt.Fprintf(&b, "- %s", mdText(imp.Text))
				if len(imp.Cited) > 0 {
					links := make([]string, len(imp.Cited))
					for i, c := range imp.Cited {
						links[i] = mdLink(c.Title, c.URL)
					}
					fmt.Fprintf(&b, " (%s)", strings.Join(links, ", "))
				}
				b.WriteString("\n")
			}
		}
		if len(s.Rows) > 0 {
			b.WriteString("\nRows:\n\n")
			for _, r := range s.Rows {
				fmt.Fprintf(&b, "- **%s** (%s): %s — %s, %s\n", mdText(r.Name), mdText(r.Table), mdText(r.Description),
					mdLink(r.Title, r.URL), mdText(sourceLine(r.Host, r.Published)))
			}
		}
		b.WriteString("\nCards:\n\n")
		for _, c := range s.Cards {
			cited := ""
			if c.Cited {
				cited = " (cited)"
			}
			fmt.Fprintf(&b, "- %s — %s%s\n", mdLink(c.Title, c.URL), mdText(sourceLine(c.Host, c.Published)), cited)
		}
	}
	if len(d.Notable) > 0 {
		b.WriteString("\n## Notable cards\n\n")
		for _, c := range d.Notable {
			fmt.Fprintf(&b, "- %s — %s", mdLink(c.Title, c.URL), mdText(sourceLine(c.Host, c.Published)))
			if sum := clip(c.Summary, summaryChars); sum != "" {
				fmt.Fprintf(&b, "  \n  %s", mdText(sum))
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\n---\n\n%s\n", mdText(d.MadeBy()))
	_, err := io.WriteString(w, b.String())
	return err
}

// SummaryLine is the line under the title: the period, the cards and the
// topics.
func (d Digest) SummaryLine() string {
	return fmt.Sprintf("%s · %s · %s", period(d.Since, d.Until), plural(d.Cards, "card"), plural(len(d.Sections), "topic"))
}

// MadeBy says how the digest was written.
func (d Digest) MadeBy() string {
	u := d.Usage
	if u.Provider == "" {
		return "Extractive digest: no model was asked; each topic shows its rows and cards as stored."
	}
	return fmt.Sprintf("Syntheses by %s %s: %s, %s from the cache; tokens %d in, %d out; estimated cost %.4f USD.",
		u.Provider, u.Model, plural(u.Requests, "request"), plural(u.Cached, "answer"), u.InputTokens, u.OutputTokens, u.CostUSD)
}

// MetaLine describes a section: its label, cards, sources and dates.
func (s Section) MetaLine() string {
	line := fmt.Sprintf("%s · %s from %s", s.Label, plural(len(s.Cards), "card"), plural(s.Sources, "source"))
	if !s.First.IsZero() {
		line += " · " + period(s.First, s.Last)
	}
	return line
}

// plural is "1 card", "2 cards".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// period writes a period as two dates.
func period(since, until time.Time) string {
	switch {
	case since.IsZero() && until.IsZero():
		return "all dates"
	case since.IsZero():
		return "until " + until.Format(time.DateOnly)
	case until.IsZero() || since.Format(time.DateOnly) == until.Format(time.DateOnly):
		return since.Format(time.DateOnly)
	}
	return since.Format(time.DateOnly) + " to " + until.Format(time.DateOnly)
}

// sourceLine is a card's host and date.
func sourceLine(host string, published time.Time) string {
	parts := []string{}
	if host != "" {
		parts = append(parts, host)
	}
	if !published.IsZero() {
		parts = append(parts, published.Format(time.DateOnly))
	}
	return strings.Join(parts, ", ")
}

// mdText escapes s for markdown: control characters dropped, white space
// folded, "<" written as "&lt;", and the characters of markdown syntax
// backslashed.
func mdText(s string) string {
	s = strings.Join(strings.Fields(schema.DropBidiControls(schema.DropControls(s, " "))), " ")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
			continue
		case '\\', '`', '*', '_', '[', ']', '(', ')', '#', '|', '!', '~', '>':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdLink is a markdown link to u when it is an http or https URL, else
// the escaped text alone.
func mdLink(text, u string) string {
	text = mdText(text)
	if text == "" {
		text = mdText(u)
	}
	safe := SafeURL(u)
	if safe == "" {
		return text
	}
	return "[" + text + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(safe) + ")"
}

// SafeURL returns u when it is an absolute http or https URL, else "".
func SafeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// clip cuts s to n characters, marking a cut with "…".
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

//go:embed digest.html
var htmlText string

var htmlTemplate = template.Must(template.New("digest").Funcs(template.FuncMap{
	"safeURL": SafeURL,
	"period":  period,
	"source":  sourceLine,
	"clip":    func(s string) string { return clip(s, summaryChars) },
	"clean":   func(s string) string { return schema.DropBidiControls(schema.DropControls(s, " ")) },
}).Parse(htmlText))

// HTML writes d as a standalone HTML page: every text escaped by
// html/template, links only to http and https URLs.
func (d Digest) HTML(w io.Writer) error {
	return htmlTemplate.Execute(w, d)
}

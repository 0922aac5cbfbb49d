package markdown

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

// olderCard is a synthetic card in the 2022–2023 layout.
const olderCard = `# __Robots Repair Bridges__, from ([20220101](https://news.example/p/20220101).)

__[External link](https://example.org/robots?x=1)__



## Summary

Robots now inspect and repair old bridges.

## Keywords

* robots
* bridges

## Themes

* Maintenance

## Signals

| Signal         | Change          | 10y horizon      | Driving force   |
|:---------------|:----------------|:-----------------|:----------------|
| Repair robots  | Manual to robot | Robots everywhere | Labour shortage |

## Closest

* [Another Card](0123456789abcdef0123456789abcdef)
* [A (weird) label](https://x.example/a_(b))`

func TestParseOlderLayout(t *testing.T) {
	c, err := Parse(olderCard)
	if err != nil {
		t.Fatal(err)
	}
	want := schema.Card{
		URL:    "https://example.org/robots?x=1",
		Origin: &schema.Link{Label: "20220101", URL: "https://news.example/p/20220101"},
		Answer: schema.Answer{
			Title:    "Robots Repair Bridges",
			Keywords: []string{"robots", "bridges"},
			Themes:   []string{"Maintenance"},
			Summary:  "Robots now inspect and repair old bridges.",
			Signals: []schema.Signal{{Name: "Repair robots", Change: "Manual to robot",
				TenYear: "Robots everywhere", DrivingForce: "Labour shortage"}},
		},
		Closest: []schema.Link{
			{Label: "Another Card", URL: "0123456789abcdef0123456789abcdef"},
			{Label: "A (weird) label", URL: "https://x.example/a_(b)"},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Parse(olderCard):\n got %+v\nwant %+v", c, want)
	}
}

func TestParseTitleForms(t *testing.T) {
	tests := []struct {
		line   string
		title  string
		origin *schema.Link
	}{
		{"# __T__, (from page [L](https://u.example/).)", "T", &schema.Link{Label: "L", URL: "https://u.example/"}},
		{"# __T__, from ([L](u).)", "T", &schema.Link{Label: "L", URL: "u"}},
		{"# __T__", "T", nil},
		{"# ____", "", nil},
		{"# __A__, (from page [B](C).)__", "A__, (from page [B](C).)", nil},
		{"# __x__, (from page [a](b).)__, (from page [L](U).)", "x__, (from page [a](b).)", &schema.Link{Label: "L", URL: "U"}},
		{"# __T__, (from page [L](https://u.example/a_(b)).)", "T", &schema.Link{Label: "L", URL: "https://u.example/a_(b)"}},
	}
	for _, tt := range tests {
		c, err := Parse(tt.line + "\n\n__[External link](https://e.example)__")
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if c.Title != tt.title || !reflect.DeepEqual(c.Origin, tt.origin) {
			t.Errorf("Parse(%q): title %q origin %+v, want %q %+v", tt.line, c.Title, c.Origin, tt.title, tt.origin)
		}
	}
}

func TestParseRejectsMalformedCardsNamingTheLine(t *testing.T) {
	const head = "# __T__\n\n__[External link](u)__\n\n"
	tests := []struct {
		name     string
		markdown string
		line     int
		msg      string
	}{
		{"empty", "", 1, "title line"},
		{"no title", "Hello\n", 1, "title line"},
		{"no external link", "# __T__\n\nsome text", 3, "External link"},
		{"only a title", "# __T__\n\n", 3, "missing"},
		{"text before sections", head + "stray text\n## Keywords\n\n* a", 5, "section heading"},
		{"unknown section", head + "## Keywords\n\n* a\n\n## Ideas\n\n* b", 9, `unknown section "Ideas"`},
		{"second section", head + "## Themes\n\n* a\n\n## Themes\n\n* b", 9, "second"},
		{"not a list item", head + "## Keywords\n\n* a\n- b", 8, "list item"},
		{"bad other", head + "## Other\n\n* Category: city\n* Colour: red", 8, "Category"},
		{"twice category", head + "## Other\n\n* Category: city\n* Category: sport", 8, "once"},
		{"bad link", head + "## Closest\n\n* nothing", 7, "LABEL"},
		{"unknown column", head + "## Concerns\n\n| name | colour |\n|:--|:--|\n| a | b |", 7, `unexpected column "colour"`},
		{"no name column", head + "## Concerns\n\n| description |\n|:--|\n| a |", 7, "without"},
		{"column twice", head + "## Concerns\n\n| name | name |\n|:--|:--|", 7, "twice"},
		{"no separator", head + "## Concerns\n\n| name |\n| a |", 8, "alignment row"},
		{"header only", head + "## Concerns\n\n| name |", 7, "alignment row"},
		{"header not framed", head + "## Concerns\n\nname | description\n|:--|:--|", 7, "header row"},
		{"short row", head + "## Concerns\n\n| name | description |\n|:--|:--|\n| a |", 9, "2 cells"},
		{"blank line in table", head + "## Concerns\n\n| name |\n|:--|\n\n| a |", 9, "table row"},
		{"relevancy not a number", head + "## Signals\n\n| name | relevancy |\n|:--|--:|\n| a | high |", 9, `relevancy "high"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.markdown)
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("Parse: error %v, want a *ParseError", err)
			}
			if perr.Line != tt.line || !strings.Contains(perr.Msg, tt.msg) {
				t.Errorf("Parse: %v, want line %d and %q", err, tt.line, tt.msg)
			}
		})
	}
}

func TestParseAcceptsCRLFAndEmptySections(t *testing.T) {
	md := "# __T__\r\n\r\n__[External link](u)__\r\n\r\n## Keywords\r\n\r\n* a\r\n\r\n## Concerns\r\n\r\n## Summary\r\n\r\nS\r\n"
	c, err := Parse(md)
	if err != nil {
		t.Fatal(err)
	}
	want := schema.Card{URL: "u", Answer: schema.Answer{Title: "T", Keywords: []string{"a"}, Summary: "S"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

func TestParseUnescapesPipes(t *testing.T) {
	md := "# __T__\n\n__[External link](u)__\n\n## Issues\n\n| name | description |\n|:--|:--|\n| a \\| b | ends with \\ |"
	c, err := Parse(md)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Row{{Name: "a | b", Description: `ends with \`}}
	if !reflect.DeepEqual(c.Issues, want) {
		t.Errorf("got %+v, want %+v", c.Issues, want)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// survives a Render/Parse round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add(olderCard)
	f.Add("# __T__\n\n__[External link](u)__")
	seeds, _ := filepath.Glob(filepath.Join("testdata", "render", "*.md"))
	for _, path := range seeds {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, markdown string) {
		c, err := Parse(markdown)
		if err != nil {
			var perr *ParseError
			if !errors.As(err, &perr) || perr.Line < 1 {
				t.Fatalf("Parse error %v is not a *ParseError with a line", err)
			}
			return
		}
		rendered := Render(c)
		again, err := Parse(rendered)
		if err != nil {
			t.Fatalf("Parse(Render(c)): %v\nrendered:\n%s", err, rendered)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("Parse(Render(c)) != c:\n got %#v\nwant %#v", again, c)
		}
	})
}

// FuzzRender checks that whatever a card holds, Render writes markdown that
// Parse reads back.
func FuzzRender(f *testing.F) {
	f.Add("Title", "https://e.example/a b", "20260101 [x]", "https://o.example", "key\nword", "Sum\n## Keywords\n", "a | b", "Close [1]", 3)
	f.Fuzz(func(t *testing.T, title, url, label, originURL, keyword, summary, cell, closest string, relevancy int) {
		c := schema.Card{
			URL:    url,
			Origin: &schema.Link{Label: label, URL: originURL},
			Answer: schema.Answer{
				Title: title, Keywords: []string{keyword}, Themes: []string{cell},
				Category: schema.Category(keyword), Type: schema.Type(cell), Summary: summary,
				Signals: []schema.Signal{{Name: cell, Description: summary, Change: title, TenYear: label,
					DrivingForce: keyword, Relevancy: &relevancy}},
				Issues: []schema.Row{{Name: cell, Description: keyword}},
			},
			Closest: []schema.Link{{Label: closest, URL: originURL}},
		}
		md := Render(c)
		if _, err := Parse(md); err != nil {
			t.Fatalf("Parse(Render(c)): %v\n%s", err, md)
		}
	})
}

// TestSummaryHeadingLinesRoundTrip checks that summary lines that read as
// section headings, escaped or not, read back as they were written.
func TestSummaryHeadingLinesRoundTrip(t *testing.T) {
	for _, summary := range []string{"## Heading\nsecond line", `\## escaped`, `\\## twice`, "a ## b", "##no space"} {
		c := schema.Card{URL: "https://a.example/", Answer: schema.Answer{Title: "T", Summary: summary}}
		back, err := Parse(Render(c))
		if err != nil || back.Summary != summary {
			t.Errorf("summary %q read back as %q (%v)", summary, back.Summary, err)
		}
	}
}

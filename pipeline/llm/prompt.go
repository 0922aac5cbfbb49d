package llm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/veille/veille/prompts"
	"github.com/veille/veille/schema"
)

// Section is a group of card fields asked for in one request.
type Section struct {
	// Name identifies the section in logs.
	Name string
	// Fields are the Answer's JSON field names the section fills.
	Fields []string
}

// allFields lists every Answer field, in card order.
var allFields = []string{"title", "summary", "keywords", "themes", "category", "type",
	"signals", "concerns", "behaviors", "technologies", "issues"}

// rowFields are the Answer fields that hold tables with evidence.
var rowFields = []string{"signals", "concerns", "behaviors", "technologies", "issues"}

// headFields are the fields the merge pass writes for a long page.
var headFields = []string{"title", "summary", "keywords", "themes", "category", "type"}

// WholeCard is the default: one request for the whole card.
var WholeCard = Section{Name: "card", Fields: allFields}

// CardSections are the seven requests of --sectioned mode, one per part of
// the card, as the original generator made them.
var CardSections = []Section{
	{Name: "summary", Fields: []string{"title", "summary"}},
	{Name: "classification", Fields: []string{"keywords", "themes", "category", "type"}},
	{Name: "signals", Fields: []string{"signals"}},
	{Name: "concerns", Fields: []string{"concerns"}},
	{Name: "behaviors", Fields: []string{"behaviors"}},
	{Name: "technologies", Fields: []string{"technologies"}},
	{Name: "issues", Fields: []string{"issues"}},
}

// promptData is what the prompt templates see.
type promptData struct {
	Open, Close string
	URL, Title  string
	Text        string
	OutputLang  string
	PageLang    string // the page's language when known, e.g. "fr"
	Schema      string // the JSON Schema when it goes in the prompt, else empty
	fields      []string
	Errors      []string // for "repair"
	Truncated   bool     // for "repair"
	Parts       []string // for "merge"
}

// Want reports whether the prompt asks for the field.
func (d promptData) Want(field string) bool { return slices.Contains(d.fields, field) }

// WantTables reports whether the prompt asks for a concerns, behaviors,
// technologies or issues table.
func (d promptData) WantTables() bool {
	for _, f := range rowFields[1:] {
		if d.Want(f) {
			return true
		}
	}
	return false
}

// WantRows reports whether the prompt asks for any table with evidence.
func (d promptData) WantRows() bool {
	for _, f := range rowFields {
		if d.Want(f) {
			return true
		}
	}
	return false
}

// delimiters returns the lines that enclose a page in the user message.
// They carry a hash of everything inside the block (URL, title and text),
// so the page cannot contain its closing line: it would have to contain
// its own hash.
func delimiters(inside ...string) (open, close string) { return Delimiters("PAGE", inside...) }

// Delimiters returns the lines that enclose untrusted data of a kind
// ("PAGE", "CARDS") in a prompt: "<<<KIND tag>>>" and "<<<END KIND tag>>>",
// where tag is a hash of everything inside the block, so the data cannot
// contain its closing line: it would have to contain its own hash.
func Delimiters(kind string, inside ...string) (open, close string) {
	h := sha256.New()
	for _, s := range inside {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	tag := hex.EncodeToString(h.Sum(nil)[:6])
	return "<<<" + kind + " " + tag + ">>>", "<<<END " + kind + " " + tag + ">>>"
}

// pageData prepares the template data for asking fields about in.
func pageData(in Input, fields []string, schemaText string) promptData {
	text := strings.TrimSpace(in.Text)
	title := in.Title
	if title == "" {
		title = in.Metadata.Title
	}
	title = OneLine(title)
	url := OneLine(in.URL)
	open, close := delimiters(url, title, text)
	return promptData{Open: open, Close: close, URL: url, Title: title, Text: text,
		OutputLang: in.OutputLang, PageLang: OneLine(in.Lang), Schema: schemaText, fields: fields}
}

// OneLine collapses white space, new lines included, to single spaces, so
// that a value fits on one line of a prompt.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// renderMessages renders the system and user messages of one request.
func renderMessages(t prompts.Template, userBlock string, d promptData) (system, user string, err error) {
	if system, err = t.Execute("system", d); err != nil {
		return "", "", err
	}
	if user, err = t.Execute(userBlock, d); err != nil {
		return "", "", err
	}
	return system, user, nil
}

// answerSchema returns the checked-in answer schema, compacted.
func answerSchema() (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, schema.AnswerSchema()); err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	return b.Bytes(), nil
}

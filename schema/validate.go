package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Relevancy bounds: 0 is not relevant, 5 should not be missed.
const (
	MinRelevancy = 0
	MaxRelevancy = 5
)

// Problem is one thing wrong with a model's answer.
type Problem struct {
	// Path is the JSON Pointer of the offending value, e.g.
	// "/signals/2/relevancy"; "" is the whole answer.
	Path    string
	Message string
}

func (p Problem) String() string {
	path := p.Path
	if path == "" {
		path = "(root)"
	}
	return path + ": " + p.Message
}

// ValidationError lists everything wrong with a model's answer, each
// problem with its JSON path.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid answer: " + strings.Join(parts, "; ")
}

// Validator checks model answers against the compiled answer schema. A
// Validator is safe for concurrent use; build one with NewValidator to
// check many answers, or call Validate for one.
type Validator struct {
	schema *jsonschema.Schema
}

// NewValidator compiles the embedded card.schema.json.
func NewValidator() (*Validator, error) {
	sch, err := compileSchema("urn:veille:card.schema.json", answerSchema)
	if err != nil {
		return nil, err
	}
	return &Validator{schema: sch}, nil
}

// compileSchema compiles a JSON Schema document (draft 2020-12), naming it
// url; its $refs resolve within the document.
func compileSchema(url string, doc []byte) (*jsonschema.Schema, error) {
	d, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("read answer schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(url, d); err != nil {
		return nil, fmt.Errorf("load answer schema: %w", err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile answer schema: %w", err)
	}
	return sch, nil
}

// Validate checks a model's raw answer with a new Validator (compiling the
// schema takes about a millisecond; reuse a Validator for many answers).
func Validate(raw []byte) (Answer, error) {
	v, err := NewValidator()
	if err != nil {
		return Answer{}, err
	}
	return v.Validate(raw)
}

// Validate checks a model's raw answer against the answer's JSON Schema
// (card.schema.json) and then semantically (see Answer.Check), and decodes
// it. Model output is untrusted: any problem gives a *ValidationError
// naming the JSON path of each problem; input that is not one JSON value
// gives a plain error.
func (v *Validator) Validate(raw []byte) (Answer, error) {
	if err := validateJSON(v.schema, raw); err != nil {
		return Answer{}, err
	}
	var a Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return Answer{}, fmt.Errorf("decode answer: %w", err)
	}
	if err := a.Check(); err != nil {
		return Answer{}, err
	}
	return a, nil
}

// validateJSON checks raw against a compiled schema: a *ValidationError
// lists what is wrong; input that is not one JSON value gives a plain
// error.
func validateJSON(sch *jsonschema.Schema, raw []byte) error {
	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("answer is not JSON: %w", err)
	}
	if err := sch.Validate(instance); err != nil {
		verr, ok := err.(*jsonschema.ValidationError)
		if !ok {
			return fmt.Errorf("validate answer: %w", err)
		}
		return &ValidationError{Problems: schemaProblems(verr)}
	}
	return nil
}

// schemaProblems flattens a validation error tree into its leaves, the
// errors that say what is wrong, each at its instance path.
func schemaProblems(verr *jsonschema.ValidationError) []Problem {
	printer := message.NewPrinter(language.English)
	var problems []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			problems = append(problems, Problem{
				Path:    jsonPointer(e.InstanceLocation),
				Message: e.ErrorKind.LocalizedString(printer),
			})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(verr)
	return problems
}

// jsonPointer joins path tokens into a JSON Pointer (RFC 6901).
func jsonPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// Check makes the semantic checks a JSON Schema cannot express, or that a
// hand-built Answer (not decoded from validated JSON) may fail: a non-empty
// title, known category and type, non-empty keywords and themes, non-empty
// row names unique within their table (ignoring case and surrounding
// spaces), signal relevancy given and within 0–5, row relevancy absent or
// within 0–5. It returns nil or a *ValidationError.
func (a Answer) Check() error {
	var ps []Problem
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(a.Title) == "" {
		add("/title", "empty title")
	}
	if !slices.Contains(Categories, a.Category) {
		add("/category", "unknown category %q", a.Category)
	}
	if !slices.Contains(Types, a.Type) {
		add("/type", "unknown type %q", a.Type)
	}
	for _, list := range []struct {
		name  string
		items []string
	}{{"keywords", a.Keywords}, {"themes", a.Themes}} {
		for i, item := range list.items {
			if strings.TrimSpace(item) == "" {
				add(fmt.Sprintf("/%s/%d", list.name, i), "empty item")
			}
		}
	}
	signalNames := make([]string, len(a.Signals))
	for i, s := range a.Signals {
		signalNames[i] = s.Name
		path := fmt.Sprintf("/signals/%d/relevancy", i)
		switch {
		case s.Relevancy == nil:
			add(path, "missing relevancy")
		case !validRelevancy(*s.Relevancy):
			add(path, "relevancy %d out of range %d–%d", *s.Relevancy, MinRelevancy, MaxRelevancy)
		}
	}
	ps = append(ps, nameProblems("signals", signalNames)...)
	for _, t := range a.RowTables() {
		names := make([]string, len(*t.Rows))
		for i, r := range *t.Rows {
			names[i] = r.Name
			if r.Relevancy != nil && !validRelevancy(*r.Relevancy) {
				add(fmt.Sprintf("/%s/%d/relevancy", t.Key, i),
					"relevancy %d out of range %d–%d", *r.Relevancy, MinRelevancy, MaxRelevancy)
			}
		}
		ps = append(ps, nameProblems(t.Key, names)...)
	}
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

func validRelevancy(r int) bool { return r >= MinRelevancy && r <= MaxRelevancy }

// nameProblems reports empty names and names repeated within one table.
func nameProblems(table string, names []string) []Problem {
	var ps []Problem
	first := make(map[string]int, len(names))
	for i, name := range names {
		path := fmt.Sprintf("/%s/%d/name", table, i)
		key := strings.ToLower(strings.TrimSpace(name))
		if key == "" {
			ps = append(ps, Problem{Path: path, Message: "empty name"})
			continue
		}
		if j, seen := first[key]; seen {
			ps = append(ps, Problem{Path: path, Message: fmt.Sprintf("duplicate of /%s/%d/name %q", table, j, names[j])})
			continue
		}
		first[key] = i
	}
	return ps
}

// RowTable is one of an answer's four name/description tables.
type RowTable struct {
	Key     string // JSON key: "concerns"
	Heading string // markdown section: "Concerns"
	// Rows is the table itself, for callers that edit it in place.
	Rows *[]Row
}

// RowTables lists a's four row tables in card order: concerns, behaviors,
// technologies, issues.
func (a *Answer) RowTables() []RowTable {
	return []RowTable{
		{"concerns", "Concerns", &a.Concerns},
		{"behaviors", "Behaviors", &a.Behaviors},
		{"technologies", "Technologies", &a.Technologies},
		{"issues", "Issues", &a.Issues},
	}
}

package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/veille/veille/schema"
)

// validateAnswer checks that raw is one JSON object valid against the JSON
// Schema sub (the answer schema or a part of it), and that relevancies lie
// in 0–5. Model output is untrusted: this runs on every answer.
func validateAnswer(raw []byte, sub json.RawMessage) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("answer is not valid JSON: %w", err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return errors.New("answer is not a JSON object")
	}
	sch, err := compileSchema(sub)
	if err != nil {
		return err
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("answer does not match the schema: %s", oneLine(err.Error()))
	}
	a, err := decodeAnswer(raw)
	if err != nil {
		return err
	}
	return checkRelevancies(a)
}

// compileSchema compiles a JSON Schema document.
func compileSchema(sub json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sub))
	if err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("answer.json", doc); err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	sch, err := c.Compile("answer.json")
	if err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	return sch, nil
}

// decodeAnswer decodes a JSON answer into a schema.Answer.
func decodeAnswer(raw []byte) (schema.Answer, error) {
	var a schema.Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return schema.Answer{}, fmt.Errorf("decode answer: %w", err)
	}
	return a, nil
}

// checkRelevancies reports relevancies outside 0–5.
func checkRelevancies(a schema.Answer) error {
	var bad []string
	check := func(section string, i int, r *int) {
		if r != nil && (*r < 0 || *r > 5) {
			bad = append(bad, fmt.Sprintf("%s[%d].relevancy is %d, not 0-5", section, i, *r))
		}
	}
	for i, s := range a.Signals {
		check("signals", i, s.Relevancy)
	}
	for _, t := range rowTables(&a) {
		for i, r := range *t.rows {
			check(t.name, i, r.Relevancy)
		}
	}
	if bad != nil {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

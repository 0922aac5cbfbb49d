package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/veille/veille/schema"
)

// validateAnswer checks a model's raw answer for the given fields. A whole
// card goes through schema.Validate (JSON Schema and semantic checks); a
// part of one (a --sectioned request, the merge pass) is checked against
// the schema restricted to its fields (sub) and by the semantic checks
// that concern those fields. Model output is untrusted: this runs on every
// answer.
func validateAnswer(raw []byte, sub json.RawMessage, fields []string) error {
	if len(fields) == len(allFields) {
		_, err := schema.Validate(raw)
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("answer is not JSON: %w", err)
	}
	sch, err := compileSchema(sub)
	if err != nil {
		return err
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("invalid answer: %s", oneLine(err.Error()))
	}
	a, err := decodeAnswer(raw)
	if err != nil {
		return err
	}
	return checkFields(a, fields)
}

// checkFields runs schema's semantic checks and keeps the problems that
// concern fields.
func checkFields(a schema.Answer, fields []string) error {
	var verr *schema.ValidationError
	if err := a.Check(); !errors.As(err, &verr) {
		return err
	}
	var kept []schema.Problem
	for _, p := range verr.Problems {
		top, _, _ := strings.Cut(strings.TrimPrefix(p.Path, "/"), "/")
		if slices.Contains(fields, top) {
			kept = append(kept, p)
		}
	}
	if kept == nil {
		return nil
	}
	return &schema.ValidationError{Problems: kept}
}

// compileSchema compiles a JSON Schema document.
func compileSchema(sub json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sub))
	if err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	const url = "urn:veille:card-part.schema.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	sch, err := c.Compile(url)
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

package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// AnswerFieldsSchema returns the answer schema restricted to the given
// top-level fields, compacted: their properties, only those required, and
// only the $defs they reference. It is the schema of one section of a card
// (a --sectioned request asks for a few fields at a time). With every
// field of the schema, it is AnswerSchema compacted. A field the schema
// does not have is an error.
func AnswerFieldsSchema(fields ...string) ([]byte, error) {
	var root struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
		Defs       map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(answerSchema, &root); err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	kept := map[string]json.RawMessage{}
	for _, f := range fields {
		p, ok := root.Properties[f]
		if !ok {
			return nil, fmt.Errorf("answer schema has no field %q", f)
		}
		kept[f] = p
	}
	if len(kept) == len(root.Properties) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, answerSchema); err != nil {
			return nil, fmt.Errorf("answer schema: %w", err)
		}
		return compact.Bytes(), nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(answerSchema, &doc); err != nil {
		return nil, fmt.Errorf("answer schema: %w", err)
	}
	var required []string // in schema order
	for _, f := range root.Required {
		if _, ok := kept[f]; ok {
			required = append(required, f)
		}
	}
	defs, err := referencedDefs(kept, root.Defs)
	if err != nil {
		return nil, err
	}
	delete(doc, "$defs")
	parts := map[string]any{"properties": kept, "required": required}
	if len(defs) > 0 {
		parts["$defs"] = defs
	}
	for k, v := range parts {
		if doc[k], err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("answer schema: %w", err)
		}
	}
	return json.Marshal(doc)
}

// referencedDefs returns the definitions that schemas refer to with
// "$ref": "#/$defs/Name", directly or through other definitions.
func referencedDefs(schemas map[string]json.RawMessage, defs map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	used := map[string]json.RawMessage{}
	var queue []json.RawMessage
	for _, s := range schemas {
		queue = append(queue, s)
	}
	for len(queue) > 0 {
		var node any
		if err := json.Unmarshal(queue[0], &node); err != nil {
			return nil, fmt.Errorf("answer schema: %w", err)
		}
		queue = queue[1:]
		for _, ref := range refsIn(node) {
			name, ok := strings.CutPrefix(ref, "#/$defs/")
			def, found := defs[name]
			if !ok || !found {
				return nil, fmt.Errorf("answer schema: unresolved $ref %q", ref)
			}
			if _, seen := used[name]; !seen {
				used[name] = def
				queue = append(queue, def)
			}
		}
	}
	return used, nil
}

// refsIn returns the values of every "$ref" keyword in a decoded JSON
// value.
func refsIn(node any) []string {
	var refs []string
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if s, ok := v.(string); ok && k == "$ref" {
				refs = append(refs, s)
				continue
			}
			refs = append(refs, refsIn(v)...)
		}
	case []any:
		for _, v := range n {
			refs = append(refs, refsIn(v)...)
		}
	}
	return refs
}

// ValidateFields checks a model's raw answer that fills only the given
// top-level fields (one section of a card): against AnswerFieldsSchema of
// those fields, then by the semantic checks of Answer.Check that concern
// them. With every field it checks what Validate checks. Problems come as
// a *ValidationError naming the JSON path of each; input that is not one
// JSON value, or an unknown field, gives a plain error. It compiles the
// restricted schema on each call (about a millisecond).
func ValidateFields(raw []byte, fields ...string) error {
	sub, err := AnswerFieldsSchema(fields...)
	if err != nil {
		return err
	}
	sch, err := compileSchema("urn:veille:card-fields.schema.json", sub)
	if err != nil {
		return err
	}
	if err := validateJSON(sch, raw); err != nil {
		return err
	}
	var a Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return checkFields(a, fields)
}

// checkFields runs Answer.Check and keeps the problems that concern
// fields.
func checkFields(a Answer, fields []string) error {
	var verr *ValidationError
	if err := a.Check(); !errors.As(err, &verr) {
		return err
	}
	var kept []Problem
	for _, p := range verr.Problems {
		top, _, _ := strings.Cut(strings.TrimPrefix(p.Path, "/"), "/")
		if p.Path == "" || slices.Contains(fields, top) {
			kept = append(kept, p)
		}
	}
	if kept == nil {
		return nil
	}
	return &ValidationError{Problems: kept}
}

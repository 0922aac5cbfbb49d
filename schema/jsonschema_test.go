package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"
)

func TestAnswerSchemaFileIsUpToDate(t *testing.T) {
	generated, err := GenerateAnswerSchema()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(generated, AnswerSchema()) {
		t.Errorf("schema/card.schema.json is out of date with the Go types: run `go generate ./schema`\n%s",
			firstDifference(string(AnswerSchema()), string(generated)))
	}
}

// strictKeywords are the JSON Schema keywords OpenAI Structured Outputs
// supports in strict mode (no allOf, oneOf, not, if/then/else,
// patternProperties, …).
var strictKeywords = []string{
	"type", "properties", "required", "additionalProperties", "items",
	"enum", "const", "description", "title", "anyOf", "$defs", "$ref",
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minItems", "maxItems", "pattern", "format",
}

// TestAnswerSchemaFollowsStrictMode checks the rules of OpenAI Structured
// Outputs in strict mode on the checked-in file: the root is an object
// (not anyOf), every object forbids additional properties and requires
// all its properties, optional values are nullable through a type list,
// nesting is at most 5 levels, only supported keywords appear, and every
// property carries a description for the model.
func TestAnswerSchemaFollowsStrictMode(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(AnswerSchema(), &root); err != nil {
		t.Fatal(err)
	}
	if root["type"] != "object" {
		t.Errorf("root type %v, want object", root["type"])
	}
	if _, ok := root["anyOf"]; ok {
		t.Error("root is anyOf")
	}
	depth := checkStrict(t, "#", root, 1)
	if depth > 5 {
		t.Errorf("objects nest %d levels deep, want at most 5", depth)
	}
}

// checkStrict checks one schema node and returns how many object levels
// it nests (counting itself).
func checkStrict(t *testing.T, path string, node map[string]any, level int) int {
	t.Helper()
	for k := range node {
		if !slices.Contains(strictKeywords, k) {
			t.Errorf("%s: keyword %q is not supported in strict mode", path, k)
		}
	}
	if types, ok := node["type"].([]any); ok {
		if len(types) != 2 || types[1] != "null" {
			t.Errorf("%s: type %v, want [T, \"null\"]", path, types)
		}
	}
	deepest := level - 1
	if node["type"] == "object" {
		deepest = level
		if node["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties is %v, want false", path, node["additionalProperties"])
		}
		props, _ := node["properties"].(map[string]any)
		var names, required []string
		for name, p := range props {
			names = append(names, name)
			child, _ := p.(map[string]any)
			if d, _ := child["description"].(string); d == "" {
				t.Errorf("%s/properties/%s: no description", path, name)
			}
			deepest = max(deepest, checkStrict(t, path+"/properties/"+name, child, level+1))
		}
		for _, r := range node["required"].([]any) {
			required = append(required, r.(string))
		}
		sort.Strings(names)
		sort.Strings(required)
		if !slices.Equal(names, required) {
			t.Errorf("%s: required %v, want every property %v", path, required, names)
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		deepest = max(deepest, checkStrict(t, path+"/items", items, level))
	}
	return deepest
}

func TestAnswerSchemaRelevancy(t *testing.T) {
	var root struct {
		Properties map[string]struct {
			Items struct {
				Properties map[string]json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(AnswerSchema(), &root); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"signals":      `{"type":"integer","maximum":5,"minimum":0}`,
		"concerns":     `{"type":["integer","null"],"maximum":5,"minimum":0}`,
		"behaviors":    `{"type":["integer","null"],"maximum":5,"minimum":0}`,
		"technologies": `{"type":["integer","null"],"maximum":5,"minimum":0}`,
		"issues":       `{"type":["integer","null"],"maximum":5,"minimum":0}`,
	}
	for table, want := range tests {
		var got map[string]any
		if err := json.Unmarshal(root.Properties[table].Items.Properties["relevancy"], &got); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		delete(got, "description")
		var w map[string]any
		json.Unmarshal([]byte(want), &w)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s relevancy: %v, want %v", table, got, w)
		}
		if _, ok := root.Properties[table].Items.Properties["evidence"]; !ok {
			t.Errorf("%s: no evidence property", table)
		}
	}
}

func TestAnswerSchemaReturnsACopy(t *testing.T) {
	b := AnswerSchema()
	b[0] = 'x'
	if AnswerSchema()[0] == 'x' {
		t.Error("AnswerSchema shares its bytes with the caller")
	}
}

package schema

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

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
// (not anyOf), every object (those under $defs too) forbids additional
// properties and requires all its properties, optional values are
// nullable through a type list, nesting is at most 5 levels counted
// through $ref, only supported keywords appear, and every property carries
// a description for the model. Each $ref points into the root's $defs,
// and every definition is used.
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
	defs, _ := root["$defs"].(map[string]any)
	c := &strictChecker{t: t, defs: defs, levels: map[string]int{}, open: map[string]bool{}}
	depth := c.check("#", root, 1)
	if depth > 5 {
		t.Errorf("objects nest %d levels deep, want at most 5", depth)
	}
	for name := range defs {
		if _, used := c.levels[name]; !used {
			t.Errorf("#/$defs/%s is never referenced", name)
		}
	}
}

// strictChecker walks a schema for TestAnswerSchemaFollowsStrictMode,
// following each $ref into the root's $defs.
type strictChecker struct {
	t      *testing.T
	defs   map[string]any
	levels map[string]int  // object levels of each definition checked
	open   map[string]bool // definitions being checked, to stop on a cycle
}

// check checks one schema node and returns how many object levels it
// nests (counting itself), through references.
func (c *strictChecker) check(path string, node map[string]any, level int) int {
	c.t.Helper()
	if ref, ok := node["$ref"]; ok {
		return c.checkRef(path, ref, node, level)
	}
	for k := range node {
		if !slices.Contains(strictKeywords, k) {
			c.t.Errorf("%s: keyword %q is not supported in strict mode", path, k)
		}
		if k == "$defs" && path != "#" {
			c.t.Errorf("%s: $defs below the root", path)
		}
	}
	if types, ok := node["type"].([]any); ok {
		if len(types) != 2 || types[1] != "null" {
			c.t.Errorf("%s: type %v, want [T, \"null\"]", path, types)
		}
	}
	deepest := level - 1
	if node["type"] == "object" {
		deepest = c.checkObject(path, node, level)
	}
	if items, ok := node["items"].(map[string]any); ok {
		deepest = max(deepest, c.check(path+"/items", items, level))
	}
	return deepest
}

// checkObject checks an object node's properties and returns its depth.
func (c *strictChecker) checkObject(path string, node map[string]any, level int) int {
	c.t.Helper()
	if node["additionalProperties"] != false {
		c.t.Errorf("%s: additionalProperties is %v, want false", path, node["additionalProperties"])
	}
	deepest := level
	props, _ := node["properties"].(map[string]any)
	var names, required []string
	for name, p := range props {
		names = append(names, name)
		child, _ := p.(map[string]any)
		if d, _ := child["description"].(string); d == "" {
			c.t.Errorf("%s/properties/%s: no description", path, name)
		}
		deepest = max(deepest, c.check(path+"/properties/"+name, child, level+1))
	}
	list, _ := node["required"].([]any)
	for _, r := range list {
		required = append(required, r.(string))
	}
	sort.Strings(names)
	sort.Strings(required)
	if !slices.Equal(names, required) {
		c.t.Errorf("%s: required %v, want every property %v", path, required, names)
	}
	return deepest
}

// checkRef checks a {"$ref": "#/$defs/Name"} node and the definition it
// points to, which counts at the reference's level.
func (c *strictChecker) checkRef(path string, ref any, node map[string]any, level int) int {
	c.t.Helper()
	if len(node) != 1 {
		c.t.Errorf("%s: $ref with other keywords %v", path, node)
	}
	s, _ := ref.(string)
	name, ok := strings.CutPrefix(s, "#/$defs/")
	def, found := c.defs[name].(map[string]any)
	if !ok || !found {
		c.t.Errorf("%s: $ref %q does not point into the root's $defs", path, ref)
		return level - 1
	}
	if c.open[name] {
		c.t.Errorf("%s: recursive $ref %q", path, ref)
		return level - 1
	}
	if levels, checked := c.levels[name]; checked {
		return level - 1 + levels
	}
	c.open[name] = true
	deepest := c.check("#/$defs/"+name, def, level)
	delete(c.open, name)
	c.levels[name] = deepest - level + 1
	return deepest
}

// TestAnswerSchemaDefinesRowOnce checks that the four row tables share one
// definition instead of four copies: the schema goes with every request.
func TestAnswerSchemaDefinesRowOnce(t *testing.T) {
	s := readAnswerSchema(t)
	refs := map[string]bool{}
	for _, table := range []string{"concerns", "behaviors", "technologies", "issues"} {
		refs[s.Properties[table].Items.Ref] = true
	}
	if len(refs) != 1 || refs[""] {
		t.Errorf("row tables' items: %v, want one shared $ref", refs)
	}
	if got := strings.Count(string(AnswerSchema()), `"evidence"`); got != 2*2 {
		t.Errorf("\"evidence\" appears %d times, want 4 (Signal and Row, each property and required)", got)
	}
}

// answerSchemaDoc is the part of card.schema.json the tests look into.
type answerSchemaDoc struct {
	Defs       map[string]objectSchema `json:"$defs"`
	Properties map[string]struct {
		Items struct {
			Ref string `json:"$ref"`
		}
	}
}

type objectSchema struct {
	Properties map[string]json.RawMessage
}

func readAnswerSchema(t *testing.T) answerSchemaDoc {
	t.Helper()
	var s answerSchemaDoc
	if err := json.Unmarshal(AnswerSchema(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// item returns the definition a table's items refer to.
func (s answerSchemaDoc) item(t *testing.T, table string) objectSchema {
	t.Helper()
	name, ok := strings.CutPrefix(s.Properties[table].Items.Ref, "#/$defs/")
	def, found := s.Defs[name]
	if !ok || !found {
		t.Fatalf("%s: items %q, want a $ref into $defs", table, s.Properties[table].Items.Ref)
	}
	return def
}

func TestAnswerSchemaRelevancy(t *testing.T) {
	s := readAnswerSchema(t)
	tests := map[string]string{
		"signals":      `{"type":"integer","maximum":5,"minimum":0}`,
		"concerns":     `{"type":["integer","null"],"maximum":5,"minimum":0}`,
		"behaviors":    `{"type":["integer","null"],"maximum":5,"minimum":0}`,
		"technologies": `{"type":["integer","null"],"maximum":5,"minimum":0}`,
		"issues":       `{"type":["integer","null"],"maximum":5,"minimum":0}`,
	}
	for table, want := range tests {
		item := s.item(t, table)
		var got map[string]any
		if err := json.Unmarshal(item.Properties["relevancy"], &got); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		delete(got, "description")
		var w map[string]any
		json.Unmarshal([]byte(want), &w)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s relevancy: %v, want %v", table, got, w)
		}
		if _, ok := item.Properties["evidence"]; !ok {
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

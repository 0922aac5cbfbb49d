package main

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"
	"github.com/veille/veille/schema"
)

// answerDescription is the description of the schema's root object.
const answerDescription = "A signal card for foresight analysts about one source text. " +
	"Every row carries evidence: a short verbatim quote from the source text."

// generate reflects the JSON Schema of Answer from the Go types
// and returns it indented, with a final newline: the content of
// card.schema.json.
//
// Each object type (Signal, Row) is defined once under "$defs" and
// referenced with "$ref" wherever it is used: the four row tables share
// one definition, which keeps the schema, sent with every request, short.
// Strict mode accepts $defs and $ref. The string enums (Category, Type)
// stay inline at their properties.
//
// Run `go generate ./schema` after changing the types.
func generate() ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:      true, // no $id
		ExpandedStruct: true, // the root is Answer itself, not a $ref to it
		Mapper:         enumSchema,
	}
	s := r.Reflect(&schema.Answer{})
	nullableRelevancy(s.Definitions["Row"])
	s.Version = "" // no $schema keyword: strict mode does not list it
	s.Description = answerDescription
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("generate answer schema: %w", err)
	}
	return append(b, '\n'), nil
}

// enumSchema gives the schema of Category and Type, string enums, so that
// the reflector writes it inline rather than under $defs; nil for any
// other type.
func enumSchema(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[schema.Category]():
		return stringEnum(schema.Categories)
	case reflect.TypeFor[schema.Type]():
		return stringEnum(schema.Types)
	}
	return nil
}

func stringEnum[S ~string](values []S) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "string"}
	for _, v := range values {
		s.Enum = append(s.Enum, string(v))
	}
	return s
}

// nullableRelevancy makes a row's relevancy nullable in the generated
// schema, in the form strict mode accepts: "type": ["integer", "null"].
func nullableRelevancy(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	p, ok := s.Properties.Get("relevancy")
	if !ok {
		return
	}
	p.Type = ""
	if p.Extras == nil {
		p.Extras = map[string]any{}
	}
	p.Extras["type"] = []string{"integer", "null"}
}

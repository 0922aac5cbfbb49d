package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"
)

//go:generate go run ./internal/genschema card.schema.json

// answerSchema is card.schema.json, the JSON Schema of a model's answer,
// generated from the Go types by GenerateAnswerSchema.
//
//go:embed card.schema.json
var answerSchema []byte

// AnswerSchema returns the JSON Schema of a model's answer (an Answer), as
// checked in at schema/card.schema.json. It follows the rules of OpenAI
// Structured Outputs in strict mode, so it can go as is into a
// response_format of type json_schema with strict set. The caller owns the
// returned slice.
func AnswerSchema() []byte {
	return bytes.Clone(answerSchema)
}

// AnswerSchemaName is the name under which the schema is sent to a model
// (OpenAI's json_schema.name: letters, digits, '_' and '-').
const AnswerSchemaName = "signal_card"

// answerDescription is the description of the schema's root object.
const answerDescription = "A signal card for foresight analysts about one source text. " +
	"Every row carries evidence: a short verbatim quote from the source text."

// GenerateAnswerSchema reflects the JSON Schema of Answer from the Go types
// and returns it indented, with a final newline: the content of
// card.schema.json. Run `go generate ./schema` after changing the types.
//
// Each object type (Signal, Row) is defined once under "$defs" and
// referenced with "$ref" wherever it is used: the four row tables share
// one definition, which keeps the schema, sent with every request, short.
// Strict mode accepts $defs and $ref. The string enums (Category, Type)
// stay inline at their properties.
func GenerateAnswerSchema() ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:      true, // no $id
		ExpandedStruct: true, // the root is Answer itself, not a $ref to it
		Mapper:         enumSchema,
	}
	s := r.Reflect(&Answer{})
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
	case reflect.TypeFor[Category]():
		return stringEnum(Categories)
	case reflect.TypeFor[Type]():
		return stringEnum(Types)
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

// JSONSchemaExtend makes a row's relevancy nullable in the generated schema,
// in the form strict mode accepts: "type": ["integer", "null"].
func (Row) JSONSchemaExtend(s *jsonschema.Schema) {
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

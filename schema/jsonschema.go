package schema

import (
	"bytes"
	_ "embed"
)

//go:generate go run ./internal/genschema card.schema.json

// answerSchema is card.schema.json, the JSON Schema of a model's answer,
// generated from the Go types by the genschema command (go generate).
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

package llm

import (
	"encoding/json"
	"fmt"

	"github.com/veille/veille/schema"
)

// decodeAnswer decodes a JSON answer into a schema.Answer. Model answers
// are validated first with schema.ValidateFields, for the fields asked.
func decodeAnswer(raw []byte) (schema.Answer, error) {
	var a schema.Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return schema.Answer{}, fmt.Errorf("decode answer: %w", err)
	}
	return a, nil
}

package main

import (
	"encoding/json"
	"testing"

	"github.com/veille/veille/schema"
)

func TestSchemaPrintsTheAnswerSchema(t *testing.T) {
	stdout, stderr, code := runExtract(t, "", "schema")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != string(schema.AnswerSchema()) {
		t.Error("extract schema does not print schema/card.schema.json")
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil || v["type"] != "object" {
		t.Errorf("extract schema: not a JSON object schema (%v)", err)
	}
}

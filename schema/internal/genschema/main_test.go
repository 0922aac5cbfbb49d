package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

func TestAnswerSchemaFileIsUpToDate(t *testing.T) {
	generated, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(generated, schema.AnswerSchema()) {
		t.Errorf("schema/card.schema.json is out of date with the Go types: run `go generate ./schema`\n%s",
			firstDifference(string(schema.AnswerSchema()), string(generated)))
	}
}

// firstDifference describes the first line where want and got differ.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, wl, gl)
		}
	}
	return "no line differs"
}

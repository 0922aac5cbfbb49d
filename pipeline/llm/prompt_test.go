package llm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

// TestPromptGolden renders the default prompt for a fixed page and compares
// it with testdata/model/prompt.golden (UPDATE_GOLDEN=1 rewrites it).
func TestPromptGolden(t *testing.T) {
	tests := []struct {
		name, golden string
		in           Input
		fields       []string
		jsonMode     bool
	}{
		{"whole card", "prompt_card.golden", Input{URL: "https://example.com/a", Title: "Un titre\nsur deux lignes", Lang: "fr",
			Text: "Premier paragraphe.\nSecond paragraphe."}, allFields, false},
		{"signals section in English, JSON mode", "prompt_signals.golden", Input{Text: "Texte.", OutputLang: "en"},
			[]string{"signals"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewChatModel("test", "test-model", schemaBackend{}, ChatOptions{})
			if err != nil {
				t.Fatal(err)
			}
			m.jsonMode.Store(tt.jsonMode)
			sub, err := schema.AnswerFieldsSchema(tt.fields...)
			if err != nil {
				t.Fatal(err)
			}
			req, err := m.request(sub, func(s string) promptData { return pageData(tt.in, tt.fields, s) }, "user")
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, msg := range req.Messages {
				b.WriteString("=== " + msg.Role + "\n" + msg.Content + "\n")
			}
			got := b.String()
			path := filepath.Join("testdata", "model", tt.golden)
			if os.Getenv("UPDATE_GOLDEN") == "1" {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("rendered prompt differs from %s:\n%s", path, got)
			}
		})
	}
}

// schemaBackend is a Backend that enforces the schema itself and is never
// called: enough to render requests.
type schemaBackend struct{}

func (schemaBackend) Complete(context.Context, Request) (Response, error) {
	return Response{}, errors.New("schemaBackend sends nothing")
}

func (schemaBackend) SchemaInPrompt() bool { return false }

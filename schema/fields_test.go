package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestAnswerFieldsSchema(t *testing.T) {
	tests := []struct {
		name     string
		fields   []string
		required []string
		defs     []string
	}{
		{"head fields need no definition", []string{"summary", "title"}, []string{"title", "summary"}, nil},
		{"signals bring their definition", []string{"signals"}, []string{"signals"}, []string{"Signal"}},
		{"a row table brings the row", []string{"issues"}, []string{"issues"}, []string{"Row"}},
		{"several row tables share it", []string{"issues", "concerns", "issues"}, []string{"concerns", "issues"}, []string{"Row"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := AnswerFieldsSchema(tt.fields...)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Type       string
				Properties map[string]json.RawMessage
				Required   []string
				Defs       map[string]json.RawMessage `json:"$defs"`
				Additional *bool                      `json:"additionalProperties"`
			}
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Required, tt.required) {
				t.Errorf("required %v, want %v (schema order)", got.Required, tt.required)
			}
			if props := slices.Sorted(maps.Keys(got.Properties)); !slices.Equal(props, slices.Sorted(slices.Values(tt.required))) {
				t.Errorf("properties %v, want %v", props, tt.required)
			}
			if defs := slices.Sorted(maps.Keys(got.Defs)); !slices.Equal(defs, tt.defs) {
				t.Errorf("$defs %v, want %v", defs, tt.defs)
			}
			if got.Type != "object" || got.Additional == nil || *got.Additional {
				t.Errorf("root type %q, additionalProperties %v: want a closed object", got.Type, got.Additional)
			}
		})
	}
}

func TestAnswerFieldsSchemaOfEveryFieldIsTheAnswerSchema(t *testing.T) {
	var props struct{ Required []string }
	if err := json.Unmarshal(AnswerSchema(), &props); err != nil {
		t.Fatal(err)
	}
	got, err := AnswerFieldsSchema(props.Required...)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	json.Compact(&want, AnswerSchema())
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("AnswerFieldsSchema of every field is not card.schema.json compacted")
	}
}

func TestAnswerFieldsSchemaRejectsAnUnknownField(t *testing.T) {
	if _, err := AnswerFieldsSchema("title", "mood"); err == nil || !strings.Contains(err.Error(), `"mood"`) {
		t.Errorf("err = %v, want one naming the unknown field", err)
	}
}

func TestValidateFields(t *testing.T) {
	const signal = `{"name": "Mandatory green roofs", "description": "d", "change": "c",
		"10-year": "t", "driving-force": "f", "relevancy": 4, "evidence": "e"}`
	const row = `{"name": "Costs", "description": "d", "relevancy": null, "evidence": "e"}`
	tests := []struct {
		name   string
		raw    string
		fields []string
		path   string // of the first problem; "" with msg "" for a valid answer
		msg    string
	}{
		{"valid signals", `{"signals": [` + signal + `]}`, []string{"signals"}, "", ""},
		{"valid rows through the shared definition", `{"concerns": [` + row + `], "issues": []}`, []string{"concerns", "issues"}, "", ""},
		{"every field is a whole answer", validAnswer, []string{"title", "keywords", "themes", "category", "type",
			"summary", "signals", "concerns", "behaviors", "technologies", "issues"}, "", ""},
		{"row checked through $ref", `{"issues": [{"name": "n", "description": "d", "relevancy": 9, "evidence": "e"}]}`,
			[]string{"issues"}, "/issues/0/relevancy", "maximum"},
		{"row without evidence", `{"issues": [{"name": "n", "description": "d", "relevancy": 1}]}`,
			[]string{"issues"}, "/issues/0", "evidence"},
		{"field not asked", `{"signals": [], "title": "A title"}`, []string{"signals"}, "", "title"},
		{"asked field missing", `{}`, []string{"signals"}, "", "signals"},
		{"semantic check on an asked field", `{"concerns": [` + row + `,` + row + `]}`, []string{"concerns"},
			"/concerns/1/name", "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateFields([]byte(tt.raw), tt.fields...)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("ValidateFields: %v", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			p := verr.Problems[0]
			if p.Path != tt.path || !strings.Contains(p.Message, tt.msg) {
				t.Errorf("first problem %v, want %s: …%s…", p, tt.path, tt.msg)
			}
		})
	}
}

func TestValidateFieldsIgnoresProblemsOfOtherFields(t *testing.T) {
	// Check sees an empty title and unknown category and type in a
	// section that does not ask for them: not this section's problem.
	if err := ValidateFields([]byte(`{"behaviors": []}`), "behaviors"); err != nil {
		t.Errorf("ValidateFields: %v", err)
	}
}

func TestValidateFieldsRejectsWhatIsNotJSON(t *testing.T) {
	err := ValidateFields([]byte(`{"signals": [`), "signals")
	var verr *ValidationError
	if err == nil || errors.As(err, &verr) {
		t.Errorf("err = %v, want a plain error", err)
	}
}

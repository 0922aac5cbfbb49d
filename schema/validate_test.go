package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// validAnswer is a complete, valid model answer.
const validAnswer = `{
  "title": "Zürich makes green roofs compulsory on new buildings to adapt to heat",
  "keywords": ["green roofs", "zürich"],
  "themes": ["climate adaptation"],
  "category": "city",
  "type": "news",
  "summary": "Zürich requires green roofs.",
  "signals": [{"name": "Mandatory green roofs", "description": "d", "change": "c",
    "10-year": "t", "driving-force": "f", "relevancy": 4, "evidence": "all new flat roofs"}],
  "concerns": [{"name": "Costs", "description": "d", "relevancy": null, "evidence": "e"},
    {"name": "Leaks", "description": "d", "relevancy": 0, "evidence": "e"}],
  "behaviors": [],
  "technologies": [],
  "issues": [{"name": "Heat", "description": "d", "relevancy": 5, "evidence": ""}]
}`

func TestValidateAcceptsAValidAnswer(t *testing.T) {
	a, err := Validate([]byte(validAnswer))
	if err != nil {
		t.Fatal(err)
	}
	four, five := 4, 5
	if a.Category != CategoryCity || a.Type != TypeNews || len(a.Signals) != 1 ||
		!reflect.DeepEqual(a.Signals[0].Relevancy, &four) || a.Signals[0].Evidence != "all new flat roofs" ||
		a.Concerns[0].Relevancy != nil || !reflect.DeepEqual(a.Issues[0].Relevancy, &five) {
		t.Errorf("Validate decoded %+v", a)
	}
}

// edit returns validAnswer with old replaced by new (exactly once).
func edit(t *testing.T, old, new string) []byte {
	t.Helper()
	if strings.Count(validAnswer, old) != 1 {
		t.Fatalf("%q is not once in validAnswer", old)
	}
	return []byte(strings.Replace(validAnswer, old, new, 1))
}

func TestValidateNamesTheJSONPath(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		path string
		msg  string
	}{
		{"missing property", edit(t, `"summary": "Zürich requires green roofs.",`, ""), "", "summary"},
		{"extra property", edit(t, `"type": "news",`, `"type": "news", "mood": "happy",`), "", "mood"},
		{"signal relevancy too high", edit(t, `"relevancy": 4`, `"relevancy": 6`), "/signals/0/relevancy", "maximum"},
		{"signal relevancy null", edit(t, `"relevancy": 4`, `"relevancy": null`), "/signals/0/relevancy", "integer"},
		{"row relevancy not an integer", edit(t, `"relevancy": 0`, `"relevancy": 2.5`), "/concerns/1/relevancy", "integer"},
		{"row relevancy negative", edit(t, `"relevancy": 0`, `"relevancy": -1`), "/concerns/1/relevancy", "minimum"},
		{"unknown category", edit(t, `"category": "city"`, `"category": "business"`), "/category", "must be one of"},
		{"unknown type", edit(t, `"type": "news"`, `"type": "tweet"`), "/type", "must be one of"},
		{"keywords not an array", edit(t, `["green roofs", "zürich"]`, `"green roofs"`), "/keywords", "array"},
		{"row without evidence", edit(t, `"relevancy": 5, "evidence": ""`, `"relevancy": 5`), "/issues/0", "evidence"},
		{"empty title", edit(t, `"title": "Zürich makes green roofs compulsory on new buildings to adapt to heat"`, `"title": " "`), "/title", "empty"},
		{"empty keyword", edit(t, `"zürich"`, `""`), "/keywords/1", "empty"},
		{"empty row name", edit(t, `"name": "Heat"`, `"name": "  "`), "/issues/0/name", "empty name"},
		{"duplicate row name", edit(t, `"name": "Leaks"`, `"name": " costs"`), "/concerns/1/name", "duplicate of /concerns/0/name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(tt.raw)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate: %v, want a *ValidationError", err)
			}
			for _, p := range verr.Problems {
				if p.Path == tt.path && strings.Contains(p.Message, tt.msg) {
					return
				}
			}
			t.Errorf("Validate: %v, want a problem at %q mentioning %q", err, tt.path, tt.msg)
		})
	}
}

func TestValidateRejectsWhatIsNotOneJSONValue(t *testing.T) {
	for _, raw := range []string{"", "not json", `{"title": "x"} trailing`, "```json\n{}\n```"} {
		_, err := Validate([]byte(raw))
		var verr *ValidationError
		if err == nil || errors.As(err, &verr) || !strings.Contains(err.Error(), "not JSON") {
			t.Errorf("Validate(%q): %v, want a not-JSON error", raw, err)
		}
	}
}

func TestCheckOnAHandBuiltAnswer(t *testing.T) {
	six := 6
	a := Answer{
		Title: "t", Category: CategoryScience, Type: TypeBlogPost,
		Signals: []Signal{{Name: "a"}, {Name: "A"}},
		Issues:  []Row{{Name: "x", Relevancy: &six}},
	}
	err := a.Check()
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Check: %v, want a *ValidationError", err)
	}
	want := []Problem{
		{"/signals/0/relevancy", "missing relevancy"},
		{"/signals/1/relevancy", "missing relevancy"},
		{"/signals/1/name", `duplicate of /signals/0/name "a"`},
		{"/issues/0/relevancy", "relevancy 6 out of range 0–5"},
	}
	if !reflect.DeepEqual(verr.Problems, want) {
		t.Errorf("Check problems:\n got %v\nwant %v", verr.Problems, want)
	}
	if got := verr.Error(); !strings.HasPrefix(got, "invalid answer: /signals/0/relevancy: missing relevancy; ") {
		t.Errorf("Error() = %q", got)
	}
}

func TestValidatorIsReusable(t *testing.T) {
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := v.Validate([]byte(validAnswer)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.Validate(edit(t, `"relevancy": 4`, `"relevancy": 9`)); err == nil {
		t.Error("a reused Validator accepted relevancy 9")
	}
}

// BenchmarkValidate measures Validate, which compiles the schema each time.
func BenchmarkValidate(b *testing.B) {
	raw := []byte(validAnswer)
	for b.Loop() {
		if _, err := Validate(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidatorValidate measures a reused Validator.
func BenchmarkValidatorValidate(b *testing.B) {
	v, err := NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	raw := []byte(validAnswer)
	for b.Loop() {
		if _, err := v.Validate(raw); err != nil {
			b.Fatal(err)
		}
	}
}

package ground

import (
	"testing"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

func TestGroundLocatesEvidence(t *testing.T) {
	const french = "Le gouvernement du Québec a interdit l'usage des assistants virtuels d'IA générative.\n" +
		"« L'éducation est la clé d'une adoption sécuritaire », affirme Olivier Blais."
	const japanese = "東京都は2030年までに、すべての新築住宅に太陽光パネルの設置を義務付ける方針を発表した。"
	const russian = "Правительство объявило о запрете генеративного ИИ в государственных учреждениях."
	tests := []struct {
		name, text, evidence string
		wantMethod           string
		wantQuote            string // the text at the span's rune offsets
	}{
		{"exact French", french, "l'usage des assistants virtuels", schema.GroundExact, "l'usage des assistants virtuels"},
		{"normalised case, spaces, apostrophe", french, "L’ÉDUCATION  est la clé d’une adoption", schema.GroundNormalised,
			"L'éducation est la clé d'une adoption"},
		{"normalised across a line break", french, "d'IA générative. « L'éducation", schema.GroundNormalised,
			"d'IA générative.\n« L'éducation"},
		{"fuzzy, a word missing", french, "usage des assistants virtuels IA générative", schema.GroundFuzzy,
			"usage des assistants virtuels d'IA générative"},
		{"exact Japanese", japanese, "太陽光パネルの設置", schema.GroundExact, "太陽光パネルの設置"},
		{"fuzzy Japanese", japanese, "すべての新築住宅に太陽光パネル設置", schema.GroundFuzzy, "すべての新築住宅に太陽光パネルの設置"},
		{"normalised Russian", russian, "ЗАПРЕТЕ генеративного ИИ", schema.GroundNormalised, "запрете генеративного ИИ"},
		{"absent", french, "Les robots prendront le pouvoir en 2030", schema.GroundNone, ""},
		{"empty", french, "  ", schema.GroundNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := newTextIndex(tt.text).locate(tt.evidence)
			if sp.Method != tt.wantMethod {
				t.Fatalf("method = %s, want %s (span %+v)", sp.Method, tt.wantMethod, sp)
			}
			if tt.wantMethod == schema.GroundNone {
				if sp.Start != -1 || sp.End != -1 {
					t.Errorf("ungrounded span has offsets %d-%d", sp.Start, sp.End)
				}
				return
			}
			if got := string([]rune(tt.text)[sp.Start:sp.End]); got != tt.wantQuote {
				t.Errorf("text at %d-%d = %q, want %q", sp.Start, sp.End, got, tt.wantQuote)
			}
		})
	}
}

func TestGroundAndDropUngrounded(t *testing.T) {
	text := "Les villes plantent des arbres. Les voitures électriques se multiplient."
	rel := 3
	a := schema.Answer{
		Signals: []schema.Signal{{Name: "a", Evidence: "plantent des arbres", Relevancy: &rel},
			{Name: "b", Evidence: "inventé de toutes pièces", Relevancy: &rel}},
		Technologies: []schema.Row{{Name: "c", Evidence: "Les voitures électriques"}},
		Issues:       []schema.Row{{Name: "d", Evidence: "rien de tel ici"}},
	}
	spans := Locate(text, a)
	if got := TallyOf(spans); got != (Tally{Rows: 4, Grounded: 2, Ungrounded: 2}) {
		t.Fatalf("tally = %+v", got)
	}
	kept := DropUngrounded(&a, spans)
	if len(a.Signals) != 1 || a.Signals[0].Name != "a" || len(a.Technologies) != 1 || len(a.Issues) != 0 {
		t.Errorf("after dropping: %+v", a)
	}
	if len(kept) != 2 || kept[0].Section != "signals" || kept[0].Row != 0 || kept[1].Section != "technologies" {
		t.Errorf("kept spans = %+v", kept)
	}
}

// FuzzGround checks that any evidence on any text gives a span within the
// text's characters, and that exact and normalised spans are real.
func FuzzGround(f *testing.F) {
	f.Add("Le Québec « interdit » l'IA.", "québec « INTERDIT »")
	f.Add("東京都は太陽光パネル", "太陽光")
	f.Add("a  b\tc", "A B C")
	f.Fuzz(func(t *testing.T, text, evidence string) {
		if !utf8.ValidString(text) || !utf8.ValidString(evidence) {
			return
		}
		sp := newTextIndex(text).locate(evidence)
		n := len([]rune(text))
		switch sp.Method {
		case schema.GroundNone:
			if sp.Start != -1 || sp.End != -1 {
				t.Fatalf("ungrounded span %+v", sp)
			}
		case schema.GroundExact, schema.GroundNormalised, schema.GroundFuzzy:
			if sp.Start < 0 || sp.End > n || sp.Start >= sp.End {
				t.Fatalf("span %d-%d outside text of %d characters", sp.Start, sp.End, n)
			}
		default:
			t.Fatalf("unknown method %q", sp.Method)
		}
	})
}

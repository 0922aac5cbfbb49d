package eval

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"L'IA générative", []string{"l", "ia", "generative"}},
		{"Main-d’œuvre ÉDUCATION à Zürich!", []string{"main", "d", "oeuvre", "education", "a", "zurich"}},
		{"85% of 1,000 — GPT-4o", []string{"85", "of", "1", "000", "gpt", "4o"}},
		{"Straße Ærø Łódź", []string{"strasse", "aero", "lodz"}},
		{"e\u0301te\u0301", []string{"ete"}}, // combining accents
		{"東京 AI", []string{"東京", "ai"}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldPlural(t *testing.T) {
	tests := map[string]string{
		"technologies": "technology", "risks": "risk", "risques": "risque",
		"journaux": "journaux", "bureaux": "bureau", "process": "process",
		"virus": "virus", "analysis": "analysis", "gas": "gas", "ai": "ai",
		"politiques": "politique", "chickens": "chicken",
	}
	for in, want := range tests {
		if got := FoldPlural(in); got != want {
			t.Errorf("FoldPlural(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareSets(t *testing.T) {
	tests := []struct {
		name       string
		gold, pred []string
		matched    int
		p, r       float64
	}{
		{"normalisation", []string{"IA Générative", "Risques", "e-commerce"}, []string{"ia generative", "risque", "E-Commerce!"}, 3, 1, 1},
		{"near match", []string{"artificial intelligence"}, []string{"intelligence"}, 1, 1, 1},
		{"stop words do not make near matches", []string{"future of work"}, []string{"future of cities"}, 0, 0, 0},
		{"duplicates fold", []string{"AI", "ai", "A.I"}, []string{"AI"}, 1, 1, 0.5},
		{"one-to-one", []string{"energy storage"}, []string{"energy storage", "storage of energy"}, 1, 0.5, 1},
		{"empty prediction", []string{"x1"}, nil, 0, 0, 0},
		{"empty gold", nil, []string{"x1"}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := CompareSets(tt.gold, tt.pred)
			if s.Matched != tt.matched {
				t.Errorf("matched = %d, want %d (%+v)", s.Matched, tt.matched, s)
			}
			assertNear(t, "precision", s.Precision, tt.p, 1e-9)
			assertNear(t, "recall", s.Recall, tt.r, 1e-9)
		})
	}
}

func TestCompareText(t *testing.T) {
	s := CompareText("The cat was found under the bed", "the cat was under the bed.")
	assertNear(t, "ROUGE-1", s.Rouge1, 12.0/13, 1e-9)
	assertNear(t, "ROUGE-2", s.Rouge2, 2*0.8*(4.0/6)/(0.8+4.0/6), 1e-9)
	assertNear(t, "ROUGE-L", s.RougeL, 12.0/13, 1e-9)

	one := CompareText("Cybathlon", "cybathlon")
	assertNear(t, "one-word title", one.Score, 1, 0)
	assertNear(t, "different one-word title", CompareText("Cybathlon", "Marathon").Score, 0, 0)
	assertNear(t, "empty prediction", CompareText("a title here", "").Score, 0, 0)
	assertNear(t, "accents folded", CompareText("Éducation à l'IA", "education a l ia").Score, 1, 0)
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"", "L'IA générative", "main-d’œuvre", "東京 AI", "e\u0301", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokens(s) {
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("Tokens(%q): bad token %q", s, tok)
			}
			if strings.IndexFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
				t.Fatalf("Tokens(%q): token %q has a separator", s, tok)
			}
			if strings.ToLower(tok) != tok {
				t.Fatalf("Tokens(%q): token %q is not lower case", s, tok)
			}
		}
		// A text compared with itself scores 1.
		if got := CompareText(s, s).Score; got != 1 {
			t.Fatalf("CompareText(%q, itself) = %v", s, got)
		}
	})
}

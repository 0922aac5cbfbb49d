package cardindex

import (
	"testing"

	"github.com/veille/veille/schema"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"voitures", "voiture"}, {"voiture", "voiture"},
		{"cities", "city"}, {"city", "city"},
		{"buses", "bus"}, {"bus", "bus"},
		{"Énergies", "energy"}, {"énergie", "energy"}, {"energy", "energy"}, {"energies", "energy"},
		{"technologies", "technology"}, {"technologie", "technology"},
		{"réseaux", "reseau"}, {"journaux", "journal"}, {"jeux", "jeu"},
		{"boxes", "box"}, {"churches", "church"}, {"classes", "class"}, {"classe", "class"},
		{"taxes", "tax"}, {"taxe", "tax"}, {"causes", "caus"}, {"cause", "caus"},
		{"business", "business"}, {"businesses", "business"}, {"virus", "virus"}, {"viruses", "virus"},
		{"analysis", "analysis"}, {"news", "news"}, {"children", "child"}, {"gases", "gas"},
		{"les", "les"}, {"vies", "vie"}, {"2026", "2026"}, {"Straße", "straße"},
	}
	for _, tt := range tests {
		if got := Words(tt.in); len(got) != 1 || got[0] != tt.want {
			t.Errorf("Words(%q) = %q, want [%q]", tt.in, got, tt.want)
		}
	}
}

func TestTokensKeepOffsets(t *testing.T) {
	text := "L'énergie — des «voitures» e\u0301lectriques!"
	want := []string{"L", "énergie", "des", "voitures", "e\u0301lectriques"}
	ts := Tokens(text)
	if len(ts) != len(want) {
		t.Fatalf("Tokens = %+v", ts)
	}
	for i, tok := range ts {
		if got := text[tok.Start:tok.End]; got != want[i] {
			t.Errorf("token %d = %q, want %q", i, got, want[i])
		}
	}
	if ts[4].Word != "electrique" {
		t.Errorf("combining accent: folded %q, want electrique", ts[4].Word)
	}
}

func TestExcerpt(t *testing.T) {
	want := map[string]bool{"voiture": true, "electrique": true}
	text := "Un long texte sur la ville. Il parle de tout et de rien, puis enfin des voitures électriques qui roulent en ville chaque jour sans bruit."
	got, score := Excerpt(text, want, 12)
	o, c := schema.SnippetOpen, schema.SnippetClose
	if wantSnippet := "…enfin des " + o + "voitures" + c + " " + o + "électriques" + c + " qui roulent en ville chaque jour sans bruit"; got != wantSnippet || score != [2]int{2, 2} {
		t.Errorf("Excerpt = %q %v\nwant     %q", got, score, wantSnippet)
	}
	if got, _ := Excerpt("rien à voir", want, 12); got != "" {
		t.Errorf("Excerpt without a match = %q, want empty", got)
	}
}

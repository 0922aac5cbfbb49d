package cardindex

import (
	"encoding/json"
	"reflect"
	"strings"
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
	want := map[string]bool{"voiture": true, "electrique": true, "intelligence": true}
	o, c := schema.SnippetOpen, schema.SnippetClose
	for _, tc := range []struct {
		name, text, want string
		score            [2]int
	}{
		{"best window", "Un long texte sur la ville. Il parle de tout et de rien, puis enfin des voitures électriques qui roulent en ville chaque jour sans bruit.",
			"…enfin des " + o + "voitures" + c + " " + o + "électriques" + c + " qui roulent en ville chaque jour sans bruit", [2]int{2, 2}},
		{"spaces around punctuation kept", "L'intelligence artificielle (IA) pose aux universités, soulignant…",
			"L'" + o + "intelligence" + c + " artificielle (IA) pose aux universités, soulignant", [2]int{1, 1}},
		{"line breaks and runs of spaces are one space", "voitures\n\n  électriques :\tbientôt",
			o + "voitures" + c + " " + o + "électriques" + c + " : bientôt", [2]int{2, 2}},
		{"no match", "rien à voir", "", [2]int{}},
	} {
		got, score := Excerpt(tc.text, want, 12)
		if got != tc.want || score != tc.score {
			t.Errorf("%s: Excerpt = %q %v\nwant       %q %v", tc.name, got, score, tc.want, tc.score)
		}
	}
}

// fromCardCases are cards whose JSON FromCard must read as Decode does.
func fromCardCases() []schema.Card {
	rel := 4
	return []schema.Card{
		{},
		{URL: "https://example.com/a", Origin: &schema.Link{Label: "digest", URL: "https://digest.example/1"},
			Answer: schema.Answer{Title: "Énergies <solaires> & vent", Keywords: []string{"solaire", " Vent "},
				Themes: []string{}, Category: schema.CategoryScience, Type: schema.TypeNews, Summary: "Un résumé.",
				Signals:  []schema.Signal{{Name: "s", Description: "d", Change: "c", Relevancy: &rel}},
				Concerns: []schema.Row{{Name: "n", Description: "d", Evidence: "e"}}, Behaviors: []schema.Row{},
				Technologies: []schema.Row{{Name: "t", Relevancy: &rel}}}},
		{Answer: schema.Answer{Title: "bad \xff\xfe utf-8 \xe2\x82", Keywords: []string{"ok", "k\x80"},
			Themes: []string{"\xc3"}, Category: "x\xff", Summary: "\u2028 line \u2029",
			Issues: []schema.Row{{Name: "\xff", Description: "a\xffb"}}}, Origin: &schema.Link{URL: "\xff"}},
	}
}

func TestFromCardReadsAsDecode(t *testing.T) {
	for i, card := range fromCardCases() {
		js, err := json.Marshal(card)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := FromCard(card), Decode(string(js)); !reflect.DeepEqual(got, want) {
			t.Errorf("card %d: FromCard = %+v\nDecode    %+v", i, got, want)
		}
	}
}

func FuzzFromCard(f *testing.F) {
	f.Add("titre", "mot", "résumé\xff")
	f.Fuzz(func(t *testing.T, title, keyword, text string) {
		card := schema.Card{Answer: schema.Answer{Title: title, Keywords: []string{keyword}, Summary: text,
			Concerns: []schema.Row{{Name: keyword, Description: text}}}}
		js, err := json.Marshal(card)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := FromCard(card), Decode(string(js)); !reflect.DeepEqual(got, want) {
			t.Errorf("FromCard = %+v\nDecode    %+v", got, want)
		}
	})
}

func FuzzFoldedText(f *testing.F) {
	f.Add("L'énergie — des «voitures» e\u0301lectriques! ABC 2026")
	f.Fuzz(func(t *testing.T, s string) {
		words := Words(s)
		if got, want := FoldedText(s), strings.Join(words, " "); got != want {
			t.Errorf("FoldedText(%q) = %q, want the words %q", s, got, want)
		}
		var each []string
		EachWord(s, func(w string) { each = append(each, w) })
		if strings.Join(each, " ") != strings.Join(words, " ") || len(each) != len(words) {
			t.Errorf("EachWord(%q) gave %q, want the words %q", s, each, words)
		}
		ts := Tokens(s)
		if len(ts) != len(words) {
			t.Fatalf("Tokens(%q) = %d tokens, Words %d", s, len(ts), len(words))
		}
		for i, tok := range ts {
			if tok.Word != words[i] || Words(s[tok.Start:tok.End])[0] != tok.Word {
				t.Errorf("token %d of %q: %+v, word %q", i, s, tok, words[i])
			}
		}
	})
}

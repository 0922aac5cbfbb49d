package offline

import (
	"slices"
	"strings"
	"testing"
)

func TestKeywords(t *testing.T) {
	text := strings.Join([]string{
		"Heat pumps are spreading fast",
		"Across Europe, heat pumps now outsell gas boilers in several countries.",
		"The MTA and the city of New York City study heat pumps for subway stations.",
		"Installers say heat pumps cut energy bills, and the MTA agrees.",
		"New York City wants every new building to use heat pumps by 2030.",
		"Critics of heat pumps point to the cost of installation in old buildings.",
	}, "\n")
	got := Card(Page{Text: text, Lang: "en"}).Keywords
	for _, want := range []string{"heat pumps", "MTA", "New York City"} {
		if !slices.Contains(got, want) {
			t.Errorf("keywords %q lack %q", got, want)
		}
	}
	names := map[string]bool{"MTA": true, "New": true, "York": true, "City": true}
	for _, kw := range got {
		for _, w := range strings.Fields(kw) {
			if !names[w] && w != strings.ToLower(w) {
				t.Errorf("keyword %q: %q should be lower case, as the page writes it", kw, w)
			}
		}
		if strings.Contains(kw, ",") {
			t.Errorf("keyword %q has a comma", kw)
		}
	}
}

func TestTokenizeFrench(t *testing.T) {
	toks := tokenize("L'IA générative, aujourd'hui, qu'on utilise", newLexicon("fr"))
	var words []string
	for _, tok := range toks {
		words = append(words, tok.text)
	}
	want := []string{"L", "IA", "générative", "aujourd'hui", "qu", "on", "utilise"}
	if !slices.Equal(words, want) {
		t.Fatalf("tokens = %q, want %q", words, want)
	}
	if !toks[0].elided || !toks[0].stop || toks[1].stop || !toks[3].breakBefore {
		t.Errorf("token marks wrong: %+v", toks[:4])
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct{ declared, text, want string }{
		{"fr-CA", "The text is English.", "fr"},
		{"en-US", "Le texte est en français.", "en"},
		{"", "Le gouvernement a annoncé une nouvelle politique pour les villes et les régions.", "fr"},
		{"", "The government announced a new policy for cities and regions.", "en"},
		{"de", "", "en"},
	}
	for _, tc := range tests {
		if got := language(tc.declared, tc.text); got != tc.want {
			t.Errorf("language(%q, %q) = %q, want %q", tc.declared, tc.text, got, tc.want)
		}
	}
}

func TestThemesAreCommonNouns(t *testing.T) {
	text := "Assistive technology helps people. Cutting-edge technology and wearable technology compete at the Cybathlon in Zurich. " +
		"Zurich hosts the Cybathlon, where assistive technology meets sport. Wearable technology is growing."
	got := Card(Page{Text: text, Lang: "en"}).Themes
	if len(got) == 0 || got[0] != "technology" {
		t.Errorf("themes = %q, want the shared head %q first", got, "technology")
	}
	for _, th := range got {
		if th != strings.ToLower(th) {
			t.Errorf("theme %q is not a lower-case common noun", th)
		}
	}
}

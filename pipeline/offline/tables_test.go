package offline

import (
	"slices"
	"strings"
	"testing"
)

func TestCueListMarks(t *testing.T) {
	cues := newCueList("risk|fear|lack of|could lead to|manque de|risque")
	tests := []struct {
		sentence string
		first    string
		distinct int
		marked   []int
	}{
		{"the risk is real and the risk grows", "risk", 1, []int{1, 6}},
		{"users fear a lack of support", "fear", 2, []int{1, 3}},
		{"a lack in the market", "", 0, nil},
		{"this could lead to a risk", "could lead to", 2, []int{1, 5}},
		{"don't fear the future", "", 0, nil},
		{"there is no real risk", "", 0, nil},
		{"not a fear but a risk", "risk", 1, []int{5}},
		{"il n y a pas de risque", "", 0, nil},
		{"le manque de formation reste un risque", "manque de", 2, []int{1, 6}},
	}
	for _, tc := range tests {
		t.Run(tc.sentence, func(t *testing.T) {
			marks, first, distinct := cues.marks(strings.Fields(tc.sentence))
			var marked []int
			for k, m := range marks {
				if m {
					marked = append(marked, k)
				}
			}
			if first != tc.first || distinct != tc.distinct || !slices.Equal(marked, tc.marked) {
				t.Errorf("marks = %v, %q, %d; want %v, %q, %d", marked, first, distinct, tc.marked, tc.first, tc.distinct)
			}
		})
	}
}

func TestDensestWindow(t *testing.T) {
	marks := func(n int, at ...int) []bool {
		m := make([]bool, n)
		for _, k := range at {
			m[k] = true
		}
		return m
	}
	tests := []struct {
		name  string
		marks []bool
		n     int
		want  int
	}{
		{"no mark: the start", marks(30), 10, 0},
		{"one mark: centred on it", marks(30, 15), 10, 10},
		{"one mark near the end: clamped", marks(30, 28), 10, 20},
		{"a cluster beats the first mark", marks(30, 2, 20, 23, 26), 10, 17},
		{"equal windows: the one centred on the first mark", marks(40, 10, 30), 10, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := densestWindow(tc.marks, tc.n); got != tc.want {
				t.Errorf("densestWindow = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	cues := newCueList("risk|fear|outdated|exposing|vulnerable|érosion")
	tests := []struct {
		name, sentence, want string
	}{
		{"short sentence kept whole", "Grid operators fear that demand could strain networks.",
			"Grid operators fear that demand could strain networks."},
		{"long sentence cut around its cues",
			"“Learning in Public” is scary for many reasons – people can find and cling to outdated information and users are exposing their knowledge during a vulnerable time in the project.",
			"…can find and cling to outdated information and users are exposing their knowledge during a vulnerable…"},
		{"French elided article before a cue",
			"Depuis des mois, les syndicats et plusieurs directions des ministères évoquent publiquement l'érosion de la confiance des agents envers les outils numériques.",
			"…syndicats et plusieurs directions des ministères évoquent publiquement l'érosion de la confiance des agents envers les…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := describe(tc.sentence, cues); got != tc.want {
				t.Errorf("describe = %q\nwant       %q", got, tc.want)
			}
		})
	}
}

// TestConcernsDifferFromSignals checks that a sentence already quoted as a
// weak signal comes after the other risk sentences in the concerns table,
// and that a concern is named by a noun phrase of its description.
func TestConcernsDifferFromSignals(t *testing.T) {
	text := "Heat pumps in homes\n" +
		"Installers warn of a growing shortage of technicians, a risk for the heat pump market.\n" +
		"Grid operators fear that the demand of heat pumps could strain local electricity networks.\n" +
		"Heat pumps are popular in homes across the region."
	card := Card(Page{Text: text, Lang: "en"})
	if len(card.Signals) == 0 || !strings.HasPrefix(card.Signals[0].Evidence, "Installers") {
		t.Fatalf("signals = %+v, want the installers' sentence first", card.Signals)
	}
	if len(card.Concerns) != 2 {
		t.Fatalf("concerns = %+v, want two rows", card.Concerns)
	}
	if !strings.HasPrefix(card.Concerns[0].Evidence, "Grid operators") {
		t.Errorf("first concern = %q, want the sentence that is not a signal", card.Concerns[0].Evidence)
	}
	for _, c := range card.Concerns {
		if !strings.Contains(strings.ToLower(c.Description), strings.ToLower(c.Name)) {
			t.Errorf("concern %q is not named by words of its description %q", c.Name, c.Description)
		}
	}
}

// TestConcernNamedByRiskPhrase checks that a concern is named by its danger
// and what is in danger, as the description words them, and that verbs
// ("installers warn of", "led to") do not name one.
func TestConcernNamedByRiskPhrase(t *testing.T) {
	tests := []struct {
		lang, text, want string
	}{
		{"en", "Heat pumps in homes\nExperts see a growing shortage of trained technicians in the heat pump market.", "Shortage of trained technicians"},
		{"en", "Learning in public\nSome learners report a fear of public judgment when they share their notes online.", "Fear of public judgment"},
		{"fr", "L'IA au travail\nLes agents signalent un manque de formation à l'IA générative dans les ministères.", "Manque de formation"},
	}
	for _, tc := range tests {
		card := Card(Page{Text: tc.text, Lang: tc.lang})
		if len(card.Concerns) == 0 || card.Concerns[0].Name != tc.want {
			t.Errorf("concerns of %q = %+v, want the first named %q", tc.text, card.Concerns, tc.want)
		}
	}
}

func TestIsVerbForm(t *testing.T) {
	for w, want := range map[string]bool{
		"launched": true, "completed": true, "previously": true, "rapidly": true, "exactly": true,
		"need": false, "speed": false, "bed": false, "family": false, "supply": false, "assembly": false,
		"elderly": false, "technology": false, "ally": false,
	} {
		if got := isVerbForm(w); got != want {
			t.Errorf("isVerbForm(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestIsBoilerplate(t *testing.T) {
	for s, want := range map[string]bool{
		"Sign up for the free daily newsletter.":                  true,
		"(Reporting by Will Dunham; Editing by Tom Brown)":        true,
		"Follow him on Twitter @michaeldwall.":                    true,
		"This shop has been compensated by #CollectiveBias, Inc.": true,
		"Get the latest updates right in your inbox.":             true,
		"Inscrivez-vous à notre lettre d'information.":            true,
		"© Reuters": true,
		"Consumers will sign up for several streaming services.":      false,
		"If you were to subscribe to all three services, you'd pay.":  false,
		"Les abonnés de la newsletter sont de plus en plus nombreux.": false,
	} {
		if got := isBoilerplate(s); got != want {
			t.Errorf("isBoilerplate(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestBehaviorNamedByActionNoun checks that a behavior is named by a noun
// of action and its complement when its description has one, and that a
// verb in "-age" ("engage in") does not name one.
func TestBehaviorNamedByActionNoun(t *testing.T) {
	tests := []struct {
		lang, text, want string
	}{
		{"en", "Heat pumps at home\nMany households report a quick adoption of heat pumps after the new subsidy.", "Adoption of heat pumps"},
		{"fr", "L'IA au travail\nDe nombreux employés critiquent l'interdiction des assistants dans les ministères.", "Interdiction des assistants"},
	}
	for _, tc := range tests {
		card := Card(Page{Text: tc.text, Lang: tc.lang})
		if len(card.Behaviors) == 0 || card.Behaviors[0].Name != tc.want {
			t.Errorf("behaviors of %q = %+v, want the first named %q", tc.text, card.Behaviors, tc.want)
		}
	}
	if isActionNoun("engage") || !isActionNoun("investment") {
		t.Error("isActionNoun: want investment, not engage")
	}
}

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

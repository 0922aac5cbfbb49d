package eval

import (
	"strings"

	"github.com/veille/veille/schema"
)

// The sections of a card, in report order. Each section has one score in
// [0,1] per card.
const (
	SectionKeywords     = "keywords"
	SectionThemes       = "themes"
	SectionCategory     = "category"
	SectionType         = "type"
	SectionTitle        = "title"
	SectionSummary      = "summary"
	SectionSignals      = "signals"
	SectionConcerns     = "concerns"
	SectionBehaviors    = "behaviors"
	SectionTechnologies = "technologies"
	SectionIssues       = "issues"
)

// Sections lists every section in report order.
func Sections() []string {
	return []string{SectionKeywords, SectionThemes, SectionCategory, SectionType,
		SectionTitle, SectionSummary, SectionSignals, SectionConcerns,
		SectionBehaviors, SectionTechnologies, SectionIssues}
}

// tableSections lists the sections that are tables, in report order.
func tableSections() []string {
	return []string{SectionSignals, SectionConcerns, SectionBehaviors, SectionTechnologies, SectionIssues}
}

// SectionScore is one section's score. A section whose gold content is empty
// (an older gold card has no Concerns table, no category) is not applicable:
// it has no score and is left out of every mean.
type SectionScore struct {
	Section string  `json:"section"`
	Score   float64 `json:"score"`
	NA      bool    `json:"na,omitempty"`
}

// Overall is the mean of the applicable section scores (0 when none is
// applicable). It is the one definition of the overall score: of a card from
// its section scores, and of a run from the run's section scores.
func Overall(sections []SectionScore) float64 {
	var sum float64
	n := 0
	for _, s := range sections {
		if !s.NA {
			sum += s.Score
			n++
		}
	}
	return ratio(sum, float64(n))
}

// LabelScore compares a predicted category or type with the gold one.
type LabelScore struct {
	Gold    string `json:"gold"`
	Pred    string `json:"pred"`
	Correct bool   `json:"correct"`
}

// CardScore is the comparison of one predicted card with its gold card.
type CardScore struct {
	Overall  float64        `json:"overall"`
	Sections []SectionScore `json:"sections"`

	Keywords SetScore   `json:"keywords"`
	Themes   SetScore   `json:"themes"`
	Category LabelScore `json:"category"`
	Type     LabelScore `json:"type"`
	Title    TextScore  `json:"title"`
	Summary  TextScore  `json:"summary"`
	// Tables holds signals, concerns, behaviors, technologies and issues.
	Tables map[string]TableScore `json:"tables"`
}

// Section returns the score of the named section.
func (c CardScore) Section(name string) (SectionScore, bool) {
	for _, s := range c.Sections {
		if s.Section == name {
			return s, true
		}
	}
	return SectionScore{}, false
}

// Compare scores a predicted card against its gold card. A nil pred is an
// empty prediction: every applicable section scores 0.
//
// Section scores: keywords and themes, the F1 of CompareSets; category and
// type, 1 when equal after case folding, else 0; title and summary, the mean
// of ROUGE-1, ROUGE-2 and ROUGE-L F1 (CompareText); each table, the row F1
// of compareTables.
func Compare(gold, pred *schema.Card) CardScore {
	if pred == nil {
		pred = &schema.Card{}
	}
	v := make(vocab, 512) // about the number of distinct terms of two gold-size cards
	c := CardScore{
		Keywords: compareSets(gold.Keywords, pred.Keywords, v),
		Themes:   compareSets(gold.Themes, pred.Themes, v),
		Category: compareLabel(string(gold.Category), string(pred.Category)),
		Type:     compareLabel(string(gold.Type), string(pred.Type)),
		Title:    compareText(gold.Title, pred.Title, v),
		Summary:  compareText(gold.Summary, pred.Summary, v),
		Tables: map[string]TableScore{
			SectionSignals:      compareTables(signalRows(gold.Signals, v), signalRows(pred.Signals, v), signalColumns()),
			SectionConcerns:     compareTables(plainRows(gold.Concerns, v), plainRows(pred.Concerns, v), nil),
			SectionBehaviors:    compareTables(plainRows(gold.Behaviors, v), plainRows(pred.Behaviors, v), nil),
			SectionTechnologies: compareTables(plainRows(gold.Technologies, v), plainRows(pred.Technologies, v), nil),
			SectionIssues:       compareTables(plainRows(gold.Issues, v), plainRows(pred.Issues, v), nil),
		},
	}
	c.Sections = []SectionScore{
		{Section: SectionKeywords, Score: c.Keywords.F1, NA: c.Keywords.Gold == 0},
		{Section: SectionThemes, Score: c.Themes.F1, NA: c.Themes.Gold == 0},
		{Section: SectionCategory, Score: boolScore(c.Category.Correct), NA: c.Category.Gold == ""},
		{Section: SectionType, Score: boolScore(c.Type.Correct), NA: c.Type.Gold == ""},
		{Section: SectionTitle, Score: c.Title.Score, NA: len(Tokens(gold.Title)) == 0},
		{Section: SectionSummary, Score: c.Summary.Score, NA: len(Tokens(gold.Summary)) == 0},
	}
	for _, name := range tableSections() {
		t := c.Tables[name]
		c.Sections = append(c.Sections, SectionScore{Section: name, Score: t.F1, NA: t.GoldRows == 0})
	}
	for i := range c.Sections {
		if c.Sections[i].NA {
			c.Sections[i].Score = 0
		}
	}
	c.Overall = Overall(c.Sections)
	return c
}

func compareLabel(gold, pred string) LabelScore {
	g, p := strings.TrimSpace(gold), strings.TrimSpace(pred)
	return LabelScore{Gold: g, Pred: p, Correct: g != "" && strings.EqualFold(g, p)}
}

package eval

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/veille/veille/schema"
)

// ReportVersion is the version of the JSON report's layout; it changes only
// when a field is renamed or removed.
const ReportVersion = 1

// Pair is one gold card and the predicted card paired with it.
type Pair struct {
	// ID names the pair in reports: the gold card's file name without its
	// extension (the directory name for pairs/<id>/card.md).
	ID       string
	GoldFile string
	// PredFile is where the prediction came from ("" when there is none).
	PredFile string
	Gold     *schema.Card
	// Pred is nil when no prediction was found: it scores as an empty card.
	Pred *schema.Card
}

// FileError is a card file that could not be read or parsed: it is counted,
// reported, and left out of the scores.
type FileError struct {
	File string `json:"file"`
	// Line is the 1-based line of the error, 0 when it concerns the file.
	Line int `json:"line,omitempty"`
	// Role is "gold" or "pred".
	Role    string `json:"role"`
	Message string `json:"message"`
}

// CardResult is the score of one pair.
type CardResult struct {
	ID       string `json:"id"`
	URL      string `json:"url"`
	GoldFile string `json:"gold_file"`
	PredFile string `json:"pred_file,omitempty"`
	// Missing is true when no prediction was found (scored as empty).
	Missing bool `json:"missing,omitempty"`
	CardScore
}

// RunSection is one section's score over a run: the mean of its score over
// the cards where it is applicable.
type RunSection struct {
	Section string  `json:"section"`
	Score   float64 `json:"score"`
	// Cards counts the cards where the section is applicable.
	Cards int  `json:"cards"`
	NA    bool `json:"na,omitempty"`
	// Precision and Recall are their means over the same cards, for the
	// sections scored by F1 (keywords, themes, tables).
	Precision *float64 `json:"precision,omitempty"`
	Recall    *float64 `json:"recall,omitempty"`
	// Columns and RelevancyMAE pool the matched rows of every card (tables).
	Columns      []ColumnScore `json:"columns,omitempty"`
	RelevancyMAE *float64      `json:"relevancy_mae,omitempty"`
	RelevancyN   int           `json:"relevancy_n,omitempty"`
}

// Counts summarises what a run compared.
type Counts struct {
	Gold int `json:"gold"`
	// Scored counts the pairs scored, Missing among them those without a
	// prediction.
	Scored  int `json:"scored"`
	Missing int `json:"missing"`
	// Unpaired counts predictions that matched no gold card (not scored).
	Unpaired int `json:"unpaired"`
	Errors   int `json:"errors"`
}

// Report is everything an eval run produces. Its JSON form is stable: cards
// sorted by ID, sections in Sections() order, no timestamps.
type Report struct {
	Version int `json:"version"`
	// Overall is Overall of Sections.
	Overall  float64      `json:"overall"`
	Sections []RunSection `json:"sections"`
	Counts   Counts       `json:"counts"`
	// Gold and Predictions say what was compared (paths, or "store").
	Gold        string       `json:"gold"`
	Predictions string       `json:"predictions"`
	Provenance  Provenance   `json:"provenance"`
	Cards       []CardResult `json:"cards"`
	Errors      []FileError  `json:"errors"`
	// Baseline holds the deltas against an earlier report, when asked for.
	Baseline *Comparison `json:"baseline,omitempty"`
}

// Provenance says how the predictions were made, when known: every distinct
// provider, model and prompt among them, joined by ", ".
type Provenance struct {
	Provider string `json:"provider,omitempty"`
	Model    string `json:"model,omitempty"`
	Prompt   string `json:"prompt,omitempty"`
}

// Evaluate scores every pair and aggregates the scores. errs are the files
// that could not be read; unpaired counts the predictions without gold.
// It stops between two pairs when ctx is done, returning ctx's error.
func Evaluate(ctx context.Context, pairs []Pair, errs []FileError, unpaired int) (Report, error) {
	r := Report{
		Version: ReportVersion,
		Errors:  append([]FileError{}, errs...),
		Counts:  Counts{Gold: len(pairs), Scored: len(pairs), Unpaired: unpaired, Errors: len(errs)},
	}
	cards, err := compareAll(ctx, pairs)
	if err != nil {
		return Report{}, fmt.Errorf("scoring: %w", err)
	}
	r.Cards = cards
	for _, c := range r.Cards {
		if c.Missing {
			r.Counts.Missing++
		}
	}
	slices.SortStableFunc(r.Cards, func(a, b CardResult) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(r.Errors, func(a, b FileError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	r.Sections = runSections(r.Cards)
	r.Overall = Overall(sectionScores(r.Sections))
	return r, nil
}

// compareAll scores every pair, spreading the pairs over one worker per
// CPU; the results keep the pairs' order. It hands out no pair once ctx is
// done, so a cancellation waits for at most one pair per worker.
func compareAll(ctx context.Context, pairs []Pair) ([]CardResult, error) {
	cards := make([]CardResult, len(pairs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(pairs)) {
		wg.Go(func() {
			for i := range next {
				p := pairs[i]
				cards[i] = CardResult{ID: p.ID, URL: p.Gold.URL, GoldFile: p.GoldFile,
					PredFile: p.PredFile, Missing: p.Pred == nil, CardScore: Compare(p.Gold, p.Pred)}
			}
		})
	}
	defer wg.Wait()
	defer close(next)
	for i := range pairs {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return cards, ctx.Err()
}

// runSections averages each section over the cards where it applies.
func runSections(cards []CardResult) []RunSection {
	var out []RunSection
	for _, name := range Sections() {
		rs := RunSection{Section: name}
		var sum, precision, recall float64
		var tables []TableScore
		for _, c := range cards {
			s, ok := c.Section(name)
			if !ok || s.NA {
				continue
			}
			sum += s.Score
			rs.Cards++
			if scoredByF1(name) {
				p, r := c.precisionRecall(name)
				precision += p
				recall += r
			}
			if t, ok := c.Tables[name]; ok {
				tables = append(tables, t)
			}
		}
		rs.Score = ratio(sum, float64(rs.Cards))
		rs.NA = rs.Cards == 0
		if scoredByF1(name) && !rs.NA {
			p, r := precision/float64(rs.Cards), recall/float64(rs.Cards)
			rs.Precision, rs.Recall = &p, &r
		}
		if tables != nil {
			rs.Columns, rs.RelevancyMAE, rs.RelevancyN = poolTables(tables)
		}
		out = append(out, rs)
	}
	return out
}

// scoredByF1 reports whether a section's score is an F1, with a precision
// and a recall: keywords, themes and the tables.
func scoredByF1(section string) bool {
	return section == SectionKeywords || section == SectionThemes || slices.Contains(tableSections(), section)
}

// precisionRecall returns the precision and recall of a section scored by
// F1.
func (c CardResult) precisionRecall(section string) (p, r float64) {
	switch section {
	case SectionKeywords:
		return c.Keywords.Precision, c.Keywords.Recall
	case SectionThemes:
		return c.Themes.Precision, c.Themes.Recall
	}
	t := c.Tables[section]
	return t.Precision, t.Recall
}

// poolTables pools the matched rows of several cards' tables: the mean
// similarity of each column and the relevancy MAE over all of them.
func poolTables(tables []TableScore) (columns []ColumnScore, mae *float64, n int) {
	var absErr float64
	for _, t := range tables {
		for i, col := range t.Columns {
			if i == len(columns) {
				columns = append(columns, ColumnScore{Column: col.Column, Mean: new(float64)})
			}
			if col.Mean != nil {
				*columns[i].Mean += *col.Mean * float64(col.N)
				columns[i].N += col.N
			}
		}
		if t.RelevancyMAE != nil {
			absErr += *t.RelevancyMAE * float64(t.RelevancyN)
			n += t.RelevancyN
		}
	}
	for i := range columns {
		if columns[i].N == 0 {
			columns[i].Mean = nil
		} else {
			*columns[i].Mean /= float64(columns[i].N)
		}
	}
	if n > 0 {
		m := absErr / float64(n)
		mae = &m
	}
	return columns, mae, n
}

func sectionScores(rs []RunSection) []SectionScore {
	out := make([]SectionScore, len(rs))
	for i, s := range rs {
		out[i] = SectionScore{Section: s.Section, Score: s.Score, NA: s.NA}
	}
	return out
}

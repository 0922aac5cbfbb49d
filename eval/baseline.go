package eval

import (
	"encoding/json"
	"fmt"
	"os"
)

// DeltaTolerance is the least change of a score that a comparison with a
// baseline marks as an improvement or a regression.
const DeltaTolerance = 0.005

// The marks of a Delta.
const (
	MarkImproved  = "improved"
	MarkRegressed = "regressed"
)

// Delta is the change of one score since the baseline.
type Delta struct {
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Delta  float64 `json:"delta"`
	// Mark is MarkImproved, MarkRegressed, or "" when |Delta| < DeltaTolerance.
	Mark string `json:"mark,omitempty"`
}

// Comparison is a report's deltas against an earlier report.
type Comparison struct {
	File    string `json:"file"`
	Overall Delta  `json:"overall"`
	// Sections maps a section to its run-level delta (sections applicable in
	// both reports only).
	Sections map[string]Delta `json:"sections"`
	// Cards holds the cards present in both reports.
	Cards []CardDelta `json:"cards"`
}

// CardDelta is one card's deltas against the baseline.
type CardDelta struct {
	ID       string           `json:"id"`
	Overall  Delta            `json:"overall"`
	Sections map[string]Delta `json:"sections"`
}

func newDelta(before, after float64) Delta {
	d := Delta{Before: before, After: after, Delta: after - before}
	switch {
	case d.Delta >= DeltaTolerance:
		d.Mark = MarkImproved
	case d.Delta <= -DeltaTolerance:
		d.Mark = MarkRegressed
	}
	return d
}

// ReadReport reads a JSON report written by an earlier run.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	r, err := DecodeReport(data)
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	return r, nil
}

// DecodeReport decodes a JSON report, refusing other layout versions.
func DecodeReport(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.Version != ReportVersion {
		return nil, fmt.Errorf("report version %d, want %d", r.Version, ReportVersion)
	}
	return &r, nil
}

// CompareReports computes the deltas of after against before, per section
// and per card (cards matched by ID); file names the baseline in reports.
func CompareReports(before, after *Report, file string) *Comparison {
	c := &Comparison{
		File:     file,
		Overall:  newDelta(before.Overall, after.Overall),
		Sections: map[string]Delta{},
		Cards:    []CardDelta{},
	}
	for _, a := range after.Sections {
		for _, b := range before.Sections {
			if a.Section == b.Section && !a.NA && !b.NA {
				c.Sections[a.Section] = newDelta(b.Score, a.Score)
			}
		}
	}
	prev := make(map[string]CardResult, len(before.Cards))
	for _, b := range before.Cards {
		prev[b.ID] = b
	}
	for _, a := range after.Cards {
		b, ok := prev[a.ID]
		if !ok {
			continue
		}
		cd := CardDelta{ID: a.ID, Overall: newDelta(b.Overall, a.Overall), Sections: map[string]Delta{}}
		for _, s := range a.Sections {
			if bs, ok := b.Section(s.Section); ok && !s.NA && !bs.NA {
				cd.Sections[s.Section] = newDelta(bs.Score, s.Score)
			}
		}
		c.Cards = append(c.Cards, cd)
	}
	return c
}

// Card returns the deltas of the card with the given ID.
func (c *Comparison) Card(id string) (CardDelta, bool) {
	for _, cd := range c.Cards {
		if cd.ID == id {
			return cd, true
		}
	}
	return CardDelta{}, false
}

// arrow is ▲ for an improvement, ▼ for a regression, "" otherwise.
func (d Delta) arrow() string {
	switch d.Mark {
	case MarkImproved:
		return "▲"
	case MarkRegressed:
		return "▼"
	}
	return ""
}

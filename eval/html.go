package eval

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
)

//go:embed report.html.tmpl
var htmlTemplate string

// htmlView is what the HTML template shows, derived from a Report.
type htmlView struct {
	Report     *Report
	Sections   []sectionBar
	Histograms []histogram
	Cards      []cardView
}

type sectionBar struct {
	Name  string
	Score float64
	NA    bool
	Delta *Delta
}

type histogram struct {
	Name string
	Bins []bin
}

type bin struct {
	Label  string
	Count  int
	Height float64 // percent of the tallest bin
}

type cardView struct {
	CardResult
	Delta  *CardDelta
	Tables []namedTable
}

type namedTable struct {
	Name  string
	Score TableScore
}

// WriteHTML writes r as one self-contained HTML page (no scripts, no network
// assets): a bar per section, the distribution of card scores per section,
// and a drill-down per card with gold and predicted rows side by side. All
// text from cards is escaped by html/template.
func WriteHTML(w io.Writer, r *Report) error {
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"num":   func(x float64) string { return fmt.Sprintf("%.2f", x) },
		"nump":  func(x *float64) string { return fmt.Sprintf("%.2f", *x) },
		"width": func(x float64) string { return fmt.Sprintf("%.1f", 100*math.Max(0, math.Min(1, x))) },
		"delta": func(d Delta) string { return deltaText(d) },
	}).Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	if err := tmpl.Execute(w, newHTMLView(r)); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

func newHTMLView(r *Report) htmlView {
	v := htmlView{Report: r}
	for _, s := range r.Sections {
		bar := sectionBar{Name: s.Section, Score: s.Score, NA: s.NA}
		if r.Baseline != nil {
			if d, ok := r.Baseline.Sections[s.Section]; ok {
				bar.Delta = &d
			}
		}
		v.Sections = append(v.Sections, bar)
	}
	overall := make([]float64, 0, len(r.Cards))
	for _, c := range r.Cards {
		overall = append(overall, c.Overall)
	}
	v.Histograms = append(v.Histograms, newHistogram("overall", overall))
	for _, name := range Sections() {
		var scores []float64
		for _, c := range r.Cards {
			if s, ok := c.Section(name); ok && !s.NA {
				scores = append(scores, s.Score)
			}
		}
		v.Histograms = append(v.Histograms, newHistogram(name, scores))
	}
	for _, c := range r.Cards {
		cv := cardView{CardResult: c}
		if r.Baseline != nil {
			if d, ok := r.Baseline.Card(c.ID); ok {
				cv.Delta = &d
			}
		}
		for _, name := range tableSections() {
			if t, ok := c.Tables[name]; ok && t.GoldRows+t.PredRows > 0 {
				cv.Tables = append(cv.Tables, namedTable{Name: name, Score: t})
			}
		}
		v.Cards = append(v.Cards, cv)
	}
	return v
}

// newHistogram counts scores in ten bins of width 0.1 (1.0 in the last).
func newHistogram(name string, scores []float64) histogram {
	h := histogram{Name: name, Bins: make([]bin, 10)}
	for _, s := range scores {
		i := min(9, max(0, int(s*10)))
		h.Bins[i].Count++
	}
	most := 0
	for _, b := range h.Bins {
		most = max(most, b.Count)
	}
	for i := range h.Bins {
		h.Bins[i].Label = fmt.Sprintf("%.1f–%.1f", float64(i)/10, float64(i+1)/10)
		if most > 0 {
			h.Bins[i].Height = 100 * float64(h.Bins[i].Count) / float64(most)
		}
	}
	return h
}

// deltaText is a change against the baseline, marked ▲ when the score
// improved and ▼ when it regressed, so it does not read as a score.
func deltaText(d Delta) string {
	if a := d.arrow(); a != "" {
		return a + " " + fmt.Sprintf("%+.3f", d.Delta)
	}
	return fmt.Sprintf("%+.3f", d.Delta)
}

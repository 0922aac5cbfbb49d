package eval

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// sectionLabel is a section's short column heading in the terminal table.
func sectionLabel(section string) string {
	switch section {
	case SectionKeywords:
		return "kw"
	case SectionCategory:
		return "cat"
	case SectionSummary:
		return "summ"
	case SectionSignals:
		return "sig"
	case SectionConcerns:
		return "conc"
	case SectionBehaviors:
		return "behav"
	case SectionTechnologies:
		return "tech"
	}
	return section
}

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// WriteTable writes r as a terminal table: one row per card, one column per
// section, the card's overall score ("-" for a section not applicable) and
// its gold title, then the run's mean per section; with a baseline, a delta
// column per card
// and a delta row, improvements marked ▲ and regressions ▼; then the
// precision, recall and column details of the sections scored by F1; then
// counts and the files that could not be read.
func WriteTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	heads := []string{"card"}
	for _, s := range Sections() {
		heads = append(heads, sectionLabel(s))
	}
	heads = append(heads, "overall")
	if r.Baseline != nil {
		heads = append(heads, "delta")
	}
	writeRow(tw, append(heads, "gold title"))
	for _, c := range r.Cards {
		cells := []string{cardLabel(c)}
		for _, s := range c.Sections {
			cells = append(cells, scoreCell(s.Score, s.NA))
		}
		cells = append(cells, scoreCell(c.Overall, false))
		if r.Baseline != nil {
			d, ok := r.Baseline.Card(c.ID)
			cells = append(cells, deltaCell(d.Overall, ok))
		}
		writeRow(tw, append(cells, titleCell(c.Title.Gold)))
	}
	mean := []string{"mean"}
	for _, s := range r.Sections {
		mean = append(mean, scoreCell(s.Score, s.NA))
	}
	writeRow(tw, append(mean, scoreCell(r.Overall, false)))
	if r.Baseline != nil {
		delta := []string{"delta"}
		for _, s := range r.Sections {
			d, ok := r.Baseline.Sections[s.Section]
			delta = append(delta, deltaCell(d, ok))
		}
		writeRow(tw, append(delta, deltaCell(r.Baseline.Overall, true)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	if err := writeSectionDetails(w, r); err != nil {
		return err
	}
	return writeSummary(w, r)
}

// writeSectionDetails writes, for the sections scored by F1, the run's mean
// precision and recall and, for tables, the pooled column similarities and
// relevancy MAE (in points).
func writeSectionDetails(w io.Writer, r *Report) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "section\tP\tR\tF1\tcolumns (mean similarity)\trelevancy MAE")
	for _, s := range r.Sections {
		if s.Precision == nil || s.Recall == nil { // sections scored without P/R (or a hand-edited report)
			continue
		}
		var cols []string
		for _, c := range s.Columns {
			if c.Mean != nil {
				cols = append(cols, fmt.Sprintf("%s %.2f", c.Column, *c.Mean))
			}
		}
		mae := ""
		if s.RelevancyMAE != nil {
			mae = fmt.Sprintf("%.2f (n=%d)", *s.RelevancyMAE, s.RelevancyN)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%s\t%s\n", s.Section, *s.Precision, *s.Recall, s.Score,
			strings.Join(cols, ", "), mae)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	var out strings.Builder
	out.WriteString("\n")
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		out.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			out.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func writeSummary(w io.Writer, r *Report) error {
	n := r.Counts
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d cards scored (%d without prediction), %d unpaired predictions, %d errors; overall %.3f\n",
		n.Scored, n.Missing, n.Unpaired, n.Errors, r.Overall)
	if r.Baseline != nil {
		fmt.Fprintf(&b, "against baseline %s: overall changed by %s\n", r.Baseline.File, deltaCell(r.Baseline.Overall, true))
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error: %s\n", e)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String is the error as one line: file:line: role card: message.
func (e FileError) String() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s: %s card: %s", where, e.Role, e.Message)
}

// cardLabel is a card's row heading: its ID, shortened, and "*" when it had
// no prediction.
func cardLabel(c CardResult) string {
	label := c.ID
	if len(label) > 16 {
		label = label[:15] + "…"
	}
	if c.Missing {
		label += "*"
	}
	return label
}

// titleCell is a gold title on one line, cut to 40 characters.
func titleCell(title string) string {
	title = strings.Join(strings.Fields(title), " ")
	if r := []rune(title); len(r) > 40 {
		title = string(r[:39]) + "…"
	}
	return title
}

func writeRow(w io.Writer, cells []string) {
	fmt.Fprint(w, strings.Join(cells, "\t")+"\t\n")
}

func scoreCell(score float64, na bool) string {
	if na {
		return "-"
	}
	return fmt.Sprintf("%.2f", score)
}

func deltaCell(d Delta, ok bool) string {
	if !ok {
		return ""
	}
	return fmt.Sprintf("%+.2f %s", d.Delta, cmp.Or(d.arrow(), " "))
}

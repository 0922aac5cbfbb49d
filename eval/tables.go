package eval

import (
	"math"
	"slices"

	"github.com/veille/veille/schema"
)

// RowMatch is the least similarity at which a gold row and the predicted row
// assigned to it count as the same row.
const RowMatch = 0.3

// signalColumns are the text columns of the signals table, beyond name and
// description, whose similarity is reported for matched rows.
func signalColumns() []string { return []string{"change", "10-year", "driving-force"} }

// TableScore compares a predicted table with the gold one.
type TableScore struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	GoldRows  int     `json:"gold_rows"`
	PredRows  int     `json:"pred_rows"`
	Matched   int     `json:"matched"`
	// Columns is the mean similarity, over matched rows, of each further text
	// column (signals only: change, 10-year, driving-force).
	Columns []ColumnScore `json:"columns,omitempty"`
	// RelevancyMAE is the mean absolute error of relevancy (in points, 0–5)
	// over matched rows where both rows have one; nil when there are none.
	RelevancyMAE *float64 `json:"relevancy_mae"`
	RelevancyN   int      `json:"relevancy_n"`
	// Pairs lists every gold row with the predicted row assigned to it (or
	// none), then the predicted rows left over.
	Pairs []RowPair `json:"pairs"`
}

// ColumnScore is the mean similarity of one column over matched rows.
type ColumnScore struct {
	Column string `json:"column"`
	// Mean is nil when no matched row has the column in its gold row.
	Mean *float64 `json:"mean"`
	N    int      `json:"n"`
}

// RowPair is a gold row, the predicted row assigned to it, and how alike
// they are. Gold or Pred is nil for a row without a counterpart.
type RowPair struct {
	Gold       *RowText `json:"gold"`
	Pred       *RowText `json:"pred"`
	Similarity float64  `json:"similarity"`
	Matched    bool     `json:"matched"`
}

// RowText is what a report shows of a row.
type RowText struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Relevancy   *int   `json:"relevancy,omitempty"`
}

// tableRow is one row of any table, normalised once for comparison.
type tableRow struct {
	text    RowText
	key     bag   // content terms of name + description
	name    bag   // content terms of the name alone
	hasDesc bool  // the description is not empty
	columns []bag // signals: change, 10-year, driving-force
	hasCol  []bool
}

func newRow(name, description string, relevancy *int, v vocab) tableRow {
	nameIDs, descIDs := v.ids(ContentTerms(name)), v.ids(ContentTerms(description))
	return tableRow{
		text:    RowText{Name: name, Description: description, Relevancy: relevancy},
		key:     newBag(append(slices.Clone(nameIDs), descIDs...)),
		name:    newBag(nameIDs),
		hasDesc: len(descIDs) > 0,
	}
}

func signalRows(signals []schema.Signal, v vocab) []tableRow {
	rows := make([]tableRow, len(signals))
	for i, s := range signals {
		rows[i] = newRow(s.Name, s.Description, s.Relevancy, v)
		for _, c := range []string{s.Change, s.TenYear, s.DrivingForce} {
			rows[i].columns = append(rows[i].columns, newBag(v.ids(ContentTerms(c))))
			rows[i].hasCol = append(rows[i].hasCol, len(Tokens(c)) > 0)
		}
	}
	return rows
}

func plainRows(rs []schema.Row, v vocab) []tableRow {
	rows := make([]tableRow, len(rs))
	for i, r := range rs {
		rows[i] = newRow(r.Name, r.Description, r.Relevancy, v)
	}
	return rows
}

// rowSimilarity is the F1 (Dice) of the content-term bags of two rows' name
// and description; when either row has no description (older gold cards'
// signals) it compares the names alone.
func rowSimilarity(a, b tableRow) float64 {
	if !a.hasDesc || !b.hasDesc {
		return a.name.dice(b.name)
	}
	return a.key.dice(b.key)
}

// compareTables pairs gold and predicted rows one-to-one by maximum-weight
// assignment on rowSimilarity; an assigned pair with similarity ≥ RowMatch
// is a matched row. Precision = matched/predicted rows, recall =
// matched/gold rows.
func compareTables(gold, pred []tableRow, columns []string) TableScore {
	s := TableScore{GoldRows: len(gold), PredRows: len(pred), Pairs: []RowPair{}}
	w := similarities(gold, pred, rowSimilarity)
	colSum := make([]float64, len(columns))
	colN := make([]int, len(columns))
	var absErr float64
	predUsed := make([]bool, len(pred))
	assigned := Assign(w)
	for i := range gold {
		g := gold[i]
		pair := RowPair{Gold: &g.text}
		if j := assignedAt(assigned, i); j >= 0 {
			predUsed[j] = true
			pair.Pred, pair.Similarity = &pred[j].text, w[i][j]
			pair.Matched = w[i][j] >= RowMatch
		}
		s.Pairs = append(s.Pairs, pair)
		if !pair.Matched {
			continue
		}
		p := pred[assigned[i]]
		s.Matched++
		for c := range columns {
			if c < len(g.hasCol) && g.hasCol[c] {
				colSum[c] += g.columns[c].dice(p.columns[c])
				colN[c]++
			}
		}
		if g.text.Relevancy != nil && p.text.Relevancy != nil {
			absErr += math.Abs(float64(*g.text.Relevancy - *p.text.Relevancy))
			s.RelevancyN++
		}
	}
	for j, used := range predUsed {
		if !used {
			s.Pairs = append(s.Pairs, RowPair{Pred: &pred[j].text})
		}
	}
	for c, name := range columns {
		cs := ColumnScore{Column: name, N: colN[c]}
		if colN[c] > 0 {
			mean := colSum[c] / float64(colN[c])
			cs.Mean = &mean
		}
		s.Columns = append(s.Columns, cs)
	}
	if s.RelevancyN > 0 {
		mae := absErr / float64(s.RelevancyN)
		s.RelevancyMAE = &mae
	}
	s.Precision, s.Recall, s.F1 = prf(s.Matched, s.PredRows, s.GoldRows)
	return s
}

func assignedAt(assigned []int, i int) int {
	if i < len(assigned) {
		return assigned[i]
	}
	return -1
}

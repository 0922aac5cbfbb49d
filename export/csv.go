package export

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// rowsHeader is the CSV header: the card, then the row's columns.
func rowsHeader() []string {
	return []string{"card_id", "card_title", "card_url", "origin_url", "published", "provider", "category", "type",
		"keywords", "themes", "grounded_share", "table", "name", "description", "change", "10-year",
		"driving-force", "relevancy", "evidence"}
}

// writeRowsCSV writes the header, then one line per row of every table of
// every card (weak signals, concerns, behaviors, technologies, issues), with
// its card's columns; every cell made safe by spreadsheetSafe.
func writeRowsCSV(w io.Writer, cards []schema.StoredCard) error {
	exported, err := exportedCards(cards)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(rowsHeader()); err != nil {
		return err
	}
	for _, e := range exported {
		for _, row := range cardRows(e) {
			for i := range row {
				row[i] = spreadsheetSafe(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// cardRows is one CSV line per row of the card's tables.
func cardRows(e Card) [][]string {
	origin := ""
	if e.Origin != nil {
		origin = e.Origin.URL
	}
	share := ""
	if e.Grounding.Rows > 0 {
		share = strconv.FormatFloat(e.Grounding.Share, 'f', 2, 64)
	}
	published := ""
	if !e.Published.IsZero() {
		published = e.Published.Format(time.DateOnly)
	}
	card := []string{e.ID, e.Title, e.URL, origin, published, e.Provenance.Provider,
		string(e.Category), string(e.Type), strings.Join(e.Keywords, "; "), strings.Join(e.Themes, "; "), share}
	line := func(table, name, description, change, tenYear, force string, relevancy *int, evidence string) []string {
		rel := ""
		if relevancy != nil {
			rel = strconv.Itoa(*relevancy)
		}
		return append(slices.Clone(card), table, name, description, change, tenYear, force, rel, evidence)
	}
	var out [][]string
	for _, s := range e.Signals {
		out = append(out, line("signals", s.Name, s.Description, s.Change, s.TenYear, s.DrivingForce, s.Relevancy, s.Evidence))
	}
	for _, t := range e.Card.RowTables() {
		for _, r := range *t.Rows {
			out = append(out, line(t.Key, r.Name, r.Description, "", "", "", r.Relevancy, r.Evidence))
		}
	}
	return out
}

// spreadsheetSafe keeps a cell from being read as a formula by a spreadsheet
// (CSV injection) and from writing escape sequences to a terminal: control
// characters (but line breaks and tabs) and bidirectional overrides are
// dropped, then text that starts with =, +, -, @, a tab or a carriage
// return gets a leading apostrophe, which spreadsheets show as text.
func spreadsheetSafe(cell string) string {
	cell = schema.DropBidiControls(schema.DropControls(cell, ""))
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

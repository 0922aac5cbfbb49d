package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/veille/veille/schema"
)

// signalsHeader is the CSV header: the card, then the signal's columns.
func signalsHeader() []string {
	return []string{"card_id", "card_title", "card_url", "origin_url", "signal", "description",
		"change", "10-year", "driving-force", "relevancy", "evidence"}
}

// writeSignalsCSV writes the header, then one row per weak signal, every
// cell made safe for spreadsheets by spreadsheetSafe.
func writeSignalsCSV(w io.Writer, cards []schema.StoredCard) error {
	exported, err := exportedCards(cards)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(signalsHeader()); err != nil {
		return err
	}
	for _, e := range exported {
		origin := ""
		if e.Origin != nil {
			origin = e.Origin.URL
		}
		for _, s := range e.Signals {
			relevancy := ""
			if s.Relevancy != nil {
				relevancy = strconv.Itoa(*s.Relevancy)
			}
			row := []string{e.ID, e.Title, e.URL, origin, s.Name, s.Description, s.Change,
				s.TenYear, s.DrivingForce, relevancy, s.Evidence}
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

// spreadsheetSafe keeps a cell from being read as a formula by a spreadsheet
// (CSV injection) and from writing escape sequences to a terminal: control
// characters (but line breaks and tabs) and bidirectional overrides are
// dropped, then text that starts with =, +, -, @, a tab or a carriage
// return gets a leading apostrophe, which spreadsheets show as text.
func spreadsheetSafe(cell string) string {
	cell = strings.Map(func(r rune) rune {
		if (unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r') || isBidiControl(r) {
			return -1
		}
		return r
	}, cell)
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// isBidiControl reports whether r reorders text (U+202A–U+202E,
// U+2066–U+2069): in a file name or a terminal it can disguise text.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

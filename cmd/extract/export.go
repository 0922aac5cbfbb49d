package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
)

// exportFormats are the formats extract export writes.
var exportFormats = []string{"md", "json", "jsonl", "csv"}

// exportedCard is a card as written by the json and jsonl formats: its ID
// (the document's, the gold file name), version and creation time, then
// the card's own fields.
type exportedCard struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	schema.Card
}

func (a *app) exportCommand() *cobra.Command {
	var dbPath, format, since, out string
	c := &cobra.Command{
		Use:   "export [--format md|json|jsonl|csv] [--since DATE] -o DIR|-",
		Short: "Write the stored cards: markdown files, JSON, JSON lines or a CSV of signals",
		Long: `Write the newest version of every stored card.

  md     the gold layout, one file per card named <id>.md in DIR
         (with -o -, every card on stdout, a blank line between cards)
  json   one JSON array of cards (DIR/cards.json)
  jsonl  one card per line (DIR/cards.jsonl)
  csv    one row per weak signal, with its card's title and URL (DIR/signals.csv)

--since keeps the cards made on or after DATE (YYYY-MM-DD, midnight UTC, or
RFC 3339). -o is required; DIR is created if needed.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if !slices.Contains(exportFormats, format) {
				return usageError{fmt.Errorf("export: --format %q: want md, json, jsonl or csv", format)}
			}
			if out == "" {
				return usageError{errors.New("export: -o DIR or -o - (stdout) is required")}
			}
			from, err := parseSince(since)
			if err != nil {
				return usageError{fmt.Errorf("export: --since %q: %w", since, err)}
			}
			if out != "-" {
				if err := os.MkdirAll(out, 0o755); err != nil {
					return fmt.Errorf("export: -o %s: %w", out, unwrapPath(err))
				}
				if err := checkWritableDir(out); err != nil {
					return fmt.Errorf("export: -o %s: %w", out, err)
				}
			}
			st, err := a.openExistingStore(c.Context(), dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			cards, err := st.LatestCards(c.Context(), from)
			if err != nil {
				return err
			}
			if err := a.exportCards(cards, format, out); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			return nil
		},
	}
	addDBFlag(c, &dbPath)
	c.Flags().StringVar(&format, "format", "md", "output `FORMAT`: md, json, jsonl or csv")
	c.Flags().StringVar(&since, "since", "", "only cards made on or after `DATE` (YYYY-MM-DD or RFC 3339)")
	c.Flags().StringVarP(&out, "output", "o", "", "output directory `DIR`, or - for stdout (required)")
	return c
}

// parseSince reads --since: empty, a date (midnight UTC) or RFC 3339.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("want a date YYYY-MM-DD or an RFC 3339 time such as 2026-01-31T09:00:00Z")
}

// exportCards writes cards in format to out (a directory, or - for stdout).
func (a *app) exportCards(cards []store.StoredCard, format, out string) error {
	if format == "md" && out != "-" {
		return writeMarkdownFiles(cards, out)
	}
	if out == "-" {
		return writeCards(a.stdout, cards, format)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	name := map[string]string{"json": "cards.json", "jsonl": "cards.jsonl", "csv": "signals.csv"}[format]
	return writeFileAtomic(filepath.Join(out, name), func(w io.Writer) error { return writeCards(w, cards, format) })
}

// writeMarkdownFiles writes one <id>.md file per card in dir.
func writeMarkdownFiles(cards []store.StoredCard, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range cards {
		path := filepath.Join(dir, c.DocumentID+".md")
		if err := writeFileAtomic(path, func(w io.Writer) error {
			_, err := io.WriteString(w, c.Markdown)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// checkWritableDir fails when files cannot be created in dir (it does not
// exist, is not a directory, or is read-only), so that a command can fail
// before it does any work whose output would be lost. The error is the
// cause only; the caller names the directory.
func checkWritableDir(dir string) error {
	tmp, err := os.CreateTemp(dir, ".extract-*")
	if err != nil {
		return unwrapPath(err) // the cause, not the probe file's name
	}
	return errors.Join(tmp.Close(), os.Remove(tmp.Name()))
}

// unwrapPath returns the cause of a file system error, without the path
// and operation the caller already names.
func unwrapPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// writeFileAtomic writes path through a temporary file renamed into place,
// so a failure leaves no half-written file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".extract-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPath(err)) // not the temporary file's name
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := errors.Join(bw.Flush(), tmp.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeCards writes cards to w in one stream format.
func writeCards(w io.Writer, cards []store.StoredCard, format string) error {
	switch format {
	case "md":
		for i, c := range cards {
			sep := "\n\n"
			if i == len(cards)-1 {
				sep = "\n"
			}
			if _, err := io.WriteString(w, c.Markdown+sep); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		return writeSignalsCSV(w, cards)
	}
	exported, err := exportedCards(cards)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(exported)
	}
	enc := json.NewEncoder(w)
	for _, e := range exported {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// exportedCards decodes the stored cards.
func exportedCards(cards []store.StoredCard) ([]exportedCard, error) {
	out := make([]exportedCard, 0, len(cards))
	for _, c := range cards {
		var card schema.Card
		if err := json.Unmarshal([]byte(c.CardJSON), &card); err != nil {
			return nil, fmt.Errorf("card %s: %w", c.DocumentID, err)
		}
		out = append(out, exportedCard{ID: c.DocumentID, Version: c.Version, CreatedAt: c.CreatedAt, Card: card})
	}
	return out, nil
}

// signalsHeader is the CSV header: the card, then the signal's columns.
var signalsHeader = []string{"card_id", "card_title", "card_url", "origin_url", "signal", "description",
	"change", "10-year", "driving-force", "relevancy", "evidence"}

// writeSignalsCSV writes one row per weak signal.
func writeSignalsCSV(w io.Writer, cards []store.StoredCard) error {
	exported, err := exportedCards(cards)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(signalsHeader); err != nil {
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
// (CSV injection): text from a page or a model that starts with =, +, -, @,
// a tab or a carriage return gets a leading apostrophe, which spreadsheets
// show as text.
func spreadsheetSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/export"
)

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
			if !slices.Contains(export.Formats(), export.Format(format)) {
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
				if err := export.CheckWritableDir(out); err != nil {
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
			if out == "-" {
				err = export.Write(a.stdout, cards, export.Format(format))
			} else {
				err = export.WriteDir(out, cards, export.Format(format))
			}
			if err != nil {
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

// unwrapPath returns the cause of a file system error, without the path
// and operation the caller already names.
func unwrapPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

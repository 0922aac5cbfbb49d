package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/export"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/web"
)

func (a *app) exportCommand() *cobra.Command {
	var dbPath, format, since, out, baseURL string
	var closest int
	c := &cobra.Command{
		Use:   "export [--format md|json|jsonl|csv|site] [--since DATE] -o DIR|-",
		Short: "Write the stored cards: markdown files, JSON, JSON lines, a CSV of every table's rows, or a static site",
		Long: `Write the newest version of every stored card.

  md     the gold layout, one file per card named <id>.md in DIR
         (with -o -, every card on stdout, a blank line between cards)
  json   one JSON array of cards (DIR/cards.json)
  jsonl  one card per line (DIR/cards.jsonl)
  csv    one line per row of every table (signals, concerns, behaviors,
         technologies, issues) with its card's title, URL, date, provider,
         category, type, keywords, themes and grounded share (DIR/rows.csv)
  site   the pages of extract serve as static HTML in DIR (index, a page per
         card, theme and category pages, search, an Atom feed), to publish
         on any static host or open from disk; DIR must be empty or an
         earlier site export, which it replaces

--closest N adds to each markdown card the older layout's "## Closest" list:
its N closest cards by their text.

--since keeps the cards made on or after DATE (YYYY-MM-DD, midnight UTC, or
RFC 3339). -o is required; DIR is created if needed.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if format != siteFormat && !slices.Contains(export.Formats(), export.Format(format)) {
				return usageError{fmt.Errorf("export: --format %q: want md, json, jsonl, csv or site", format)}
			}
			if closest < 0 || closest > 100 || (closest > 0 && format != string(export.Markdown)) {
				return usageError{fmt.Errorf("export: --closest %d: want 1 to 100, with --format md", closest)}
			}
			if format == siteFormat && out == "-" {
				return usageError{errors.New("export: --format site writes a folder: give -o DIR")}
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
			st, err := a.openCollection(c.Context(), dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			if format == siteFormat {
				return a.exportSite(c.Context(), st, out, baseURL)
			}
			cards, err := st.LatestCards(c.Context(), from)
			if err != nil {
				return err
			}
			if len(cards) == 0 {
				fmt.Fprintln(a.stderr, "export: no card to export"+sinceText(since))
				return nil
			}
			if closest > 0 {
				if err := export.AddClosest(c.Context(), cards, closestCards(st, closest)); err != nil {
					return fmt.Errorf("export: %w", err)
				}
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
	c.Flags().StringVar(&format, "format", "md", "output `FORMAT`: md, json, jsonl, csv or site")
	c.Flags().IntVar(&closest, "closest", 0, "with md: add each card's `N` closest cards (the older layout's Closest list)")
	c.Flags().StringVar(&baseURL, "base-url", "", "with site: the site's public `URL`, for the feed's absolute links")
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

// siteFormat is export's --format for a static site (package web).
const siteFormat = "site"

// exportSite writes the static site of the collection to dir.
func (a *app) exportSite(ctx context.Context, st Database, dir, baseURL string) error {
	stats, err := web.ExportSite(ctx, st, dir, web.Options{BaseURL: baseURL})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(a.stderr, "export: %d cards, %d files (%.1f MB) in %s, %s\n", stats.Cards, stats.Files,
		float64(stats.Bytes)/1e6, dir, stats.Elapsed.Round(time.Millisecond))
	return nil
}

// closestCards lists a card's n closest cards by their text, as links to
// their IDs labelled with their titles.
func closestCards(st Database, n int) export.Related {
	return func(ctx context.Context, documentID string) ([]schema.Link, error) {
		hits, err := st.RelatedByText(ctx, documentID, n)
		if err != nil {
			return nil, err
		}
		links := make([]schema.Link, len(hits))
		for i, h := range hits {
			links[i] = schema.Link{Label: h.Title, URL: h.ID}
		}
		return links, nil
	}
}

// sinceText is " made since DATE" for a --since, else "".
func sinceText(since string) string {
	if since == "" {
		return ""
	}
	return " made since " + since
}

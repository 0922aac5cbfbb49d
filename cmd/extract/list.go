package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
)

func (a *app) listCommand() *cobra.Command {
	var (
		dbPath string
		ff     filterFlags
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "list",
		Short: "List the stored cards, newest first: date, title, source host, category, provider",
		Args:  noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			f, err := ff.filter(time.Now())
			if err != nil {
				return err
			}
			st, err := a.openCollection(c.Context(), dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			cards, err := st.ListCards(c.Context(), f)
			if err != nil {
				return fmt.Errorf("list: %w", err)
			}
			if asJSON {
				return writeJSONLines(a.stdout, cards)
			}
			return writeListing(a.stdout, cards)
		},
	}
	addDBFlag(c, &dbPath)
	addFilterFlags(c, &ff)
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object a line")
	return c
}

// writeListing writes one line a card: date, title, host, category,
// provider and the share of its rows that quote the page; the title cut to
// fit.
func writeListing(w io.Writer, cards []schema.CardSummary) error {
	var b strings.Builder
	for _, c := range cards {
		fmt.Fprintf(&b, "%s  %-60s  %-24s  %-16s  %-9s  %s\n", c.Published.Format("2006-01-02"),
			clipRunes(terminalSafe(c.Title), 60), clipRunes(c.Host, 24), clipRunes(string(c.Category), 16), c.Provider,
			groundedShare(c))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// groundedShare is "80% grounded", or "no rows".
func groundedShare(c schema.CardSummary) string {
	if c.RowsTotal == 0 {
		return "no rows"
	}
	return fmt.Sprintf("%d%% grounded", 100*c.RowsGrounded/c.RowsTotal)
}

package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/veille/veille/pipeline/importer"
)

func (a *app) importCommand() *cobra.Command {
	var (
		dbPath  string
		cluster bool
	)
	c := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import card files into the store: markdown cards (both layouts) and JSON cards, files or folders",
		Long: `Read card files into the store, keyed by their canonical URL: markdown cards
in the gold layout or the older one, and JSON cards as printed by parse,
run --json or export (one card, an array, or one a line). Folders are read
recursively; hidden files and other files are skipped.

Importing is idempotent: the same card again changes nothing, a changed card
becomes a new version. An imported card's provenance is "imported" with its
file name, and its date is its JSON "published" field (RFC 3339 date or
date-time), else the file's modification time. A malformed file is reported
on one line naming the file and the line, the others are still imported,
and the exit status is 1.

The rows of the new cards are then clustered with the others, as extract
trends does; --cluster=false leaves that to the next extract trends (for a
large first import, say).`,
		Args: minArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			st, err := a.openStore(c.Context(), dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			sum, err := importer.Import(c.Context(), st, args)
			for _, f := range sum.Failures {
				fmt.Fprintln(a.stderr, "extract: import: "+f.Error())
			}
			fmt.Fprintf(a.stdout, "import: %d files, %d cards: %d new, %d new versions, %d unchanged; %d failed\n",
				sum.Files, sum.Cards(), sum.New, sum.Changed, sum.Unchanged, len(sum.Failures))
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			if sum.New+sum.Changed > 0 && cluster {
				if res, _, err := a.clusterNewRows(c.Context(), st); err != nil {
					fmt.Fprintf(a.stderr, "extract: import: the new cards' rows are not clustered yet (extract trends will): %v\n", err)
				} else {
					a.sayClustered(st, res, false)
				}
			}
			if len(sum.Failures) > 0 {
				return fmt.Errorf("import: %d failed (listed above)", len(sum.Failures))
			}
			return nil
		},
	}
	addDBFlag(c, &dbPath)
	c.Flags().BoolVar(&cluster, "cluster", true, "cluster the new cards' rows with the others, as extract trends does")
	return c
}

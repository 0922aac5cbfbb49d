package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/pipeline/batch"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/sqlite"
)

func (a *app) migrateCommand() *cobra.Command {
	var from, to string
	c := &cobra.Command{
		Use:   "migrate --from SQLITE_PATH --to postgres://…",
		Short: "Copy a SQLite collection into a PostgreSQL database",
		Long: `Copy every record of a SQLite database into a PostgreSQL one: documents,
cards with all their versions and grounding spans, model runs and the response
cache, eval runs, batch runs and embeddings, keeping their ids; then build the
listing and the search index of the cards.

Copying is idempotent: records already copied are left as they are, so running
it again after the SQLite collection grew copies what is new. The row counts of
both databases are compared at the end; a difference (the PostgreSQL database
held other records) is an error. The job queue is not copied: finish or drop
the SQLite queue's jobs first (extract batch --status shows it).`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			switch {
			case from == "" || to == "":
				return usageError{errors.New("migrate: --from and --to are both needed")}
			case postgres.IsURL(from):
				return usageError{fmt.Errorf("migrate: --from %s: want a SQLite file, not a PostgreSQL URL", from)}
			case !postgres.IsURL(to):
				return usageError{fmt.Errorf("migrate: --to %s: want a postgres:// or postgresql:// URL", to)}
			}
			ctx := c.Context()
			src, err := a.openCollection(ctx, from)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			defer src.Close()
			sq, ok := src.(*sqlite.Store)
			if !ok {
				return fmt.Errorf("migrate: --from %s: not a SQLite database", from)
			}
			dst, err := postgres.Open(ctx, to)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			defer dst.Close()
			var bar *barProgress
			if w := terminal(a.stderr); w != nil {
				bar = newBarProgress(w)
			}
			started := false
			start := time.Now()
			counts, err := dst.CopySQLite(ctx, sq.DB(), func(done, total int) {
				if bar == nil {
					return
				}
				if !started {
					bar.Start(total)
					started = true
				}
				bar.Update(batch.Tally{Done: done})
			})
			if started {
				bar.Close()
			}
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			elapsed := time.Since(start)
			cards := 0
			for _, n := range counts {
				fmt.Fprintf(a.stdout, "%-17s %d\n", n.Table, n.Target)
				if n.Table == "cards" {
					cards = n.Target
				}
			}
			fmt.Fprintf(a.stdout, "migrate: %s copied to %s in %s (%.0f cards/s); counts match\n", sq.Path(), dst.Path(),
				elapsed.Round(time.Millisecond), float64(cards)/max(elapsed.Seconds(), 1e-3))
			return nil
		},
	}
	c.Flags().StringVar(&from, "from", "", "the SQLite database `FILE` to copy")
	c.Flags().StringVar(&to, "to", "", "the PostgreSQL database `URL` to copy it into (postgres://user@host:port/db)")
	return c
}

package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/veille/veille/store"
)

// addDBFlag gives a command the --db flag every store-touching command takes.
func addDBFlag(c *cobra.Command, path *string) {
	c.Flags().StringVar(path, "db", "", "SQLite database file (default $"+store.EnvDB+", else the XDG data directory)")
}

// openStore opens the database named by --db, or the default one.
func (a *app) openStore(ctx context.Context, path string) (*store.Store, error) {
	if path == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return nil, err
		}
		path = p
	}
	return store.Open(ctx, path)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
	"github.com/veille/veille/eval"
	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/pipeline/batch"
	"github.com/veille/veille/pipeline/importer"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/related"
	"github.com/veille/veille/pipeline/trends"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/sqlite"
	"github.com/veille/veille/web"
)

// addDBFlag gives a command the --db flag every store-touching command takes.
func addDBFlag(c *cobra.Command, path *string) {
	c.Flags().StringVar(path, "db", "", "SQLite database file (default $"+store.EnvDB+", else the XDG data directory)")
}

// openStore opens the database named by --db, or the default one, creating
// it when it does not exist.
func (a *app) openStore(ctx context.Context, path string) (*sqlite.Store, error) {
	path, err := storePath(path)
	if err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, path)
}

// storePath returns the database path --db names, or the default one, and
// rejects a directory or a read-only file, which SQLite would report as
// "unable to open database file (14)" or "attempt to write a readonly
// database (1544)".
func storePath(path string) (string, error) {
	if path == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return "", err
		}
		path = p
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return "", fmt.Errorf("database %s: is a directory, not a database file", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrPermission) {
		return "", fmt.Errorf("database %s: not writable: %w", path, unwrapPath(err))
	}
	if err == nil {
		f.Close()
	}
	return path, nil
}

// The SQLite store is every consumer's store.
var (
	_ pipeline.DocumentStore = (*sqlite.Store)(nil)
	_ pipeline.CardStore     = (*sqlite.Store)(nil)
	_ llm.ResponseCache      = (*sqlite.Store)(nil)
	_ batch.Store            = (*sqlite.Store)(nil)
	_ importer.Store         = (*sqlite.Store)(nil)
	_ related.Store          = (*sqlite.Store)(nil)
	_ trends.Store           = (*sqlite.Store)(nil)
	_ trends.EmbeddingStore  = (*sqlite.Store)(nil)
	_ eval.CardSource        = (*sqlite.Store)(nil)
	_ eval.RunStore          = (*sqlite.Store)(nil)
	_ eval.DocumentStore     = (*sqlite.Store)(nil)
	_ web.Collection         = (*sqlite.Store)(nil)
)

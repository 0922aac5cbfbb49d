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
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/sqlite"
	"github.com/veille/veille/web"
)

// addDBFlag gives a command the --db flag every store-touching command takes.
func addDBFlag(c *cobra.Command, path *string) {
	c.Flags().StringVar(path, "db", "", "SQLite database file, or postgres:// URL (default $"+store.EnvDB+", else a file in the XDG data directory)")
}

// Database is the store every command works on: the SQLite file or the
// PostgreSQL database --db names. It offers what each consumer package
// asks of a store.
type Database interface {
	pipeline.DocumentStore
	pipeline.CardStore
	llm.ResponseCache
	batch.Store
	importer.Store
	related.Store
	related.EmbeddingStore
	eval.CardSource
	eval.RunStore
	eval.DocumentStore
	trends.Store
	trends.EmbeddingStore
	web.Collection
	// LatestCardByURL finds a card by its External link (show).
	LatestCardByURL(ctx context.Context, url string) (schema.StoredCard, error)
	Close() error
}

// openStore opens the database named by --db, or the default one: a
// PostgreSQL database for a postgres:// or postgresql:// URL, else a SQLite
// file, created when it does not exist.
func (a *app) openStore(ctx context.Context, path string) (Database, error) {
	path, err := dbName(path)
	if err != nil {
		return nil, err
	}
	if postgres.IsURL(path) {
		return postgres.Open(ctx, path)
	}
	if path, err = storePath(path); err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, path)
}

// dbName is the database --db names (a file or a URL), else the default.
func dbName(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return store.DefaultPath()
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

// Both stores are every consumer's store.
var (
	_ Database = (*sqlite.Store)(nil)
	_ Database = (*postgres.Store)(nil)

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

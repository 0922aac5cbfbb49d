// Package sqlite is veille's embedded storage backend (see package store):
// it keeps documents, cards, eval runs and batch runs in one SQLite
// database file, through the pure-Go driver modernc.org/sqlite.
//
// Its schema is the numbered SQL files of migrations/, embedded in the
// program; [Open] applies those a database has not had yet, each in its own
// transaction. A migration, once released, is never edited nor renumbered:
// a change to the schema is a new file.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is an open veille database. Its methods are safe for concurrent
// use. A record that does not exist is reported with an error wrapping
// [schema.ErrNotFound].
type Store struct {
	db    *sql.DB
	path  string
	vocab vocabCache
	reads readStmts
	// facetCache holds facets counted since the collection last changed.
	facetCache facetCache
	// rankAll, when not 0, replaces the const rankAll (for tests).
	rankAll int
	// checkpoints runs the checkpoints of imports in the background.
	checkpoints checkpointer
}

// Open opens (creating if needed) the database at path, in WAL mode with
// foreign keys on and a busy timeout, and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	s, err := openDB(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := s.ensureIndex(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// Those an import deferred, if it was cut off.
	if err := s.BuildIndexes(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// OpenReadOnly opens the existing database at path for reading only
// (SQLite's mode=ro): it creates nothing and applies no migration, so it
// works on a file the user may not write. Every write through the Store
// fails. A missing file is an error ("database PATH: no such file"), and so
// is a database whose schema is not this program's (older: open it once
// with [Open] to migrate it).
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if path == ":memory:" {
		return nil, errors.New("open store read-only: an in-memory database has nothing to read")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("database %s: no such file", path)
	} else if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	dsn := "file:" + uriPath(path) + "?mode=ro&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s read-only: %w", path, err)
	}
	db.SetMaxIdleConns(maxIdleConns)
	s := &Store{db: db, path: path}
	if err := s.checkSchema(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s read-only: %w", path, err)
	}
	return s, nil
}

// checkSchema verifies that the database has every migration of this
// program and none newer.
func (s *Store) checkSchema(ctx context.Context) error {
	ms, current, err := s.migrations(ctx)
	if err != nil {
		return err
	}
	if want := ms[len(ms)-1].Version; current < want {
		return fmt.Errorf("database schema version %d is older than this program's %d: open it once for writing to migrate it",
			current, want)
	}
	return nil
}

// migrations returns this program's migrations and the version of the
// database, refusing a database made by a newer program.
func (s *Store) migrations(ctx context.Context) ([]store.Migration, int, error) {
	ms, err := loadMigrations()
	if err != nil {
		return nil, 0, err
	}
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return nil, 0, err
	}
	if n := len(ms); n > 0 && current > ms[n-1].Version {
		return nil, 0, fmt.Errorf("database schema version %d is newer than this program's %d", current, ms[n-1].Version)
	}
	return ms, current, nil
}

// maxIdleConns is how many connections the store keeps open between
// queries: a web page runs a few queries at the same time, and a
// connection closed after each starts again with an empty page cache and
// its statements unprepared.
const maxIdleConns = 4

// openDB opens the database at path without migrating it. Every
// transaction takes the write lock when it begins (_txlock=immediate), so
// that two writers wait for each other (busy_timeout) instead of failing
// when the first one writes. Each connection caches up to 32 MiB of pages
// (SQLite's default is 2 MiB): a batch of imported cards then writes its
// pages once, at commit, instead of spilling them to the WAL and reading
// them back, and a search or listing of a large collection reads its
// index pages from memory.
func openDB(path string) (*Store, error) {
	dsn := "file:" + uriPath(path) + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-32768)&_pragma=temp_store(2)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1) // each connection would otherwise get its own empty database
	}
	db.SetMaxIdleConns(maxIdleConns)
	return &Store{db: db, path: path}, nil
}

// uriPath escapes the characters that a SQLite URI filename gives a meaning
// to, so that a path holding them names its file.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

// Close closes the database.
func (s *Store) Close() error {
	s.checkpoints.wait()
	return errors.Join(s.closeReads(), s.db.Close())
}

// Path is the database file the store was opened on.
func (s *Store) Path() string { return s.path }

// DB exposes the database handle to code that needs it directly (the River
// queue driver); everything else goes through the Store's methods.
func (s *Store) DB() *sql.DB { return s.db }

// loadMigrations reads the embedded migrations, ordered by version.
func loadMigrations() ([]store.Migration, error) {
	return store.LoadMigrations(migrationFiles, "migrations")
}

// migrate applies every migration newer than the database's user_version,
// each in its own transaction together with the version bump.
func (s *Store) migrate(ctx context.Context) error {
	ms, current, err := s.migrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		if err := s.apply(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// schemaVersion is the version of the last migration applied (0: none).
func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// apply runs migration m and records its version, in one transaction.
func (s *Store) apply(ctx context.Context, m store.Migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
		return err
	}
	return tx.Commit()
}

// timestamp is how the store writes a time: RFC 3339 with nanoseconds, in
// UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseTimestamp reads a time written by timestamp; it is the zero time
// when s is not one.
func parseTimestamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// notFound turns sql.ErrNoRows into [schema.ErrNotFound], so that no
// database/sql error reaches the callers; it returns other errors as they
// are.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return schema.ErrNotFound
	}
	return err
}

// inTx runs fn in a transaction, committing when it returns nil and rolling
// back when it fails (or panics). The transaction holds the write lock from
// its start (see openDB).
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return commit(tx, fn)
}

// commit runs fn in tx, and commits tx when fn returns nil, else (or when
// it panics) rolls it back.
func commit(tx *sql.Tx, fn func(*sql.Tx) error) error {
	defer tx.Rollback() // a no-op (sql.ErrTxDone) once committed or rolled back
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

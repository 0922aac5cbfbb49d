// Package postgres is veille's PostgreSQL storage backend (see package
// store): documents, cards, eval runs and batch runs in one PostgreSQL
// database shared by any number of processes, through pgx
// (github.com/jackc/pgx/v5) and a pool of connections.
//
// It behaves as the SQLite backend does (both pass the conformance suite of
// package storetest). Full-text search runs on a tsvector column with a GIN
// index, holding the folded words of package cardindex, so a query finds
// the same cards on either backend: without accents, singular or plural,
// English or French.
//
// Its schema is the numbered SQL files of migrations/, embedded in the
// program; [Open] applies those a database has not had yet, each in its own
// transaction, under an advisory lock so that processes starting together
// migrate once. A migration, once released, is never edited nor
// renumbered.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// IsURL reports whether name is a PostgreSQL connection URL
// (postgres://… or postgresql://…) rather than a SQLite file path.
func IsURL(name string) bool {
	return strings.HasPrefix(name, "postgres://") || strings.HasPrefix(name, "postgresql://")
}

// Store is an open veille database on PostgreSQL. Its methods are safe
// for concurrent use. A record that does not exist is reported with an
// error wrapping [schema.ErrNotFound].
type Store struct {
	pool   *pgxpool.Pool
	db     *sql.DB // database/sql over pool, for the callers that need a *sql.Tx
	server string  // host:port/database, never the password
	// rankAll, when not 0, replaces the const rankAll (for tests).
	rankAll int
}

// Open connects to the database of the connection URL dsn and applies
// pending migrations. Its errors name the server (host:port/database,
// never the password) and the cause, in one line.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("database %s: %w", s.server, cause(err))
	}
	if err := s.ensureIndex(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("database %s: %w", s.server, cause(err))
	}
	// The indexes a copy cut off left dropped (see CopySQLite).
	if err := buildIndexes(ctx, s.pool, 2, nil); err != nil {
		s.Close()
		return nil, fmt.Errorf("database %s: %w", s.server, cause(err))
	}
	return s, nil
}

// connect opens the pool on dsn and checks that the server answers.
func connect(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", redact(dsn), errors.New(parseCause(err)))
	}
	server := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	if !strings.Contains(dsn, "pool_max_conns") {
		// A batch worker runs a dozen jobs and River's own services.
		cfg.MaxConns = max(cfg.MaxConns, 16)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", server, cause(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database %s: %w", server, cause(err))
	}
	return &Store{pool: pool, db: stdlib.OpenDBFromPool(pool), server: server}, nil
}

// redact is a connection URL without its password, for a message.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unreadable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	u.RawQuery = ""
	return u.String()
}

// parseCause is why a connection URL cannot be read, without the URL.
func parseCause(err error) string {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap().Error()
	}
	if errors.As(err, &pe) {
		return "not a valid connection URL"
	}
	return err.Error()
}

// cause is the part of a connection or query error that says what went
// wrong: the server's message, or the network's.
func cause(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return errors.New(pgErr.Message)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("unknown host %s", dnsErr.Name)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("server unreachable: %w", opErr.Err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("no answer from the server (timed out)")
	}
	return err
}

// Close closes the pool.
func (s *Store) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}

// Path names the database: host:port/database, never the password.
func (s *Store) Path() string { return s.server }

// DB is the database through database/sql, for the code that needs a
// *sql.DB (the job queue's inserts).
func (s *Store) DB() *sql.DB { return s.db }

// Pool is the pgx pool, for the code that needs pgx itself (the job
// queue's workers, which listen for notifications).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// loadMigrations reads the embedded migrations, ordered by version.
func loadMigrations() ([]store.Migration, error) {
	return store.LoadMigrations(migrationFiles, "migrations")
}

// migrationLock is the key of the advisory lock taken while migrating.
const migrationLock = 0x7665696c6c65 // "veille"

// migrate applies every migration newer than the database's schema
// version, each in its own transaction together with the version bump,
// holding an advisory lock. A database of a newer schema is refused.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].Version
	for _, m := range ms {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
				return err
			}
			current, err := schemaVersion(ctx, tx)
			if err != nil {
				return err
			}
			if current > latest {
				return fmt.Errorf("database schema version %d is newer than this program's %d", current, latest)
			}
			if m.Version <= current {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, cause(err))
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('schema_version', $1)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.Itoa(m.Version))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// schemaVersion is the version of the last migration applied (0: none).
func schemaVersion(ctx context.Context, tx dbtx) (int, error) {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT to_regclass('meta') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("schema version %q: not a number", v)
	}
	return n, nil
}

// dbtx is what the functions writing records use: a *sql.Tx or the
// *sql.DB.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// notFound turns sql.ErrNoRows into [schema.ErrNotFound].
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return schema.ErrNotFound
	}
	return err
}

// pgNotFound turns pgx.ErrNoRows into [schema.ErrNotFound].
func pgNotFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return schema.ErrNotFound
	}
	return err
}

// inTx runs fn in a transaction, committing when it returns nil and rolling
// back when it fails (or panics).
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op once committed or rolled back
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// utc is t in UTC, for a time read back from the database.
func utc(t time.Time) time.Time { return t.UTC() }

// nullTime is t for a nullable column: NULL when zero.
func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

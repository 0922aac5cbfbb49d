package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// dbtx is what the functions writing a card use of a transaction: a
// *sql.Tx, or a *stmtTx for a batch.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtTx is a transaction that prepares each statement once and keeps it
// until close: a batch of imported cards runs the same few statements
// thousands of times, and preparing them cost about as much as running
// them.
//
// It also holds back the writes to the full-text index (card_search) until
// flush: FTS5 writes its pending words to disk as a new segment whenever
// another statement of the transaction opens a savepoint, so interleaving
// them with the other writes of each card made a segment per card, and
// merging those cost more than everything else.
//
// It holds back the cards' tags (card_tags) too, and writes them sorted,
// hundreds in one statement: a statement per card, each with its
// statement journal, cost a fifth more.
type stmtTx struct {
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	pending []searchRow
	tags    []tagRow
}

// searchRow is a write to card_search and, with head, to card_head: its
// row id's rows removed (unless fresh: it has none), then cols written as
// its new rows unless nil (card_head takes the first three).
type searchRow struct {
	id    int64
	fresh bool
	head  bool
	cols  []any
}

func newStmtTx(tx *sql.Tx) *stmtTx { return &stmtTx{tx: tx, stmts: map[string]*sql.Stmt{}} }

// stmt returns query prepared in the transaction.
func (t *stmtTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.tx.QueryRowContext(ctx, query, args...) // a Row holding the same error
	}
	return st.QueryRowContext(ctx, args...)
}

// flush writes the held-back tags and full-text rows.
func (t *stmtTx) flush(ctx context.Context) error {
	if err := t.flushTags(ctx); err != nil {
		return err
	}
	for _, r := range t.pending {
		if err := writeSearchRow(ctx, t, r); err != nil {
			return err
		}
	}
	t.pending = nil
	return nil
}

// flushTags writes the held-back tags.
func (t *stmtTx) flushTags(ctx context.Context) error {
	if err := writeTags(ctx, t, t.tags); err != nil {
		return err
	}
	t.tags = nil
	return nil
}

// close releases the prepared statements; the transaction stays open.
func (t *stmtTx) close() error {
	var errs []error
	for _, st := range t.stmts {
		errs = append(errs, st.Close())
	}
	t.stmts = nil
	return errors.Join(errs...)
}

// inStmtTx is inTx with statements prepared once (see stmtTx).
func (s *Store) inStmtTx(ctx context.Context, fn func(*stmtTx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return runStmtTx(ctx, tx, fn) })
}

// runStmtTx runs fn with tx as a stmtTx, and flushes it.
func runStmtTx(ctx context.Context, tx *sql.Tx, fn func(*stmtTx) error) error {
	st := newStmtTx(tx)
	err := fn(st)
	if err == nil {
		err = st.flush(ctx)
	}
	return errors.Join(err, st.close())
}

// readStmts holds the statements of the store's reads, prepared once each:
// a page of the web app or of the static site runs a dozen queries, and
// preparing them cost a fifth of their time.
type readStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// maxReadStmts bounds the prepared statements kept; queries beyond are
// prepared for each use.
const maxReadStmts = 512

// prepared returns query prepared on the store's database, or nil when the
// cache is full.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	c := &s.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	if len(c.stmts) >= maxReadStmts {
		return nil, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

// query runs a read query through a prepared statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a read query of one row through a prepared statement.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, query)
	if err != nil || st == nil {
		return s.db.QueryRowContext(ctx, query, args...) // a Row holding the same error
	}
	return st.QueryRowContext(ctx, args...)
}

// closeReads releases the prepared statements of the reads.
func (s *Store) closeReads() error {
	c := &s.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.stmts {
		errs = append(errs, st.Close())
	}
	c.stmts = nil
	return errors.Join(errs...)
}

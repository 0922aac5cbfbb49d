package sqlite

// This file holds what makes a large import fast: the connection that
// writes its batches, checkpoints in the background, and the indexes it
// defers.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// importCacheKiB is the page cache of the connection that writes imported
// cards, in KiB: the pages a batch writes into, the indexes' above all, are
// found in memory, not read again from the file, up to a collection of
// about 100,000 cards. The other connections keep the 32 MiB of openDB.
const importCacheKiB = 256 << 10

// inImportTx is inStmtTx on a connection set for large writes: a page
// cache of importCacheKiB, no foreign key checks, and no checkpoint at
// commit. An import writes a card's document, then the card, then the
// rows that point to it, and tests check that it leaves no row pointing
// nowhere (PRAGMA foreign_key_check); checking every reference of every
// row cost a tenth of a large import. The checkpoint, which copies the
// pages just written from the write-ahead log into the database file,
// runs in the background instead (see checkpointer), while the next batch
// is read and written.
func (s *Store) inImportTx(ctx context.Context, fn func(*stmtTx) error) error {
	set := []string{fmt.Sprintf(`PRAGMA cache_size = -%d`, importCacheKiB), `PRAGMA foreign_keys = OFF`}
	unset := []string{`PRAGMA foreign_keys = ON`}
	background := s.path != ":memory:" // a database in memory has no log
	if background {
		set = append(set, `PRAGMA wal_autocheckpoint = 0`)
		unset = append(unset, `PRAGMA wal_autocheckpoint = 1000`) // SQLite's default
	}
	err := s.inConnTx(ctx, set, unset, func(tx *sql.Tx) error { return runStmtTx(ctx, tx, fn) })
	if background {
		s.checkpoints.start(s.db)
	}
	return err
}

// inConnTx is inTx on a connection of its own, on which the statements
// of set run before the transaction begins and those of unset after it
// ends, whatever happened: settings that SQLite ignores inside a
// transaction, and that the connection's next users must not keep. A
// connection whose settings could not be set back is closed, not reused.
func (s *Store) inConnTx(ctx context.Context, set, unset []string, fn func(*sql.Tx) error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer func() {
		for _, q := range unset {
			if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), q); uerr != nil {
				err = errors.Join(err, uerr)
				conn.Raw(func(any) error { return driver.ErrBadConn }) // database/sql drops it
			}
		}
	}()
	for _, q := range set {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return commit(tx, fn)
}

// checkpointer runs checkpoints in the background, one at a time: a
// checkpoint asked for while one runs starts when it ends.
type checkpointer struct {
	mu      sync.Mutex
	running bool
	again   bool
	wg      sync.WaitGroup
}

// start runs a passive checkpoint of db (one that leaves the writers and
// readers alone) in a goroutine, or after the one running. A checkpoint
// that fails is left to the next one, or to SQLite's own at the next
// commit of another connection.
func (c *checkpointer) start(db *sql.DB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.again = true
		return
	}
	c.running = true
	c.wg.Go(func() {
		for {
			db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
			c.mu.Lock()
			if !c.again {
				c.running = false
				c.mu.Unlock()
				return
			}
			c.again = false
			c.mu.Unlock()
		}
	})
}

// wait waits for the checkpoints started.
func (c *checkpointer) wait() { c.wg.Wait() }

// deferredIndexes are the indexes a large import may stop keeping up to
// date (see [Store.DeferIndexes]): those that only speed up listing,
// sorting and counting facets. Writing a card puts an entry in each at a
// place of its own, which, over a collection that outgrows the page cache,
// cost more than the rest of a card's rows; built once, from sorted rows,
// they cost a fraction of that.
var deferredIndexes = []string{"card_latest_published", "card_latest_title", "card_latest_category",
	"card_latest_type", "card_latest_host", "card_latest_provider", "card_latest_origin", "card_latest_week",
	"card_latest_category_week", "card_tags_category"}

// DeferIndexes drops the indexes of the listing and the facets until
// [Store.BuildIndexes], for a large import: it records the statement
// creating each in a meta row (index:NAME) in the same transaction, so
// that Open builds them if the import is cut off. Reading works meanwhile,
// slower.
func (s *Store) DeferIndexes(ctx context.Context) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index'`)
		if err != nil {
			return err
		}
		defs := map[string]string{}
		for rows.Next() {
			var name string
			var ddl sql.NullString // none for the indexes of constraints
			if err := rows.Scan(&name, &ddl); err != nil {
				rows.Close()
				return err
			}
			if slices.Contains(deferredIndexes, name) {
				defs[name] = ddl.String
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for name, ddl := range defs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, "index:"+name, ddl); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("defer indexes: %w", err)
	}
	return nil
}

// BuildIndexes creates the indexes [Store.DeferIndexes] dropped, in one
// transaction, sorting their entries on up to four cores; it does nothing
// when none is missing.
func (s *Store) BuildIndexes(ctx context.Context) error {
	// Read first, without the write lock, which Open would otherwise take.
	var deferred bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM meta WHERE key LIKE 'index:%')`).Scan(&deferred)
	if err != nil {
		return fmt.Errorf("build indexes: %w", err)
	}
	if !deferred {
		return nil
	}
	threads := fmt.Sprintf(`PRAGMA threads = %d`, min(runtime.GOMAXPROCS(0), 4))
	err = s.inConnTx(ctx, []string{threads}, []string{`PRAGMA threads = 0`}, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT key, value FROM meta WHERE key LIKE 'index:%' ORDER BY key`)
		if err != nil {
			return err
		}
		var keys, defs []string
		for rows.Next() {
			var key, ddl string
			if err := rows.Scan(&key, &ddl); err != nil {
				rows.Close()
				return err
			}
			keys, defs = append(keys, key), append(defs, ddl)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for i, ddl := range defs {
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return fmt.Errorf("%s: %w", strings.TrimPrefix(keys[i], "index:"), err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, keys[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("build indexes: %w", err)
	}
	return nil
}

// Package lock holds the batch lock of a database: a file lock beside it,
// through gofrs/flock (flock on Unix, LockFileEx on Windows).
package lock

import (
	"fmt"

	"github.com/gofrs/flock"
)

// Batch takes the batch lock of the database at dbPath: a file lock on
// dbPath + ".batch-lock", held until the returned func is called. The
// operating system releases it when the process dies, so a lock found
// taken means a live batch, and a batch that finds jobs running while
// holding the lock knows their process died. An in-memory database needs
// no lock.
func Batch(dbPath string) (unlock func(), err error) {
	if dbPath == ":memory:" {
		return func() {}, nil
	}
	path := dbPath + ".batch-lock"
	fl := flock.New(path)
	locked, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("batch lock %s: %w", path, err)
	}
	if !locked {
		return nil, fmt.Errorf("batch lock %s: another extract batch is running on this database", path)
	}
	return func() { _ = fl.Unlock() }, nil
}

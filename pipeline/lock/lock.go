//go:build unix

package lock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockBatch takes the batch lock of the database at dbPath: a file lock
// beside it, held until the returned func is called. The kernel releases it
// when the process dies, so a lock found taken means a live batch; a batch
// that finds jobs running while holding the lock knows their process died.
func lockBatch(dbPath string) (unlock func(), err error) {
	if dbPath == ":memory:" {
		return func() {}, nil
	}
	path := dbPath + ".batch-lock"
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("batch lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("batch lock %s: another extract batch is running on this database", path)
		}
		return nil, fmt.Errorf("batch lock %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

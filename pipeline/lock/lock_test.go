package lock

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestBatchLockIsExclusive(t *testing.T) {
	db := filepath.Join(t.TempDir(), "veille.db")
	unlock, err := Batch(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Batch(db); err == nil || !strings.Contains(err.Error(), "another extract batch is running") {
		t.Fatalf("second lock: err = %v, want another batch running", err)
	}
	unlock()
	again, err := Batch(db)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}

func TestBatchLockOfMemoryDatabase(t *testing.T) {
	for range 2 {
		unlock, err := Batch(":memory:")
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
	}
}

func TestBatchLockInMissingDirectory(t *testing.T) {
	if _, err := Batch(filepath.Join(t.TempDir(), "no", "such", "veille.db")); err == nil ||
		!strings.Contains(err.Error(), "batch lock") {
		t.Fatalf("err = %v, want a batch lock error naming the path", err)
	}
}

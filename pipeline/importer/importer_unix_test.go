//go:build unix

package importer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestImportSpecialFiles checks that a folder's symbolic links to devices
// and its named pipes are skipped (reading them would never end), that a
// link to a card is read, and that such files named on the command line,
// or a file over the size cap, are failures.
func TestImportSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.md")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	abs, err := filepath.Abs("testdata/cards/parse.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big.md")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}

	st := newFakeStore()
	sum, err := Import(context.Background(), st, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failures) != 0 || sum.Files != 1 || !slices.Equal(st.urls(), []string{"https://example.com/parsed"}) {
		t.Errorf("folder: summary %+v, cards %q; want link.json read alone", sum, st.urls())
	}

	sum, err = Import(context.Background(), st, []string{filepath.Join(dir, "zero.md"), filepath.Join(dir, "pipe.json"), big})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"not a regular file but a device", "not a regular file but a named pipe", "file too large"}
	if len(sum.Failures) != len(want) {
		t.Fatalf("failures: %v, want %d", sum.Failures, len(want))
	}
	for i, f := range sum.Failures {
		if !strings.Contains(f.Error(), want[i]) {
			t.Errorf("failure %d = %v, want %q", i, f.Error(), want[i])
		}
	}
}

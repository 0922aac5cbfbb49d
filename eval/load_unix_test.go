//go:build unix

package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadCardFileRefusesWhatIsNoCard checks that eval never reads a
// device, a pipe or a huge file as a card, and says why.
func TestReadCardFileRefusesWhatIsNoCard(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.md")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Skip("no symlinks here:", err)
	}
	fifo := filepath.Join(dir, "pipe.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.md")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# __x__\n"), MaxCardFileSize/4), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{zero: "not a regular file", fifo: "not a regular file", big: "larger than"} {
		if _, err := ReadCardFile(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", filepath.Base(path), err, want)
		}
	}
	cards, errs, err := LoadGold(dir)
	if err != nil || len(cards) != 0 || len(errs) != 3 {
		t.Errorf("LoadGold = %d cards, %d file errors, %v; want the 3 files reported", len(cards), len(errs), err)
	}
}

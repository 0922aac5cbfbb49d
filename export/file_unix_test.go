//go:build unix

package export

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteFileAtomicFollowsTheUmask checks that an exported file gets the
// mode os.Create would give it, not the temporary file's 0600.
func TestWriteFileAtomicFollowsTheUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "cards.json")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "[]"); return err }); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o644 {
		t.Errorf("mode = %o, want 644 (0666 less the umask 022)", mode)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files left in the folder, want the one written", len(entries))
	}
}

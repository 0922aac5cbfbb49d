package batch

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadListInputBadFiles checks that a list input that cannot be read
// gives one line naming the input once, with the cause.
func TestReadListInputBadFiles(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.txt")
	tests := []struct {
		name, input, want string
		wantErr           error
	}{
		{"missing file", missing, "input " + missing + ": neither an http(s) URL nor a readable list file (no such file or directory)", fs.ErrNotExist},
		{"directory", dir, "input " + dir + ": neither an http(s) URL nor a readable list file (is a directory)", nil},
		{"malformed URL", "http://", "input http://: neither an http(s) URL nor a readable list file", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readListInput(tt.input)
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.want) || strings.Count(msg, tt.input) != 1 {
				t.Errorf("error %q: want it to start with %q and name the input once", msg, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
		})
	}
}

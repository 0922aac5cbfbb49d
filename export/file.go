package export

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes path through a temporary file in the same
// directory, renamed into place once write succeeded, so that a failure
// leaves no half-written file. The file gets the permissions a new file
// gets (0666 less the umask), as os.Create would give it. Its errors name
// path, not the temporary file.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := createTemp(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := errors.Join(bw.Flush(), tmp.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// createTemp creates a new file with a random name in dir, mode 0666 less
// the umask (os.CreateTemp would make it 0600, which the rename would keep).
func createTemp(dir string) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".extract-%08x", rand.Uint32()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("no free temporary file name")
}

// CheckWritableDir fails when files cannot be created in dir (it does not
// exist, is not a directory, or is read-only), so that a command can fail
// before it does any work whose output would be lost. The error is the
// cause only; the caller names the directory.
func CheckWritableDir(dir string) error {
	tmp, err := os.CreateTemp(dir, ".extract-*")
	if err != nil {
		return pathCause(err) // the cause, not the probe file's name
	}
	return errors.Join(tmp.Close(), os.Remove(tmp.Name()))
}

// pathCause returns the cause of a file system error, without the path and
// operation the caller names.
func pathCause(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

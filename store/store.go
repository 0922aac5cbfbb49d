// Package store is where veille keeps its records: documents, cards with
// their grounding spans, model runs, the response cache, batch runs and
// eval runs, all of them types of package schema.
//
// A backend is a package that stores those records in one database and
// offers the methods listed by
// [github.com/veille/veille/store/storetest.Backend]; a record that does not
// exist is reported with an error wrapping [schema.ErrNotFound]. Package
// [github.com/veille/veille/store/sqlite], the embedded default, keeps them
// in one SQLite file. Package [github.com/veille/veille/store/storetest] is
// the contract every backend passes: its Run function runs the same
// behavioural tests against any of them.
//
// This package holds what does not depend on the backend: where the
// database lives by default.
package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// EnvDB names the environment variable that overrides the database path.
const EnvDB = "VEILLE_DB"

// DefaultPath returns where the database lives when no --db flag is given:
// $VEILLE_DB, else $XDG_DATA_HOME/veille/veille.db, else
// ~/.local/share/veille/veille.db.
func DefaultPath() (string, error) {
	if p := os.Getenv(EnvDB); p != "" {
		return p, nil
	}
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("default database path: %w", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "veille", "veille.db"), nil
}

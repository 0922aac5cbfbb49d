package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "veille.db")
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	latest := ms[len(ms)-1].version
	for i := 0; i < 2; i++ { // the second Open must find nothing to do
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var v int
		if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != latest {
			t.Errorf("open #%d: user_version = %d, want %d", i+1, v, latest)
		}
		var mode string
		if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		var fk int
		if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if fk != 1 {
			t.Errorf("foreign_keys = %d, want 1", fk)
		}
		s.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "veille.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 9999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("Open accepted a database from a newer program")
	}
}

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name, db, xdg, home, want string
	}{
		{"env wins", "/tmp/x.db", "/xdg", "/home/u", "/tmp/x.db"},
		{"xdg", "", "/xdg", "/home/u", "/xdg/veille/veille.db"},
		{"home", "", "", "/home/u", "/home/u/.local/share/veille/veille.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvDB, tt.db)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			got, err := DefaultPath()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("DefaultPath() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOpenPathWithURIDelimiters checks that a database path holding the
// characters a SQLite URI gives a meaning to (?, #, %) opens that very file,
// with its connection settings.
func TestOpenPathWithURIDelimiters(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"why?.db", "a#b.db", "100%.db", "q?x=1&y#z%41.db"} {
		path := filepath.Join(t.TempDir(), name)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var fk int
		if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if fk != 1 {
			t.Errorf("%s: foreign_keys = %d, want 1", name, fk)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: database not at its path: %v", name, err)
		}
	}
}

package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

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

func TestLoadMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")},
		"m/0001_a.sql": {Data: []byte("A")},
	}
	ms, err := LoadMigrations(fsys, "m")
	if err != nil || len(ms) != 2 || ms[0].Version != 1 || ms[1].SQL != "B" {
		t.Fatalf("LoadMigrations = %+v, %v", ms, err)
	}
	fsys["m/0002_c.sql"] = &fstest.MapFile{Data: []byte("C")}
	if _, err := LoadMigrations(fsys, "m"); err == nil || !strings.Contains(err.Error(), "share a version") {
		t.Errorf("two migrations 0002: %v", err)
	}
	fsys["m/x.sql"] = &fstest.MapFile{}
	if _, err := LoadMigrations(fsys, "m"); err == nil {
		t.Error("a migration without a version was accepted")
	}
}

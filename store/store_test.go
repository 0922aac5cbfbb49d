package store

import "testing"

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

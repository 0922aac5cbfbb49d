package sqlite

import (
	"context"
	"testing"
	"time"
)

// TestISOWeek checks that isoWeek writes the week as SQLite's
// strftime('%G-W%V') does, which migration 0007 used, across year ends.
func TestISOWeek(t *testing.T) {
	s, err := Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2020, 12, 20, 13, 5, 0, 0, time.UTC)
	for range 800 {
		published := formatPublished(day)
		var want string
		if err := s.db.QueryRow(`SELECT strftime('%G-W%V', ?)`, published).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := isoWeek(published); got != want {
			t.Errorf("isoWeek(%s) = %q, SQLite says %q", published, got, want)
		}
		day = day.Add(25 * time.Hour)
	}
	if got := isoWeek(""); got != "" {
		t.Errorf(`isoWeek("") = %q, want ""`, got)
	}
}

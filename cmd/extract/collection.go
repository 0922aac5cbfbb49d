package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/sqlite"
)

// filterFlags are the collection filters list and search share.
type filterFlags struct {
	since, until                string
	category, theme, host, prov string
	limit                       int
}

func addFilterFlags(c *cobra.Command, f *filterFlags) {
	c.Flags().StringVar(&f.since, "since", "", "only cards published on or after `DATE` (YYYY-MM-DD, RFC 3339, or a duration back from now: 7d, 12h)")
	c.Flags().StringVar(&f.until, "until", "", "only cards published before `DATE` (same forms as --since)")
	c.Flags().StringVar(&f.category, "category", "", "only cards of this category")
	c.Flags().StringVar(&f.theme, "theme", "", "only cards with this theme (case does not matter)")
	c.Flags().StringVar(&f.host, "host", "", "only cards whose source is on this host (example.com)")
	c.Flags().StringVar(&f.prov, "provider", "", "only cards made by this provider (openai, offline, imported, ...)")
	c.Flags().IntVar(&f.limit, "limit", 50, "at most `N` cards")
}

// filter checks the flags and returns the filter they describe.
func (f filterFlags) filter(now time.Time) (schema.CardFilter, error) {
	since, err := parseWhen(f.since, now)
	if err != nil {
		return schema.CardFilter{}, usageError{fmt.Errorf("--since %q: %w", f.since, err)}
	}
	until, err := parseWhen(f.until, now)
	if err != nil {
		return schema.CardFilter{}, usageError{fmt.Errorf("--until %q: %w", f.until, err)}
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return schema.CardFilter{}, usageError{fmt.Errorf("--until %s is not after --since %s", f.until, f.since)}
	}
	if f.limit < 1 || f.limit > 100000 {
		return schema.CardFilter{}, usageError{fmt.Errorf("--limit %d: want 1 to 100000", f.limit)}
	}
	return schema.CardFilter{Since: since, Until: until, Category: f.category, Theme: f.theme,
		Host: strings.TrimPrefix(strings.ToLower(f.host), "www."), Provider: f.prov, Limit: f.limit}, nil
}

// parseWhen reads --since and --until: a date, an RFC 3339 time, or a
// duration back from now in days or hours ("7d", "36h").
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := schema.ParseDate(s); ok {
		return t, nil
	}
	if n, unit, ok := cutNumber(s); ok {
		switch unit {
		case "d":
			return now.AddDate(0, 0, -n), nil
		case "h":
			return now.Add(-time.Duration(n) * time.Hour), nil
		}
	}
	return time.Time{}, errors.New("want a date YYYY-MM-DD, an RFC 3339 time, or a duration such as 7d or 12h")
}

// cutNumber splits "7d" into 7 and "d".
func cutNumber(s string) (int, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 6 {
		return 0, "", false
	}
	n := 0
	for _, c := range s[:i] {
		n = n*10 + int(c-'0')
	}
	return n, s[i:], true
}

// openCollection opens an existing database for the commands that only
// read it: read-only when the file is not writable, else as usual, so that
// a database of an earlier version is migrated first. It never creates a
// database.
func (a *app) openCollection(ctx context.Context, path string) (Database, error) {
	path, err := dbName(path)
	if err != nil {
		return nil, err
	}
	if postgres.IsURL(path) {
		return postgres.Open(ctx, path)
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("database %s: no such file (nothing stored yet, or a mistyped --db)", path)
	case err != nil:
		return nil, fmt.Errorf("database %s: %w", path, unwrapPath(err))
	case info.IsDir():
		return nil, fmt.Errorf("database %s: is a directory, not a database file", path)
	}
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		f.Close()
		return sqlite.Open(ctx, path)
	}
	return sqlite.OpenReadOnly(ctx, path)
}

// noArgs is cobra.NoArgs with a usage error (exit status 2).
func noArgs(c *cobra.Command, args []string) error {
	if err := cobra.NoArgs(c, args); err != nil {
		return usageError{fmt.Errorf("%s%w", commandPrefix(c), err)}
	}
	return nil
}

// writeJSONLines writes each value as one line of JSON.
func writeJSONLines[T any](w io.Writer, values []T) error {
	enc := json.NewEncoder(w)
	for _, v := range values {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

// clipRunes cuts s to n characters, marking a cut with "…".
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// terminalSafe drops control characters (escape sequences from page text
// must not reach a terminal) and folds line breaks into spaces.
func terminalSafe(s string) string {
	s = strings.NewReplacer("\n", " ", "\t", " ", "\r", " ").Replace(s)
	return schema.DropBidiControls(schema.DropControls(s, ""))
}

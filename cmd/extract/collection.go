package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/sqlite"
)

// filterFlags are the collection filters list, search and serve share.
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
func (a *app) openCollection(ctx context.Context, path string) (*sqlite.Store, error) {
	if path == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return nil, err
		}
		path = p
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

func (a *app) listCommand() *cobra.Command {
	var (
		dbPath string
		ff     filterFlags
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "list",
		Short: "List the stored cards, newest first: date, title, source host, category, provider",
		Args:  noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			f, err := ff.filter(time.Now())
			if err != nil {
				return err
			}
			st, err := a.openCollection(c.Context(), dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			cards, err := st.ListCards(c.Context(), f)
			if err != nil {
				return fmt.Errorf("list: %w", err)
			}
			if asJSON {
				return writeJSONLines(a.stdout, cards)
			}
			return writeListing(a.stdout, cards)
		},
	}
	addDBFlag(c, &dbPath)
	addFilterFlags(c, &ff)
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object a line")
	return c
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

// writeListing writes one line a card: date, title, host, category,
// provider; the title cut to fit.
func writeListing(w io.Writer, cards []schema.CardSummary) error {
	var b strings.Builder
	for _, c := range cards {
		fmt.Fprintf(&b, "%s  %-60s  %-24s  %-16s  %s\n", c.Published.Format("2006-01-02"),
			clipRunes(terminalSafe(c.Title), 60), clipRunes(c.Host, 24), clipRunes(string(c.Category), 16), c.Provider)
	}
	_, err := io.WriteString(w, b.String())
	return err
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
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return -1
		}
		return r
	}, s)
}

func (a *app) showCommand() *cobra.Command {
	var (
		dbPath         string
		asJSON, source bool
	)
	c := &cobra.Command{
		Use:   "show ID|URL",
		Short: "Print a stored card as run printed it, without making a new one; --source shows the page with each row's evidence marked",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			st, err := a.openCollection(ctx, dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			card, err := storedCard(ctx, st, args[0])
			if err != nil {
				return err
			}
			spans, err := st.CardSpans(ctx, card.ID)
			if err != nil {
				return fmt.Errorf("show %s: %w", args[0], err)
			}
			switch {
			case source:
				doc, err := st.GetDocumentByID(ctx, card.DocumentID)
				if err != nil {
					return fmt.Errorf("show %s: %w", args[0], err)
				}
				return writeMarkedSource(a.stdout, doc.Text, spans)
			case asJSON:
				return writeStoredJSON(a.stdout, card, spans)
			}
			_, err = fmt.Fprintln(a.stdout, card.Markdown)
			return err
		},
	}
	addDBFlag(c, &dbPath)
	c.Flags().BoolVar(&asJSON, "json", false, "print the card as run --json does: card, provenance, grounding, published")
	c.Flags().BoolVar(&source, "source", false, "print the page text with each row's evidence between numbered marks")
	return c
}

// storedCard finds the newest card of a document ID or of a URL: the
// page's address, or the card's External link.
func storedCard(ctx context.Context, st *sqlite.Store, idOrURL string) (schema.StoredCard, error) {
	if isDocumentID(idOrURL) {
		card, err := st.LatestCard(ctx, idOrURL)
		return card, notFoundLine(idOrURL, err)
	}
	canonical, err := schema.CanonicalURL(idOrURL)
	if err != nil {
		return schema.StoredCard{}, fmt.Errorf("%s: neither a card ID nor a URL (%w)", idOrURL, err)
	}
	card, err := st.LatestCard(ctx, schema.DocumentID(canonical))
	for _, u := range []string{idOrURL, canonical} {
		if !errors.Is(err, schema.ErrNotFound) {
			break
		}
		card, err = st.LatestCardByURL(ctx, u)
	}
	return card, notFoundLine(idOrURL, err)
}

// notFoundLine turns a not-found error into the line the user reads.
func notFoundLine(what string, err error) error {
	if errors.Is(err, schema.ErrNotFound) {
		return fmt.Errorf("%s: no card in this database", what)
	}
	return err
}

// isDocumentID reports whether s looks like a document ID: 32 hex digits.
func isDocumentID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// writeStoredJSON prints a stored card as `run --json` prints a new one.
func writeStoredJSON(w io.Writer, c schema.StoredCard, spans []schema.Span) error {
	b, err := json.Marshal(runOutput{ID: c.DocumentID, Version: c.Version, Card: json.RawMessage(c.CardJSON),
		Provenance: c.Provenance, Grounding: spans, Published: c.Published})
	if err != nil {
		return fmt.Errorf("encode card: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeMarkedSource prints text with each grounded row's evidence between
// "[N>" and "<N]", then a legend of the marks.
func writeMarkedSource(w io.Writer, text string, spans []schema.Span) error {
	type mark struct {
		at    int
		label string
	}
	var marks []mark
	var legend strings.Builder
	runes := []rune(text)
	n := 0
	for _, s := range spans {
		if !s.Grounded() || s.Start < 0 || s.End > len(runes) || s.Start >= s.End {
			continue
		}
		n++
		marks = append(marks, mark{s.Start, fmt.Sprintf("[%d>", n)}, mark{s.End, fmt.Sprintf("<%d]", n)})
		fmt.Fprintf(&legend, "[%d] %s #%d: %s (%s)\n", n, s.Section, s.Row+1, terminalSafe(s.Name), s.Method)
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].at < marks[j].at })
	var b strings.Builder
	prev := 0
	for _, m := range marks {
		b.WriteString(string(runes[prev:m.at]))
		b.WriteString(m.label)
		prev = m.at
	}
	b.WriteString(string(runes[prev:]))
	b.WriteString("\n\n")
	b.WriteString(legend.String())
	_, err := io.WriteString(w, b.String())
	return err
}

func (a *app) searchCommand() *cobra.Command {
	var (
		dbPath string
		ff     filterFlags
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search the cards and their pages' text, best match first, with the matching words marked",
		Long: `Search every card field and the page text of the stored cards (SQLite FTS5,
BM25 ranking). Accents do not matter ("energie" finds "énergie"), nor do
French and English plurals. All the words of the query must occur; any text
is a valid query. The filters of list apply.`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := ff.filter(time.Now())
			if err != nil {
				return err
			}
			st, err := a.openCollection(c.Context(), dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			hits, err := st.SearchCards(c.Context(), args[0], f)
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			for i := range hits {
				hits[i].Snippet = markMatches(hits[i].Snippet)
			}
			if len(hits) == 0 {
				fmt.Fprintf(a.stderr, "search: no card matches %q\n", clipRunes(terminalSafe(args[0]), 80))
				return nil
			}
			if asJSON {
				return writeJSONLines(a.stdout, searchLines(hits))
			}
			return writeHits(a.stdout, hits)
		},
	}
	addDBFlag(c, &dbPath)
	addFilterFlags(c, &ff)
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object a line: id, url, title, score, snippet")
	return c
}

// markMatches writes the matched words of a snippet between ** marks.
func markMatches(snippet string) string {
	return strings.NewReplacer(schema.SnippetOpen, "**", schema.SnippetClose, "**").Replace(snippet)
}

// searchLine is one hit as search --json prints it.
type searchLine struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	Provider  string    `json:"provider"`
	Score     float64   `json:"score"`
	Snippet   string    `json:"snippet"`
}

func searchLines(hits []schema.SearchHit) []searchLine {
	out := make([]searchLine, len(hits))
	for i, h := range hits {
		out[i] = searchLine{ID: h.ID, URL: h.URL, Title: h.Title, Published: h.Published, Provider: h.Provider,
			Score: h.Score, Snippet: h.Snippet}
	}
	return out
}

// writeHits writes two lines a hit: the listing line, then the snippet.
func writeHits(w io.Writer, hits []schema.SearchHit) error {
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "%s  %s  %s\n    %s\n", h.Published.Format("2006-01-02"), terminalSafe(h.Title), h.ID,
			terminalSafe(h.Snippet))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

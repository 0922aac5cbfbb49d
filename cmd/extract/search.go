package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
)

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

package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/pipeline/llm/provider"
	"github.com/veille/veille/pipeline/trends"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
	"github.com/veille/veille/web"
)

// trendFlags are the flags of extract trends.
type trendFlags struct {
	dbPath, since, window, table, format, embedModel string
	minSources, limit                                int
	threshold                                        float64
	asJSON, rebuild                                  bool
}

func (a *app) trendsCommand() *cobra.Command {
	var f trendFlags
	c := &cobra.Command{
		Use:   "trends [--since 90d] [--window 7d] [--min-sources 2] [--table T|all] [--format text|md|json|html]",
		Short: "Rank what recurs across sources: clusters of rows that say the same thing, by sources, growth and relevancy",
		Long: `Group the rows of every card's tables (signals, concerns, behaviors,
technologies, issues) into clusters of rows that say the same thing, across
cards, and rank the clusters of the period: by the number of distinct
sources (hosts) carrying them, then their growth (rows in the last window
against the window before), then their rows' mean relevancy.

Rows are clustered by their words (TF-IDF, offline), or by embeddings when
an embeddings model is configured (as for related: OPENAI_API_KEY, or
--embed-model / EXTRACT_EMBED_MODEL with Ollama); row vectors are kept in
the store. Clusters are kept too: each run clusters only the rows of cards
added since, and --rebuild clusters every row again.

--json prints one cluster a line, best first; --format json one object with
the clusters and the theme and keyword counts per window; --format html a
page with charts.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return a.runTrends(c, f)
		},
	}
	addDBFlag(c, &f.dbPath)
	c.Flags().StringVar(&f.since, "since", "90d", "the period: cards published on or after `DATE` (YYYY-MM-DD, RFC 3339, or a duration back from now: 90d, 12h)")
	c.Flags().StringVar(&f.window, "window", "7d", "the windows growth compares, counted back from now: a `DURATION` in days or hours (7d, 36h)")
	c.Flags().IntVar(&f.minSources, "min-sources", 2, "only clusters carried by at least `N` hosts")
	c.Flags().StringVar(&f.table, "table", "all", "only the rows of one table: "+strings.Join(schema.Sections, ", ")+", or all")
	c.Flags().IntVar(&f.limit, "limit", 20, "at most `N` clusters")
	c.Flags().StringVar(&f.format, "format", "text", "output format: text, md, json or html")
	c.Flags().BoolVar(&f.asJSON, "json", false, "print one JSON object a line, a cluster each, best first")
	c.Flags().BoolVar(&f.rebuild, "rebuild", false, "cluster every row again, not only the new ones")
	c.Flags().StringVar(&f.embedModel, "embed-model", "", "embeddings `MODEL` (default $"+provider.EnvEmbedModel+")")
	c.Flags().Float64Var(&f.threshold, "threshold", 0, fmt.Sprintf("the cosine `SIMILARITY` from which a row joins a cluster (default %g by words, %g by embeddings); it applies to the rows clustered from now on: add --rebuild to apply it to all",
		trends.LexicalThreshold, trends.EmbeddingsThreshold))
	return c
}

// query checks the flags and returns the query they describe, at now.
func (f trendFlags) query(now time.Time) (trends.Query, error) {
	q := trends.Query{Until: now, MinSources: f.minSources, Limit: f.limit, Tags: 8}
	var err error
	if q.Since, err = parseWhen(f.since, now); err != nil || q.Since.IsZero() {
		if err == nil {
			err = errors.New("the period needs a start")
		}
		return q, usageError{fmt.Errorf("trends: --since %q: %w", f.since, err)}
	}
	if q.Window, err = parseWindow(f.window); err != nil {
		return q, usageError{fmt.Errorf("trends: --window %q: %w", f.window, err)}
	}
	if f.table != "all" {
		q.Section = f.table
	}
	switch {
	case f.minSources < 1:
		return q, usageError{fmt.Errorf("trends: --min-sources %d: want 1 or more", f.minSources)}
	case f.limit < 1 || f.limit > 10000:
		return q, usageError{fmt.Errorf("trends: --limit %d: want 1 to 10000", f.limit)}
	case !slices.Contains([]string{"text", "md", "json", "html"}, f.format):
		return q, usageError{fmt.Errorf("trends: --format %q: want text, md, json or html", f.format)}
	case math.IsNaN(f.threshold) || f.threshold < 0 || f.threshold > 1:
		return q, usageError{fmt.Errorf("trends: --threshold %g: want a number between 0 and 1", f.threshold)}
	case f.asJSON && f.format != "text":
		return q, usageError{errors.New("trends: --json and --format: give one")}
	}
	if err := q.Check(); err != nil {
		return q, usageError{fmt.Errorf("trends: --since %s --window %s: %w", f.since, f.window, err)}
	}
	return q, nil
}

// parseWindow reads --window: a number of days or hours, up to 100 years.
func parseWindow(s string) (time.Duration, error) {
	if n, unit, ok := cutNumber(s); ok && n > 0 {
		switch {
		case unit == "d" && n <= 36500:
			return time.Duration(n) * 24 * time.Hour, nil
		case unit == "h" && n <= 36500*24:
			return time.Duration(n) * time.Hour, nil
		}
	}
	return 0, errors.New("want a positive duration in days or hours, such as 7d or 36h, up to 36500d")
}

// runTrends updates the clusters, then ranks and prints them.
func (a *app) runTrends(c *cobra.Command, f trendFlags) error {
	ctx := c.Context()
	q, err := f.query(time.Now().UTC())
	if err != nil {
		return err
	}
	st, err := a.openCollection(ctx, f.dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if n, err := st.CountCards(ctx, schema.CardFilter{}); err != nil {
		return fmt.Errorf("trends: %w", err)
	} else if n == 0 {
		return fmt.Errorf("trends: no card in %s: nothing to cluster", st.Path())
	}
	emb, notice, err := provider.SelectEmbedder(ctx, provider.EmbedConfig{Model: f.embedModel, Getenv: a.getenv})
	if err != nil {
		return fmt.Errorf("trends: %w", err)
	}
	if emb == nil && notice != "" {
		fmt.Fprintln(a.stderr, "extract: no embeddings model configured: rows are clustered by their words")
	}
	res, readOnly, err := updateClusters(ctx, st, trends.Options{Embedder: emb, Threshold: f.threshold, Rebuild: f.rebuild})
	if err != nil {
		return fmt.Errorf("trends: %w", err)
	}
	a.sayClustered(st, res, readOnly)
	rep, err := trends.Report(ctx, st, res.Space, q)
	if err != nil {
		return fmt.Errorf("trends: %w", err)
	}
	if len(rep.Trends) == 0 {
		fmt.Fprintf(a.stderr, "trends: no cluster carried by %d or more sources among the cards published since %s\n",
			q.MinSources, q.Since.Format("2006-01-02"))
	}
	switch {
	case f.asJSON:
		return writeJSONLines(a.stdout, rep.Trends)
	case f.format == "json":
		return a.writeJSON(rep)
	case f.format == "md":
		return writeTrendsMarkdown(a.stdout, rep)
	case f.format == "html":
		return web.WriteTrends(a.stdout, rep, "Trends")
	}
	return writeTrendsText(a.stdout, rep)
}

// clusterNewRows clusters the rows of the cards added since the last
// clustering, in the space extract trends uses by default (by embeddings
// when an embeddings model is configured, else by words), saying nothing;
// a read-only database is left as it is (kept).
func (a *app) clusterNewRows(ctx context.Context, st Database) (res trends.Result, kept bool, err error) {
	emb, _, err := provider.SelectEmbedder(ctx, provider.EmbedConfig{Getenv: a.getenv})
	if err != nil {
		return trends.Result{}, false, err
	}
	return updateClusters(ctx, st, trends.Options{Embedder: emb})
}

// updateClusters clusters the rows of the cards added since the last
// clustering (all of them with opts.Rebuild). A read-only database is left
// as it is (readOnly): its clusters are ranked as kept.
func updateClusters(ctx context.Context, st Database, opts trends.Options) (res trends.Result, ro bool, err error) {
	if readOnly(st) {
		return trends.Result{Space: trends.Space(opts.Embedder)}, true, nil
	}
	res, err = trends.Update(ctx, st, opts)
	return res, false, err
}

// sayClustered tells on stderr what a clustering did; kept is set when the
// database was read-only and its clusters were used as kept.
func (a *app) sayClustered(st Database, res trends.Result, kept bool) {
	if kept {
		fmt.Fprintf(a.stderr, "extract: %s is read-only: the clusters kept are ranked, without the rows of newer cards\n", st.Path())
	}
	if res.Clustered > 0 {
		fmt.Fprintf(a.stderr, "extract: clustered %d rows (%d new clusters, %d rows embedded)\n", res.Clustered, res.Clusters, res.Embedded)
	}
}

// readOnly reports whether st is a SQLite file this process may not
// write; a PostgreSQL database's rights are the server's to check.
func readOnly(st Database) bool {
	_, isFile := st.(*sqlite.Store)
	return isFile && !writable(st.Path())
}

// writable reports whether the file at path can be written.
func writable(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// trendRowsShown caps the rows printed under each cluster in text and
// markdown.
const trendRowsShown = 5

// trendStats is a cluster's figures on one line.
func trendStats(t schema.Trend) string {
	return fmt.Sprintf("%d sources, %d cards, growth %+d (%d vs %d), relevancy %.1f, %s to %s", t.Sources, len(t.Cards),
		t.Growth, t.Recent, t.Previous, t.Relevancy, t.FirstSeen.Format("2006-01-02"), t.LastSeen.Format("2006-01-02"))
}

// trendsHeading is the report's first line.
func trendsHeading(r schema.TrendReport) string {
	return fmt.Sprintf("top %d of %d clusters carried by enough sources, %s to %s, windows of %s, %s clustering",
		len(r.Trends), r.Clusters, r.Since.Format("2006-01-02"), r.Until.Format("2006-01-02"),
		trends.FormatDuration(r.Window), r.Method)
}

// writeTrendsText writes each cluster: rank, label, figures, its first
// rows with their host and date.
func writeTrendsText(w io.Writer, r schema.TrendReport) error {
	var b strings.Builder
	b.WriteString(trendsHeading(r) + "\n")
	cards := map[string]schema.TrendCard{}
	for i, t := range r.Trends {
		for _, c := range t.Cards {
			cards[c.ID] = c
		}
		fmt.Fprintf(&b, "\n%2d. %s\n    %s\n", i+1, terminalSafe(t.Label), trendStats(t))
		for _, row := range t.Rows[:min(len(t.Rows), trendRowsShown)] {
			c := cards[row.Card]
			fmt.Fprintf(&b, "    - %-50s  %-24s  %s  %s\n", clipRunes(terminalSafe(row.Name), 50), clipRunes(c.Host, 24),
				c.Published.Format("2006-01-02"), row.Card)
		}
		if n := len(t.Rows) - trendRowsShown; n > 0 {
			fmt.Fprintf(&b, "    … and %d more rows\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTrendsMarkdown writes the report as markdown: a section a cluster,
// its figures, rows and cards (linked when their URL is a web URL).
func writeTrendsMarkdown(w io.Writer, r schema.TrendReport) error {
	var b strings.Builder
	b.WriteString("# Trends\n\n" + mdText(trendsHeading(r)) + "\n")
	for i, t := range r.Trends {
		fmt.Fprintf(&b, "\n## %d. %s\n\n%s\n\n", i+1, mdText(t.Label), mdText(trendStats(t)))
		for _, row := range t.Rows[:min(len(t.Rows), trendRowsShown)] {
			fmt.Fprintf(&b, "- **%s**: %s\n", mdText(row.Name), mdText(row.Description))
		}
		b.WriteString("\nCards:\n\n")
		for _, c := range t.Cards {
			title := mdText(cmp.Or(c.Title, c.URL))
			if schema.CheckWebURL(c.URL) == nil {
				title = "[" + title + "](<" + strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20").Replace(c.URL) + ">)"
			}
			fmt.Fprintf(&b, "- %s — %s, %s\n", title, mdText(c.Host), c.Published.Format("2006-01-02"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdText escapes s for markdown text on one line: the characters that
// would start a link, emphasis, code, HTML or a heading are
// backslash-escaped, controls dropped, line breaks folded.
func mdText(s string) string {
	s = terminalSafe(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]()<>#|!~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

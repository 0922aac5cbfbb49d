package trends

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// Query selects and ranks the clusters of a [Report].
type Query struct {
	// Since and Until bound the period: cards published in [Since, Until).
	Since, Until time.Time
	// Window is the length of the windows the period is cut into, counted
	// back from Until; growth compares the last two.
	Window time.Duration
	// MinSources keeps the clusters carried by at least this many hosts.
	MinSources int
	// Section keeps the rows of one table ("signals", ...); "" keeps all.
	Section string
	// Limit caps the clusters returned (0: all).
	Limit int
	// Tags is how many themes and keywords are counted per window (0: none).
	Tags int
}

// MaxWindows bounds the windows of a period.
const MaxWindows = 520

// ErrQuery marks a query that cannot be answered: a period that ends before
// it starts, a window longer than the period, too many windows, an unknown
// table. Test for it with errors.Is.
var ErrQuery = errors.New("bad trends query")

// queryError is an error of a query: its message alone, matching
// [ErrQuery].
type queryError struct{ msg string }

func (e queryError) Error() string        { return e.msg }
func (e queryError) Is(target error) bool { return target == ErrQuery }

func queryErrorf(format string, args ...any) error { return queryError{fmt.Sprintf(format, args...)} }

// Check reports why q cannot be answered, as an error matching [ErrQuery].
func (q Query) Check() error {
	period := q.Until.Sub(q.Since)
	switch {
	case q.Since.IsZero() || q.Until.IsZero():
		return queryErrorf("the period needs a start and an end")
	case period <= 0:
		return queryErrorf("the period starts %s, after its end %s",
			q.Since.UTC().Format(time.RFC3339), q.Until.UTC().Format(time.RFC3339))
	case q.Window <= 0:
		return queryErrorf("the window must be positive")
	case q.Window > period:
		return queryErrorf("window %s is longer than the period %s", FormatDuration(q.Window), FormatDuration(period))
	case period/q.Window >= MaxWindows:
		return queryErrorf("%d windows of %s in the period %s, at most %d", period/q.Window, FormatDuration(q.Window),
			FormatDuration(period), MaxWindows)
	case q.Section != "" && !slices.Contains(schema.Sections, q.Section):
		return queryErrorf("no table %q (want one of %s)", q.Section, strings.Join(schema.Sections, ", "))
	}
	return nil
}

// FormatDuration writes d in whole days ("7d") when it is some, else in
// hours ("36h"), else as [time.Duration.String].
func FormatDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.Round(time.Second).String()
}

// Report ranks the clusters of space over q's period: by the number of
// distinct hosts carrying them, then their growth (rows in the last window
// minus rows in the window before), then their rows' mean relevancy. Only
// the clustered rows count: run [Update] first to cluster new cards.
func Report(ctx context.Context, st Reader, space string, q Query) (schema.TrendReport, error) {
	if err := q.Check(); err != nil {
		return schema.TrendReport{}, err
	}
	q.Until = q.Until.Truncate(time.Second) // the store keeps whole seconds
	rep := schema.TrendReport{Since: q.Since, Until: q.Until, Window: q.Window, Method: method(space)}
	rep.Windows = windows(q)
	period := schema.RowFilter{Since: q.Since, Until: q.Until, Section: q.Section}
	stats, total, err := st.TopClusters(ctx, space, schema.ClusterQuery{RowFilter: period,
		Recent: q.Until.Add(-q.Window), Previous: q.Until.Add(-2 * q.Window), MinSources: max(1, q.MinSources), Limit: q.Limit})
	if err != nil {
		return rep, fmt.Errorf("clusters: %w", err)
	}
	rep.Clusters = total
	if len(stats) > 0 {
		period.Clusters = make([]int64, len(stats))
		for i, c := range stats {
			period.Clusters[i] = c.Cluster
		}
		rows, err := st.ClusteredRows(ctx, space, period)
		if err != nil {
			return rep, fmt.Errorf("rows of the top clusters: %w", err)
		}
		byCluster := map[int64][]schema.TrendRow{}
		for _, r := range rows {
			byCluster[r.Cluster] = append(byCluster[r.Cluster], r)
		}
		for _, c := range stats {
			if rs := byCluster[c.Cluster]; len(rs) > 0 {
				t := summarise(c.Cluster, rs, q)
				t.Label = label(rs)
				rep.Trends = append(rep.Trends, t)
			}
		}
	}
	if q.Tags > 0 {
		tags, err := st.CardTags(ctx, q.Since, q.Until)
		if err != nil {
			return rep, fmt.Errorf("themes and keywords: %w", err)
		}
		rep.Themes = tagSeries(tags, schema.FacetTheme, q, len(rep.Windows))
		rep.Keywords = tagSeries(tags, schema.FacetKeyword, q, len(rep.Windows))
	}
	return rep, nil
}

// method names a space for people: "lexical", "embeddings MODEL".
func method(space string) string {
	if model, ok := strings.CutPrefix(space, "embeddings/"); ok {
		return "embeddings " + model
	}
	return "lexical"
}

// windows are the starts of q's windows, oldest first; the oldest may
// start before q.Since when the period is not a whole number of windows.
func windows(q Query) []time.Time {
	n := int((q.Until.Sub(q.Since) + q.Window - 1) / q.Window)
	out := make([]time.Time, n)
	for k := range n {
		out[n-1-k] = q.Until.Add(-time.Duration(k+1) * q.Window)
	}
	return out
}

// windowOf is the window t falls in, counted back from q.Until: 0 is the
// last one.
func windowOf(t time.Time, q Query) int { return int(q.Until.Sub(t) / q.Window) }

// summarise makes the trend of one cluster's rows.
func summarise(id int64, rows []schema.TrendRow, q Query) schema.Trend {
	slices.SortFunc(rows, func(a, b schema.TrendRow) int {
		return cmp.Or(-a.Published.Compare(b.Published), cmp.Compare(a.CardID, b.CardID),
			cmp.Compare(sectionRank(a.Section), sectionRank(b.Section)), cmp.Compare(a.Index, b.Index))
	})
	t := schema.Trend{Cluster: id, FirstSeen: rows[len(rows)-1].Published, LastSeen: rows[0].Published}
	hostRows := map[string]int{}
	seen := map[int64]bool{}
	relevancy, rated := 0, 0
	for _, r := range rows {
		switch windowOf(r.Published, q) {
		case 0:
			t.Recent++
		case 1:
			t.Previous++
		}
		if r.Relevancy != nil {
			relevancy += *r.Relevancy
			rated++
		}
		t.Rows = append(t.Rows, schema.TrendRowRef{Card: r.DocumentID, Section: r.Section, Name: r.Name,
			Description: r.Description, Relevancy: r.Relevancy})
		if seen[r.CardID] {
			continue
		}
		seen[r.CardID] = true
		hostRows[r.Host]++
		t.Cards = append(t.Cards, schema.TrendCard{ID: r.DocumentID, URL: r.URL, Title: r.Title, Host: r.Host,
			Published: r.Published})
	}
	t.Growth = t.Recent - t.Previous
	if rated > 0 {
		t.Relevancy = float64(relevancy) / float64(rated)
	}
	for h := range hostRows {
		t.Hosts = append(t.Hosts, h)
	}
	slices.SortFunc(t.Hosts, func(a, b string) int { return cmp.Or(-cmp.Compare(hostRows[a], hostRows[b]), cmp.Compare(a, b)) })
	t.Sources = len(t.Hosts)
	return t
}

// label is the name that best represents rows: the one whose terms the
// most rows share, on average over its terms; then the shortest, then the
// first.
func label(rows []schema.TrendRow) string {
	share := map[string]int{}
	names := make([][]string, len(rows))
	for i, r := range rows {
		var desc []string
		if strings.Contains(r.Terms, "|") {
			names[i], desc = splitTerms(r.Terms)
		} else {
			names[i], desc = terms(r.Name), terms(r.Description)
		}
		seen := map[string]bool{}
		for _, t := range append(slices.Clip(names[i]), desc...) {
			if !seen[t] {
				seen[t] = true
				share[t]++
			}
		}
	}
	best, bestScore := "", -1.0
	for i, r := range rows {
		name := strings.TrimSpace(r.Name)
		if name == "" || len(names[i]) == 0 {
			continue
		}
		score := 0.0
		for _, t := range names[i] {
			score += float64(share[t])
		}
		score /= float64(len(names[i]))
		if score > bestScore || score == bestScore && len(name) < len(best) {
			best, bestScore = name, score
		}
	}
	if best == "" && len(rows) > 0 {
		best = strings.TrimSpace(rows[0].Name)
	}
	return best
}

// tagSeries counts the top q.Tags values of kind in each window.
func tagSeries(tags []schema.CardTag, kind string, q Query, n int) []schema.TagSeries {
	byValue := map[string]*schema.TagSeries{}
	for _, tg := range tags {
		if tg.Kind != kind {
			continue
		}
		w := windowOf(tg.Published, q)
		if w < 0 || w >= n {
			continue
		}
		s, ok := byValue[tg.Value]
		if !ok {
			s = &schema.TagSeries{Value: tg.Value, Counts: make([]int, n)}
			byValue[tg.Value] = s
		}
		s.Counts[n-1-w]++
		s.Total++
	}
	out := make([]schema.TagSeries, 0, len(byValue))
	for _, s := range byValue {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b schema.TagSeries) int {
		return cmp.Or(-cmp.Compare(a.Total, b.Total), cmp.Compare(a.Value, b.Value))
	})
	if len(out) > q.Tags {
		out = out[:q.Tags]
	}
	return out
}

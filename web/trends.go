package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/veille/veille/pipeline/trends"
	"github.com/veille/veille/schema"
)

// trendsData is the trends page: the ranked clusters of a period, charts
// of their sources and of the top themes and keywords per window.
type trendsData struct {
	Report schema.TrendReport
	Trends []trendItem
	Charts []chart
	// The form's choices and values; Form is false in a file.
	Form                    bool
	Periods, Windows        []string
	Tables                  []string
	Since, Window, Table    string
	MinSources              int
	SourcesShown, RowsShown int
}

// trendItem is one cluster with its rows cut for the page.
type trendItem struct {
	schema.Trend
	Shown []trendRowItem
	More  int
}

// trendRowItem is one row of a cluster with its card.
type trendRowItem struct {
	schema.TrendRowRef
	Card     schema.TrendCard
	CardLink string
}

// The choices of the trends page.
var (
	trendPeriods = []string{"30d", "90d", "180d", "365d"}
	trendWindows = []string{"7d", "14d", "30d"}
)

// rowsPerTrend caps the rows shown under a cluster; trendsShown the
// clusters of a page.
const (
	rowsPerTrend = 8
	trendsShown  = 30
	tagCharts    = 4
	windowsShown = 16
)

// handleTrends shows the ranked clusters of the period the query names.
func (s *server) handleTrends(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	d := trendsData{Form: true, Periods: trendPeriods, Windows: trendWindows, Tables: schema.Sections,
		Since: choice(v.Get("since"), trendPeriods, "90d"), Window: choice(v.Get("window"), trendWindows, "7d"),
		Table: choice(v.Get("table"), schema.Sections, ""), MinSources: 2}
	if v.Get("min") == "1" {
		d.MinSources = 1
	}
	now := s.opts.Now().UTC()
	q := trends.Query{Since: now.Add(-days(d.Since)), Until: now, Window: days(d.Window), MinSources: d.MinSources,
		Section: d.Table, Limit: trendsShown, Tags: tagCharts}
	p := s.newPage(serverLinks{}, "Trends", "trends")
	rep, err := trends.Report(r.Context(), s.c, s.trendSpace(), q)
	if errors.Is(err, trends.ErrQuery) {
		p.Messages = append(p.Messages, err.Error())
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	fill(&d, rep, serverLinks{}.Card)
	s.render(w, r, http.StatusOK, "trends", p, d)
}

// trendSpace is the clustering the page reads.
func (s *server) trendSpace() string {
	if s.opts.TrendsSpace != "" {
		return s.opts.TrendsSpace
	}
	return trends.LexicalSpace
}

// choice is v when it is one of choices, else def.
func choice(v string, choices []string, def string) string {
	return cmp.Or(pick(v, choices), def)
}

// days reads "30d" as a duration; the choices are checked already.
func days(s string) time.Duration {
	var n int
	fmt.Sscanf(s, "%dd", &n)
	return time.Duration(n) * 24 * time.Hour
}

// fill puts the report's clusters and charts into d; cardLink, when not
// nil, links a card's page.
func fill(d *trendsData, rep schema.TrendReport, cardLink func(string) string) {
	d.Report = rep
	for _, t := range rep.Trends {
		t.Label = oneLine(t.Label)
		cards := map[string]schema.TrendCard{}
		for i, c := range t.Cards {
			c.Title, c.Host = oneLine(c.Title), oneLine(c.Host)
			t.Cards[i] = c
			cards[c.ID] = c
		}
		it := trendItem{Trend: t, More: max(0, len(t.Rows)-rowsPerTrend)}
		for _, row := range t.Rows[:min(len(t.Rows), rowsPerTrend)] {
			row.Name, row.Description = oneLine(row.Name), oneLine(row.Description)
			ri := trendRowItem{TrendRowRef: row, Card: cards[row.Card]}
			if cardLink != nil {
				ri.CardLink = cardLink(row.Card)
			}
			it.Shown = append(it.Shown, ri)
		}
		d.Trends = append(d.Trends, it)
	}
	d.Charts = trendCharts(rep)
}

// trendCharts are the sources of the top clusters, then the counts of the
// top themes and keywords in each window.
func trendCharts(rep schema.TrendReport) []chart {
	var top []schema.FacetCount
	for _, t := range rep.Trends[:min(len(rep.Trends), 10)] {
		top = append(top, schema.FacetCount{Value: oneLine(t.Label), Count: t.Sources})
	}
	charts := []chart{newChart("Sources of the top clusters", top, nil)}
	for _, group := range []struct {
		kind   string
		series []schema.TagSeries
	}{{"Theme", rep.Themes}, {"Keyword", rep.Keywords}} {
		for _, s := range group.series {
			charts = append(charts, newChart(group.kind+" “"+oneLine(s.Value)+"” per window", windowCounts(rep.Windows, s.Counts), nil))
		}
	}
	return charts
}

// windowCounts labels the last windows' counts with their start dates.
func windowCounts(starts []time.Time, counts []int) []schema.FacetCount {
	from := max(0, len(counts)-windowsShown)
	out := make([]schema.FacetCount, 0, len(counts)-from)
	for i := from; i < len(counts) && i < len(starts); i++ {
		out = append(out, schema.FacetCount{Value: starts[i].Format("2006-01-02"), Count: counts[i]})
	}
	return out
}

// WriteTrends writes rep as one HTML file that needs nothing else: its
// style inline, its charts inline SVG, every text escaped, cards linked to
// their source pages.
func WriteTrends(w io.Writer, rep schema.TrendReport, title string) error {
	t, err := template.New("file").Funcs(funcs()).ParseFS(templateFS, "templates/partials.html",
		"templates/trends.html", "templates/trends-file.html")
	if err != nil {
		return fmt.Errorf("trends page: %w", err)
	}
	var d trendsData
	fill(&d, rep, nil)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "trends-file", struct {
		Title string
		Data  trendsData
	}{title, d}); err != nil {
		return fmt.Errorf("trends page: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

package web

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/trends/trendstest"
	"github.com/veille/veille/schema"
)

// ClusteredRows clusters the fake's rows by the first word of their name,
// lower-cased: enough for the pages, which only show clusters.
func (f *fakeCollection) ClusteredRows(ctx context.Context, space string, rf schema.RowFilter) ([]schema.TrendRow, error) {
	if f.err != nil {
		return nil, f.err
	}
	ids := map[string]int64{}
	var out []schema.TrendRow
	for _, fc := range f.cards {
		s := fc.summary()
		add := func(section string, i int, name, desc string, rel *int) {
			word := strings.ToLower(strings.Fields(name + " x")[0])
			if ids[word] == 0 {
				ids[word] = int64(len(ids) + 1)
			}
			out = append(out, schema.TrendRow{CardID: s.CardID, Section: section, Index: i, Name: name, Description: desc,
				Relevancy: rel, Cluster: ids[word], DocumentID: s.ID, URL: s.URL, Title: s.Title, Host: s.Host,
				Published: s.Published})
		}
		for i, r := range fc.card.Signals {
			add("signals", i, r.Name, r.Description, r.Relevancy)
		}
		for _, t := range fc.card.RowTables() {
			for i, r := range *t.Rows {
				add(t.Key, i, r.Name, r.Description, r.Relevancy)
			}
		}
	}
	return trendstest.SelectRows(out, rf), nil
}

// TopClusters ranks the fake's clusters.
func (f *fakeCollection) TopClusters(ctx context.Context, space string, q schema.ClusterQuery) ([]schema.ClusterStat, int, error) {
	rows, err := f.ClusteredRows(ctx, space, schema.RowFilter{})
	top, total := trendstest.TopClusters(rows, q)
	return top, total, err
}

// CardTags lists the themes and keywords of the fake's cards.
func (f *fakeCollection) CardTags(ctx context.Context, since, until time.Time) ([]schema.CardTag, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []schema.CardTag
	for _, fc := range f.cards {
		s := fc.summary()
		for _, th := range fc.card.Themes {
			out = append(out, schema.CardTag{Kind: schema.FacetTheme, Value: strings.ToLower(th), Published: s.Published})
		}
		for _, kw := range fc.card.Keywords {
			out = append(out, schema.CardTag{Kind: schema.FacetKeyword, Value: strings.ToLower(kw), Published: s.Published})
		}
	}
	return out, nil
}

func TestTrendsPage(t *testing.T) {
	h, _ := newTestServer(t, sampleCollection())
	tests := []struct {
		path      string
		want, not []string
	}{
		{"/trends", []string{"<h1>Trends</h1>", "2 clusters carried by enough sources", "<h2>Virtual power plants</h2>", `aria-current="page">Trends`}, nil},
		{"/trends?table=concerns", []string{"No cluster is carried by enough sources"}, []string{"<h2>"}},
		{"/trends?min=1&since=365d", []string{"Virtual power plants", "Sources of the top clusters", "<svg", "per window",
			`<option value="365d" selected>`, "lexical clustering"}, []string{"No cluster is carried"}},
		{"/trends?min=1&since=365d&table=concerns", []string{"concerns"}, []string{"Virtual power plants"}},
		{"/trends?since=%3Cscript%3E&window=999d&table=x", []string{`<option value="90d" selected>`, `<option value="7d" selected>`}, nil},
	}
	for _, tt := range tests {
		rec := get(t, h, "GET", tt.path)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", tt.path, rec.Code)
		}
		checkHeaders(t, rec)
		body := rec.Body.String()
		checkNoInjection(t, tt.path, body)
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tt.path, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("%s has %q", tt.path, n)
			}
		}
	}
	if body := get(t, h, "GET", "/").Body.String(); !strings.Contains(body, `href="/trends"`) {
		t.Error("the menu has no link to /trends")
	}
}

func TestTrendsPageStoreError(t *testing.T) {
	c := sampleCollection()
	c.err = context.DeadlineExceeded
	h, log := newTestServer(t, c)
	if rec := get(t, h, "GET", "/trends"); rec.Code != 500 || strings.Contains(rec.Body.String(), "deadline") {
		t.Errorf("store error: status %d, body leaks the error: %v", rec.Code, strings.Contains(rec.Body.String(), "deadline"))
	}
	if !strings.Contains(log.String(), "deadline") {
		t.Error("the store error is not logged")
	}
}

// trendsReport is a fixed report with hostile text.
func trendsReport() schema.TrendReport {
	d := func(n int) time.Time { return time.Date(2026, 11, n, 0, 0, 0, 0, time.UTC) }
	four := 4
	return schema.TrendReport{Since: d(1), Until: d(29), Window: 7 * 24 * time.Hour, Method: "lexical", Clusters: 5,
		Windows: []time.Time{d(1), d(8), d(15), d(22)},
		Themes:  []schema.TagSeries{{Value: "noise <b>", Total: 5, Counts: []int{0, 1, 1, 3}}},
		Trends: []schema.Trend{{Cluster: 3, Label: "Leaf blower bans <script>alert(1)</script>", Sources: 3, Growth: 2,
			Recent: 3, Previous: 1, Relevancy: 4, FirstSeen: d(3), LastSeen: d(27), Hosts: []string{"a.example", "b.example", "c.example"},
			Rows: []schema.TrendRowRef{{Card: "c1", Section: "signals", Name: "Gas blower ban", Description: "Cities ban them.\x1b[31m", Relevancy: &four},
				{Card: "c2", Section: "signals", Name: "Leaf blower bans", Description: "Towns too."}},
			Cards: []schema.TrendCard{{ID: "c1", URL: "https://a.example/1", Title: "Ban", Host: "a.example", Published: d(27)},
				{ID: "c2", URL: "javascript:alert('x')", Title: "Towns", Host: "b.example", Published: d(3)}}}}}
}

func TestWriteTrends(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTrends(&buf, trendsReport(), "Trends <i>kw</i>"); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	checkNoInjection(t, "WriteTrends", strings.ReplaceAll(string(got), "<style>", ""))
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", `<a href="https://a.example/1"`, "<svg", "Theme “noise &lt;b&gt;” per window"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("trends file lacks %q", want)
		}
	}
	checkGolden(t, "trends.golden.html", got)
}

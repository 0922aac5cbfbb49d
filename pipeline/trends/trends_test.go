package trends

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/trends/trendstest"
	"github.com/veille/veille/schema"
)

func TestTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Cities ban gas-powered leaf blowers", []string{"city", "ban", "gas", "power", "leaf", "blow"}},
		{"Banning, banned, bans", []string{"ban", "ban", "ban"}},
		{"Énergies renouvelables à Paris", []string{"energy", "renouvelabl", "paris"}},
		{"Delhi and air quality", []string{"delhi", "air", "quality"}},
		{"the of and a", nil},
		{"business analysis virus", []string{"business", "analysis", "virus"}},
		{"COVID-19 x", []string{"covid", "19"}},
	}
	for _, tt := range tests {
		if got := terms(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Word order does not matter to the vectors: the same row, reworded.
	rows := []schema.TrendRow{{Name: "Air quality and Delhi"}, {Name: "Delhi and air quality"}}
	var words termCache
	for i := range rows {
		rows[i].Terms, _ = words.rowTerms(rows[i], nil)
	}
	a := newLexical(rows, 0)
	a.add(0)
	if _, sim := a.best(1); sim < 0.999 {
		t.Errorf("similarity of the same words in another order = %g, want 1", sim)
	}
}

func FuzzTerms(f *testing.F) {
	for _, s := range []string{"Cities ban gas-powered leaf blowers", "Énergies à Paris", "", "\x00\xff", "ééé"} {
		f.Add(s)
	}
	var words termCache
	f.Fuzz(func(t *testing.T, s string) {
		ts := terms(s)
		for _, term := range ts {
			if term == "" || strings.ContainsFunc(term, notWordRune) {
				t.Errorf("terms(%q) has %q", s, term)
			}
		}
		// The cache gives the same terms, the first time and the next.
		for range 2 {
			if got, want := string(words.appendTerms(nil, s)), strings.Join(ts, " "); got != want {
				t.Errorf("appendTerms(%q) = %q, want %q", s, got, want)
			}
		}
	})
}

// memStore is an in-memory Store for the tests.
type memStore struct {
	rows     []schema.TrendRow // every row of every card, with its card's fields
	clusters map[string]map[schema.RowKey]int64
	terms    map[schema.RowKey]string
	tags     []schema.CardTag
	saves    int
}

func (m *memStore) Rows(ctx context.Context, space string, unclustered bool) ([]schema.TrendRow, error) {
	var out []schema.TrendRow
	for _, r := range m.rows {
		if _, ok := m.clusters[space][r.Key()]; !ok || !unclustered {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *memStore) ClusteredRows(ctx context.Context, space string, f schema.RowFilter) ([]schema.TrendRow, error) {
	var out []schema.TrendRow
	for _, r := range m.rows {
		if id, ok := m.clusters[space][r.Key()]; ok {
			r.Cluster, r.Terms = id, m.terms[r.Key()]
			out = append(out, r)
		}
	}
	return trendstest.SelectRows(out, f), nil
}

func (m *memStore) TopClusters(ctx context.Context, space string, q schema.ClusterQuery) ([]schema.ClusterStat, int, error) {
	rows, err := m.ClusteredRows(ctx, space, schema.RowFilter{})
	top, total := trendstest.TopClusters(rows, q)
	return top, total, err
}

func (m *memStore) ClusterIndex(ctx context.Context, space string) ([]schema.TrendRow, error) {
	rows, err := m.ClusteredRows(ctx, space, schema.RowFilter{})
	for i, r := range rows {
		rows[i] = schema.TrendRow{CardID: r.CardID, Section: r.Section, Index: r.Index, Cluster: r.Cluster, Terms: r.Terms}
	}
	return rows, err
}

func (m *memStore) SaveClusters(ctx context.Context, space string, rows []schema.TrendRow, replace bool) error {
	if m.clusters == nil {
		m.clusters = map[string]map[schema.RowKey]int64{}
	}
	if replace || m.clusters[space] == nil {
		m.clusters[space] = map[schema.RowKey]int64{}
	}
	if m.terms == nil {
		m.terms = map[schema.RowKey]string{}
	}
	for _, r := range rows {
		m.clusters[space][r.Key()] = r.Cluster
		m.terms[r.Key()] = r.Terms
	}
	m.saves++
	return nil
}

func (m *memStore) CardTags(ctx context.Context, since, until time.Time) ([]schema.CardTag, error) {
	return m.tags, nil
}

// now is the tests' clock.
var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// row is a row of card id on host, published days before now.
func row(id int64, host string, days int, name, desc string) schema.TrendRow {
	return schema.TrendRow{CardID: id, Section: "signals", Name: name, Description: desc, Host: host,
		DocumentID: fmt.Sprint("doc", id), URL: "https://" + host + "/" + fmt.Sprint(id), Title: name,
		Published: now.AddDate(0, 0, -days)}
}

// sampleRows: a heat-pump story on three hosts, a leaf-blower story on
// two, and unrelated rows.
func sampleRows() []schema.TrendRow {
	return []schema.TrendRow{
		row(1, "a.example", 20, "Heat pump sales double", "Households buy heat pumps to replace gas boilers."),
		row(2, "b.example", 3, "Heat pumps replace boilers", "Gas boilers give way to heat pumps in new homes."),
		row(3, "c.example", 2, "Boom in heat pump installs", "Installers cannot keep up with heat pump demand."),
		row(4, "d.example", 10, "Leaf blower bans", "Towns ban gas leaf blowers."),
		row(5, "e.example", 1, "Gas leaf blowers banned", "A city bans gas-powered leaf blowers."),
		row(6, "f.example", 5, "Deep sea mining", "Companies plan to mine nodules on the ocean floor."),
		row(7, "g.example", 4, "Space tourism", "Rich travellers book suborbital flights."),
	}
}

func TestUpdateAndReport(t *testing.T) {
	ctx := context.Background()
	st := &memStore{rows: sampleRows()}
	res, err := Update(ctx, st, Options{})
	if err != nil || res.Clustered != 7 || res.Clusters != 4 || res.Space != LexicalSpace {
		t.Fatalf("Update = %+v, %v; want 7 rows in 4 clusters", res, err)
	}
	q := Query{Since: now.AddDate(0, 0, -90), Until: now, Window: 7 * 24 * time.Hour, MinSources: 2}
	rep, err := Report(ctx, st, LexicalSpace, q)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range rep.Trends {
		got = append(got, fmt.Sprintf("%s/%d/%+d", tr.Label, tr.Sources, tr.Growth))
	}
	want := []string{"Heat pumps replace boilers/3/+2", "Leaf blower bans/2/+0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("trends = %q, want %q (by sources, then growth)", got, want)
	}
	top := rep.Trends[0]
	if !top.FirstSeen.Equal(now.AddDate(0, 0, -20)) || !top.LastSeen.Equal(now.AddDate(0, 0, -2)) ||
		top.Recent != 2 || top.Previous != 0 || len(top.Cards) != 3 || top.Cards[0].ID != "doc3" {
		t.Errorf("top trend = %+v", top)
	}
	// Nothing new: no save.
	saves := st.saves
	if res, err := Update(ctx, st, Options{}); err != nil || res.Clustered != 0 || st.saves != saves {
		t.Errorf("Update with nothing new = %+v, %v, %d saves; want nothing done", res, err, st.saves-saves)
	}
	// A new row joins its cluster; the old rows keep theirs.
	st.rows = append(st.rows, row(8, "h.example", 0, "Heat pump subsidies", "Grants for heat pumps replacing boilers."))
	old := maps(st.clusters[LexicalSpace])
	if res, err := Update(ctx, st, Options{}); err != nil || res.Clustered != 1 || res.Clusters != 0 {
		t.Errorf("Update of one new row = %+v, %v; want it in an old cluster", res, err)
	}
	for k, id := range old {
		if st.clusters[LexicalSpace][k] != id {
			t.Errorf("row %v moved from cluster %d to %d", k, id, st.clusters[LexicalSpace][k])
		}
	}
	if got := st.clusters[LexicalSpace][st.rows[7].Key()]; got != st.clusters[LexicalSpace][st.rows[0].Key()] {
		t.Errorf("the new heat-pump row is in cluster %d, not the heat-pump cluster", got)
	}
	// A rebuild gives the clusters of a first clustering of the same rows.
	// (They may differ from the incremental ones: the term weights of the
	// old rows' clustering were those of a smaller collection.)
	if _, err := Update(ctx, st, Options{Rebuild: true}); err != nil {
		t.Fatal(err)
	}
	fresh := &memStore{rows: st.rows}
	if _, err := Update(ctx, fresh, Options{}); err != nil {
		t.Fatal(err)
	}
	if rebuilt, first := partition(st.clusters[LexicalSpace]), partition(fresh.clusters[LexicalSpace]); !reflect.DeepEqual(rebuilt, first) {
		t.Errorf("rebuilt clusters %v differ from a first clustering's %v", rebuilt, first)
	}
}

func maps(m map[schema.RowKey]int64) map[schema.RowKey]int64 {
	out := map[schema.RowKey]int64{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// partition is the clusters as sorted lists of card ids, sorted.
func partition(m map[schema.RowKey]int64) [][]int64 {
	by := map[int64][]int64{}
	for k, id := range m {
		by[id] = append(by[id], k.CardID)
	}
	var out [][]int64
	for _, ids := range by {
		slices.Sort(ids)
		out = append(out, ids)
	}
	slices.SortFunc(out, func(a, b []int64) int { return slices.Compare(a, b) })
	return out
}

func TestUpdateIsDeterministic(t *testing.T) {
	var first [][]int64
	for range 3 {
		rows := sampleRows()
		// The store's order must not matter.
		slices.Reverse(rows)
		st := &memStore{rows: rows}
		if _, err := Update(context.Background(), st, Options{}); err != nil {
			t.Fatal(err)
		}
		got := partition(st.clusters[LexicalSpace])
		if first == nil {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Errorf("clusters %v, then %v", first, got)
		}
	}
}

// wordEmbedder embeds a text as its counts of a few words.
type wordEmbedder struct{ calls, texts int }

func (e *wordEmbedder) Model() string { return "words" }

func (e *wordEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.calls++
	e.texts += len(texts)
	var out [][]float32
	for _, s := range texts {
		s = strings.ToLower(s)
		v := []float32{0.01}
		for _, w := range []string{"heat", "leaf", "mining", "space"} {
			v = append(v, float32(strings.Count(s, w)))
		}
		out = append(out, v)
	}
	return out, nil
}

// embStore is a memStore that keeps row embeddings.
type embStore struct {
	memStore
	vecs map[schema.RowKey]schema.RowEmbedding
}

func (m *embStore) RowEmbeddings(ctx context.Context, model string) ([]schema.RowEmbedding, error) {
	var out []schema.RowEmbedding
	for _, e := range m.vecs {
		if e.Model == model {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *embStore) SaveRowEmbeddings(ctx context.Context, es []schema.RowEmbedding) error {
	if m.vecs == nil {
		m.vecs = map[schema.RowKey]schema.RowEmbedding{}
	}
	for _, e := range es {
		m.vecs[e.RowKey] = e
	}
	return nil
}

func TestUpdateByEmbeddings(t *testing.T) {
	ctx := context.Background()
	st := &embStore{memStore: memStore{rows: sampleRows()}}
	emb := &wordEmbedder{}
	res, err := Update(ctx, st, Options{Embedder: emb})
	if err != nil || res.Space != "embeddings/words" || res.Embedded != 7 || res.Clusters != 4 {
		t.Fatalf("Update by embeddings = %+v, %v; want 7 rows embedded, 4 clusters", res, err)
	}
	if _, err := Update(ctx, st, Options{Embedder: emb, Rebuild: true}); err != nil || emb.texts != 7 {
		t.Errorf("a rebuild embedded %d texts in all (%v); want the 7 of the first run only", emb.texts, err)
	}
	if _, err := Update(ctx, &memStore{rows: sampleRows()}, Options{Embedder: emb}); err == nil {
		t.Error("Update by embeddings on a store without row embeddings: no error")
	}
}

func TestQueryCheck(t *testing.T) {
	day := 24 * time.Hour
	ok := Query{Since: now.Add(-90 * day), Until: now, Window: 7 * day}
	tests := []struct {
		name string
		edit func(*Query)
		want string
	}{
		{"ok", func(*Query) {}, ""},
		{"window as long as the period", func(q *Query) { q.Window = 90 * day }, ""},
		{"window longer", func(q *Query) { q.Window = 91 * day }, "window 91d is longer than the period 90d"},
		{"no start", func(q *Query) { q.Since = time.Time{} }, "the period needs a start and an end"},
		{"reversed", func(q *Query) { q.Since = now.Add(day) }, "after its end"},
		{"zero window", func(q *Query) { q.Window = 0 }, "the window must be positive"},
		{"hour windows", func(q *Query) { q.Window = time.Hour }, "2160 windows of 1h in the period 90d, at most 520"},
		{"table", func(q *Query) { q.Section = "x" }, `no table "x"`},
	}
	for _, tt := range tests {
		q := ok
		tt.edit(&q)
		err := q.Check()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrQuery)) {
			t.Errorf("%s: Check() = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestTagSeries(t *testing.T) {
	day := 24 * time.Hour
	q := Query{Since: now.Add(-21 * day), Until: now, Window: 7 * day, Tags: 1}
	tags := []schema.CardTag{
		{Kind: schema.FacetTheme, Value: "energy", Published: now.Add(-1 * day)},
		{Kind: schema.FacetTheme, Value: "energy", Published: now.Add(-2 * day)},
		{Kind: schema.FacetTheme, Value: "energy", Published: now.Add(-15 * day)},
		{Kind: schema.FacetTheme, Value: "space", Published: now.Add(-3 * day)},
		{Kind: schema.FacetKeyword, Value: "energy", Published: now.Add(-3 * day)},
	}
	got := tagSeries(tags, schema.FacetTheme, q, len(windows(q)))
	want := []schema.TagSeries{{Value: "energy", Total: 3, Counts: []int{1, 0, 2}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tagSeries = %+v, want %+v (oldest window first)", got, want)
	}
}

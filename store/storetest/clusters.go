package storetest

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

var clusterTests = []test{
	{"RowsAndClusters", testRowsAndClusters},
	{"ClustersFollowNewestVersion", testClustersFollowNewestVersion},
	{"ClustersRefuseBadRows", testClustersRefuseBadRows},
	{"TopClusters", testTopClusters},
	{"CardTags", testCardTags},
	{"RowEmbeddings", testRowEmbeddings},
}

// The clusterings the tests use.
const (
	spaceA = "lexical/1"
	spaceB = "embeddings/m"
)

func relevancy(n int) *int { return &n }

// clusterCards are the fixture of the cluster tests: the first with rows
// in two tables, the second with one, the third with none.
var clusterCards = []collectionCard{
	{key: "heat", url: "https://heat.example/pumps", provider: "openai", published: day(11, 24),
		text: "Heat pumps sell.",
		card: schema.Card{Answer: schema.Answer{Title: "Heat pumps sell", Themes: []string{"Energy"}, Keywords: []string{"heat pumps"},
			Signals: []schema.Signal{{Name: "Heat pump boom", Description: "Sales double.", Relevancy: relevancy(4)},
				{Name: "Installer shortage", Description: "Not enough installers."}},
			Issues: []schema.Row{{Name: "Grid load", Description: "Winter peaks grow."}}}}},
	{key: "pumps", url: "https://pumps.example/news", provider: "offline", published: day(11, 10),
		text: "Pumps again.",
		card: schema.Card{Answer: schema.Answer{Title: "Pumps again", Themes: []string{"energy", "housing"},
			Concerns: []schema.Row{{Name: "Heat pumps noise", Description: "Neighbours complain.", Relevancy: relevancy(2)}}}}},
	{key: "empty", url: "https://empty.example/", provider: "offline", published: day(10, 1),
		text: "Nothing.", card: schema.Card{Answer: schema.Answer{Title: "Nothing", Keywords: []string{"void"}}}},
}

// fillClusterCards stores the cluster fixture; it returns the card ids by
// key.
func fillClusterCards(t *testing.T, s Backend) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, c := range clusterCards {
		doc := saveDocument(t, s, c.url, c.text)
		ids[c.key], _ = saveCard(t, s, newCard(t, c), run(doc))
	}
	return ids
}

// rowKeys are the keys of rows, in order.
func rowKeys(rows []schema.TrendRow) []schema.RowKey {
	out := []schema.RowKey{}
	for _, r := range rows {
		out = append(out, r.Key())
	}
	return out
}

func testRowsAndClusters(t *testing.T, s Backend) {
	ctx := t.Context()
	ids := fillClusterCards(t, s)
	heat, pumps := ids["heat"], ids["pumps"]
	rows, err := s.Rows(ctx, spaceA, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.TrendRow{
		{CardID: heat, Section: "signals", Index: 0, Name: "Heat pump boom", Description: "Sales double.", Relevancy: relevancy(4)},
		{CardID: heat, Section: "signals", Index: 1, Name: "Installer shortage", Description: "Not enough installers."},
		{CardID: heat, Section: "issues", Index: 0, Name: "Grid load", Description: "Winter peaks grow."},
		{CardID: pumps, Section: "concerns", Index: 0, Name: "Heat pumps noise", Description: "Neighbours complain.", Relevancy: relevancy(2)},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("Rows = %+v\nwant %+v (every row of every card, by card)", rows, want)
	}
	// Cluster the first card's rows only.
	first := []schema.TrendRow{want[0], want[1], want[2]}
	first[0].Cluster, first[1].Cluster, first[2].Cluster = 1, 2, 3
	if err := s.SaveClusters(ctx, spaceA, first, false); err != nil {
		t.Fatal(err)
	}
	if rows, err := s.Rows(ctx, spaceA, true); err != nil || !reflect.DeepEqual(rowKeys(rows), []schema.RowKey{want[3].Key()}) {
		t.Errorf("unclustered Rows after clustering the first card = %v, %v; want the second card's row", rowKeys(rows), err)
	}
	if rows, err := s.Rows(ctx, spaceB, true); err != nil || len(rows) != 4 {
		t.Errorf("unclustered Rows of another space = %d rows, %v; want 4", len(rows), err)
	}
	if rows, err := s.Rows(ctx, spaceA, false); err != nil || len(rows) != 4 {
		t.Errorf("all Rows = %d rows, %v; want 4", len(rows), err)
	}
	second := want[3]
	second.Cluster, second.Terms = 1, "heat pump|neighbour complain"
	if err := s.SaveClusters(ctx, spaceA, []schema.TrendRow{second}, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClusteredRows(ctx, spaceA, schema.RowFilter{})
	if err != nil || len(got) != 4 {
		t.Fatalf("ClusteredRows = %d rows, %v; want 4", len(got), err)
	}
	byKey := map[schema.RowKey]schema.TrendRow{}
	for _, r := range got {
		byKey[r.Key()] = r
	}
	r := byKey[second.Key()]
	if r.Cluster != 1 || r.Name != "Heat pumps noise" || r.Terms != second.Terms || r.Relevancy == nil || *r.Relevancy != 2 ||
		r.URL != "https://pumps.example/news" || r.Host != "pumps.example" || r.Title != "Pumps again" ||
		r.DocumentID != schema.DocumentID("https://pumps.example/news") || !r.Published.Equal(day(11, 10)) {
		t.Errorf("clustered row = %+v; want its cluster, row and card fields", r)
	}
	if r := byKey[want[1].Key()]; r.Cluster != 2 || r.Relevancy != nil {
		t.Errorf("clustered row without relevancy = %+v", r)
	}
	got, err = s.ClusteredRows(ctx, spaceA, schema.RowFilter{Since: day(11, 20), Until: day(11, 25)})
	if err != nil || len(got) != 3 || got[0].CardID != heat {
		t.Errorf("ClusteredRows since Nov 20 until Nov 25 = %v, %v; want the first card's 3 rows", rowKeys(got), err)
	}
	if got, err := s.ClusteredRows(ctx, spaceA, schema.RowFilter{Until: day(11, 24)}); err != nil || len(got) != 1 {
		t.Errorf("ClusteredRows until the first card's date = %v, %v; want the second card's row (until is exclusive)", rowKeys(got), err)
	}
	index, err := s.ClusterIndex(ctx, spaceA)
	if err != nil || len(index) != 4 {
		t.Errorf("ClusterIndex = %d rows, %v; want 4", len(index), err)
	}
	for _, r := range index {
		if full := byKey[r.Key()]; r != (schema.TrendRow{CardID: full.CardID, Section: full.Section, Index: full.Index,
			Cluster: full.Cluster, Terms: full.Terms}) {
			t.Errorf("ClusterIndex row %+v; want the key, cluster and terms of %+v", r, full)
		}
	}
	if got, err := s.ClusteredRows(ctx, spaceB, schema.RowFilter{}); err != nil || len(got) != 0 {
		t.Errorf("ClusteredRows of another space = %v, %v; want none", rowKeys(got), err)
	}
	// Replacing forgets the space's earlier clusters.
	second.Cluster = 7
	if err := s.SaveClusters(ctx, spaceA, []schema.TrendRow{second}, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClusteredRows(ctx, spaceA, schema.RowFilter{}); err != nil || len(got) != 1 || got[0].Cluster != 7 {
		t.Errorf("ClusteredRows after a replace = %+v, %v; want the one row saved, cluster 7", got, err)
	}
}

func testClustersFollowNewestVersion(t *testing.T, s Backend) {
	ctx := t.Context()
	ids := fillClusterCards(t, s)
	rows, err := s.Rows(ctx, spaceA, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].Cluster = int64(i + 1)
	}
	if err := s.SaveClusters(ctx, spaceA, rows, false); err != nil {
		t.Fatal(err)
	}
	// A new version of the second card: its rows are to be clustered, the
	// old version's are gone.
	c := clusterCards[1]
	c.card.Concerns = []schema.Row{{Name: "Heat pump subsidies", Description: "Cut."}, {Name: "Noise", Description: "Again."}}
	doc, err := s.GetDocument(ctx, c.url)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := saveCard(t, s, newCard(t, c), run(doc))
	pending, err := s.Rows(ctx, spaceA, true)
	if err != nil || len(pending) != 2 || pending[0].CardID != id || pending[1].Name != "Noise" {
		t.Errorf("unclustered Rows after a new version = %+v, %v; want its 2 rows", pending, err)
	}
	got, err := s.ClusteredRows(ctx, spaceA, schema.RowFilter{})
	if err != nil || len(got) != 3 {
		t.Errorf("ClusteredRows after a new version = %v, %v; want the first card's 3 rows only", rowKeys(got), err)
	}
	if index, err := s.ClusterIndex(ctx, spaceA); err != nil || len(index) != 3 {
		t.Errorf("ClusterIndex after a new version = %v, %v; want the first card's 3 rows only", rowKeys(index), err)
	}
	for _, r := range got {
		if r.CardID == ids["pumps"] {
			t.Errorf("ClusteredRows lists a row of an older version: %+v", r)
		}
	}
}

func testClustersRefuseBadRows(t *testing.T, s Backend) {
	ctx := t.Context()
	ids := fillClusterCards(t, s)
	bad := schema.TrendRow{CardID: ids["heat"], Section: "signals", Index: 0, Name: "x"}
	if err := s.SaveClusters(ctx, spaceA, []schema.TrendRow{bad}, false); err == nil {
		t.Error("SaveClusters of a row without cluster: no error")
	}
	missing := schema.TrendRow{CardID: 999999, Section: "signals", Index: 0, Name: "x", Cluster: 1}
	ok := bad
	ok.Cluster = 1
	if err := s.SaveClusters(ctx, spaceA, []schema.TrendRow{ok, missing}, false); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("SaveClusters of a row of a missing card: err = %v, want schema.ErrNotFound", err)
	}
	if got, err := s.ClusteredRows(ctx, spaceA, schema.RowFilter{}); err != nil || len(got) != 0 {
		t.Errorf("a failed SaveClusters saved %v, %v; want nothing (one transaction)", rowKeys(got), err)
	}
}

func testCardTags(t *testing.T, s Backend) {
	ctx := t.Context()
	fillClusterCards(t, s)
	tags, err := s.CardTags(ctx, day(11, 1), day(12, 1))
	if err != nil {
		t.Fatal(err)
	}
	count := map[schema.CardTag]int{}
	for _, tg := range tags {
		count[tg]++
	}
	want := map[schema.CardTag]int{
		{Kind: schema.FacetTheme, Value: "energy", Published: day(11, 24)}:       1,
		{Kind: schema.FacetKeyword, Value: "heat pumps", Published: day(11, 24)}: 1,
		{Kind: schema.FacetTheme, Value: "energy", Published: day(11, 10)}:       1,
		{Kind: schema.FacetTheme, Value: "housing", Published: day(11, 10)}:      1,
	}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("CardTags in November = %v\nwant %v (lower-cased, the October card left out)", count, want)
	}
	if tags, err := s.CardTags(ctx, time.Time{}, time.Time{}); err != nil || len(tags) != 5 {
		t.Errorf("CardTags of every card = %v, %v; want 5", tags, err)
	}
}

func testRowEmbeddings(t *testing.T, s Backend) {
	ctx := t.Context()
	ids := fillClusterCards(t, s)
	key := func(card string, section string, i int) schema.RowKey {
		return schema.RowKey{CardID: ids[card], Section: section, Index: i}
	}
	saves := []schema.RowEmbedding{
		{RowKey: key("heat", "signals", 0), Model: "m", Vector: []float32{1, 2, 3}},
		{RowKey: key("pumps", "concerns", 0), Model: "m", Vector: []float32{0, 1, 0}},
		{RowKey: key("heat", "signals", 0), Model: "other", Vector: []float32{9}},
	}
	if err := s.SaveRowEmbeddings(ctx, saves); err != nil {
		t.Fatal(err)
	}
	replace := schema.RowEmbedding{RowKey: key("heat", "signals", 0), Model: "m", Vector: []float32{0.5, -2, 4}}
	if err := s.SaveRowEmbeddings(ctx, []schema.RowEmbedding{replace}); err != nil {
		t.Fatal(err)
	}
	got, err := s.RowEmbeddings(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[schema.RowKey]schema.RowEmbedding{}
	for _, e := range got {
		byKey[e.RowKey] = e
	}
	want := map[schema.RowKey]schema.RowEmbedding{replace.RowKey: replace, saves[1].RowKey: saves[1]}
	if !reflect.DeepEqual(byKey, want) {
		t.Errorf("RowEmbeddings = %+v\nwant %+v", byKey, want)
	}
	for _, bad := range []schema.RowEmbedding{
		{RowKey: key("heat", "signals", 1), Model: "m"},
		{RowKey: key("heat", "signals", 1), Model: "m", Vector: []float32{float32(math.NaN())}},
		{RowKey: key("heat", "signals", 1), Vector: []float32{1}},
	} {
		if err := s.SaveRowEmbeddings(ctx, []schema.RowEmbedding{bad}); err == nil {
			t.Errorf("SaveRowEmbeddings(%+v): no error", bad)
		}
	}
	missing := schema.RowEmbedding{RowKey: schema.RowKey{CardID: 999999, Section: "signals"}, Model: "m", Vector: []float32{1}}
	if err := s.SaveRowEmbeddings(ctx, []schema.RowEmbedding{missing}); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("SaveRowEmbeddings of a missing card: err = %v, want schema.ErrNotFound", err)
	}
	if got, err := s.RowEmbeddings(ctx, "unknown"); err != nil || len(got) != 0 {
		t.Errorf("RowEmbeddings of an unknown model = %v, %v; want none", got, err)
	}
}

func testTopClusters(t *testing.T, s Backend) {
	ctx := t.Context()
	fillClusterCards(t, s)
	rows, err := s.Rows(ctx, spaceA, true)
	if err != nil {
		t.Fatal(err)
	}
	// Cluster 5: the heat-pump boom (Nov 24, heat.example) and the noise
	// (Nov 10, pumps.example); cluster 6: the two other rows of Nov 24.
	for i := range rows {
		rows[i].Cluster = 6
		if rows[i].Index == 0 && rows[i].Section != "issues" {
			rows[i].Cluster = 5
		}
	}
	if err := s.SaveClusters(ctx, spaceA, rows, false); err != nil {
		t.Fatal(err)
	}
	q := schema.ClusterQuery{RowFilter: schema.RowFilter{Since: day(11, 1), Until: day(11, 29)},
		Recent: day(11, 22), Previous: day(11, 15), MinSources: 1}
	got, total, err := s.TopClusters(ctx, spaceA, q)
	want := []schema.ClusterStat{
		{Cluster: 5, Sources: 2, Rows: 2, Recent: 1, Previous: 0, Relevancy: 3},
		{Cluster: 6, Sources: 1, Rows: 2, Recent: 2, Previous: 0, Relevancy: 0},
	}
	if err != nil || total != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("TopClusters = %+v, %d, %v\nwant %+v, 2 (by sources first)", got, total, err, want)
	}
	q.MinSources, q.Limit = 1, 1
	if got, total, err := s.TopClusters(ctx, spaceA, q); err != nil || total != 2 || len(got) != 1 || got[0].Cluster != 5 {
		t.Errorf("TopClusters, limit 1 = %+v, %d, %v; want cluster 5 of 2", got, total, err)
	}
	q.Limit, q.Section = 0, "concerns"
	if got, _, err := s.TopClusters(ctx, spaceA, q); err != nil || len(got) != 1 || got[0].Rows != 1 || got[0].Relevancy != 2 {
		t.Errorf("TopClusters of the concerns = %+v, %v; want cluster 5's concern only", got, err)
	}
	q.Section, q.MinSources = "", 2
	if got, total, err := s.TopClusters(ctx, spaceA, q); err != nil || total != 1 || len(got) != 1 {
		t.Errorf("TopClusters with 2 sources = %+v, %d, %v; want cluster 5", got, total, err)
	}
	members, err := s.ClusteredRows(ctx, spaceA, schema.RowFilter{Since: day(11, 1), Until: day(11, 29), Clusters: []int64{6}})
	if err != nil || len(members) != 2 || members[0].Cluster != 6 || members[1].Cluster != 6 {
		t.Errorf("ClusteredRows of cluster 6 = %v, %v; want its 2 rows", rowKeys(members), err)
	}
	if none, err := s.ClusteredRows(ctx, spaceA, schema.RowFilter{Clusters: []int64{}}); err != nil || len(none) != 0 {
		t.Errorf("ClusteredRows of no cluster = %v, %v; want none", rowKeys(none), err)
	}
}

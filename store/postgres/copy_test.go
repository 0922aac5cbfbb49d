package postgres_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
	"github.com/veille/veille/store/storetest"
)

// saveSourceCard saves a document at page and a card of answer, published
// then, in the SQLite store src; it returns the card's id.
func saveSourceCard(t *testing.T, src storetest.Backend, page string, published time.Time, answer schema.Answer) int64 {
	t.Helper()
	return saveCardText(t, src, page, answer.Title, published, answer)
}

// saveCardText saves a document at page with text and a card of answer,
// published then, in store s; it returns the card's id.
func saveCardText(t *testing.T, src storetest.Backend, page, text string, published time.Time, answer schema.Answer) int64 {
	t.Helper()
	ctx := t.Context()
	doc := storetest.Document(page, text)
	if err := src.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(schema.Card{Answer: answer})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := src.SaveCard(ctx, schema.NewCard{DocumentID: doc.ID, URL: page, CardJSON: string(js),
		RawJSON: string(js), Published: published, Provenance: schema.Provenance{Provider: "offline", Model: "m"}},
		schema.ModelRun{Input: page, DocumentID: doc.ID, Provider: "offline", Model: "m", Started: published,
			Finished: published})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// sqliteSource is a new, empty SQLite store.
func sqliteSource(t *testing.T) *sqlite.Store {
	t.Helper()
	src, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// TestCopySQLiteTrends copies a SQLite store with mentions, clusters and
// row vectors twice (the second copy changes nothing), and reads them back
// from PostgreSQL as SQLite gives them.
func TestCopySQLiteTrends(t *testing.T) {
	ctx := t.Context()
	src := sqliteSource(t)
	const page = "https://heat.example/pumps"
	four := 4
	published := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	id := saveSourceCard(t, src, page, published, schema.Answer{Title: "Heat pumps sell", Themes: []string{"Energy"},
		Signals: []schema.Signal{{Name: "Heat pump boom", Description: "Sales double.", Relevancy: &four},
			{Name: "Installer shortage", Description: "Not enough installers."}}})
	mentions := []schema.Mention{
		{URL: page, Kind: schema.MentionList, Source: "/home/ana/pocket.csv", Tags: []string{"energy", "home"}},
		{URL: page, Kind: schema.MentionDigest, Source: "https://letter.example/issue-1", Label: "issue-1"},
	}
	if err := src.SaveMentions(ctx, mentions, published); err != nil {
		t.Fatal(err)
	}
	rows, err := src.Rows(ctx, "lexical/1", true)
	if err != nil || len(rows) != 2 {
		t.Fatalf("Rows = %v, %v; want 2", rows, err)
	}
	rows[0].Cluster, rows[0].Terms = 3, "heat pump|sale double"
	rows[1].Cluster = 4
	if err := src.SaveClusters(ctx, "lexical/1", rows, false); err != nil {
		t.Fatal(err)
	}
	vector := schema.RowEmbedding{RowKey: rows[0].Key(), Model: "m", Vector: []float32{0.5, -1, 2}}
	if err := src.SaveRowEmbeddings(ctx, []schema.RowEmbedding{vector}); err != nil {
		t.Fatal(err)
	}

	dst := open(t)
	for range 2 {
		counts, err := dst.CopySQLite(ctx, src.DB(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"document_mentions": 2, "document_tags": 2, "row_clusters": 2, "row_embeddings": 1}
		for _, c := range counts {
			if n, ok := want[c.Table]; ok && c.Target != n {
				t.Errorf("copied %s: %d rows, want %d", c.Table, c.Target, n)
			}
		}
	}
	for _, read := range []struct {
		name string
		get  func(s storetest.Backend) (any, error)
	}{
		{"Mentions", func(s storetest.Backend) (any, error) { return s.Mentions(ctx, page) }},
		{"ClusteredRows", func(s storetest.Backend) (any, error) {
			return s.ClusteredRows(ctx, "lexical/1", schema.RowFilter{})
		}},
		{"TopClusters", func(s storetest.Backend) (any, error) {
			stats, _, err := s.TopClusters(ctx, "lexical/1", schema.ClusterQuery{MinSources: 1,
				Recent: published.Add(-time.Hour), Previous: published.Add(-48 * time.Hour)})
			return stats, err
		}},
		{"RowEmbeddings", func(s storetest.Backend) (any, error) { return s.RowEmbeddings(ctx, "m") }},
	} {
		want, err := read.get(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := read.get(dst)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s after the copy = %+v, %v\nwant (as on SQLite) %+v", read.name, got, err, want)
		}
	}
	if got, err := dst.ClusteredRows(ctx, "lexical/1", schema.RowFilter{}); err != nil || len(got) != 2 ||
		got[0].CardID != id || got[0].Cluster != 3 || got[0].Terms != "heat pump|sale double" || *got[0].Relevancy != 4 {
		t.Errorf("copied clustered rows = %+v, %v; want card %d's rows, the first in cluster 3", got, err, id)
	}
	if got, err := dst.Mentions(ctx, page); err != nil || len(got) != 2 || !reflect.DeepEqual(got[1].Tags, mentions[0].Tags) {
		t.Errorf("copied mentions = %+v, %v; want the list's tags", got, err)
	}
}

// TestClustersRankAsOnSQLite ranks the clusters of a copied collection, with
// many ties, under several queries: PostgreSQL gives SQLite's ranking and
// rows.
func TestClustersRankAsOnSQLite(t *testing.T) {
	ctx := t.Context()
	src := sqliteSource(t)
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 40 {
		answer := schema.Answer{Title: fmt.Sprintf("Card %d", i)}
		for j := range 1 + rng.IntN(3) {
			var relevancy *int
			if n := rng.IntN(7); n < 6 {
				relevancy = &n
			}
			answer.Signals = append(answer.Signals, schema.Signal{Name: fmt.Sprintf("signal %d.%d", i, j), Relevancy: relevancy})
		}
		for j := range rng.IntN(3) {
			answer.Concerns = append(answer.Concerns, schema.Row{Name: fmt.Sprintf("concern %d.%d", i, j)})
		}
		page := fmt.Sprintf("https://host%d.example/%d", rng.IntN(5), i)
		saveSourceCard(t, src, page, start.Add(time.Duration(rng.IntN(30*24))*time.Hour), answer)
	}
	rows, err := src.Rows(ctx, "lexical/1", true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].Cluster = int64(1 + rng.IntN(8))
	}
	if err := src.SaveClusters(ctx, "lexical/1", rows, false); err != nil {
		t.Fatal(err)
	}
	dst := open(t)
	if _, err := dst.CopySQLite(ctx, src.DB(), nil); err != nil {
		t.Fatal(err)
	}
	recent, previous := start.Add(22*24*time.Hour), start.Add(15*24*time.Hour)
	for _, q := range []schema.ClusterQuery{
		{MinSources: 1, Recent: recent, Previous: previous},
		{MinSources: 3, Recent: recent, Previous: previous, Limit: 3},
		{RowFilter: schema.RowFilter{Since: start.Add(5 * 24 * time.Hour), Until: start.Add(25 * 24 * time.Hour)},
			MinSources: 1, Recent: recent, Previous: previous},
		{RowFilter: schema.RowFilter{Section: "concerns"}, MinSources: 1, Recent: recent, Previous: previous},
		{RowFilter: schema.RowFilter{Clusters: []int64{2, 5}}, MinSources: 2},
	} {
		want, wantTotal, err := src.TopClusters(ctx, "lexical/1", q)
		if err != nil {
			t.Fatal(err)
		}
		got, total, err := dst.TopClusters(ctx, "lexical/1", q)
		if err != nil || total != wantTotal || !reflect.DeepEqual(got, want) {
			t.Errorf("TopClusters(%+v) = %+v, %d, %v\nwant (as on SQLite) %+v, %d", q, got, total, err, want, wantTotal)
		}
		want2, err := src.ClusteredRows(ctx, "lexical/1", q.RowFilter)
		if err != nil {
			t.Fatal(err)
		}
		got2, err := dst.ClusteredRows(ctx, "lexical/1", q.RowFilter)
		byKey := func(a, b schema.TrendRow) int {
			return cmp.Or(cmp.Compare(a.CardID, b.CardID), cmp.Compare(a.Section, b.Section), cmp.Compare(a.Index, b.Index))
		}
		slices.SortFunc(want2, byKey)
		slices.SortFunc(got2, byKey)
		if err != nil || len(got2) == 0 || !reflect.DeepEqual(got2, want2) {
			t.Errorf("ClusteredRows(%+v) = %d rows, %v; want SQLite's %d rows", q.RowFilter, len(got2), err, len(want2))
		}
	}
}

// TestSearchLongPage searches a page longer than a PostgreSQL search
// vector's positions go, holding a word longer than a lexeme may be, both
// saved on PostgreSQL and copied from SQLite: its words are found, the
// last one and the long one too, as on SQLite.
func TestSearchLongPage(t *testing.T) {
	ctx := t.Context()
	long := strings.Repeat("ж", 1500) // 3,000 bytes
	text := "intro " + long + " " + strings.Repeat("filler words go on ", 5000) + "zebra"
	published := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	answer := schema.Answer{Title: "A long page", Keywords: []string{"length"}}
	src := sqliteSource(t)
	saveCardText(t, src, "https://long.example/copied", text, published, answer)
	dst := open(t)
	if _, err := dst.CopySQLite(ctx, src.DB(), nil); err != nil {
		t.Fatal(err)
	}
	var indexes, fresh, deferred int
	const count = `SELECT count(*) + (SELECT count(*) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace),
		(SELECT count(*) FROM meta WHERE key LIKE 'index:%') FROM pg_indexes WHERE schemaname = current_schema()`
	if err := dst.DB().QueryRowContext(ctx, count).Scan(&indexes, &deferred); err != nil {
		t.Fatal(err)
	}
	if err := open(t).DB().QueryRowContext(ctx, count).Scan(&fresh, new(int)); err != nil {
		t.Fatal(err)
	}
	if indexes != fresh || deferred != 0 {
		t.Errorf("after the copy: %d indexes and constraints, %d to build; want %d (as a new store), none", indexes,
			deferred, fresh)
	}
	saveCardText(t, dst, "https://long.example/saved", text, published, answer)
	saveCardText(t, src, "https://long.example/saved", text, published, answer)
	for _, q := range []string{"zebra", long, "intro " + long + " zebra", "length filler", "long page"} {
		want, err := src.SearchCards(ctx, q, schema.CardFilter{})
		if err != nil || len(want) != 2 {
			t.Fatalf("SQLite: SearchCards(%.20q) = %d hits, %v; want 2", q, len(want), err)
		}
		got, err := dst.SearchCards(ctx, q, schema.CardFilter{})
		if err != nil || len(got) != 2 {
			t.Errorf("SearchCards(%.20q) = %d hits, %v; want 2", q, len(got), err)
		}
	}
}

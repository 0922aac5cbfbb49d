package postgres_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
	"github.com/veille/veille/store/storetest"
)

// TestCopySQLiteTrends copies a SQLite store with mentions, clusters and
// row vectors twice (the second copy changes nothing), and reads them back
// from PostgreSQL as SQLite gives them.
func TestCopySQLiteTrends(t *testing.T) {
	ctx := t.Context()
	src, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "veille.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	const page = "https://heat.example/pumps"
	doc := storetest.Document(page, "Heat pumps sell.")
	if err := src.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	four := 4
	card := schema.Card{Answer: schema.Answer{Title: "Heat pumps sell", Themes: []string{"Energy"},
		Signals: []schema.Signal{{Name: "Heat pump boom", Description: "Sales double.", Relevancy: &four},
			{Name: "Installer shortage", Description: "Not enough installers."}}}}
	js, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	published := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	id, _, err := src.SaveCard(ctx, schema.NewCard{DocumentID: doc.ID, URL: page, CardJSON: string(js),
		RawJSON: string(js), Published: published, Provenance: schema.Provenance{Provider: "offline", Model: "m"}},
		schema.ModelRun{Input: page, DocumentID: doc.ID, Provider: "offline", Model: "m", Started: published,
			Finished: published})
	if err != nil {
		t.Fatal(err)
	}
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

package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/storetest"
)

// TestMigration15KeepsClusters clusters a card's rows in a database of the
// layout before migration 15, then checks that its clusters, relevancies
// and terms read back after it, with the rows' names and descriptions read
// from the card.
func TestMigration15KeepsClusters(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var before []store.Migration
	for _, m := range ms {
		if m.Version < 15 {
			before = append(before, m)
		}
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	old := applyFirst(t, path, before)
	three := 3
	published := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	if _, err := old.ImportCards(ctx, []schema.NewCard{storetest.ImportedCard(t, "https://heat.example/pumps", published,
		schema.Answer{Title: "Heat pumps", Signals: []schema.Signal{{Name: "Heat \"pump\" boom", Description: "Sales double.",
			Relevancy: &three}}, Issues: []schema.Row{{Name: "Grid load", Description: "Winter peaks."}}})}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := old.db.QueryRowContext(ctx, `SELECT card_id FROM card_latest`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		section   string
		cluster   int64
		relevancy any
		terms     string
	}{{"signals", 7, 3, "heat pump boom|sale double"}, {"issues", 8, nil, "grid load|winter peak"}} {
		if _, err := old.db.ExecContext(ctx, `INSERT INTO row_clusters (space, card_id, section, row_index, cluster_id,
			name, description, relevancy, terms) VALUES ('lexical/1', ?, ?, 0, ?, 'old name', 'old description', ?, ?)`,
			id, r.section, r.cluster, r.relevancy, r.terms); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.ClusteredRows(ctx, "lexical/1", schema.RowFilter{Since: published.AddDate(0, 0, -1)})
	if err != nil || len(got) != 2 {
		t.Fatalf("ClusteredRows = %+v, %v; want the 2 rows", got, err)
	}
	byCluster := map[int64]schema.TrendRow{}
	for _, r := range got {
		byCluster[r.Cluster] = r
	}
	if r := byCluster[7]; r.Section != "signals" || r.Name != `Heat "pump" boom` || r.Description != "Sales double." ||
		r.Relevancy == nil || *r.Relevancy != 3 || r.Terms != "heat pump boom|sale double" {
		t.Errorf("cluster 7: %+v, want the signal, named from the card", r)
	}
	if r := byCluster[8]; r.Section != "issues" || r.Name != "Grid load" || r.Description != "Winter peaks." ||
		r.Relevancy != nil || r.Terms != "grid load|winter peak" {
		t.Errorf("cluster 8: %+v, want the issue, named from the card", r)
	}
	if index, err := s.ClusterIndex(ctx, "lexical/1"); err != nil || len(index) != 2 {
		t.Errorf("ClusterIndex = %+v, %v; want the 2 rows", index, err)
	}
}

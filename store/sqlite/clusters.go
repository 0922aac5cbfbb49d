package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
	"github.com/veille/veille/store/cardindex"
)

// This file keeps the clusters of rows across cards (table row_clusters)
// and the rows' embeddings (row_embeddings); package trends decides the
// clusters.

// Rows returns the rows of the newest card of each document, in card
// order; with unclustered, only the cards none of whose rows has a cluster
// in space.
func (s *Store) Rows(ctx context.Context, space string, unclustered bool) ([]schema.TrendRow, error) {
	q := `SELECT c.card_id, k.card_json FROM card_latest c JOIN cards k ON k.id = c.card_id`
	var args []any
	if unclustered {
		q += ` WHERE NOT EXISTS (SELECT 1 FROM row_clusters r WHERE r.space = ? AND r.card_id = c.card_id)`
		args = append(args, space)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY c.card_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("rows of the cards: %w", err)
	}
	defer rows.Close()
	var cards [][]schema.TrendRow // joined at the end: one copy of the rows
	for rows.Next() {
		var id int64
		var js string
		if err := rows.Scan(&id, &js); err != nil {
			return nil, fmt.Errorf("rows of the cards: %w", err)
		}
		cards = append(cards, cardindex.DecodeTables(js).TrendRows(id))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rows of the cards: %w", err)
	}
	return slices.Concat(cards...), nil
}

// ClusteredRows returns the rows of newest cards that have a cluster in
// space and that f selects, with their card's fields; a row's name and
// description are read from its card.
func (s *Store) ClusteredRows(ctx context.Context, space string, f schema.RowFilter) ([]schema.TrendRow, error) {
	const columns = `SELECT r.card_id, r.section, r.row_index, r.cluster_id,
		coalesce(k.card_json ->> ('$.' || r.section || '[' || r.row_index || '].name'), ''),
		coalesce(k.card_json ->> ('$.' || r.section || '[' || r.row_index || '].description'), ''),
		r.relevancy, r.terms, c.document_id, c.url, c.title, c.host, c.published`
	// A period is read from the listing's date index, each card's rows by
	// key (CROSS JOIN keeps that order, and the rows of a card follow each
	// other, its JSON read once); the whole space by key.
	w := rowWhere(f)
	q := columns + ` FROM row_clusters r JOIN card_latest c ON c.card_id = r.card_id JOIN cards k ON k.id = r.card_id
		WHERE r.space = ? AND ` + w.String()
	if !f.Since.IsZero() || !f.Until.IsZero() {
		q = columns + ` FROM card_latest c CROSS JOIN row_clusters r ON r.card_id = c.card_id AND r.space = ?
			JOIN cards k ON k.id = c.card_id WHERE ` + w.String()
	}
	rows, err := s.db.QueryContext(ctx, q, append([]any{space}, w.args...)...)
	if err != nil {
		return nil, fmt.Errorf("clustered rows of %s: %w", space, err)
	}
	defer rows.Close()
	var out []schema.TrendRow
	var lastPublished string // a card's rows follow each other: its date is read once
	var lastTime time.Time
	for rows.Next() {
		var r schema.TrendRow
		var relevancy sql.NullInt64
		var published string
		if err := rows.Scan(&r.CardID, &r.Section, &r.Index, &r.Cluster, &r.Name, &r.Description, &relevancy, &r.Terms,
			&r.DocumentID, &r.URL, &r.Title, &r.Host, &published); err != nil {
			return nil, fmt.Errorf("clustered rows of %s: %w", space, err)
		}
		if relevancy.Valid {
			v := int(relevancy.Int64)
			r.Relevancy = &v
		}
		if published != lastPublished {
			lastPublished, lastTime = published, parsePublished(published)
		}
		r.Published = lastTime
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clustered rows of %s: %w", space, err)
	}
	return out, nil
}

// rowWhere is the selection of f over card_latest c and row_clusters r.
func rowWhere(f schema.RowFilter) *where {
	w := filterWhere(schema.CardFilter{Since: f.Since, Until: f.Until})
	if f.Section != "" {
		w.add("r.section = ?", f.Section)
	}
	if f.Clusters != nil {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.Clusters)), ", ")
		args := make([]any, len(f.Clusters))
		for i, id := range f.Clusters {
			args[i] = id
		}
		if len(f.Clusters) == 0 {
			marks = "NULL"
		}
		w.add("r.cluster_id IN ("+marks+")", args...)
	}
	return w
}

// TopClusters returns the clusters of space over the rows q selects, with
// their figures, ranked as a trends report ranks them: by sources, growth
// (recent minus previous rows), mean relevancy, rows, then cluster id;
// those with fewer than q.MinSources hosts are left out. It returns the
// first q.Limit of them (all when 0) and how many there are.
func (s *Store) TopClusters(ctx context.Context, space string, q schema.ClusterQuery) ([]schema.ClusterStat, int, error) {
	w := rowWhere(q.RowFilter)
	args := []any{formatPublished(q.Recent), formatPublished(q.Previous), formatPublished(q.Recent), space}
	args = append(append(args, w.args...), q.MinSources)
	rows, err := s.db.QueryContext(ctx, `SELECT cluster_id, sources, n, recent, previous, relevancy FROM (
		SELECT r.cluster_id, count(DISTINCT c.host) AS sources, count(*) AS n,
			sum(CASE WHEN c.published >= ? THEN 1 ELSE 0 END) AS recent,
			sum(CASE WHEN c.published >= ? AND c.published < ? THEN 1 ELSE 0 END) AS previous,
			coalesce(avg(r.relevancy), 0.0) AS relevancy
		FROM card_latest c CROSS JOIN row_clusters r ON r.space = ? AND r.card_id = c.card_id
		WHERE `+w.String()+`
		GROUP BY r.cluster_id HAVING count(DISTINCT c.host) >= ?) AS t
		ORDER BY sources DESC, recent - previous DESC, relevancy DESC, n DESC, cluster_id`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("top clusters of %s: %w", space, err)
	}
	defer rows.Close()
	var out []schema.ClusterStat
	total := 0
	for rows.Next() {
		total++
		if q.Limit > 0 && len(out) == q.Limit {
			continue
		}
		var c schema.ClusterStat
		if err := rows.Scan(&c.Cluster, &c.Sources, &c.Rows, &c.Recent, &c.Previous, &c.Relevancy); err != nil {
			return nil, 0, fmt.Errorf("top clusters of %s: %w", space, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("top clusters of %s: %w", space, err)
	}
	return out, total, nil
}

// ClusterIndex returns the rows of newest cards that have a cluster in
// space with their key, cluster and terms only: what clustering new rows
// compares them with.
func (s *Store) ClusterIndex(ctx context.Context, space string) ([]schema.TrendRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT card_id, section, row_index, cluster_id, terms FROM row_clusters
		WHERE space = ? AND card_id IN (SELECT card_id FROM card_latest)`, space)
	if err != nil {
		return nil, fmt.Errorf("cluster index of %s: %w", space, err)
	}
	defer rows.Close()
	var out []schema.TrendRow
	for rows.Next() {
		var r schema.TrendRow
		if err := rows.Scan(&r.CardID, &r.Section, &r.Index, &r.Cluster, &r.Terms); err != nil {
			return nil, fmt.Errorf("cluster index of %s: %w", space, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cluster index of %s: %w", space, err)
	}
	return out, nil
}

// SaveClusters records the cluster of each row in space, in one
// transaction; with replace, every earlier cluster of space is forgotten
// first. The clusters of cards that are no longer their document's newest
// are dropped too. A row's cluster must be positive.
func (s *Store) SaveClusters(ctx context.Context, space string, rows []schema.TrendRow, replace bool) error {
	for _, r := range rows {
		if r.Cluster <= 0 {
			return fmt.Errorf("save clusters of %s: card %d %s[%d] has no cluster", space, r.CardID, r.Section, r.Index)
		}
	}
	err := s.inStmtTx(ctx, func(tx *stmtTx) error {
		stale := `DELETE FROM row_clusters WHERE space = ? AND card_id NOT IN (SELECT card_id FROM card_latest)`
		if replace {
			stale = `DELETE FROM row_clusters WHERE space = ?`
		}
		if _, err := tx.ExecContext(ctx, stale, space); err != nil {
			return err
		}
		args := make([]any, 0, saveClustersChunk*clusterColumns)
		for start := 0; start < len(rows); start += saveClustersChunk {
			chunk := rows[start:min(start+saveClustersChunk, len(rows))]
			args = args[:0]
			for _, r := range chunk {
				var relevancy sql.NullInt64
				if r.Relevancy != nil {
					relevancy = sql.NullInt64{Int64: int64(*r.Relevancy), Valid: true}
				}
				args = append(args, r.CardID, space, r.Section, r.Index, r.Cluster, relevancy, r.Terms)
			}
			if _, err := tx.ExecContext(ctx, insertClusters(len(chunk)), args...); err != nil {
				if r, ok := missingCard(ctx, tx, chunk); ok {
					return fmt.Errorf("card %d %s[%d]: %w", r.CardID, r.Section, r.Index, notFoundCard(err, r.CardID))
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save clusters of %s: %w", space, err)
	}
	return nil
}

// saveClustersChunk is how many rows one INSERT of SaveClusters writes:
// a statement per row cost more than writing the row.
const saveClustersChunk = 128

// clusterColumns counts the columns SaveClusters writes a row.
const clusterColumns = 7

// insertClusters is the INSERT of n rows of row_clusters.
func insertClusters(n int) string {
	const row = "(?, ?, ?, ?, ?, ?, ?), "
	return `INSERT OR REPLACE INTO row_clusters (card_id, space, section, row_index, cluster_id, relevancy, terms)
		VALUES ` + strings.TrimSuffix(strings.Repeat(row, n), ", ")
}

// missingCard returns the first row of rows whose card does not exist, if
// any: the one an INSERT of them failed on.
func missingCard(ctx context.Context, tx *stmtTx, rows []schema.TrendRow) (schema.TrendRow, bool) {
	for _, r := range rows {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM cards WHERE id = ?`, r.CardID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return r, true
		}
	}
	return schema.TrendRow{}, false
}

// notFoundCard reports a foreign-key failure on a row's card as
// [schema.ErrNotFound].
func notFoundCard(err error, id int64) error {
	if strings.Contains(err.Error(), "FOREIGN KEY") {
		return fmt.Errorf("card %d: %w", id, schema.ErrNotFound)
	}
	return err
}

// CardTags returns the themes and keywords of the newest cards published
// in [since, until) (a zero bound is open).
func (s *Store) CardTags(ctx context.Context, since, until time.Time) ([]schema.CardTag, error) {
	w := filterWhere(schema.CardFilter{Since: since, Until: until})
	rows, err := s.db.QueryContext(ctx, `SELECT t.kind, t.value, c.published FROM card_tags t
		JOIN card_latest c ON c.card_id = t.card_id WHERE `+w.String(), w.args...)
	if err != nil {
		return nil, fmt.Errorf("tags of the cards: %w", err)
	}
	defer rows.Close()
	var out []schema.CardTag
	for rows.Next() {
		var t schema.CardTag
		var published string
		if err := rows.Scan(&t.Kind, &t.Value, &published); err != nil {
			return nil, fmt.Errorf("tags of the cards: %w", err)
		}
		t.Published = parsePublished(published)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tags of the cards: %w", err)
	}
	return out, nil
}

// RowEmbeddings returns the vectors model made for the rows of the newest
// cards.
func (s *Store) RowEmbeddings(ctx context.Context, model string) ([]schema.RowEmbedding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.card_id, e.section, e.row_index, e.dim, e.vector
		FROM row_embeddings e JOIN card_latest c ON c.card_id = e.card_id WHERE e.model = ?`, model)
	if err != nil {
		return nil, fmt.Errorf("row embeddings of %s: %w", model, err)
	}
	defer rows.Close()
	var out []schema.RowEmbedding
	for rows.Next() {
		e := schema.RowEmbedding{Model: model}
		var dim int
		var blob []byte
		if err := rows.Scan(&e.CardID, &e.Section, &e.Index, &dim, &blob); err != nil {
			return nil, fmt.Errorf("row embeddings of %s: %w", model, err)
		}
		if e.Vector, err = decodeVector(blob, dim); err != nil {
			return nil, fmt.Errorf("row embeddings of %s: card %d %s[%d]: %w", model, e.CardID, e.Section, e.Index, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("row embeddings of %s: %w", model, err)
	}
	return out, nil
}

// SaveRowEmbeddings saves es in one transaction, replacing a row's vector
// by the same model. Each vector must be non-empty and finite; a card that
// does not exist is an error wrapping [schema.ErrNotFound].
func (s *Store) SaveRowEmbeddings(ctx context.Context, es []schema.RowEmbedding) error {
	for _, e := range es {
		if err := store.CheckEmbedding(schema.Embedding{CardID: e.CardID, Model: e.Model, Vector: e.Vector}); err != nil {
			return fmt.Errorf("save embedding of card %d %s[%d]: %w", e.CardID, e.Section, e.Index, err)
		}
	}
	now := timestamp(time.Now())
	err := s.inStmtTx(ctx, func(tx *stmtTx) error {
		for _, e := range es {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO row_embeddings (card_id, section, row_index, model,
				dim, vector, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, e.CardID, e.Section, e.Index, e.Model,
				len(e.Vector), encodeVector(e.Vector), now); err != nil {
				return fmt.Errorf("card %d %s[%d]: %w", e.CardID, e.Section, e.Index, notFoundCard(err, e.CardID))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save row embeddings: %w", err)
	}
	return nil
}

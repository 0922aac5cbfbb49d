package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
		q += ` WHERE NOT EXISTS (SELECT 1 FROM row_clusters r WHERE r.space = $1 AND r.card_id = c.card_id)`
		args = append(args, space)
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY c.card_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("rows of the cards: %w", err)
	}
	defer rows.Close()
	var out []schema.TrendRow
	for rows.Next() {
		var id int64
		var js string
		if err := rows.Scan(&id, &js); err != nil {
			return nil, fmt.Errorf("rows of the cards: %w", err)
		}
		out = append(out, cardindex.DecodeTables(js).TrendRows(id)...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rows of the cards: %w", err)
	}
	return out, nil
}

// ClusteredRows returns the rows of newest cards that have a cluster in
// space and that f selects, with their card's fields, by row.
func (s *Store) ClusteredRows(ctx context.Context, space string, f schema.RowFilter) ([]schema.TrendRow, error) {
	w := rowWhere(f, 1)
	w.args[0] = space
	rows, err := s.pool.Query(ctx, `SELECT r.card_id, r.section, r.row_index, r.cluster_id, r.name, r.description,
			r.relevancy, r.terms, c.document_id, c.url, c.title, c.host, c.published
		FROM row_clusters r JOIN card_latest c ON c.card_id = r.card_id
		WHERE r.space = $1 AND `+w.String()+` ORDER BY r.card_id, r.section, r.row_index`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("clustered rows of %s: %w", space, err)
	}
	defer rows.Close()
	var out []schema.TrendRow
	for rows.Next() {
		var r schema.TrendRow
		if err := rows.Scan(&r.CardID, &r.Section, &r.Index, &r.Cluster, &r.Name, &r.Description, &r.Relevancy,
			&r.Terms, &r.DocumentID, &r.URL, &r.Title, &r.Host, &r.Published); err != nil {
			return nil, fmt.Errorf("clustered rows of %s: %w", space, err)
		}
		r.Published = utc(r.Published)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clustered rows of %s: %w", space, err)
	}
	return out, nil
}

// rowWhere is the selection of f over card_latest c and row_clusters r,
// its arguments numbered after the first, skip, of the query.
func rowWhere(f schema.RowFilter, skip int) *where {
	w := filterWhere(schema.CardFilter{Since: f.Since, Until: f.Until}, skip)
	if f.Section != "" {
		w.add("r.section = ?", f.Section)
	}
	if f.Clusters != nil {
		w.add("r.cluster_id = ANY(?)", f.Clusters)
	}
	return w
}

// TopClusters returns the clusters of space over the rows q selects, with
// their figures, ranked as a trends report ranks them: by sources, growth
// (recent minus previous rows), mean relevancy, rows, then cluster id;
// those with fewer than q.MinSources hosts are left out. It returns the
// first q.Limit of them (all when 0) and how many there are.
func (s *Store) TopClusters(ctx context.Context, space string, q schema.ClusterQuery) ([]schema.ClusterStat, int, error) {
	w := rowWhere(q.RowFilter, 4)
	w.args[0], w.args[1], w.args[2], w.args[3] = q.Recent.UTC(), q.Previous.UTC(), q.Recent.UTC(), space
	minSources := w.arg(q.MinSources)
	rows, err := s.pool.Query(ctx, `SELECT cluster_id, sources, n, recent, previous, relevancy FROM (
		SELECT r.cluster_id, count(DISTINCT c.host) AS sources, count(*) AS n,
			sum(CASE WHEN c.published >= $1 THEN 1 ELSE 0 END) AS recent,
			sum(CASE WHEN c.published >= $2 AND c.published < $3 THEN 1 ELSE 0 END) AS previous,
			coalesce(avg(r.relevancy::double precision), 0.0) AS relevancy
		FROM card_latest c JOIN row_clusters r ON r.space = $4 AND r.card_id = c.card_id
		WHERE `+w.String()+`
		GROUP BY r.cluster_id HAVING count(DISTINCT c.host) >= `+minSources+`) AS t
		ORDER BY sources DESC, recent - previous DESC, relevancy DESC, n DESC, cluster_id`, w.args...)
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
	rows, err := s.pool.Query(ctx, `SELECT r.card_id, r.section, r.row_index, r.cluster_id, r.terms
		FROM row_clusters r JOIN card_latest c ON c.card_id = r.card_id WHERE r.space = $1
		ORDER BY r.card_id, r.section, r.row_index`, space)
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

// batchChunk is how many statements go to the server in one round trip.
const batchChunk = 1000

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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		stale := `DELETE FROM row_clusters WHERE space = $1 AND card_id NOT IN (SELECT card_id FROM card_latest)`
		if replace {
			stale = `DELETE FROM row_clusters WHERE space = $1`
		}
		if _, err := tx.Exec(ctx, stale, space); err != nil {
			return err
		}
		return sendChunks(ctx, tx, len(rows), func(b *pgx.Batch, i int) {
			r := rows[i]
			b.Queue(`INSERT INTO row_clusters (space, card_id, section, row_index, cluster_id, name, description,
				relevancy, terms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (space, card_id, section, row_index) DO UPDATE SET cluster_id = excluded.cluster_id,
				name = excluded.name, description = excluded.description, relevancy = excluded.relevancy,
				terms = excluded.terms`,
				space, r.CardID, r.Section, r.Index, r.Cluster, r.Name, r.Description, r.Relevancy, r.Terms)
		}, func(i int, err error) error {
			r := rows[i]
			return fmt.Errorf("card %d %s[%d]: %w", r.CardID, r.Section, r.Index, notFoundCard(err, r.CardID))
		})
	})
	if err != nil {
		return fmt.Errorf("save clusters of %s: %w", space, err)
	}
	return nil
}

// sendChunks queues n statements (queue queues statement i) and runs them
// in tx, batchChunk at a time; the error of statement i, when one fails,
// is fail(i, err).
func sendChunks(ctx context.Context, tx pgx.Tx, n int, queue func(b *pgx.Batch, i int), fail func(i int, err error) error) error {
	for start := 0; start < n; start += batchChunk {
		end := min(start+batchChunk, n)
		b := &pgx.Batch{}
		for i := start; i < end; i++ {
			queue(b, i)
		}
		if err := sendBatch(ctx, tx, b, func(i int, err error) error { return fail(start+i, err) }); err != nil {
			return err
		}
	}
	return nil
}

// sendBatch runs the statements of b in tx in one round trip; the error of
// statement i, when one fails, is fail(i, err).
func sendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch, fail func(i int, err error) error) error {
	br := tx.SendBatch(ctx, b)
	for i := range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fail(i, err)
		}
	}
	return br.Close()
}

// notFoundCard reports a foreign-key failure on a row's card as
// [schema.ErrNotFound].
func notFoundCard(err error, id int64) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // foreign_key_violation
		return fmt.Errorf("card %d: %w", id, schema.ErrNotFound)
	}
	return err
}

// CardTags returns the themes and keywords of the newest cards published
// in [since, until) (a zero bound is open).
func (s *Store) CardTags(ctx context.Context, since, until time.Time) ([]schema.CardTag, error) {
	w := filterWhere(schema.CardFilter{Since: since, Until: until}, 0)
	rows, err := s.pool.Query(ctx, `SELECT t.kind, t.value, c.published FROM card_tags t
		JOIN card_latest c ON c.card_id = t.card_id WHERE `+w.String(), w.args...)
	if err != nil {
		return nil, fmt.Errorf("tags of the cards: %w", err)
	}
	defer rows.Close()
	var out []schema.CardTag
	for rows.Next() {
		var t schema.CardTag
		if err := rows.Scan(&t.Kind, &t.Value, &t.Published); err != nil {
			return nil, fmt.Errorf("tags of the cards: %w", err)
		}
		t.Published = utc(t.Published)
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
	rows, err := s.pool.Query(ctx, `SELECT e.card_id, e.section, e.row_index, e.vector
		FROM row_embeddings e JOIN card_latest c ON c.card_id = e.card_id WHERE e.model = $1
		ORDER BY e.card_id, e.section, e.row_index`, model)
	if err != nil {
		return nil, fmt.Errorf("row embeddings of %s: %w", model, err)
	}
	defer rows.Close()
	var out []schema.RowEmbedding
	for rows.Next() {
		e := schema.RowEmbedding{Model: model}
		if err := rows.Scan(&e.CardID, &e.Section, &e.Index, &e.Vector); err != nil {
			return nil, fmt.Errorf("row embeddings of %s: %w", model, err)
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
	now := time.Now().UTC()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return sendChunks(ctx, tx, len(es), func(b *pgx.Batch, i int) {
			e := es[i]
			b.Queue(`INSERT INTO row_embeddings (card_id, section, row_index, model, dim, vector, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (model, card_id, section, row_index) DO UPDATE
				SET dim = excluded.dim, vector = excluded.vector, created_at = excluded.created_at`,
				e.CardID, e.Section, e.Index, e.Model, len(e.Vector), e.Vector, now)
		}, func(i int, err error) error {
			e := es[i]
			return fmt.Errorf("card %d %s[%d]: %w", e.CardID, e.Section, e.Index, notFoundCard(err, e.CardID))
		})
	})
	if err != nil {
		return fmt.Errorf("save row embeddings: %w", err)
	}
	return nil
}

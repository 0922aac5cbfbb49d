package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/veille/veille/schema"
)

// SaveMentions records where documents were found and the tags given to
// them there, in one transaction. A mention recorded before keeps its first
// date and label, and gains the tags it did not have.
func (s *Store) SaveMentions(ctx context.Context, ms []schema.Mention, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	// One statement a mention and one a tag, each naming what it records.
	type statement struct {
		sql, what string
		m         schema.Mention
		args      []any
	}
	var stmts []statement
	for _, m := range ms {
		stmts = append(stmts, statement{`INSERT INTO document_mentions (url, kind, source, label, first_seen)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, "mention", m,
			[]any{m.URL, m.Kind, m.Source, m.Label, now.UTC()}})
		for i, tag := range m.Tags {
			stmts = append(stmts, statement{`INSERT INTO document_tags (url, source, tag, pos)
				VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, "tags", m, []any{m.URL, m.Source, tag, i}})
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return sendChunks(ctx, tx, len(stmts), func(b *pgx.Batch, i int) {
			b.Queue(stmts[i].sql, stmts[i].args...)
		}, func(i int, err error) error {
			st := stmts[i]
			return fmt.Errorf("record %s of %s by %s: %w", st.what, st.m.URL, st.m.Source, err)
		})
	})
	if err != nil {
		return fmt.Errorf("record mentions: %w", err)
	}
	return nil
}

// Mentions returns where the document at canonicalURL was found, oldest
// first, each with its tags; none is not an error.
func (s *Store) Mentions(ctx context.Context, canonicalURL string) ([]schema.Mention, error) {
	rows, err := s.pool.Query(ctx, `SELECT m.kind, m.source, m.label, m.first_seen,
			(SELECT array_agg(t.tag ORDER BY t.pos, t.tag COLLATE "C") FROM document_tags t
			WHERE t.url = m.url AND t.source = m.source)
		FROM document_mentions m WHERE m.url = $1
		ORDER BY m.first_seen, m.kind COLLATE "C", m.source COLLATE "C"`, canonicalURL)
	if err != nil {
		return nil, fmt.Errorf("read mentions of %s: %w", canonicalURL, err)
	}
	defer rows.Close()
	var ms []schema.Mention
	for rows.Next() {
		m := schema.Mention{URL: canonicalURL}
		if err := rows.Scan(&m.Kind, &m.Source, &m.Label, &m.FirstSeen, &m.Tags); err != nil {
			return nil, fmt.Errorf("read mentions of %s: %w", canonicalURL, err)
		}
		m.FirstSeen = utc(m.FirstSeen)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read mentions of %s: %w", canonicalURL, err)
	}
	return ms, nil
}

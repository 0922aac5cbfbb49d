package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
)

// SaveMentions records where documents were found and the tags given to
// them there, in one transaction. A mention recorded before keeps its first
// date and label, and gains the tags it did not have.
func (s *Store) SaveMentions(ctx context.Context, ms []schema.Mention, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record mentions: %w", err)
	}
	defer tx.Rollback()
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_mentions (url, kind, source, label, first_seen)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, m.URL, m.Kind, m.Source, m.Label, timestamp(now)); err != nil {
			return fmt.Errorf("record mention of %s by %s: %w", m.URL, m.Source, err)
		}
		for i, tag := range m.Tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO document_tags (url, source, tag, pos)
				VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, m.URL, m.Source, tag, i); err != nil {
				return fmt.Errorf("record tags of %s by %s: %w", m.URL, m.Source, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record mentions: %w", err)
	}
	return nil
}

// Mentions returns where the document at canonicalURL was found, oldest
// first, each with its tags; none is not an error.
func (s *Store) Mentions(ctx context.Context, canonicalURL string) ([]schema.Mention, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, source, label, first_seen FROM document_mentions
		WHERE url = ? ORDER BY first_seen, kind, source`, canonicalURL)
	if err != nil {
		return nil, fmt.Errorf("read mentions of %s: %w", canonicalURL, err)
	}
	defer rows.Close()
	var ms []schema.Mention
	for rows.Next() {
		m := schema.Mention{URL: canonicalURL}
		var seen string
		if err := rows.Scan(&m.Kind, &m.Source, &m.Label, &seen); err != nil {
			return nil, fmt.Errorf("read mentions of %s: %w", canonicalURL, err)
		}
		m.FirstSeen = parseTimestamp(seen)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read mentions of %s: %w", canonicalURL, err)
	}
	for i := range ms {
		if ms[i].Tags, err = s.tags(ctx, canonicalURL, ms[i].Source); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// tags returns the tags source gave the document, in its order.
func (s *Store) tags(ctx context.Context, canonicalURL, source string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT tag FROM document_tags WHERE url = ? AND source = ?
		ORDER BY pos, tag`, canonicalURL, source)
	if err != nil {
		return nil, fmt.Errorf("read tags of %s: %w", canonicalURL, err)
	}
	defer rows.Close()
	var tags []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("read tags of %s: %w", canonicalURL, err)
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}

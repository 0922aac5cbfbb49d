package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
)

// documentColumns lists the documents columns in the order scanDocument reads them.
const documentColumns = `id, canonical_url, url, final_url, status, content_type, fetched_at,
	content_hash, body_gzip, text, metadata, method`

// SaveDocument stores doc under its canonical URL, replacing any earlier
// version, in one transaction. It checks that doc is complete (canonical URL,
// ID, text) and fills in ContentHash when it is empty.
func (s *Store) SaveDocument(ctx context.Context, doc schema.Document) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return saveDocument(ctx, tx, doc) })
}

// saveDocument is [Store.SaveDocument] in tx, so that many documents can
// share a transaction (the benchmarks' collection).
func saveDocument(ctx context.Context, tx dbtx, doc schema.Document) error {
	if err := store.CheckDocument(doc); err != nil {
		return fmt.Errorf("save document %s: %w", doc.CanonicalURL, err)
	}
	hash := doc.ContentHash
	if hash == "" {
		hash = schema.ContentHash(doc.Body)
	}
	body, err := store.Gzip(doc.Body)
	if err != nil {
		return fmt.Errorf("save document %s: %w", doc.CanonicalURL, err)
	}
	metadata, err := json.Marshal(doc.Metadata)
	if err != nil {
		return fmt.Errorf("save document %s: %w", doc.CanonicalURL, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (`+documentColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (canonical_url) DO UPDATE SET
			url = excluded.url, final_url = excluded.final_url, status = excluded.status,
			content_type = excluded.content_type, fetched_at = excluded.fetched_at,
			content_hash = excluded.content_hash, body_gzip = excluded.body_gzip,
			text = excluded.text, metadata = excluded.metadata, method = excluded.method`,
		doc.ID, doc.CanonicalURL, doc.URL, doc.FinalURL, doc.Status, doc.ContentType,
		timestamp(doc.FetchedAt), hash, body, doc.Text, string(metadata), doc.Method)
	if err == nil {
		err = reindexDocument(ctx, tx, doc.ID, doc.Text)
	}
	if err != nil {
		return fmt.Errorf("save document %s: %w", doc.CanonicalURL, err)
	}
	return nil
}

// GetDocument returns the document stored under a canonical URL. When there
// is none, the error wraps [schema.ErrNotFound].
func (s *Store) GetDocument(ctx context.Context, canonicalURL string) (schema.Document, error) {
	return s.documentWhere(ctx, "canonical_url", canonicalURL)
}

// GetDocumentByID returns the document with the given ID (see
// [schema.DocumentID]). When there is none, the error wraps
// [schema.ErrNotFound].
func (s *Store) GetDocumentByID(ctx context.Context, id string) (schema.Document, error) {
	return s.documentWhere(ctx, "id", id)
}

// documentWhere reads the document whose key column (canonical_url or id)
// has the given value.
func (s *Store) documentWhere(ctx context.Context, column, value string) (schema.Document, error) {
	row := s.queryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE `+column+` = ?`, value)
	doc, err := scanDocument(row)
	if err != nil {
		return schema.Document{}, fmt.Errorf("document %s: %w", value, notFound(err))
	}
	return doc, nil
}

// DocumentCount returns how many documents the store holds.
func (s *Store) DocumentCount(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT count(*) FROM documents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// scanDocument reads one row of documentColumns.
func scanDocument(row *sql.Row) (schema.Document, error) {
	var doc schema.Document
	var fetchedAt, metadata string
	var body []byte
	err := row.Scan(&doc.ID, &doc.CanonicalURL, &doc.URL, &doc.FinalURL, &doc.Status, &doc.ContentType,
		&fetchedAt, &doc.ContentHash, &body, &doc.Text, &metadata, &doc.Method)
	if err != nil {
		return schema.Document{}, err
	}
	if doc.FetchedAt, err = time.Parse(time.RFC3339Nano, fetchedAt); err != nil {
		return schema.Document{}, fmt.Errorf("fetched_at: %w", err)
	}
	if err := json.Unmarshal([]byte(metadata), &doc.Metadata); err != nil {
		return schema.Document{}, fmt.Errorf("metadata: %w", err)
	}
	if doc.Body, err = store.Gunzip(body); err != nil {
		return schema.Document{}, fmt.Errorf("body: %w", err)
	}
	return doc, nil
}

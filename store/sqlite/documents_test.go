package sqlite

import (
	"bytes"
	"testing"

	"github.com/veille/veille/store"
	"github.com/veille/veille/store/storetest"
)

// TestDocumentColumns checks what SQL sees of a document: the body
// gzip-compressed, and the title column generated from the metadata.
func TestDocumentColumns(t *testing.T) {
	ctx := t.Context()
	s := openTestStore(t)
	doc := storetest.Document("https://example.com/a", "Première version.")
	doc.Body = bytes.Repeat([]byte("<p>répété</p>"), 1000)
	if err := s.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	var title string
	var stored []byte
	if err := s.db.QueryRowContext(ctx, `SELECT title, body_gzip FROM documents`).Scan(&title, &stored); err != nil {
		t.Fatal(err)
	}
	if title != doc.Metadata.Title {
		t.Errorf("title column = %q, want %q", title, doc.Metadata.Title)
	}
	if !bytes.HasPrefix(stored, []byte{0x1f, 0x8b}) || len(stored) >= len(doc.Body)/10 {
		t.Errorf("body_gzip = %d bytes starting % x, want gzip of the %d-byte body", len(stored), stored[:2], len(doc.Body))
	}
	body, err := store.Gunzip(stored)
	if err != nil || !bytes.Equal(body, doc.Body) {
		t.Errorf("body_gzip decompresses to %d bytes, %v; want the body", len(body), err)
	}
}

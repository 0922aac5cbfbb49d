package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

func testDocument(url, text string) schema.Document {
	return schema.Document{
		ID:           schema.DocumentID(url),
		CanonicalURL: url,
		URL:          url + "?utm_source=x",
		FinalURL:     url,
		Status:       200,
		ContentType:  "text/html",
		FetchedAt:    time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Body:         []byte("<html><body><p>" + text + "</p></body></html>"),
		Text:         text,
		Metadata:     schema.Metadata{Title: "A title", Lang: "fr"},
		Method:       "trafilatura",
	}
}

func TestSaveAndGetDocument(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	doc := testDocument("https://example.com/a", "Première version.")
	if err := s.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDocument(ctx, doc.CanonicalURL)
	if err != nil {
		t.Fatal(err)
	}
	doc.ContentHash = ContentHash(doc.Body)
	assertSameDocument(t, got, doc)

	byID, err := s.GetDocumentByID(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameDocument(t, byID, doc)

	// Saving again replaces the row.
	doc2 := testDocument(doc.CanonicalURL, "Seconde version.")
	if err := s.SaveDocument(ctx, doc2); err != nil {
		t.Fatal(err)
	}
	got, err = s.GetDocument(ctx, doc.CanonicalURL)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "Seconde version." {
		t.Errorf("after a second save, Text = %q", got.Text)
	}
	if n, err := s.DocumentCount(ctx); err != nil || n != 1 {
		t.Errorf("DocumentCount = %d, %v; want 1", n, err)
	}
	var title string
	if err := s.db.QueryRowContext(ctx, `SELECT title FROM documents`).Scan(&title); err != nil || title != "A title" {
		t.Errorf("title column = %q, %v", title, err)
	}
}

func assertSameDocument(t *testing.T, got, want schema.Document) {
	t.Helper()
	if got.ID != want.ID || got.CanonicalURL != want.CanonicalURL || got.URL != want.URL ||
		got.FinalURL != want.FinalURL || got.Status != want.Status || got.ContentType != want.ContentType ||
		!got.FetchedAt.Equal(want.FetchedAt) || got.ContentHash != want.ContentHash ||
		string(got.Body) != string(want.Body) || got.Text != want.Text || got.Metadata != want.Metadata ||
		got.Method != want.Method {
		t.Errorf("stored document differs:\n got %+v\nwant %+v", got, want)
	}
}

func TestGetDocumentMissing(t *testing.T) {
	s := openBatchTestStore(t)
	_, err := s.GetDocument(context.Background(), "https://example.com/none")
	if !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("GetDocument of a missing URL: err = %v, want sql.ErrNoRows", err)
	}
}

func TestSaveDocumentRejectsIncomplete(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	good := testDocument("https://example.com/a", "text")
	noText := good
	noText.Text = ""
	wrongID := good
	wrongID.ID = "0123"
	noURL := good
	noURL.CanonicalURL = ""
	for name, doc := range map[string]schema.Document{"no text": noText, "wrong ID": wrongID, "no URL": noURL} {
		if err := s.SaveDocument(ctx, doc); err == nil {
			t.Errorf("%s: SaveDocument accepted it", name)
		}
	}
	if n, _ := s.DocumentCount(ctx); n != 0 {
		t.Errorf("%d rows after rejected saves, want 0", n)
	}
}

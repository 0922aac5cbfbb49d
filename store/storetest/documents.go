package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

var documentTests = []test{
	{"SaveAndGet", testSaveAndGetDocument},
	{"SaveReplaces", testSaveDocumentReplaces},
	{"NotFound", testDocumentNotFound},
	{"RejectsIncomplete", testSaveDocumentRejectsIncomplete},
}

// Document returns a complete document for url with the given text.
func Document(url, text string) schema.Document {
	return schema.Document{
		ID:           schema.DocumentID(url),
		CanonicalURL: url,
		URL:          url + "?utm_source=x",
		FinalURL:     url,
		Status:       200,
		ContentType:  "text/html",
		FetchedAt:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Body:         []byte("<html><body><p>" + text + "</p></body></html>"),
		Text:         text,
		Metadata:     schema.Metadata{Title: "A title", Lang: "fr"},
		Method:       "trafilatura",
	}
}

// saveDocument stores a document for url, failing the test on error.
func saveDocument(t *testing.T, s Backend, url, text string) schema.Document {
	t.Helper()
	doc := Document(url, text)
	if err := s.SaveDocument(t.Context(), doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func testSaveAndGetDocument(t *testing.T, s Backend) {
	ctx := t.Context()
	doc := saveDocument(t, s, "https://example.com/a", "Première version.")
	doc.ContentHash = schema.ContentHash(doc.Body) // filled in when empty
	got, err := s.GetDocument(ctx, doc.CanonicalURL)
	if err != nil {
		t.Fatal(err)
	}
	assertSameDocument(t, got, doc)
	byID, err := s.GetDocumentByID(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameDocument(t, byID, doc)

	given := Document("https://example.com/b", "b")
	given.ContentHash = "given"
	if err := s.SaveDocument(ctx, given); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetDocument(ctx, given.CanonicalURL); err != nil || got.ContentHash != "given" {
		t.Errorf("ContentHash = %q, %v; want the one given", got.ContentHash, err)
	}
}

func testSaveDocumentReplaces(t *testing.T, s Backend) {
	ctx := t.Context()
	doc := saveDocument(t, s, "https://example.com/a", "Première version.")
	saveDocument(t, s, doc.CanonicalURL, "Seconde version.")
	got, err := s.GetDocument(ctx, doc.CanonicalURL)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "Seconde version." || got.ContentHash != schema.ContentHash(got.Body) {
		t.Errorf("after a second save, Text = %q, ContentHash = %q", got.Text, got.ContentHash)
	}
	if n, err := s.DocumentCount(ctx); err != nil || n != 1 {
		t.Errorf("DocumentCount = %d, %v; want 1", n, err)
	}
}

func testDocumentNotFound(t *testing.T, s Backend) {
	saveDocument(t, s, "https://example.com/a", "a")
	gets := map[string]func() error{
		"GetDocument": func() error {
			_, err := s.GetDocument(t.Context(), "https://example.com/none")
			return err
		},
		"GetDocumentByID": func() error {
			_, err := s.GetDocumentByID(t.Context(), schema.DocumentID("https://example.com/none"))
			return err
		},
	}
	for name, get := range gets {
		if err := get(); !errors.Is(err, schema.ErrNotFound) {
			t.Errorf("%s of a missing document: err = %v, want schema.ErrNotFound", name, err)
		}
	}
}

func testSaveDocumentRejectsIncomplete(t *testing.T, s Backend) {
	ctx := t.Context()
	good := Document("https://example.com/a", "text")
	noText, wrongID, noURL := good, good, good
	noText.Text = ""
	wrongID.ID = "0123"
	noURL.CanonicalURL = ""
	for name, doc := range map[string]schema.Document{"no text": noText, "wrong ID": wrongID, "no URL": noURL} {
		if err := s.SaveDocument(ctx, doc); err == nil {
			t.Errorf("%s: SaveDocument accepted it", name)
		}
	}
	if n, err := s.DocumentCount(ctx); err != nil || n != 0 {
		t.Errorf("DocumentCount = %d, %v after rejected saves, want 0", n, err)
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

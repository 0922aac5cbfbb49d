package eval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

// fakeDocuments is a DocumentStore in memory, by canonical URL.
type fakeDocuments map[string]schema.Document

func (f fakeDocuments) GetDocument(ctx context.Context, canonicalURL string) (schema.Document, error) {
	if canonicalURL == "https://broken.example/" {
		return schema.Document{}, errors.New("database is locked")
	}
	doc, ok := f[canonicalURL]
	if !ok {
		return schema.Document{}, schema.ErrNotFound
	}
	return doc, nil
}

func (f fakeDocuments) SaveDocument(ctx context.Context, doc schema.Document) error {
	f[doc.CanonicalURL] = doc
	return nil
}

// readFakePage reads a page file as a document whose text is the file's.
func readFakePage(path, url string) (schema.Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return schema.Document{}, err
	}
	return schema.Document{URL: url, Text: string(data), Metadata: schema.Metadata{Title: "from the page"}}, nil
}

// fakeMaker makes a card of the stored document at url, and fails for a
// URL with no stored document, as a maker that cannot fetch.
func fakeMaker(docs fakeDocuments) CardMaker {
	return func(ctx context.Context, url string) (MadeCard, error) {
		if err := ctx.Err(); err != nil {
			return MadeCard{}, err
		}
		canonical, _ := schema.CanonicalURL(url)
		doc, ok := docs[canonical]
		if !ok {
			return MadeCard{}, errors.New("fetch " + url + ": no network in tests")
		}
		return MadeCard{DocumentID: doc.ID, Version: 1, Card: schema.Card{URL: url, Answer: schema.Answer{Title: doc.Metadata.Title}},
			Provider: "offline", Model: "baseline", PromptName: "card", PromptVersion: "v1"}, nil
	}
}

// writePair writes a gold pair directory: card.md and the given files.
func writePair(t *testing.T, dir, url string, files map[string]string) LoadedCard {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files["card.md"] = "# __T__\n\n__[External link](" + url + ")__\n\n## Keywords\n\n* a"
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lc, err := ReadCardFile(filepath.Join(dir, "card.md"))
	if err != nil {
		t.Fatal(err)
	}
	return lc
}

func TestMakerMakeCards(t *testing.T) {
	dir := t.TempDir()
	stored := writePair(t, filepath.Join(dir, "stored"), "https://example.org/stored", map[string]string{})
	article := writePair(t, filepath.Join(dir, "article"), "https://example.org/article", map[string]string{
		"article.txt": "Headline\nText.", "page.html": "<p>not preferred</p>", "page.json": `{"title": "Page title", "lang": "fr"}`})
	html := writePair(t, filepath.Join(dir, "html"), "https://example.org/html", map[string]string{"page.html": "<p>Text.</p>"})
	nothing := writePair(t, filepath.Join(dir, "nothing"), "https://example.org/nothing", map[string]string{})
	badJSON := writePair(t, filepath.Join(dir, "bad-json"), "https://example.org/bad-json", map[string]string{
		"article.txt": "Text.", "page.json": "{"})
	broken := writePair(t, filepath.Join(dir, "broken"), "https://broken.example/", map[string]string{})

	tests := []struct {
		name   string
		gold   LoadedCard
		title  string // the made card's title: the stored document's
		errMsg string
	}{
		{"page in the store", stored, "stored page", ""},
		{"article.txt beside, with page.json", article, "Page title", ""},
		{"page.html beside", html, "from the page", ""},
		{"no page anywhere", nothing, "", "fetch https://example.org/nothing: no network in tests"},
		{"bad page.json", badJSON, "", "read " + filepath.Join(dir, "bad-json", "page.json")},
		{"store error", broken, "", "database is locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := fakeDocuments{"https://example.org/stored": {ID: "s1", CanonicalURL: "https://example.org/stored",
				Metadata: schema.Metadata{Title: "stored page"}}}
			m := &Maker{Documents: docs, ReadPage: readFakePage, MakeCard: fakeMaker(docs)}
			made, errs, err := m.MakeCards(context.Background(), []LoadedCard{tt.gold})
			if err != nil {
				t.Fatal(err)
			}
			if tt.errMsg != "" {
				if len(made) != 0 || len(errs) != 1 || errs[0].Role != "run" || errs[0].File != tt.gold.File ||
					!strings.Contains(errs[0].Message, tt.errMsg) {
					t.Errorf("made %+v, errors %+v; want one run error %q", made, errs, tt.errMsg)
				}
				return
			}
			if len(made) != 1 || len(errs) != 0 {
				t.Fatalf("made %+v, errors %+v; want one card", made, errs)
			}
			c := made[0]
			if c.ID != tt.gold.ID || c.Card.Title != tt.title || !strings.HasPrefix(c.File, "store:") ||
				c.Provenance != (Provenance{Provider: "offline", Model: "baseline", Prompt: "card@v1"}) {
				t.Errorf("made %+v (title %q), want %s titled %q", c, c.Card.Title, tt.gold.ID, tt.title)
			}
		})
	}
}

func TestMakerStoresThePageBeside(t *testing.T) {
	dir := t.TempDir()
	g := writePair(t, dir, "https://example.org/p?utm_source=x", map[string]string{
		"article.txt": "Headline\nText.", "page.json": `{"title": "Page title", "lang": "fr"}`})
	docs := fakeDocuments{}
	m := &Maker{Documents: docs, ReadPage: readFakePage, MakeCard: fakeMaker(docs)}
	if _, _, err := m.MakeCards(context.Background(), []LoadedCard{g}); err != nil {
		t.Fatal(err)
	}
	doc, ok := docs["https://example.org/p"]
	if !ok {
		t.Fatalf("no document stored under the canonical URL: %v", docs)
	}
	if doc.ID != schema.DocumentID("https://example.org/p") || doc.URL != g.Card.URL || doc.Text != "Headline\nText." ||
		doc.Metadata.Title != "Page title" || doc.Metadata.Lang != "fr" {
		t.Errorf("document = %+v", doc)
	}
}

func TestMakerStopsWhenInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	docs := fakeDocuments{}
	m := &Maker{Documents: docs, ReadPage: readFakePage, MakeCard: fakeMaker(docs)}
	todo := []LoadedCard{goldCard("a", "https://example.org/a"), goldCard("b", "https://example.org/b")}
	_, _, err := m.MakeCards(ctx, todo)
	if err == nil || err.Error() != "interrupted at gold/a.md; 0 of 2 missing cards made and stored, nothing scored" {
		t.Errorf("err = %v", err)
	}
}

func TestReadPageJSON(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string // no file when content is ""
		title, lang   string
		wantErr       bool
	}{
		{"no page.json", "", "old title", "en", false},
		{"title and lang", `{"url": "u", "title": "New", "lang": "fr"}`, "New", "fr", false},
		{"empty fields keep the old", `{"title": ""}`, "old title", "en", false},
		{"malformed", `{"title": 1}`, "old title", "en", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i))+".json")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			md := schema.Metadata{Title: "old title", Lang: "en"}
			err := readPageJSON(path, &md)
			if (err != nil) != tt.wantErr || md.Title != tt.title || md.Lang != tt.lang {
				t.Errorf("err %v, metadata %+v; want error %v, %q, %q", err, md, tt.wantErr, tt.title, tt.lang)
			}
		})
	}
}

// fakeRuns is a RunStore keeping the last run.
type fakeRuns struct{ last schema.EvalRun }

func (f *fakeRuns) SaveEvalRun(ctx context.Context, run schema.EvalRun) (int64, error) {
	f.last = run
	return 7, nil
}

func TestSaveRun(t *testing.T) {
	r := syntheticReport(t)
	var runs fakeRuns
	id, err := SaveRun(context.Background(), &runs, &r)
	if err != nil || id != 7 {
		t.Fatalf("id %d, err %v", id, err)
	}
	run := runs.last
	if run.Gold != r.Gold || run.Predictions != r.Predictions || run.Overall != r.Overall ||
		run.Cards != r.Counts.Scored || run.Missing != r.Counts.Missing || run.Errors != r.Counts.Errors {
		t.Errorf("run = %+v, report counts %+v", run, r.Counts)
	}
	if len(run.Sections) != len(r.Sections) || len(run.CardScores) != len(r.Cards) {
		t.Fatalf("%d sections, %d card scores; want %d, %d", len(run.Sections), len(run.CardScores), len(r.Sections), len(r.Cards))
	}
	for i, s := range r.Sections {
		if got := run.Sections[i]; got.Section != s.Section || (got.Score == nil) != s.NA || (got.Score != nil && *got.Score != s.Score) {
			t.Errorf("section %s: stored %+v", s.Section, got)
		}
	}
	back, err := DecodeReport([]byte(run.ReportJSON))
	if err != nil || back.Overall != r.Overall {
		t.Errorf("stored report JSON: %v", err)
	}
}

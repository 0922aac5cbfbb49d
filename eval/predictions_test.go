package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

// fakeCards is a CardSource holding the latest card of each document ID.
type fakeCards map[string]schema.StoredCard

func (f fakeCards) LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error) {
	if documentID == schema.DocumentID("https://broken.example/") {
		return schema.StoredCard{}, errors.New("database is locked")
	}
	sc, ok := f[documentID]
	if !ok {
		return schema.StoredCard{}, schema.ErrNotFound
	}
	return sc, nil
}

// documentID is the ID of the document of rawURL.
func documentID(t testing.TB, rawURL string) string {
	t.Helper()
	canonical, err := schema.CanonicalURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return schema.DocumentID(canonical)
}

// goldCard is a gold card of the given ID and URL.
func goldCard(id, url string) LoadedCard {
	return LoadedCard{ID: id, File: "gold/" + id + ".md", Card: &schema.Card{URL: url, Answer: schema.Answer{Title: id}}}
}

func TestLoadGoldSet(t *testing.T) {
	gold := filepath.Join("testdata", "cards", "gold")
	tests := []struct {
		name    string
		paths   []string
		cards   int
		wantErr string
	}{
		{"directory", []string{gold}, 4, ""},
		{"file and directory", []string{filepath.Join(gold, "airlines.md"), gold}, 5, ""},
		{"missing path", []string{gold, "no/such/dir"}, 0, "gold: read cards: stat no/such/dir"},
		{"no card file", []string{t.TempDir()}, 0, "no gold card file in "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := LoadGoldSet(tt.paths)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Cards) != tt.cards || set.Source != strings.Join(tt.paths, ", ") {
				t.Errorf("%d cards from %q, want %d from the paths", len(set.Cards), set.Source, tt.cards)
			}
		})
	}
}

func TestLoadPredictionSet(t *testing.T) {
	ctx := context.Background()
	stored := schema.Card{URL: "https://example.org/a", Answer: schema.Answer{Title: "A"}}
	js, err := json.Marshal(stored)
	if err != nil {
		t.Fatal(err)
	}
	cards := fakeCards{
		documentID(t, "https://example.org/a"): {Version: 3, NewCard: schema.NewCard{CardJSON: string(js),
			Provenance: schema.Provenance{Provider: "offline", Model: "baseline", PromptName: "card", PromptVersion: "v1"}}},
		documentID(t, "https://example.org/bad"): {Version: 1, NewCard: schema.NewCard{CardJSON: `{"title": 1}`}},
	}
	pred := filepath.Join("testdata", "cards", "pred")
	tests := []struct {
		name    string
		paths   []string
		gold    []LoadedCard
		source  string
		files   []string // the File of each card
		errors  []string // the File of each error
		wantErr string
	}{
		{name: "files", paths: []string{pred}, source: pred,
			files:  []string{"airlines.json", "other.md", "renamed-ia.md", "unpaired.md"},
			errors: []string{"broken.md"}},
		{name: "missing path", paths: []string{"no/such/dir"}, wantErr: "predictions: read cards: stat no/such/dir"},
		{name: "latest stored cards", source: "store",
			gold: []LoadedCard{
				goldCard("a", "https://example.org/a?utm_source=x"),
				goldCard("none", "https://example.org/none"),
				goldCard("bad", "https://example.org/bad"),
				goldCard("no-url", ""),
			},
			files:  []string{fmt.Sprintf("store:%s@v3", documentID(t, "https://example.org/a"))},
			errors: []string{fmt.Sprintf("store:%s@v1", documentID(t, "https://example.org/bad"))}},
		{name: "store error", gold: []LoadedCard{goldCard("b", "https://broken.example/")}, wantErr: "database is locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := LoadPredictionSet(ctx, cards, tt.paths, tt.gold)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var files, errs []string
			for _, c := range set.Cards {
				files = append(files, filepath.Base(c.File))
			}
			for _, e := range set.Errors {
				errs = append(errs, filepath.Base(e.File))
			}
			if set.Source != tt.source || fmt.Sprint(files) != fmt.Sprint(tt.files) || fmt.Sprint(errs) != fmt.Sprint(tt.errors) {
				t.Errorf("source %q, cards %q, errors %q; want %q, %q, %q", set.Source, files, errs, tt.source, tt.files, tt.errors)
			}
		})
	}
}

func TestLatestStoredCardsProvenanceAndErrors(t *testing.T) {
	ctx := context.Background()
	js, _ := json.Marshal(schema.Card{URL: "https://example.org/a"})
	cards := fakeCards{
		documentID(t, "https://example.org/a"): {Version: 2, NewCard: schema.NewCard{CardJSON: string(js),
			Provenance: schema.Provenance{Provider: "openai", Model: "gpt-4o-mini", PromptName: "card"}}},
		documentID(t, "https://example.org/bad"): {Version: 1, NewCard: schema.NewCard{CardJSON: "null"}},
	}
	set, err := LatestStoredCards(ctx, cards, []LoadedCard{goldCard("a", "https://example.org/a"), goldCard("bad", "https://example.org/bad")})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Cards) != 1 || set.Cards[0].ID != "a" ||
		set.Cards[0].Provenance != (Provenance{Provider: "openai", Model: "gpt-4o-mini", Prompt: "card"}) {
		t.Errorf("cards = %+v", set.Cards)
	}
	if len(set.Errors) != 1 || set.Errors[0].Role != "pred" || set.Errors[0].Message != "stored card: not a JSON card: want a JSON object" {
		t.Errorf("errors = %+v", set.Errors)
	}
}

func TestPromptLabel(t *testing.T) {
	tests := []struct{ name, version, want string }{
		{"card", "v1", "card@v1"},
		{"card", "", "card"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := promptLabel(tt.name, tt.version); got != tt.want {
			t.Errorf("promptLabel(%q, %q) = %q, want %q", tt.name, tt.version, got, tt.want)
		}
	}
}

func TestMissing(t *testing.T) {
	gold := []LoadedCard{goldCard("a", ""), goldCard("b", ""), goldCard("c", "")}
	tests := []struct {
		name  string
		preds []LoadedCard
		want  string
	}{
		{"no prediction", nil, "a b c"},
		{"some", []LoadedCard{goldCard("b", ""), goldCard("z", "")}, "a c"},
		{"all", gold, ""},
	}
	for _, tt := range tests {
		var ids []string
		for _, g := range Missing(gold, tt.preds) {
			ids = append(ids, g.ID)
		}
		if got := strings.Join(ids, " "); got != tt.want {
			t.Errorf("%s: missing %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestScore(t *testing.T) {
	a := goldCard("a", "https://example.org/a")
	gold := CardSet{Cards: []LoadedCard{a, goldCard("b", "https://example.org/b")},
		Errors: []FileError{{File: "gold/x.md", Role: "gold"}}, Source: "gold/"}
	a.Provenance = Provenance{Provider: "offline"}
	preds := CardSet{Cards: []LoadedCard{a}, Errors: []FileError{{File: "pred/y.md", Role: "pred"}}, Source: "store"}
	r, err := Score(t.Context(), gold, preds)
	if err != nil {
		t.Fatal(err)
	}
	if r.Gold != "gold/" || r.Predictions != "store" || r.Provenance.Provider != "offline" {
		t.Errorf("report names %q, %q, %+v", r.Gold, r.Predictions, r.Provenance)
	}
	if r.Counts.Errors != 2 || r.Counts.Missing != 1 || len(r.Cards) != 2 || r.Cards[0].Overall != 1 {
		t.Errorf("counts %+v, cards %+v", r.Counts, r.Cards)
	}
}

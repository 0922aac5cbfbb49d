package related

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/openai"
	"github.com/veille/veille/schema"
)

// fakeEmbeddingStore keeps embeddings in a map, by card ID and model.
type fakeEmbeddingStore struct {
	mu      sync.Mutex
	vecs    map[string]schema.Embedding
	saved   []int64
	failGet error
	failSet error
}

func newFakeEmbeddingStore() *fakeEmbeddingStore {
	return &fakeEmbeddingStore{vecs: map[string]schema.Embedding{}}
}

func key(id int64, model string) string { return fmt.Sprint(id, "/", model) }

func (s *fakeEmbeddingStore) EmbeddingOf(_ context.Context, id int64, model string) (schema.Embedding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failGet != nil {
		return schema.Embedding{}, s.failGet
	}
	e, ok := s.vecs[key(id, model)]
	if !ok {
		return schema.Embedding{}, fmt.Errorf("embedding of card %d: %w", id, schema.ErrNotFound)
	}
	return e, nil
}

func (s *fakeEmbeddingStore) SaveEmbedding(_ context.Context, e schema.Embedding) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failSet != nil {
		return s.failSet
	}
	s.vecs[key(e.CardID, e.Model)] = e
	s.saved = append(s.saved, e.CardID)
	return nil
}

// fakeEmbedder embeds a text as its length and its count of "roof".
type fakeEmbedder struct {
	calls [][]string
	err   error
	short bool // answers one vector too few
}

func (f *fakeEmbedder) Model() string { return "fake" }

func (f *fakeEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	f.calls = append(f.calls, texts)
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = []float32{float32(len(t)), float32(strings.Count(t, "roof")) + 1}
	}
	if f.short {
		out = out[1:]
	}
	return out, nil
}

// storedCards makes n stored cards, IDs 1..n, titled "Card i".
func storedCards(n int) []schema.StoredCard {
	out := make([]schema.StoredCard, n)
	for i := range out {
		c := schema.Card{URL: fmt.Sprintf("https://example.org/%d", i+1), Answer: schema.Answer{Title: fmt.Sprintf("Card %d", i+1)}}
		b, _ := json.Marshal(c)
		out[i] = schema.StoredCard{ID: int64(i + 1), NewCard: schema.NewCard{CardJSON: string(b), Markdown: "# __" + c.Title + "__"}}
	}
	return out
}

func TestEnsureEmbeddings(t *testing.T) {
	cards := storedCards(130)
	cards[4].CardJSON = "not JSON" // its markdown is embedded instead
	st := newFakeEmbeddingStore()
	for _, id := range []int64{2, 3} { // embedded already
		st.vecs[key(id, "fake")] = schema.Embedding{CardID: id, Model: "fake", Vector: []float32{1}}
	}
	st.vecs[key(4, "other")] = schema.Embedding{CardID: 4, Model: "other", Vector: []float32{1}} // another model's
	emb := &fakeEmbedder{}
	made, err := EnsureEmbeddings(context.Background(), emb, st, cards)
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 128 || len(st.saved) != 128 || made[0].CardID != 1 || made[1].CardID != 4 || made[0].Model != "fake" {
		t.Errorf("made %d embeddings (first %v), saved %d; want 128 from card 1", len(made), made[:2], len(st.saved))
	}
	var sizes []int
	for _, c := range emb.calls {
		sizes = append(sizes, len(c))
	}
	if !slices.Equal(sizes, []int{64, 64}) {
		t.Errorf("batches of %v texts, want 64 and 64", sizes)
	}
	if emb.calls[0][0] != "Card 1" || emb.calls[0][2] != "# __Card 5__" {
		t.Errorf("texts %q", emb.calls[0][:4])
	}

	// A second run embeds nothing.
	emb.calls = nil
	made, err = EnsureEmbeddings(context.Background(), emb, st, cards)
	if err != nil || len(made) != 0 || len(emb.calls) != 0 {
		t.Errorf("second run: %d made, %d calls, %v", len(made), len(emb.calls), err)
	}
}

func TestEnsureEmbeddingsErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		emb       *fakeEmbedder
		st        *fakeEmbeddingStore
		wantErr   string
		wantSaved int
	}{
		{"embedder fails", &fakeEmbedder{err: boom}, newFakeEmbeddingStore(), "embed cards 1 to 64: boom", 0},
		{"a vector missing", &fakeEmbedder{short: true}, newFakeEmbeddingStore(), "embed cards 1 to 64: fake: bad embeddings answer: 63 vectors for 64 inputs", 0},
		{"lookup fails", &fakeEmbedder{}, &fakeEmbeddingStore{failGet: boom}, "embedding of card 1 by fake: boom", 0},
		{"save fails", &fakeEmbedder{}, &fakeEmbeddingStore{vecs: map[string]schema.Embedding{}, failSet: boom}, "save the embedding of card 1: boom", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			made, err := EnsureEmbeddings(context.Background(), tt.emb, tt.st, storedCards(70))
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("error = %v, want %s", err, tt.wantErr)
			}
			if len(made) != tt.wantSaved {
				t.Errorf("made %d, want %d", len(made), tt.wantSaved)
			}
		})
	}
}

// TestEnsureEmbeddingsEndToEnd embeds cards through the OpenAI backend
// against a fake /v1/embeddings server, indexes them and ranks them.
func TestEnsureEmbeddingsEndToEnd(t *testing.T) {
	var mu sync.Mutex
	var inputs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "nomic-embed-text" || r.URL.Path != "/v1/embeddings" {
			t.Errorf("request %s, model %q, error %v", r.URL.Path, req.Model, err)
		}
		mu.Lock()
		inputs = append(inputs, req.Input...)
		mu.Unlock()
		var data []map[string]any
		for i, text := range req.Input {
			// Cards about roofs point one way, the others another.
			v := []float32{1, 0.1 * float32(i+1)}
			if strings.Contains(text, "roof") {
				v = []float32{0.1 * float32(i+1), 1}
			}
			data = append(data, map[string]any{"index": i, "embedding": v})
		}
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	}))
	defer srv.Close()
	emb := openai.NewEmbedder(openai.EmbedConfig{APIKey: "k", BaseURL: srv.URL + "/v1", Model: "nomic-embed-text",
		Options: llm.EmbedOptions{BatchSize: 2}})

	cards := storedCards(4)
	roof := readCard(t, "testdata/card.json")
	b, _ := json.Marshal(roof)
	cards[2].CardJSON = string(b)
	roof.URL, roof.Title = "https://example.org/roofs2", "Cool roofs in Paris"
	b, _ = json.Marshal(roof)
	cards[0].CardJSON = string(b)

	st := newFakeEmbeddingStore()
	made, err := EnsureEmbeddings(context.Background(), emb, st, cards)
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 4 || len(inputs) != 4 || !strings.HasPrefix(inputs[2], "Green roofs spread across Zürich") {
		t.Fatalf("made %d embeddings from %q", len(made), inputs)
	}
	x, err := BuildIndex("nomic-embed-text", made, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := x.Related(3, 1)
	if len(got) != 1 || got[0].CardID != 1 {
		t.Errorf("Related(3) = %v, want card 1, the other card about roofs", got)
	}
}

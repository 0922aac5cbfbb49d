package related

import (
	"context"
	"fmt"
	"time"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
)

// Store is what [Find] reads, and writes for the embeddings it makes. The
// SQLite store implements it.
type Store interface {
	EmbeddingStore
	// LatestCards returns the newest version of every document's card
	// made since since.
	LatestCards(ctx context.Context, since time.Time) ([]schema.StoredCard, error)
	// Embeddings returns the embeddings by model of the newest card
	// versions.
	Embeddings(ctx context.Context, model string) ([]schema.Embedding, error)
	// RelatedByText ranks the cards closest to a document's card by their
	// words (BM25), never the card itself.
	RelatedByText(ctx context.Context, documentID string, limit int) ([]schema.SearchHit, error)
}

// Hit is a card related to another one, best first.
type Hit struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	Score     float64   `json:"score"`
}

// Find returns the limit cards closest to card. With an embedder, by the
// cosine similarity of the cards' embeddings, after embedding the cards
// that have none yet (each card is embedded once, then read from st);
// without one (emb nil), by their words. Never card itself.
func Find(ctx context.Context, st Store, emb llm.Embedder, card schema.StoredCard, limit int) ([]Hit, error) {
	if emb == nil {
		return byText(ctx, st, card, limit)
	}
	cards, err := st.LatestCards(ctx, time.Time{})
	if err != nil {
		return nil, err
	}
	if _, err := EnsureEmbeddings(ctx, emb, st, cards); err != nil {
		return nil, err
	}
	embs, err := st.Embeddings(ctx, emb.Model())
	if err != nil {
		return nil, err
	}
	index, err := BuildIndex(emb.Model(), embs, false)
	if err != nil {
		return nil, err
	}
	scored, ok := index.Related(card.ID, limit)
	if !ok {
		return nil, fmt.Errorf("card %s has no embedding by %s", card.DocumentID, emb.Model())
	}
	return hits(cards, scored), nil
}

// byText ranks by the cards' words.
func byText(ctx context.Context, st Store, card schema.StoredCard, limit int) ([]Hit, error) {
	found, err := st.RelatedByText(ctx, card.DocumentID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Hit, len(found))
	for i, h := range found {
		out[i] = Hit{ID: h.ID, URL: h.URL, Title: h.Title, Published: h.Published, Score: h.Score}
	}
	return out, nil
}

// hits describes the scored card versions from cards.
func hits(cards []schema.StoredCard, scored []Scored) []Hit {
	byID := make(map[int64]schema.StoredCard, len(cards))
	for _, c := range cards {
		byID[c.ID] = c
	}
	out := make([]Hit, 0, len(scored))
	for _, s := range scored {
		c, ok := byID[s.CardID]
		if !ok {
			continue // an embedding of a card made after cards was read
		}
		out = append(out, Hit{ID: c.DocumentID, URL: c.URL, Title: titleOf(c), Published: c.Published,
			Score: float64(s.Score)})
	}
	return out
}

// titleOf is a stored card's title.
func titleOf(c schema.StoredCard) string {
	card, err := c.Card()
	if err != nil {
		return ""
	}
	return card.Title
}

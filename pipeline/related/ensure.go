package related

import (
	"context"
	"errors"
	"fmt"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
)

// EmbeddingStore keeps the cards' embeddings. The SQLite store implements
// it.
type EmbeddingStore interface {
	// EmbeddingOf returns the embedding of a card version by model; the
	// error wraps [schema.ErrNotFound] when there is none.
	EmbeddingOf(ctx context.Context, cardID int64, model string) (schema.Embedding, error)
	// SaveEmbedding saves e, replacing the card's vector by the same model.
	SaveEmbedding(ctx context.Context, e schema.Embedding) error
}

// EnsureBatch is how many cards [EnsureEmbeddings] embeds at a time before
// saving their vectors.
const EnsureBatch = 64

// EnsureEmbeddings embeds, with emb, the cards that have no embedding by
// emb's model in st, [EnsureBatch] cards at a time, saves each vector, and
// returns the embeddings it made, in card order — to [Index.Add] to an
// index already built. A card's text is [CardText] of its CardJSON (its
// Markdown when the JSON cannot be read). It stops at the first error,
// returning the embeddings saved until then.
func EnsureEmbeddings(ctx context.Context, emb llm.Embedder, st EmbeddingStore, cards []schema.StoredCard) ([]schema.Embedding, error) {
	model := emb.Model()
	var made []schema.Embedding
	var batch []schema.StoredCard
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		texts := make([]string, len(batch))
		for i, c := range batch {
			texts[i] = storedCardText(c)
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed cards %d to %d: %w", batch[0].ID, batch[len(batch)-1].ID, err)
		}
		if err := llm.CheckEmbeddings(len(batch), vecs); err != nil {
			return fmt.Errorf("embed cards %d to %d: %s: %w", batch[0].ID, batch[len(batch)-1].ID, model, err)
		}
		for i, c := range batch {
			e := schema.Embedding{CardID: c.ID, Model: model, Vector: vecs[i]}
			if err := st.SaveEmbedding(ctx, e); err != nil {
				return fmt.Errorf("save the embedding of card %d: %w", c.ID, err)
			}
			made = append(made, e)
		}
		batch = batch[:0]
		return nil
	}
	for _, c := range cards {
		_, err := st.EmbeddingOf(ctx, c.ID, model)
		switch {
		case err == nil:
			continue
		case !errors.Is(err, schema.ErrNotFound):
			return made, fmt.Errorf("embedding of card %d by %s: %w", c.ID, model, err)
		}
		batch = append(batch, c)
		if len(batch) == EnsureBatch {
			if err := flush(); err != nil {
				return made, err
			}
		}
	}
	return made, flush()
}

// cardDecoder reads stored cards, which may carry fields of other versions
// of the card.
var cardDecoder = schema.CardDecoder{AllowUnknownFields: true}

// storedCardText is the text embedded for a stored card.
func storedCardText(c schema.StoredCard) string {
	card, err := cardDecoder.Decode([]byte(c.CardJSON))
	if err != nil {
		return truncate(c.Markdown, MaxTextChars)
	}
	return CardText(card)
}

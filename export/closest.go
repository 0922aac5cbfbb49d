package export

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// Related lists the cards closest to a document's card, best first, as
// links labelled with their titles and pointing at their card IDs.
type Related func(ctx context.Context, documentID string) ([]schema.Link, error)

// AddClosest gives each card the "## Closest" list of the older gold
// layout: its closest cards by related, in its JSON and its markdown.
func AddClosest(ctx context.Context, cards []schema.StoredCard, related Related) error {
	for i := range cards {
		links, err := related(ctx, cards[i].DocumentID)
		if err != nil {
			return fmt.Errorf("closest cards of %s: %w", cards[i].DocumentID, err)
		}
		card, err := cards[i].Card()
		if err != nil {
			return err
		}
		card.Closest = links
		js, err := json.Marshal(card)
		if err != nil {
			return fmt.Errorf("card %s: %w", cards[i].DocumentID, err)
		}
		cards[i].CardJSON, cards[i].Markdown = string(js), markdown.Render(card)
	}
	return nil
}

package sqlite

import (
	"context"
	"fmt"

	"github.com/veille/veille/schema"
)

// LatestCardByURL returns the newest card whose source link is url (the
// card's External link, which differs from its document's URL for a saved
// copy of a page that declares its canonical address), or an error
// wrapping [schema.ErrNotFound].
func (s *Store) LatestCardByURL(ctx context.Context, url string) (schema.StoredCard, error) {
	cards, err := s.cards(ctx, `WHERE url = ? ORDER BY created_at DESC, id DESC LIMIT 1`, url)
	if err != nil {
		return schema.StoredCard{}, err
	}
	if len(cards) == 0 {
		return schema.StoredCard{}, fmt.Errorf("card of %s: %w", url, schema.ErrNotFound)
	}
	return cards[0], nil
}

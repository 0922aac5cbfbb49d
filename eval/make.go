package eval

import (
	"context"
	"errors"
	"fmt"

	"github.com/veille/veille/schema"
)

// MadeCard is a card made and stored by a [CardMaker].
type MadeCard struct {
	// DocumentID and Version identify the stored card.
	DocumentID string
	Version    int
	Card       schema.Card
	// Provider, Model, PromptName and PromptVersion say how it was made.
	Provider, Model, PromptName, PromptVersion string
}

// CardMaker makes and stores the card of the page at url, reading the
// page from the store when it is there.
type CardMaker func(ctx context.Context, url string) (MadeCard, error)

// Maker makes the predictions of the gold cards that have none (extract
// eval --run): from the page in Documents when it is there, else from a
// page file beside the gold card (article.txt or page.html, with the title
// and language of page.json: the layout of ../shared/gold/pairs/<id>/),
// read by ReadPage and stored in Documents, else from the page MakeCard
// fetches.
type Maker struct {
	Documents DocumentStore
	ReadPage  PageReader
	MakeCard  CardMaker
}

// MakeCards makes and stores the card of each gold card in todo. A card
// that cannot be made is an error of its gold file (role "run"); the others
// are still made. When ctx is done, MakeCards stops with an error: the
// other cards would only fail the same way, and a report of them would
// score the interruption.
func (m *Maker) MakeCards(ctx context.Context, todo []LoadedCard) ([]LoadedCard, []FileError, error) {
	var made []LoadedCard
	var errs []FileError
	for _, g := range todo {
		card, err := m.makeCard(ctx, g)
		if err != nil && ctx.Err() != nil {
			return nil, nil, fmt.Errorf("interrupted at %s; %d of %d missing cards made and stored, nothing scored",
				g.File, len(made), len(todo))
		}
		if err != nil {
			errs = append(errs, FileError{File: g.File, Role: "run", Message: err.Error()})
			continue
		}
		made = append(made, LoadedCard{ID: g.ID, File: storedCardName(card.DocumentID, card.Version),
			Card: &card.Card, Provenance: Provenance{Provider: card.Provider, Model: card.Model,
				Prompt: promptLabel(card.PromptName, card.PromptVersion)}})
	}
	return made, errs, nil
}

// makeCard makes and stores the card of a gold card's page, storing the
// page file beside the gold card first when the store lacks the page.
func (m *Maker) makeCard(ctx context.Context, g LoadedCard) (MadeCard, error) {
	canonical, err := schema.CanonicalURL(g.Card.URL)
	if err != nil {
		return MadeCard{}, fmt.Errorf("gold card URL: %w", err)
	}
	_, err = m.Documents.GetDocument(ctx, canonical)
	switch {
	case errors.Is(err, schema.ErrNotFound):
		if err := m.storePageBeside(ctx, g.File, g.Card.URL); err != nil {
			return MadeCard{}, err
		}
	case err != nil:
		return MadeCard{}, err
	}
	return m.MakeCard(ctx, g.Card.URL)
}

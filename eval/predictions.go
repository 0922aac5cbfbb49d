package eval

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/veille/veille/schema"
)

// CardSet is the gold or predicted cards of an eval run: the cards read,
// the card files that could not be read, and where they came from.
type CardSet struct {
	Cards  []LoadedCard
	Errors []FileError
	// Source says where the cards came from, for [Report.Gold] and
	// [Report.Predictions]: the paths read, "store" or "run".
	Source string
}

// CardSource gives the latest stored card of a document. When the document
// has no card, its error wraps [schema.ErrNotFound].
type CardSource interface {
	LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error)
}

// LoadGoldSet reads the gold cards at each path (see [LoadGold]). It fails
// when a path cannot be read or when the paths hold no card file.
func LoadGoldSet(paths []string) (CardSet, error) {
	set := CardSet{Source: strings.Join(paths, ", ")}
	for _, path := range paths {
		cards, errs, err := LoadGold(path)
		if err != nil {
			return CardSet{}, fmt.Errorf("gold: %w", err)
		}
		set.Cards, set.Errors = append(set.Cards, cards...), append(set.Errors, errs...)
	}
	if len(set.Cards)+len(set.Errors) == 0 {
		return CardSet{}, fmt.Errorf("no gold card file in %s", set.Source)
	}
	return set, nil
}

// LoadPredictionSet reads the predicted cards at paths (see
// [LoadPredictions]) or, when there are none, the latest card in cards of
// each gold card's document.
func LoadPredictionSet(ctx context.Context, cards CardSource, paths []string, gold []LoadedCard) (CardSet, error) {
	if len(paths) == 0 {
		return LatestStoredCards(ctx, cards, gold)
	}
	set := CardSet{Source: strings.Join(paths, ", ")}
	for _, path := range paths {
		loaded, errs, err := LoadPredictions(path)
		if err != nil {
			return CardSet{}, fmt.Errorf("predictions: %w", err)
		}
		set.Cards, set.Errors = append(set.Cards, loaded...), append(set.Errors, errs...)
	}
	return set, nil
}

// LatestStoredCards returns the latest card in cards of each gold card's
// document, named store:<document ID>@v<version>. A gold card whose URL has
// no canonical form or whose document has no card has no prediction; a
// stored card that does not decode is an error of the set.
func LatestStoredCards(ctx context.Context, cards CardSource, gold []LoadedCard) (CardSet, error) {
	set := CardSet{Source: "store"}
	for _, g := range gold {
		canonical, err := schema.CanonicalURL(g.Card.URL)
		if err != nil {
			continue // no document can match: the gold card scores as missing
		}
		docID := schema.DocumentID(canonical)
		sc, err := cards.LatestCard(ctx, docID)
		if errors.Is(err, schema.ErrNotFound) {
			continue
		}
		if err != nil {
			return CardSet{}, err
		}
		file := storedCardName(docID, sc.Version)
		card, err := storedCardDecoder.Decode([]byte(sc.CardJSON))
		if err != nil {
			set.Errors = append(set.Errors, FileError{File: file, Role: "pred", Message: "stored card: " + err.Error()})
			continue
		}
		set.Cards = append(set.Cards, LoadedCard{ID: g.ID, File: file, Card: &card, Provenance: Provenance{
			Provider: sc.Provider, Model: sc.Model, Prompt: promptLabel(sc.PromptName, sc.PromptVersion)}})
	}
	return set, nil
}

// storedCardDecoder decodes the cards of the store, which may have been
// stored by a version of the card with other fields.
var storedCardDecoder = schema.CardDecoder{AllowUnknownFields: true}

// storedCardName names a stored card in reports: store:<document ID>@v<version>.
func storedCardName(documentID string, version int) string {
	return fmt.Sprintf("store:%s@v%d", documentID, version)
}

// promptLabel names a prompt and its version as name@version.
func promptLabel(name, version string) string {
	if version == "" {
		return name
	}
	return name + "@" + version
}

// Missing returns the gold cards that have no prediction of the same ID in
// preds.
func Missing(gold, preds []LoadedCard) []LoadedCard {
	have := make(map[string]bool, len(preds))
	for _, p := range preds {
		have[p.ID] = true
	}
	var missing []LoadedCard
	for _, g := range gold {
		if !have[g.ID] {
			missing = append(missing, g)
		}
	}
	return missing
}

// Score pairs the gold cards with the predictions (see [PairCards]) and
// scores them, counting the card files of both sets that could not be read.
// It stops when ctx is done (see [Evaluate]).
func Score(ctx context.Context, gold, preds CardSet) (Report, error) {
	pairs, unpaired := PairCards(gold.Cards, preds.Cards)
	errs := append(append([]FileError(nil), gold.Errors...), preds.Errors...)
	report, err := Evaluate(ctx, pairs, errs, unpaired)
	if err != nil {
		return Report{}, err
	}
	report.Gold, report.Predictions = gold.Source, preds.Source
	report.Provenance = MergeProvenance(preds.Cards)
	return report, nil
}

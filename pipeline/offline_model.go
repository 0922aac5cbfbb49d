package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/veille/veille/pipeline/offline"
	"github.com/veille/veille/schema"
)

// Offline baseline identity, as stored in every card's provenance.
const (
	offlineProvider = "offline"
	offlineModel    = "baseline"
	// offlineMethod names the method where a model's prompt is named; its
	// version changes whenever a method of package offline changes output.
	offlineMethod        = "offline baseline"
	offlineMethodVersion = "2"
)

// OfflineModel is the offline baseline as a Model: it fills a card from the
// page text alone with the classic methods of package offline, makes no
// request and costs nothing. Its provenance says "offline baseline" so a
// card never passes for a model's.
type OfflineModel struct{}

// Provider returns "offline".
func (OfflineModel) Provider() string { return offlineProvider }

// Model returns "baseline".
func (OfflineModel) Model() string { return offlineModel }

// Card fills one card from in. The answer is validated like a model's (JSON
// Schema and semantic checks); the baseline only fails when ctx is done.
func (m OfflineModel) Card(ctx context.Context, in Input) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("offline baseline: %w", err)
	}
	start := time.Now()
	answer := offline.Card(offline.Page{
		URL: in.URL, Title: in.Title, Text: in.Text, Lang: in.Lang, Metadata: in.Metadata,
	})
	raw, err := json.Marshal(answer)
	if err != nil {
		return Result{}, fmt.Errorf("offline baseline: encode answer: %w", err)
	}
	valid, err := schema.Validate(raw)
	if err != nil {
		return Result{}, fmt.Errorf("offline baseline: %w", err)
	}
	return Result{
		Answer: valid,
		Raw:    raw,
		Provenance: Provenance{
			Provider:      offlineProvider,
			Model:         offlineModel,
			PromptName:    offlineMethod,
			PromptVersion: offlineMethodVersion,
			Latency:       time.Since(start),
		},
	}, nil
}

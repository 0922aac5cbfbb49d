package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
)

// Offline baseline identity, as stored in every card's provenance.
const (
	offlineProvider = llm.ProviderOffline
	offlineModel    = "baseline"
	// offlineMethod names the method where a model's prompt is named; its
	// version changes whenever a method of package offline changes output.
	offlineMethod        = "offline baseline"
	offlineMethodVersion = "2"
)

// Model is the offline baseline as an [llm.Model]: it fills a card from the
// page text alone with the classic methods of package offline, makes no
// request and costs nothing. Its provenance says "offline baseline" so a
// card never passes for a model's.
type Model struct{}

// Provider returns "offline".
func (Model) Provider() string { return offlineProvider }

// Model returns "baseline".
func (Model) Model() string { return offlineModel }

// Card fills one card from in. The answer is validated like a model's (JSON
// Schema and semantic checks); the baseline only fails when ctx is done.
func (m Model) Card(ctx context.Context, in llm.Input) (llm.Result, error) {
	if err := ctx.Err(); err != nil {
		return llm.Result{}, fmt.Errorf("offline baseline: %w", err)
	}
	start := time.Now()
	answer := Card(Page{
		URL: in.URL, Title: in.Title, Text: in.Text, Lang: in.Lang, Metadata: in.Metadata,
	})
	raw, err := json.Marshal(answer)
	if err != nil {
		return llm.Result{}, fmt.Errorf("offline baseline: encode answer: %w", err)
	}
	valid, err := schema.Validate(raw)
	if err != nil {
		return llm.Result{}, fmt.Errorf("offline baseline: %w", err)
	}
	return llm.Result{
		Answer: valid,
		Raw:    raw,
		Provenance: schema.Provenance{
			Provider:      offlineProvider,
			Model:         offlineModel,
			PromptName:    offlineMethod,
			PromptVersion: offlineMethodVersion,
			Latency:       time.Since(start),
		},
	}, nil
}

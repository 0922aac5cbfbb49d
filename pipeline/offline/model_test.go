package offline

import (
	"context"
	"errors"
	"testing"

	"github.com/veille/veille/pipeline/llm"
)

func TestOfflineModelCard(t *testing.T) {
	var m Model = Model{}
	if m.Provider() != "offline" || m.Model() != "baseline" {
		t.Fatalf("identity = %q/%q, want offline/baseline", m.Provider(), m.Model())
	}
	in := llm.Input{
		URL:   "https://example.com/blog/heat-pumps",
		Title: "Heat pumps are taking over | Example Blog",
		Text: "Heat pumps are taking over\n" +
			"Sales of heat pumps increased by 40% in Europe last year, the first time they outsold gas boilers.\n" +
			"Installers warn of a growing shortage of trained technicians, a risk for the energy transition.\n" +
			"Households are increasingly choosing heat pumps to cut their energy bills.",
		Lang: "en",
	}
	res, err := m.Card(context.Background(), in)
	if err != nil {
		t.Fatalf("Card: %v", err)
	}
	p := res.Provenance
	if p.PromptName != "offline baseline" || p.Requests != 0 || p.CostUSD != 0 ||
		p.InputTokens != 0 || p.OutputTokens != 0 || p.Cached {
		t.Errorf("provenance = %+v, want offline baseline with zero requests, tokens and cost", p)
	}
	if res.Answer.Title != "Heat pumps are taking over" {
		t.Errorf("title = %q, want the page title without its site name", res.Answer.Title)
	}
	if len(res.Answer.Signals) == 0 || len(res.Raw) == 0 {
		t.Errorf("answer has %d signals and %d raw bytes, want both", len(res.Answer.Signals), len(res.Raw))
	}
}

func TestOfflineModelCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Model{}.Card(ctx, llm.Input{Text: "Some text."})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

package llm

import (
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

func TestSplitTextKeepsShortTextsWhole(t *testing.T) {
	chunks, err := splitText("court texte", 100, estimateTokens)
	if err != nil || len(chunks) != 1 {
		t.Fatalf("chunks = %q, %v", chunks, err)
	}
}

func TestSplitTextRespectsTheBudget(t *testing.T) {
	para := strings.Repeat("Une phrase sur les villes et leurs arbres. ", 20)
	text := strings.Repeat(para+"\n\n", 10)
	chunks, err := splitText(text, 300, estimateTokens)
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) < 3 {
		t.Fatalf("%d chunks, want several", len(chunks))
	}
	for i, c := range chunks {
		if n := estimateTokens(c); n > 300 {
			t.Errorf("chunk %d has %d tokens, budget 300", i, n)
		}
	}
}

func TestMergeRowsDropsSimilarNames(t *testing.T) {
	rel := 3
	parts := []schema.Answer{
		{Signals: []schema.Signal{{Name: "Urban tree planting", Relevancy: &rel}},
			Concerns: []schema.Row{{Name: "Heat islands"}}},
		{Signals: []schema.Signal{{Name: "urban tree planting programmes", Relevancy: &rel}, {Name: "Electric buses", Relevancy: &rel}},
			Concerns: []schema.Row{{Name: "heat islands"}, {Name: "Water shortage"}}},
	}
	m := mergeRows(parts)
	if len(m.Signals) != 2 || m.Signals[1].Name != "Electric buses" {
		t.Errorf("signals = %+v", m.Signals)
	}
	if len(m.Concerns) != 2 || m.Concerns[1].Name != "Water shortage" {
		t.Errorf("concerns = %+v", m.Concerns)
	}
	if m.Issues == nil || m.Behaviors == nil || m.Technologies == nil {
		t.Errorf("empty tables must be empty lists, not null: %+v", m)
	}
}

package llm

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

func TestSplitTextKeepsShortTextsWhole(t *testing.T) {
	if chunks := splitText("court texte", 100, estimateTokens); len(chunks) != 1 || chunks[0] != "court texte" {
		t.Fatalf("chunks = %q", chunks)
	}
}

func TestSplitTextRespectsTheBudget(t *testing.T) {
	para := strings.Repeat("Une phrase sur les villes et leurs arbres. ", 20)
	text := strings.Repeat(para+"\n\n", 10)
	chunks := splitText(text, 300, estimateTokens)
	if len(chunks) < 3 {
		t.Fatalf("%d chunks, want several", len(chunks))
	}
	for i, c := range chunks {
		if n := estimateTokens(c); n > 300 {
			t.Errorf("chunk %d has %d tokens, budget 300", i, n)
		}
	}
}

func TestSplitTextCutsAtTheBestBoundary(t *testing.T) {
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("mot ", n)) }
	tests := []struct {
		name   string
		text   string
		budget int
		check  func(t *testing.T, chunks []string)
	}{
		{"paragraphs", words(30) + ".\n\n" + words(30) + ".\n\n" + words(30) + ".", 50, func(t *testing.T, chunks []string) {
			for _, c := range chunks[:len(chunks)-1] {
				if !strings.HasSuffix(c, ".\n\n") {
					t.Errorf("chunk %q does not end at a paragraph", c)
				}
			}
		}},
		{"one long line of sentences", strings.Repeat(words(10)+". ", 30), 40, func(t *testing.T, chunks []string) {
			for _, c := range chunks[:len(chunks)-1] {
				if !strings.HasSuffix(c, ". ") {
					t.Errorf("chunk %q does not end at a sentence", c)
				}
			}
		}},
		{"no separator at all", strings.Repeat("x", 2000), 100, func(t *testing.T, chunks []string) {
			if len(chunks) < 5 {
				t.Errorf("%d chunks, want at least 5", len(chunks))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := splitText(tt.text, tt.budget, estimateTokens)
			if len(chunks) < 2 {
				t.Fatalf("%d chunks, want several", len(chunks))
			}
			var joined int
			for i, c := range chunks {
				if n := estimateTokens(c); n > tt.budget {
					t.Errorf("chunk %d has %d tokens, budget %d", i, n, tt.budget)
				}
				joined += len(c)
			}
			if joined < len(tt.text) {
				t.Errorf("chunks hold %d bytes of %d: text lost", joined, len(tt.text))
			}
			if !strings.HasPrefix(tt.text, chunks[0]) || !strings.HasSuffix(tt.text, chunks[len(chunks)-1]) {
				t.Errorf("chunks do not start and end with the text")
			}
			for i := 1; i < len(chunks); i++ {
				if !strings.Contains(tt.text, chunks[i]) {
					t.Errorf("chunk %d is not a part of the text", i)
				}
			}
			tt.check(t, chunks)
		})
	}
}

// FuzzSplitText checks that chunks fit the budget and cover the text.
func FuzzSplitText(f *testing.F) {
	f.Add("Un paragraphe.\n\nUn autre, plus long. Avec deux phrases.", 5)
	f.Add(strings.Repeat("é", 100), 3)
	f.Fuzz(func(t *testing.T, text string, budget int) {
		if budget < 2 || budget > 1000 || !utf8.ValidString(text) {
			return
		}
		chunks := splitText(text, budget, estimateTokens)
		rebuilt := 0
		for _, c := range chunks {
			if len(chunks) > 1 && estimateTokens(c) > budget && utf8.RuneCountInString(c) > 1 {
				t.Fatalf("chunk %q over budget %d", c, budget)
			}
			if !strings.Contains(text, c) {
				t.Fatalf("chunk %q is not part of the text", c)
			}
			rebuilt += len(c)
		}
		if rebuilt < len(text) {
			t.Fatalf("chunks cover %d of %d bytes", rebuilt, len(text))
		}
	})
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

package llm

import (
	"fmt"

	"github.com/tmc/langchaingo/textsplitter"
	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/schema"
)

// chunkOverlapShare is the share of a chunk repeated at the start of the
// next one, so a sentence cut at a boundary is read whole once.
const chunkOverlapShare = 20

// splitText returns text as one chunk when it fits budget tokens, else
// as chunks of at most budget tokens cut at paragraph, then line, then
// sentence boundaries (langchaingo's recursive character splitter).
func splitText(text string, budget int, count func(string) int) ([]string, error) {
	if count(text) <= budget {
		return []string{text}, nil
	}
	sp := textsplitter.NewRecursiveCharacter(
		textsplitter.WithChunkSize(budget),
		textsplitter.WithChunkOverlap(budget/chunkOverlapShare),
		textsplitter.WithSeparators([]string{"\n\n", "\n", ". ", " ", ""}),
		textsplitter.WithLenFunc(count),
	)
	chunks, err := sp.SplitText(text)
	if err != nil {
		return nil, fmt.Errorf("split text: %w", err)
	}
	return chunks, nil
}

// nameSimilarity is the word overlap above which two rows of one table
// are taken for the same item.
const nameSimilarity = 0.6

// mergeRows joins the tables of a long page's parts, dropping rows whose
// name is similar to one already kept (the first kept wins). The head
// fields (title, summary, ...) are left for the merge pass.
func mergeRows(parts []schema.Answer) schema.Answer {
	out := schema.Answer{Signals: []schema.Signal{}, Concerns: []schema.Row{}, Behaviors: []schema.Row{},
		Technologies: []schema.Row{}, Issues: []schema.Row{}}
	for _, p := range parts {
		for _, s := range p.Signals {
			if !similarName(s.Name, signalNames(out.Signals)) {
				out.Signals = append(out.Signals, s)
			}
		}
		outTables, partTables := out.RowTables(), p.RowTables()
		for i := range outTables {
			for _, r := range *partTables[i].Rows {
				if !similarName(r.Name, rowNames(*outTables[i].Rows)) {
					*outTables[i].Rows = append(*outTables[i].Rows, r)
				}
			}
		}
	}
	return out
}

func signalNames(ss []schema.Signal) []string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return names
}

func rowNames(rs []schema.Row) []string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	return names
}

// similarName reports whether name is close to one of names: the Jaccard
// overlap of their lower-cased words reaches nameSimilarity.
func similarName(name string, names []string) bool {
	a := wordSet(name)
	for _, n := range names {
		if jaccard(a, wordSet(n)) >= nameSimilarity {
			return true
		}
	}
	return false
}

func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range ground.Words(s) {
		set[w] = true
	}
	return set
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

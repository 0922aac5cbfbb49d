package llm

import (
	"strings"

	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/schema"
)

// chunkOverlapShare is the share of a chunk (one in chunkOverlapShare)
// repeated at the start of the next one, so a sentence cut at a boundary is
// read whole once.
const chunkOverlapShare = 20

// separators are where a long text is cut, from the best place to the
// worst: paragraphs, lines, sentences, words, and at last anywhere.
var separators = []string{"\n\n", "\n", ". ", " ", ""}

// splitText returns text as one chunk when it fits budget tokens, else as
// chunks of at most budget tokens cut at paragraph, then line, then
// sentence boundaries, each chunk starting with the end of the one before
// (about a twentieth of the budget). count counts a text's tokens.
func splitText(text string, budget int, count func(string) int) []string {
	if count(text) <= budget {
		return []string{text}
	}
	return pack(pieces(text, budget, count, separators), budget, budget/chunkOverlapShare, count)
}

// pieces cuts text after each occurrence of the first separator, cutting
// again with the next separators any piece still over budget. Joined, the
// pieces are text.
func pieces(text string, budget int, count func(string) int, seps []string) []string {
	if count(text) <= budget || len(seps) == 0 {
		return []string{text}
	}
	var parts []string
	if seps[0] == "" {
		for _, r := range text {
			parts = append(parts, string(r))
		}
		return parts
	}
	for rest := text; rest != ""; {
		i := strings.Index(rest, seps[0])
		if i < 0 {
			parts = append(parts, pieces(rest, budget, count, seps[1:])...)
			break
		}
		end := i + len(seps[0])
		parts = append(parts, pieces(rest[:end], budget, count, seps[1:])...)
		rest = rest[end:]
	}
	return parts
}

// pack joins consecutive pieces into chunks of at most budget tokens; each
// chunk after the first starts with the last pieces of the one before,
// up to overlap tokens. A chunk's tokens are taken as the sum of its
// pieces' (a chunk never has more), so packing stays linear.
func pack(parts []string, budget, overlap int, count func(string) int) []string {
	var chunks []string
	var cur []string
	var sizes []int
	total := 0
	for _, p := range parts {
		n := count(p)
		if len(cur) > 0 && total+n > budget {
			chunks = append(chunks, strings.Join(cur, ""))
			keep := len(cur)
			for kept := 0; keep > 0 && kept+sizes[keep-1] <= overlap && kept+sizes[keep-1]+n <= budget; keep-- {
				kept += sizes[keep-1]
			}
			cur, sizes = append([]string(nil), cur[keep:]...), append([]int(nil), sizes[keep:]...)
			total = 0
			for _, k := range sizes {
				total += k
			}
		}
		cur, sizes, total = append(cur, p), append(sizes, n), total+n
	}
	if len(cur) > 0 {
		chunks = append(chunks, strings.Join(cur, ""))
	}
	return chunks
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

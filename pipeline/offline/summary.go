package offline

import (
	"math"
	"sort"
	"strings"
)

// The summary is extractive: TextRank (Mihalcea and Tarau, 2004) ranks the
// sentences by a PageRank over their similarity graph, with a prior that
// favours the page's opening (news and essays state their subject first);
// the best-ranked sentences that fit in maxSummaryWords are kept in document
// order.

// priorExponent sets how fast the ranking's prior decays along the page.
const priorExponent = 2

// maxSummaryWords bounds the summary's length.
const maxSummaryWords = 150

// Bounds on the sentences a summary may quote.
const (
	minSummarySentenceWords = 6
	maxSummarySentenceWords = 90
)

// rankSentences returns every sentence's TextRank score (0 for a sentence
// too short, too long or a heading).
func rankSentences(doc *document) []float64 {
	n := len(doc.sentences)
	scores := make([]float64, n)
	var nodes []int
	bags := make([][]int, n)
	ids := map[string]int{}
	for i, s := range doc.sentences {
		if w := s.words(); w < minSummarySentenceWords || w > 2*maxSummarySentenceWords || !endsSentence(s.text) || !s.isProse() {
			continue
		}
		bags[i] = stemIDs(s, ids)
		if len(bags[i]) > 1 {
			nodes = append(nodes, i)
		}
	}
	if len(nodes) == 0 {
		return scores
	}
	weights := similarityGraph(nodes, bags)
	rank := pageRank(weights, positionPrior(nodes))
	for k, i := range nodes {
		scores[i] = rank[k]
	}
	return scores
}

// stemIDs returns the sorted distinct ids of a sentence's content stems.
func stemIDs(s sentence, ids map[string]int) []int {
	var out []int
	for st := range s.contentStems() {
		id, ok := ids[st]
		if !ok {
			id = len(ids)
			ids[st] = id
		}
		out = append(out, id)
	}
	sort.Ints(out)
	return out
}

// similarityGraph returns TextRank's edge weights between the nodes: shared
// content words over the sum of the log lengths.
func similarityGraph(nodes []int, bags [][]int) [][]float64 {
	w := make([][]float64, len(nodes))
	for a := range nodes {
		w[a] = make([]float64, len(nodes))
	}
	for a := range nodes {
		for b := a + 1; b < len(nodes); b++ {
			x, y := bags[nodes[a]], bags[nodes[b]]
			shared := intersection(x, y)
			if shared == 0 {
				continue
			}
			sim := float64(shared) / (math.Log(float64(len(x))) + math.Log(float64(len(y))))
			w[a][b], w[b][a] = sim, sim
		}
	}
	return w
}

// intersection counts the values common to two sorted lists.
func intersection(x, y []int) int {
	n := 0
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// positionPrior returns the teleport distribution of the ranking: the k-th
// node's weight decreases as 1/sqrt(position+1).
func positionPrior(nodes []int) []float64 {
	p := make([]float64, len(nodes))
	sum := 0.0
	for k, i := range nodes {
		p[k] = 1 / math.Pow(float64(i+1), priorExponent)
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
	return p
}

// pageRank runs a personalised PageRank (damping 0.85) over a weighted,
// undirected graph.
func pageRank(w [][]float64, prior []float64) []float64 {
	const damping, iterations = 0.85, 40
	n := len(w)
	out := make([]float64, n)
	for i := range w {
		for _, x := range w[i] {
			out[i] += x
		}
	}
	rank := append([]float64(nil), prior...)
	next := make([]float64, n)
	for range iterations {
		for j := range next {
			next[j] = (1 - damping) * prior[j]
		}
		for i := range w {
			if out[i] == 0 {
				// A sentence sharing no word with the others gives its weight back to the prior.
				for j := range next {
					next[j] += damping * rank[i] * prior[j]
				}
				continue
			}
			share := damping * rank[i] / out[i]
			for j, x := range w[i] {
				if x != 0 {
					next[j] += share * x
				}
			}
		}
		rank, next = next, rank
	}
	return rank
}

// summarize returns the best-ranked sentences that fit in maxWords, in
// document order, skipping near repeats of a chosen sentence. When no
// ranked sentence fits, it falls back to the page's first sentence,
// cut to maxWords.
func summarize(doc *document, scores []float64, maxWords int) string {
	order := make([]int, 0, len(scores))
	for i, s := range scores {
		if s > 0 && doc.sentences[i].words() <= maxSummarySentenceWords {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	var chosen []int
	words := 0
	for _, i := range order {
		w := doc.sentences[i].words()
		if words+w > maxWords || repeatsAny(doc, i, chosen) {
			continue
		}
		chosen = append(chosen, i)
		words += w
	}
	if len(chosen) == 0 {
		return firstWords(firstSentence(doc), maxWords)
	}
	sort.Ints(chosen)
	parts := make([]string, len(chosen))
	for k, i := range chosen {
		parts[k] = doc.sentences[i].text
	}
	return strings.Join(parts, " ")
}

// repeatsAny reports whether sentence i shares most of its words with one of
// the chosen sentences.
func repeatsAny(doc *document, i int, chosen []int) bool {
	a := keys(doc.sentences[i].contentStems())
	for _, j := range chosen {
		if jaccard(a, keys(doc.sentences[j].contentStems())) >= 0.6 {
			return true
		}
	}
	return false
}

// keys returns the keys of a set.
func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// firstSentence returns the first sentence that is not a heading, else the
// first sentence, else "".
func firstSentence(doc *document) string {
	for _, s := range doc.sentences {
		if !isHeading(s) && s.words() >= minSummarySentenceWords {
			return s.text
		}
	}
	if len(doc.sentences) > 0 {
		return doc.sentences[0].text
	}
	return ""
}

// firstWords returns s cut to its first n words (verbatim when shorter).
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return strings.TrimSpace(s)
	}
	return strings.Join(f[:n], " ")
}

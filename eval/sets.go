package eval

import "strings"

// NearMatch is the least token Jaccard similarity at which two different
// keywords (or themes) still count as the same one.
const NearMatch = 0.5

// SetScore compares a predicted list of keywords (or themes) with the gold
// one, as sets.
type SetScore struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Gold and Pred count the distinct items after normalisation.
	Gold    int `json:"gold"`
	Pred    int `json:"pred"`
	Matched int `json:"matched"`
	// Matches are the pairs counted as one item, exact or near.
	Matches []TermMatch `json:"matches"`
	// Missed are gold items without a match; Extra predicted ones.
	Missed []string `json:"missed"`
	Extra  []string `json:"extra"`
}

// TermMatch is one gold item paired with one predicted item.
type TermMatch struct {
	Gold       string  `json:"gold"`
	Pred       string  `json:"pred"`
	Similarity float64 `json:"similarity"`
}

// term is one keyword, normalised once.
type term struct {
	text    string // as written (first spelling when duplicates fold together)
	key     string // normalised: folded, plural-folded tokens joined by spaces
	content set    // content terms, for near matches
}

// newTerms normalises a list, dropping empty items and duplicates.
func newTerms(items []string, v vocab) []term {
	seen := make(map[string]bool, len(items))
	var out []term
	for _, it := range items {
		key := strings.Join(Terms(it), " ")
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, term{text: it, key: key, content: newSet(v.ids(ContentTerms(it)))})
	}
	return out
}

// termSimilarity is 1 for items equal after normalisation, else the token
// Jaccard of their content terms when it reaches NearMatch, else 0.
func termSimilarity(a, b term) float64 {
	if a.key == b.key {
		return 1
	}
	if j := a.content.jaccard(b.content); j >= NearMatch {
		return j
	}
	return 0
}

// CompareSets scores pred against gold: both are normalised (case, accents,
// punctuation, plural folding) and deduplicated, then paired one-to-one by
// maximum-weight assignment on termSimilarity; every pair with similarity
// ≥ NearMatch counts as one matched item. Precision = matched/|pred|,
// recall = matched/|gold|, F1 their harmonic mean (0 when either is 0).
func CompareSets(gold, pred []string) SetScore {
	return compareSets(gold, pred, vocab{})
}

func compareSets(gold, pred []string, v vocab) SetScore {
	g, p := newTerms(gold, v), newTerms(pred, v)
	s := SetScore{Gold: len(g), Pred: len(p), Matches: []TermMatch{}, Missed: []string{}, Extra: []string{}}
	w := similarities(g, p, termSimilarity)
	predUsed := make([]bool, len(p))
	for i, j := range Assign(w) {
		if j < 0 || w[i][j] < NearMatch {
			s.Missed = append(s.Missed, g[i].text)
			continue
		}
		predUsed[j] = true
		s.Matches = append(s.Matches, TermMatch{Gold: g[i].text, Pred: p[j].text, Similarity: w[i][j]})
	}
	for j, used := range predUsed {
		if !used {
			s.Extra = append(s.Extra, p[j].text)
		}
	}
	s.Matched = len(s.Matches)
	s.Precision, s.Recall, s.F1 = prf(s.Matched, s.Pred, s.Gold)
	return s
}

// prf is precision, recall and F1 of matched items among pred predicted and
// gold expected ones; a ratio with a zero denominator is 0.
func prf(matched, pred, gold int) (precision, recall, f1 float64) {
	precision = ratio(float64(matched), float64(pred))
	recall = ratio(float64(matched), float64(gold))
	f1 = ratio(2*precision*recall, precision+recall)
	return precision, recall, f1
}

func ratio(num, den float64) float64 {
	if den == 0 {
		return 0
	}
	return num / den
}

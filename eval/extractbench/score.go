package extractbench

import "github.com/veille/veille/pipeline/extract"

// ShingleCounts is the share of true positive, false positive and false
// negative shingles of one page, normalised so that they sum to 1 (or are
// all 0 when both texts are empty), as in the article-extraction
// benchmark's evaluate.py.
type ShingleCounts struct {
	TP, FP, FN float64
}

// Scores are the benchmark's corpus-level figures: precision and
// recall are means over pages, F1 their harmonic mean.
type Scores struct {
	F1, Precision, Recall float64
}

// CompareShingles scores a predicted article body against the true one with
// the benchmark's metric: multisets of 4-token shingles, tokens being runs
// of Unicode letters, digits and underscores.
func CompareShingles(truth, pred string) ShingleCounts {
	want := extract.Shingles(truth)
	got := extract.Shingles(pred)
	var c ShingleCounts
	for key, w := range want {
		g := got[key]
		c.TP += float64(min(w, g))
		c.FN += float64(max(0, w-g))
	}
	for key, g := range got {
		c.FP += float64(max(0, g-want[key]))
	}
	if s := c.TP + c.FP + c.FN; s > 0 {
		c.TP, c.FP, c.FN = c.TP/s, c.FP/s, c.FN/s
	}
	return c
}

// Precision is the page's shingle precision (1 when nothing was to find and
// nothing was found).
func (c ShingleCounts) Precision() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FP == 0:
		return 0
	}
	return c.TP / (c.TP + c.FP)
}

// Recall is the page's shingle recall.
func (c ShingleCounts) Recall() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FN == 0:
		return 0
	}
	return c.TP / (c.TP + c.FN)
}

// F1 is the page's harmonic mean of precision and recall.
func (c ShingleCounts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Score computes the corpus figures from per-page counts, as
// evaluate.py does: precision averaged over pages with a prediction,
// recall over pages with a truth.
func Score(pages []ShingleCounts) Scores {
	var sumP, sumR float64
	var nP, nR int
	for _, c := range pages {
		if c.TP+c.FP > 0 {
			sumP += c.Precision()
			nP++
		}
		if c.TP+c.FN > 0 {
			sumR += c.Recall()
			nR++
		}
	}
	var s Scores
	if nP > 0 {
		s.Precision = sumP / float64(nP)
	}
	if nR > 0 {
		s.Recall = sumR / float64(nR)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

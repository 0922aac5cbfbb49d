package eval

import "slices"

// TextScore compares a predicted text (title or summary) with the gold one.
type TextScore struct {
	Gold string `json:"gold"`
	Pred string `json:"pred"`
	// Rouge1, Rouge2 and RougeL are the F1 of ROUGE-1, ROUGE-2 and ROUGE-L.
	Rouge1 float64 `json:"rouge1"`
	Rouge2 float64 `json:"rouge2"`
	RougeL float64 `json:"rougeL"`
	// Score is the mean of the three: the section score.
	Score float64 `json:"score"`
}

// CompareText computes ROUGE-1, ROUGE-2 and ROUGE-L F1 of pred against gold
// on Tokens (case and accents folded, no stemming, no stop-word removal).
// ROUGE-N counts clipped n-gram overlap: precision = overlap/pred n-grams,
// recall = overlap/gold n-grams. ROUGE-L uses the longest common
// subsequence: precision = LCS/|pred|, recall = LCS/|gold|. When neither text
// has an n-gram of some order (a one-word title has no bigram) that order
// scores 1 if the texts are equal and 0 otherwise.
func CompareText(gold, pred string) TextScore {
	return compareText(gold, pred, vocab{})
}

func compareText(gold, pred string, v vocab) TextScore {
	g, p := v.ids(Tokens(gold)), v.ids(Tokens(pred))
	s := TextScore{
		Gold:   gold,
		Pred:   pred,
		Rouge1: rougeN(g, p, 1),
		Rouge2: rougeN(g, p, 2),
		RougeL: rougeL(g, p),
	}
	s.Score = (s.Rouge1 + s.Rouge2 + s.RougeL) / 3
	return s
}

// rougeN is the ROUGE-N F1 (n = 1 or 2) of token sequences g (gold) and p
// (predicted), as term numbers.
func rougeN(g, p []int32, n int) float64 {
	if n == 1 {
		if len(g) == 0 && len(p) == 0 {
			return 1
		}
		_, _, f1 := prf(newBag(slices.Clone(g)).overlap(newBag(slices.Clone(p))), len(p), len(g))
		return f1
	}
	gb, pb := bigrams(g), bigrams(p)
	if len(gb) == 0 && len(pb) == 0 {
		return boolScore(slices.Equal(g, p))
	}
	_, _, f1 := prf(sortedOverlap(gb, pb), len(pb), len(gb))
	return f1
}

// bigrams lists the bigrams of toks, each as the two term numbers in one
// integer, sorted.
func bigrams(toks []int32) []uint64 {
	if len(toks) < 2 {
		return nil
	}
	out := make([]uint64, len(toks)-1)
	for i := range out {
		out[i] = uint64(uint32(toks[i]))<<32 | uint64(uint32(toks[i+1]))
	}
	slices.Sort(out)
	return out
}

// maxLCSTokens bounds the tokens of each text that ROUGE-L compares: the
// longest common subsequence costs the product of the two lengths, and a
// card's texts are a few hundred tokens (a summary is at most 150 words),
// so only a hostile or broken card is cut — and scored in milliseconds
// instead of minutes.
const maxLCSTokens = 4000

// rougeL is the ROUGE-L F1 of token sequences g and p, each cut to its
// first maxLCSTokens tokens.
func rougeL(g, p []int32) float64 {
	if len(g) == 0 && len(p) == 0 {
		return 1
	}
	g, p = g[:min(len(g), maxLCSTokens)], p[:min(len(p), maxLCSTokens)]
	_, _, f1 := prf(lcs(g, p), len(p), len(g))
	return f1
}

// lcs is the length of the longest common subsequence of a and b, by dynamic
// programming on two rows.
func lcs(a, b []int32) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func boolScore(ok bool) float64 {
	if ok {
		return 1
	}
	return 0
}

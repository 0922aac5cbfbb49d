package offline

import (
	"sort"
	"strings"
)

// maxKeywords is the number of keywords of a card (the gold cards have 5 to 10).
const maxKeywords = 8

// casing knows which words the page writes as proper nouns or acronyms.
type casing map[string]string

// newCasing finds, for every stem, the written form to show: the most
// frequent capitalised form when the word is capitalised in most of its
// occurrences inside sentences (sentence starts and title-case headings say
// nothing) or written as an acronym; absent otherwise (shown in lower case).
func newCasing(doc *document) casing {
	upper := map[string]map[string]int{}
	lower := map[string]int{}
	for _, s := range doc.sentences {
		heading := isHeading(s)
		for i, t := range s.tokens {
			if t.stop {
				continue
			}
			switch {
			case isAcronym(t.text) || i > 0 && !heading && isCapitalised(t.text):
				if upper[t.stem] == nil {
					upper[t.stem] = map[string]int{}
				}
				upper[t.stem][t.text]++
			case !isCapitalised(t.text):
				lower[t.stem]++
			}
		}
	}
	c := casing{}
	for st, forms := range upper {
		n := 0
		for _, k := range forms {
			n += k
		}
		if n > lower[st] {
			c[st] = mostFrequent(forms)
		}
	}
	return c
}

// show returns a phrase's written form with the page's casing: proper nouns
// and acronyms as written, other words in lower case.
func (c casing) show(kp *keyphrase) string {
	form := mostFrequent(kp.forms)
	words := strings.Fields(form)
	if len(words) > 1 && c.isName(kp) {
		return form // a name: "New York City"
	}
	for k, w := range words {
		if form, ok := c[kp.stems[k]]; ok && len(words) == len(kp.stems) {
			if strings.EqualFold(form, w) {
				words[k] = w
				continue
			}
		}
		words[k] = strings.ToLower(w)
	}
	return strings.Join(words, " ")
}

// allCapitalised reports whether every word of a phrase is capitalised.
func allCapitalised(words []string) bool {
	for _, w := range words {
		if !isCapitalised(w) {
			return false
		}
	}
	return true
}

// anyProper reports whether a word of the phrase is a proper noun or acronym.
func (c casing) anyProper(kp *keyphrase) bool {
	for _, st := range kp.stems {
		if _, ok := c[st]; ok {
			return true
		}
	}
	return false
}

// mostFrequent returns the most frequent key of counts (the smallest on ties).
func mostFrequent(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best := ""
	for _, k := range keys {
		if best == "" || counts[k] > counts[best] {
			best = k
		}
	}
	return best
}

// selectKeyphrases returns the n best phrases that do not repeat one
// another: a phrase sharing half of its words with a better one is skipped.
// A name stands for the longest name the page repeats that contains it
// ("Watts" and "York City" for "Peter Watts" and "New York City").
func selectKeyphrases(ranked []*keyphrase, n int, c casing) []*keyphrase {
	var out []*keyphrase
	for _, kp := range ranked {
		if len(out) == n {
			break
		}
		if name := fullName(kp, ranked, c); name != nil {
			kp = name
		}
		if !overlapsAny(kp, out) {
			out = append(out, kp)
		}
	}
	return out
}

// fullName returns the longest (then most frequent) phrase of proper nouns
// that contains every word of kp, occurs at least twice and is longer than
// kp; nil when kp is not a name or no such phrase exists.
func fullName(kp *keyphrase, ranked []*keyphrase, c casing) *keyphrase {
	if !c.isName(kp) {
		return nil
	}
	var best *keyphrase
	for _, other := range ranked {
		if len(other.stems) <= len(kp.stems) || other.tf < 2 || !c.isName(other) || !subset(kp.stems, other.stems) {
			continue
		}
		if best == nil || len(other.stems) > len(best.stems) ||
			len(other.stems) == len(best.stems) && other.tf > best.tf {
			best = other
		}
	}
	return best
}

// isName reports whether a phrase is a name: written with capitals on every
// word, one of them at least a proper noun or an acronym ("New York City",
// though "new" alone is lower case).
func (c casing) isName(kp *keyphrase) bool {
	return allCapitalised(strings.Fields(mostFrequent(kp.forms))) && c.anyProper(kp)
}

// overlapsAny reports whether kp shares at least half of its content words
// (by Jaccard index) with one of chosen, or all of them.
func overlapsAny(kp *keyphrase, chosen []*keyphrase) bool {
	for _, c := range chosen {
		if jaccard(kp.content, c.content) >= 0.5 || subset(kp.content, c.content) {
			return true
		}
	}
	return false
}

// subset reports whether every word of a is in b.
func subset(a, b []string) bool {
	for _, w := range a {
		found := false
		for _, x := range b {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}

// jaccard returns the Jaccard index of two word lists taken as sets.
func jaccard(a, b []string) float64 {
	set := map[string]int{}
	for _, w := range a {
		set[w] |= 1
	}
	for _, w := range b {
		set[w] |= 2
	}
	if len(set) == 0 {
		return 0
	}
	both := 0
	for _, v := range set {
		if v == 3 {
			both++
		}
	}
	return float64(both) / float64(len(set))
}

// keywords returns the card's keywords as shown.
func keywords(chosen []*keyphrase, c casing) []string {
	out := make([]string, 0, len(chosen))
	for _, kp := range chosen {
		out = append(out, c.show(kp))
	}
	return out
}

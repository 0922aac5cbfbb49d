package offline

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// Keyphrase extraction follows YAKE (Campos et al., 2020): every non-stop
// word gets a score from five statistics — casing, position, frequency,
// relatedness to its context and spread over sentences — and a candidate
// phrase of one to three words (not starting or ending with a stop word, not
// crossing punctuation) scores the product of its words' scores divided by
// the square of its own frequency and by one plus the sum of its words'
// scores. Lower is better. Phrases starting or headed by a verb-like word,
// and French phrases that never follow a determiner, are dropped.

// wordStats are the statistics of one word stem.
type wordStats struct {
	tf int
	// upper counts capitalised occurrences that do not start a sentence;
	// acronym counts occurrences written as an acronym.
	upper, acronym int
	sentences      []int
	left, right    map[string]bool
	leftN, rightN  int
	score          float64
}

// keyphrase is a candidate phrase and what is known of it.
type keyphrase struct {
	// key is the phrase's stems joined by spaces; stems lists them.
	key   string
	stems []string
	// content lists the stems of the non-stop words.
	content []string
	tf      int
	// forms counts the phrase's written forms.
	forms map[string]int
	score float64
	// rank is the phrase's position in the ranking, from 0.
	rank int
	// determined counts the occurrences right after a determiner or a
	// preposition, the mark of a noun phrase.
	determined int
}

// casingWeight scales YAKE's casing feature: at full weight, capitalised
// words of a single passage (a list of event names) crowd out the page's
// common-noun subject.
const casingWeight = 0.1

// tfExponent sharpens the weight of a phrase's own frequency.
const tfExponent = 2.0

// maxPhraseWords bounds a candidate keyphrase's length.
const maxPhraseWords = 3

// rankedPhrases returns the document's candidate keyphrases, best first.
func rankedPhrases(doc *document) []*keyphrase {
	stats := wordStatistics(doc)
	scoreWords(stats, len(doc.sentences))
	phrases := candidates(doc)
	verbs := verbLike(doc)
	list := make([]*keyphrase, 0, len(phrases))
	for _, kp := range phrases {
		if verbs[headStem(kp, doc.lex.lang)] || verbs[kp.stems[0]] || verbs[kp.stems[len(kp.stems)-1]] || !isNounPhrase(kp, doc.lex.lang) {
			continue
		}
		prod, sum := 1.0, 0.0
		for _, st := range kp.content {
			s := stats[st].score
			prod *= s
			sum += s
		}
		kp.score = prod / (math.Pow(float64(kp.tf), tfExponent) * (1 + sum))
		list = append(list, kp)
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].score != list[j].score {
			return list[i].score < list[j].score
		}
		return list[i].key < list[j].key
	})
	for i, kp := range list {
		kp.rank = i
	}
	return list
}

// isNounPhrase reports whether a candidate reads as a noun phrase. A French
// noun phrase starts with its noun, which follows a determiner or a
// preposition ("l'interdiction", "des données") at least once, unless it is
// a name; in English, word order alone (adjectives and verbs never head a
// phrase) does the job.
func isNounPhrase(kp *keyphrase, lang string) bool {
	if lang != "fr" || kp.determined > 0 {
		return true
	}
	return isCapitalised(mostFrequent(kp.forms))
}

// headStem returns the stem of a phrase's head word: the last word of an
// English noun phrase, the first of a French one.
func headStem(kp *keyphrase, lang string) string {
	if lang == "fr" {
		return kp.stems[0]
	}
	return kp.stems[len(kp.stems)-1]
}

// isHeading reports whether a sentence looks like a title-case heading,
// whose capitals say nothing about proper nouns.
func isHeading(s sentence) bool {
	if endsSentence(s.text) || len(s.tokens) > 20 {
		return false
	}
	content, capital := 0, 0
	for _, t := range s.tokens {
		if !t.stop {
			content++
			if isCapitalised(t.text) {
				capital++
			}
		}
	}
	return content > 1 && capital*10 >= content*6
}

// endsSentence reports whether text ends with terminal punctuation,
// possibly followed by closing quotes or brackets.
func endsSentence(text string) bool {
	text = strings.TrimRight(text, "\"'”’»)] ")
	r, _ := utf8.DecodeLastRuneInString(text)
	return isTerminal(r)
}

// wordStatistics gathers YAKE's raw statistics of every non-stop stem.
func wordStatistics(doc *document) map[string]*wordStats {
	stats := map[string]*wordStats{}
	for _, s := range doc.sentences {
		heading := isHeading(s)
		for i, t := range s.tokens {
			if t.stop {
				continue
			}
			st := stats[t.stem]
			if st == nil {
				st = &wordStats{left: map[string]bool{}, right: map[string]bool{}}
				stats[t.stem] = st
			}
			st.tf++
			st.sentences = append(st.sentences, s.index)
			switch {
			case isAcronym(t.text):
				st.acronym++
			case i > 0 && !heading && isCapitalised(t.text):
				st.upper++
			}
			if i > 0 && !t.breakBefore {
				st.left[s.tokens[i-1].lower] = true
				st.leftN++
			}
			if i+1 < len(s.tokens) && !s.tokens[i+1].breakBefore {
				st.right[s.tokens[i+1].lower] = true
				st.rightN++
			}
		}
	}
	return stats
}

// scoreWords computes YAKE's word score from the statistics.
func scoreWords(stats map[string]*wordStats, nSentences int) {
	if len(stats) == 0 {
		return
	}
	var sum, sumSq, maxTF float64
	for _, st := range stats {
		tf := float64(st.tf)
		sum += tf
		sumSq += tf * tf
		maxTF = math.Max(maxTF, tf)
	}
	n := float64(len(stats))
	mean := sum / n
	std := math.Sqrt(math.Max(sumSq/n-mean*mean, 0))
	for _, st := range stats {
		tf := float64(st.tf)
		casing := casingWeight * float64(max(st.upper, st.acronym)) / (1 + math.Log(tf))
		position := math.Log(math.Log(3 + median(st.sentences)))
		frequency := tf / (mean + std)
		relatedness := 1 + (ratio(len(st.left), st.leftN)+ratio(len(st.right), st.rightN))*tf/maxTF
		spread := float64(distinct(st.sentences)) / float64(max(nSentences, 1))
		st.score = relatedness * position / (casing + frequency/relatedness + spread/relatedness)
	}
}

// candidates collects the candidate phrases of the document.
func candidates(doc *document) map[string]*keyphrase {
	phrases := map[string]*keyphrase{}
	for _, s := range doc.sentences {
		for i := range s.tokens {
			for n := 1; n <= maxPhraseWords && i+n <= len(s.tokens); n++ {
				window := s.tokens[i : i+n]
				if !isCandidate(window) {
					if n > 1 && (window[n-1].breakBefore || window[n-1].elided) {
						break
					}
					continue
				}
				kp := addOccurrence(phrases, window)
				if i > 0 && isDeterminer(s.tokens[i-1].lower) {
					kp.determined++
				}
			}
		}
	}
	return phrases
}

// isCandidate reports whether a run of tokens can be a keyphrase.
func isCandidate(window []token) bool {
	first, last := window[0], window[len(window)-1]
	if first.stop || last.stop || !meaningful(first) || !meaningful(last) || last.modifier {
		return false
	}
	for k, t := range window {
		if t.elided || k > 0 && t.breakBefore || t.stop && !isConnector(t.lower) {
			return false
		}
		// A common noun does not run into a name: "writer Peter Watts".
		if k > 0 && !window[k-1].stop && !isCapitalised(window[k-1].text) &&
			isCapitalised(t.text) && !isAcronym(t.text) {
			return false
		}
	}
	return true
}

// meaningful reports whether a token can start or end a keyphrase: an
// acronym or a word of three letters or more.
func meaningful(t token) bool {
	return isAcronym(t.text) || len([]rune(t.lower)) >= 3
}

// addOccurrence records one occurrence of a candidate phrase and returns it.
func addOccurrence(phrases map[string]*keyphrase, window []token) *keyphrase {
	key := stemKey(window)
	texts := make([]string, len(window))
	for k, t := range window {
		texts[k] = t.text
	}
	kp := phrases[key]
	if kp == nil {
		kp = newKeyphrase(key, window)
		phrases[key] = kp
	}
	kp.tf++
	kp.forms[strings.Join(texts, " ")]++
	return kp
}

// newKeyphrase returns the candidate of a run of tokens.
func newKeyphrase(key string, window []token) *keyphrase {
	kp := &keyphrase{key: key, forms: map[string]int{}}
	for _, t := range window {
		kp.stems = append(kp.stems, t.stem)
		if !t.stop {
			kp.content = append(kp.content, t.stem)
		}
	}
	return kp
}

// median returns the median of xs (0 for none).
func median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	sorted := append([]int(nil), xs...)
	sort.Ints(sorted)
	m := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return float64(sorted[m])
	}
	return float64(sorted[m-1]+sorted[m]) / 2
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// distinct returns the number of distinct values in xs.
func distinct(xs []int) int {
	seen := map[int]bool{}
	for _, x := range xs {
		seen[x] = true
	}
	return len(seen)
}

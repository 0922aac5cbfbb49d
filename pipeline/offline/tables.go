package offline

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

// Table rows come from sentences carrying a cue of the table's kind: change
// cues for signals, risk cues for concerns, human-action cues for behaviors,
// technology terms for technologies, problem cues for issues. A row's name
// is the best-ranked keyphrase of its sentence, its description the sentence
// cut to maxDescriptionWords, its evidence the sentence itself: every row is
// grounded in the page. What the method cannot know (a signal's 10-year
// horizon and driving force) stays empty.

// Cue lists, one cue a "|"-separated entry, matched on lower-case words
// (French elisions split: "l'essor" is "l essor").
const (
	changeCues = "increase|increases|increased|increasing|rise|rises|rising|rose|grow|grows|" +
		"growing|grew|growth|decline|declines|declining|declined|decrease|decreasing|" +
		"shift|shifts|shifting|emerging|emerge|emerges|emergence|new|first|trend|trends|" +
		"more and more|fewer and fewer|ban|bans|banned|banning|adopt|adopting|adoption|" +
		"transition|transform|transforming|transformation|boom|surge|surging|record|" +
		"expanding|expansion|launch|launched|replacing|replace|now|increasingly|rapidly|" +
		"de plus en plus|de moins en moins|hausse|baisse|nouveau|nouvelle|nouveaux|nouvelles|" +
		"émergent|émergente|émergence|croissance|croissant|croissante|augmentation|augmente|" +
		"diminution|diminue|recul|premier|première|tendance|interdiction|interdit|interdire|" +
		"essor|transition|bascule|explosion|désormais|record"
	riskCues = "risk|risks|risky|threat|threats|threaten|threatens|danger|dangers|dangerous|" +
		"fear|fears|concern|concerns|concerned|worry|worries|worried|harm|harms|harmful|" +
		"unsafe|vulnerable|vulnerability|exposure|privacy|surveillance|misinformation|" +
		"disinformation|abuse|attack|attacks|damage|loss|losses|warn|warns|warning|" +
		"risque|risques|menace|menaces|menacer|dangereux|dangereuse|crainte|craintes|" +
		"inquiétude|inquiétudes|peur|peurs|vulnérable|vulnérabilité|surveillance|" +
		"désinformation|dérive|dérives|atteinte|préjudice|malaise|bias|biased|manipulation|" +
		"manipulate|mistrust|distrust|trust|scary|risky|afraid|anxiety|pressure|overload|" +
		"dependence|dependent|addiction|unemployment|criticism|backlash|misuse|" +
		"impostor|uncomfortable|wrong|mistake|mistakes|embarrassing|stuck|outdated|judge|" +
		"judged|lose|losing|lost|overwhelm|overwhelming|scam|fraud|toxic|burnout|stress|" +
		"confiance|méfiance|biais|manipulation|dépendance|pression|chômage|critique|" +
		"erreur|erreurs|perdre|fraude|stress|épuisement"
	behaviorCues = "people|users|consumers|customers|individuals|employees|workers|students|" +
		"teachers|citizens|residents|developers|readers|learners|parents|young people|" +
		"habit|habits|practice|practices|behavior|behaviour|behaviors|behaviours|" +
		"are turning to|choose|choosing|prefer|prefers|share|sharing|adopt|adopting|" +
		"gens|utilisateurs|usagers|consommateurs|clients|salariés|employés|travailleurs|" +
		"étudiants|élèves|enseignants|citoyens|habitants|jeunes|habitude|habitudes|" +
		"pratique|pratiques|comportement|comportements|utilisent|partagent|choisissent"
	technologyCues = "technology|technologies|technological|ai|artificial intelligence|" +
		"machine learning|software|app|apps|platform|platforms|algorithm|algorithms|robot|" +
		"robots|robotics|device|devices|sensor|sensors|battery|batteries|internet|" +
		"blockchain|drone|drones|satellite|satellites|chip|chips|computer|computing|cloud|" +
		"automation|automated|digital|online|electric|solar|nuclear|fusion|quantum|" +
		"3d printing|vaccine|vaccines|model|models|llm|llms|chatbot|chatbots|network|" +
		"networks|tool|tools|system|systems|reactor|crawler|crawlers|data|dataset|datasets|" +
		"technologie|technologies|technologique|ia|intelligence artificielle|logiciel|" +
		"logiciels|plateforme|plateformes|algorithme|algorithmes|numérique|capteur|" +
		"capteurs|batterie|batteries|réseau|réseaux|outil|outils|système|systèmes|données|" +
		"modèle|modèles|ordinateur|réacteur|satellite|application|applications"
	problemCues = "problem|problems|challenge|challenges|issue|issues|lack|lacks|lacking|" +
		"shortage|shortages|inequality|inequalities|crisis|crises|debate|debates|barrier|" +
		"barriers|cost|costs|costly|difficult|difficulty|difficulties|failure|failures|" +
		"fail|fails|conflict|conflicts|struggle|struggles|struggling|gap|gaps|disparity|" +
		"disparities|burden|controversy|criticism|critics|limit|limits|limited|tension|" +
		"problème|problèmes|défi|défis|enjeu|enjeux|manque|pénurie|pénuries|crise|crises|" +
		"inégalité|inégalités|débat|débats|difficulté|difficultés|échec|échecs|conflit|" +
		"conflits|obstacle|obstacles|coût|coûts|tension|tensions|critique|critiques|limite|limites"
)

// Row limits and weights.
const (
	// maxSignalRows and maxRows bound the signals and the other tables.
	maxSignalRows = 8
	maxRows       = 6
	// Words kept in a name, a description (the schema asks for 10 to 20) and
	// a signal's change.
	maxNameWords        = 8
	maxDescriptionWords = 16
	maxChangeWords      = 10
	// Sentences longer than focusWords words rank lower, in proportion.
	focusWords = 25
	// Bounds on the sentences that make rows.
	minRowSentenceWords = 6
	maxRowSentenceWords = 80
	// namePhrasePool is how many of the best keyphrases may name a row.
	namePhrasePool = 400
	// topPhrases is the rank under which a keyphrase counts as one of the
	// page's main subjects: it raises its sentence's rows and may join a
	// row's name as a second phrase.
	topPhrases = 30
	// A single word names a row instead of a better-ranked phrase of several
	// words only when it scores multiWordNamePenalty times better.
	multiWordNamePenalty = 10
)

// tableSpec says how one table is filled.
type tableSpec struct {
	// cues lists the words that make a sentence a row ("|"-separated).
	cues string
	// nameCues, when not "", restricts row names to keyphrases containing
	// one of its words (technologies are named by a technology term).
	nameCues string
	rows     int
}

// rowCandidate is a sentence chosen for a table and its name.
type rowCandidate struct {
	sentence *sentence
	name     string
	cue      string
	score    float64
}

// tableBuilder holds what every table needs: the sentences, their ranks and
// the keyphrases found in each.
type tableBuilder struct {
	doc    *document
	scores []float64
	casing casing
	// phrases lists, for each sentence, the keyphrases it contains, best
	// first.
	phrases [][]*keyphrase
	// norms holds each sentence's lower-case words joined by spaces and
	// padded with a space at both ends, for cue matching.
	norms []string
}

// newTableBuilder indexes the keyphrases of every sentence.
func newTableBuilder(doc *document, scores []float64, ranked []*keyphrase, c casing) *tableBuilder {
	tb := &tableBuilder{doc: doc, scores: scores, casing: c,
		phrases: make([][]*keyphrase, len(doc.sentences)), norms: make([]string, len(doc.sentences))}
	pool := map[string]*keyphrase{}
	for _, kp := range ranked[:min(len(ranked), namePhrasePool)] {
		pool[kp.key] = kp
	}
	for i, s := range doc.sentences {
		words := make([]string, len(s.tokens))
		for k, t := range s.tokens {
			words[k] = t.lower
		}
		tb.norms[i] = " " + strings.Join(words, " ") + " "
		seen := map[string]bool{}
		for k := range s.tokens {
			for n := 1; n <= maxPhraseWords && k+n <= len(s.tokens); n++ {
				key := stemKey(s.tokens[k : k+n])
				if kp := pool[key]; kp != nil && !seen[key] {
					seen[key] = true
					tb.phrases[i] = append(tb.phrases[i], kp)
				}
			}
		}
		sort.SliceStable(tb.phrases[i], func(a, b int) bool {
			return tb.phrases[i][a].score < tb.phrases[i][b].score
		})
	}
	return tb
}

// topPhrasesIn counts the page's topPhrases best keyphrases in sentence i:
// rows about the page's main subjects come first.
func (tb *tableBuilder) topPhrasesIn(i int) int {
	n := 0
	for _, kp := range tb.phrases[i] {
		if kp.rank < topPhrases {
			n++
		}
	}
	return n
}

// stemKey returns the keyphrase key of a run of tokens.
func stemKey(window []token) string {
	stems := make([]string, len(window))
	for k, t := range window {
		stems[k] = t.stem
	}
	return strings.Join(stems, " ")
}

// padCues splits a "|"-separated cue list into cues padded with a space at
// both ends, ready to be searched in a sentence's padded words.
func padCues(list string) []string {
	if list == "" {
		return nil
	}
	cues := strings.Split(list, "|")
	for k, c := range cues {
		cues[k] = " " + c + " "
	}
	return cues
}

// cueIn returns the cue (unpadded) found first in sentence i, or "".
func (tb *tableBuilder) cueIn(i int, padded []string) string {
	best, at := "", len(tb.norms[i])
	for _, cue := range padded {
		if k := strings.Index(tb.norms[i], cue); k >= 0 && k < at {
			best, at = strings.TrimSpace(cue), k
		}
	}
	return best
}

// rows returns the rows of a table: the sentences carrying one of its cues,
// best ranked first.
func (tb *tableBuilder) rows(spec tableSpec) []rowCandidate {
	cues, nameCues := padCues(spec.cues), padCues(spec.nameCues)
	var cands []rowCandidate
	for i := range tb.doc.sentences {
		s := &tb.doc.sentences[i]
		if w := s.words(); w < minRowSentenceWords || w > maxRowSentenceWords || isHeading(*s) || !s.isProse() {
			continue
		}
		cue := tb.cueIn(i, cues)
		if cue == "" {
			continue
		}
		// Sentences the ranking skipped still count, after every ranked one.
		// Short sentences make focused rows.
		score := (tb.scores[i] + 1e-6/float64(i+1)) * min(1, focusWords/float64(s.words())) *
			float64(1+tb.topPhrasesIn(i))
		cands = append(cands, rowCandidate{sentence: s, cue: cue, score: score})
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	var out []rowCandidate
	used := map[string]bool{}
	for _, c := range cands {
		if len(out) == spec.rows {
			break
		}
		name := tb.name(c, used, nameCues)
		if name == "" || used["name:"+strings.ToLower(name)] {
			continue
		}
		used["name:"+strings.ToLower(name)] = true
		c.name = name
		out = append(out, c)
	}
	return out
}

// name returns the name of a row from sentence i: its best keyphrase not
// yet used in the table, preferring phrases of several words unless a
// single word ranks far better, joined with the sentence's next best
// keyphrase when that one adds other words ("long COVID and labor
// supply"); "" when no keyphrase is left.
func (tb *tableBuilder) name(c rowCandidate, used map[string]bool, nameCues []string) string {
	i := c.sentence.index
	var single, multi *keyphrase
	for _, kp := range tb.phrases[i] {
		if used[kp.key] || partOfUsed(kp, used, tb.phrases[i]) || nameCues != nil && !containsCue(kp, nameCues) {
			continue
		}
		if len(kp.stems) == 1 && single == nil {
			single = kp
		}
		if len(kp.stems) > 1 && multi == nil {
			multi = kp
		}
	}
	best := multi
	if best == nil || single != nil && single.score*multiWordNamePenalty < best.score {
		best = single
	}
	if best == nil {
		return ""
	}
	used[best.key] = true
	name := tb.casing.show(best)
	for _, kp := range tb.phrases[i] {
		if kp != best && kp.rank < topPhrases && !overlapsAny(kp, []*keyphrase{best}) &&
			!subset(best.content, kp.content) && !partOfUsed(kp, used, tb.phrases[i]) {
			name += " " + tb.and() + " " + tb.casing.show(kp)
			break
		}
	}
	return capitalise(firstWords(name, maxNameWords))
}

// partOfUsed reports whether kp's words all belong to a phrase of the
// sentence already used as a name in the table ("IA" after "IA générative").
func partOfUsed(kp *keyphrase, used map[string]bool, inSentence []*keyphrase) bool {
	for _, other := range inSentence {
		if other != kp && used[other.key] && subset(kp.content, other.content) {
			return true
		}
	}
	return false
}

// and returns the page language's conjunction.
func (tb *tableBuilder) and() string {
	if tb.doc.lex.lang == "fr" {
		return "et"
	}
	return "and"
}

// containsCue reports whether a keyphrase contains one of the padded cues.
func containsCue(kp *keyphrase, padded []string) bool {
	words := " " + strings.ToLower(mostFrequent(kp.forms)) + " "
	for _, cue := range padded {
		if strings.Contains(words, cue) {
			return true
		}
	}
	return false
}

// change returns the words of a sentence from its cue on, up to the next
// punctuation mark or maxChangeWords words.
func change(s *sentence, cue string) string {
	first := strings.Fields(cue)[0]
	for k, t := range s.tokens {
		if t.lower != first {
			continue
		}
		var words []string
		for j := k; j < len(s.tokens) && len(words) < maxChangeWords; j++ {
			if j > k && s.tokens[j].breakBefore {
				break
			}
			words = append(words, s.tokens[j].text)
		}
		return joinWords(words, s.tokens[k:k+len(words)])
	}
	return ""
}

// joinWords joins the words of consecutive tokens with spaces, and French
// elided words to the next with an apostrophe ("l'IA").
func joinWords(words []string, toks []token) string {
	var b strings.Builder
	for k, w := range words {
		b.WriteString(w)
		switch {
		case k == len(words)-1:
		case toks[k].elided:
			b.WriteString("'")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()
}

// relevancy maps a row's score to 1–5 relative to the best row of its table.
func relevancy(score, best float64) *int {
	r := 1
	if best > 0 {
		r = 1 + int(math.Round(4*score/best))
	}
	r = min(max(r, 0), 5)
	return &r
}

// signals builds the weak-signals table from its specification.
func (tb *tableBuilder) signals(spec tableSpec) []schema.Signal {
	cands := tb.rows(spec)
	out := make([]schema.Signal, 0, len(cands))
	for _, c := range cands {
		out = append(out, schema.Signal{
			Name:        c.name,
			Description: describe(c.sentence.text, c.cue),
			Change:      change(c.sentence, c.cue),
			Relevancy:   relevancy(c.score, cands[0].score),
			Evidence:    c.sentence.text,
		})
	}
	return out
}

// table builds one of the concerns, behaviors, technologies or issues
// tables from its specification.
func (tb *tableBuilder) table(spec tableSpec) []schema.Row {
	cands := tb.rows(spec)
	out := make([]schema.Row, 0, len(cands))
	for _, c := range cands {
		out = append(out, schema.Row{
			Name:        c.name,
			Description: describe(c.sentence.text, c.cue),
			Relevancy:   relevancy(c.score, cands[0].score),
			Evidence:    c.sentence.text,
		})
	}
	return out
}

// describe returns a sentence cut to maxDescriptionWords words around its
// cue, marked with an ellipsis where cut.
func describe(s, cue string) string {
	words := strings.Fields(s)
	if len(words) <= maxDescriptionWords {
		return strings.Join(words, " ")
	}
	start := 0
	first := strings.Fields(cue)[0]
	for k, w := range words {
		if strings.EqualFold(strings.TrimFunc(w, notLetter), first) {
			start = min(max(0, k-maxDescriptionWords/2), len(words)-maxDescriptionWords)
			break
		}
	}
	cut := strings.Join(words[start:start+maxDescriptionWords], " ")
	cut = strings.TrimFunc(cut, func(r rune) bool { return unicode.IsPunct(r) && r != '(' && r != ')' })
	if start > 0 {
		cut = "…" + cut
	}
	if start+maxDescriptionWords < len(words) {
		cut += "…"
	}
	return cut
}

// notLetter reports whether r is neither a letter nor a digit.
func notLetter(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

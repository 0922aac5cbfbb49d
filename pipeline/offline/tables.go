package offline

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

// Table rows come from sentences carrying a cue of the table's kind: change
// cues for signals, risk cues for concerns, human-action cues for behaviors,
// technology terms for technologies, problem cues for issues. A row's name
// is the best-ranked keyphrase of its sentence, its description the
// sentence's maxDescriptionWords words that hold the most cues, its evidence
// the sentence itself: every row is grounded in the page. What the method
// cannot know (a signal's 10-year horizon and driving force) stays empty.
// Concerns weigh their cues (see tableSpec.weighCues) and skip, when they
// can, the sentences already quoted as signals.

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
	// riskCues name a danger, a fear or a harm, a hedged consequence ("could
	// lead to") or a want ("lack of"), in English then French.
	riskCues = "risk|risks|risky|at risk|at stake|threat|threats|threaten|threatens|threatened|" +
		"danger|dangers|dangerous|endanger|endangers|hazard|hazards|hazardous|jeopardy|jeopardize|" +
		"fear|fears|feared|afraid|scary|frightening|alarm|alarming|concern|concerns|concerned|" +
		"worry|worries|worried|worrying|anxiety|harm|harms|harmful|damage|damages|damaging|" +
		"unsafe|insecure|vulnerable|vulnerability|vulnerabilities|exposure|exposed|exposing|" +
		"privacy|surveillance|security|cybersecurity|breach|breaches|hack|hacked|hacking|leak|leaks|" +
		"misinformation|disinformation|misleading|bias|biased|manipulation|manipulate|abuse|abusive|" +
		"misuse|scam|scams|fraud|attack|attacks|censorship|loss|losses|lose|losing|lost|" +
		"undermine|undermines|undermining|erode|erodes|eroding|erosion|weaken|weakens|" +
		"displacement|unemployment|layoffs|dependence|dependent|dependency|overreliance|addiction|" +
		"overload|overwhelm|overwhelmed|overwhelming|burnout|stress|pressure|mistrust|distrust|trust|" +
		"backlash|criticism|scoff|scoffed|bad|worse|worst|wrong|mistake|mistakes|inaccurate|incorrect|" +
		"outdated|unreliable|uncertainty|unintended|downside|downsides|drawback|drawbacks|pitfall|pitfalls|" +
		"conflict of interest|conflicts of interest|lead to|leads to|led to|result in|at the expense of|" +
		"lack of|shortage|impostor|imposter|uncomfortable|embarrassing|judge|judged|stuck|toxic|warn|warns|warning|" +
		"risque|risques|risquer|menace|menaces|menacer|menacé|menacée|dangereux|dangereuse|" +
		"péril|mettre en péril|crainte|craintes|craindre|craint|craignent|inquiétude|inquiétudes|inquiet|" +
		"inquiète|inquiétant|inquiétante|peur|peurs|alarmant|préjudice|nuire|nuisible|dommage|dommages|" +
		"vulnérable|vulnérables|vulnérabilité|exposition|exposés|vie privée|sécurité|" +
		"fuite|fuites|piratage|cyberattaque|cyberattaques|désinformation|biais|abus|fraude|" +
		"arnaque|perte|pertes|perdre|fragiliser|affaiblir|éroder|érosion|dépendance|surcharge|" +
		"épuisement|anxiété|pression|méfiance|défiance|confiance|critique|critiques|dérive|dérives|" +
		"atteinte|malaise|chômage|erreur|erreurs|obsolète|au détriment|manque de|pénurie|" +
		"pourrait entraîner|pourraient entraîner|conduire à"
	behaviorCues = "people|users|consumers|customers|individuals|employees|workers|students|" +
		"teachers|citizens|residents|developers|readers|learners|parents|young people|" +
		"habit|habits|practice|practices|behavior|behaviour|behaviors|behaviours|" +
		"are turning to|choose|choosing|prefer|prefers|share|sharing|adopt|adopting|" +
		"gens|utilisateurs|usagers|consommateurs|clients|salariés|employés|travailleurs|" +
		"étudiants|élèves|enseignants|citoyens|habitants|jeunes|habitude|habitudes|" +
		"pratique|pratiques|comportement|comportements|utilisent|partagent|choisissent|" +
		// Other people who choose: households, shoppers, voters…
		"households|shoppers|drivers|patients|voters|investors|ménages|électeurs|investisseurs|" +
		// Human actions: what people take up, give up or push for.
		"adoption|turn to|turning to|turned to|switch to|switching to|switched to|shift to|shifting to|" +
		"opt for|opting for|adopted|adopts|embrace|embracing|embraced|rely on|relying on|" +
		"buy|buying|bought|avoid|avoiding|avoided|abandon|abandoning|quit|quitting|" +
		"boycott|boycotting|protest|protesting|protested|" +
		"seek|seeking|sought|learn|learning|teach|teaching|engage|engaging|participate|" +
		"participating|join|joining|volunteer|volunteering|spend|spending|subscribe|" +
		"se tournent vers|se tourner vers|adoptent|adopter|achètent|acheter|évitent|éviter|" +
		"abandonnent|renoncent|manifestent|réclament|exigent|recherchent|apprennent|" +
		"participent|s engagent|privilégient|optent pour|délaissent"
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
		"modèle|modèles|ordinateur|réacteur|satellite|application|applications|" +
		// Devices, energy, biotech and computing terms.
		"hardware|firmware|malware|ransomware|smartphone|smartphones|phone|phones|tablet|tablets|" +
		"laptop|laptops|console|consoles|processor|processors|semiconductor|semiconductors|" +
		"camera|cameras|display|displays|screen|screens|keyboard|headset|headsets|wearable|" +
		"wearables|5g|wifi|wi-fi|bluetooth|gps|lidar|radar|vr|virtual reality|augmented reality|" +
		"electric vehicle|electric vehicles|ev|evs|hybrid|plug-in|engine|engines|motor|motors|" +
		"hydrogen|turbine|turbines|grid|rocket|rockets|spacecraft|telescope|supercomputer|" +
		"simulation|simulations|genome|genomics|gene|genes|crispr|biotech|biotechnology|" +
		"encryption|cryptocurrency|bitcoin|neural network|neural networks|deep learning|" +
		"generative|gpt|chatgpt|autonomous|self-driving|iot|streaming|api|apis|open source|" +
		"smartphone|téléphone|téléphones|écran|écrans|puce|puces|semi-conducteur|" +
		"semi-conducteurs|caméra|caméras|fusée|fusées|génome|gène|gènes|hydrogène|éolienne|" +
		"éoliennes|panneaux solaires|solaire|nucléaire|chiffrement|cryptomonnaie|autonome|" +
		"autonomes|connecté|connectés|robotique|automatisation|infonuagique|véhicule électrique|" +
		"véhicules électriques|voiture électrique|voitures électriques|moteur|moteurs|simulation"
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
	// weighCues makes a table whose rows are judgements rather than facts
	// (concerns): a sentence's score is multiplied by the number of distinct
	// cues it carries, and a row is named by the page's best keyphrase in
	// its description alone, the subject the judgement is about.
	weighCues bool
	// namedBy, when not noComplementName, names a row by a noun of that kind
	// and its complement when the description has one ("risk of
	// misinformation", "adoption of heat pumps"), before any keyphrase.
	namedBy headKind
	// after lists sentences that rank after every other one, so that the
	// table's rows differ from those of a table already filled (concerns
	// after signals).
	after map[string]bool
}

// headKind says which nouns may head a row's name with their complement.
type headKind int

const (
	// noComplementName: rows are named by keyphrases only.
	noComplementName headKind = iota
	// riskNouns: the table's cues used as nouns ("fear of", "lack of").
	riskNouns
	// actionNouns: nouns of action by their ending ("adoption of",
	// "investment in", "shift to").
	actionNouns
)

// rowCandidate is a sentence chosen for a table and its name.
type rowCandidate struct {
	sentence *sentence
	name     string
	// cue is the sentence's first cue; description its words shown in the
	// row.
	cue         string
	description string
	score       float64
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
	// words holds each sentence's lower-case words, for cue matching.
	words [][]string
}

// newTableBuilder indexes the keyphrases of every sentence.
func newTableBuilder(doc *document, scores []float64, ranked []*keyphrase, c casing) *tableBuilder {
	tb := &tableBuilder{doc: doc, scores: scores, casing: c,
		phrases: make([][]*keyphrase, len(doc.sentences)), words: make([][]string, len(doc.sentences))}
	pool := map[string]*keyphrase{}
	for _, kp := range ranked[:min(len(ranked), namePhrasePool)] {
		pool[kp.key] = kp
	}
	for i, s := range doc.sentences {
		tb.words[i] = make([]string, len(s.tokens))
		for k, t := range s.tokens {
			tb.words[i][k] = t.lower
		}
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

// cueList is a table's cues, each as its words, indexed by its first word.
type cueList map[string][][]string

// newCueList splits a "|"-separated cue list; nil when list is "".
func newCueList(list string) cueList {
	if list == "" {
		return nil
	}
	cues := cueList{}
	for _, c := range strings.Split(list, "|") {
		if words := strings.Fields(c); len(words) > 0 {
			cues[words[0]] = append(cues[words[0]], words)
		}
	}
	return cues
}

// marks marks the words of a sentence (lower case) where one of the cues
// starts, unless a negation among the two words before it denies it ("don't
// worry", "pas de risque"). It returns the marks, the first cue found and
// how many distinct cues were found.
func (cues cueList) marks(words []string) (marks []bool, first string, distinct int) {
	marks = make([]bool, len(words))
	var found []string
	for k, w := range words {
		for _, cue := range cues[w] {
			if k+len(cue) > len(words) || !slices.Equal(words[k:k+len(cue)], cue) || negated(words, k) {
				continue
			}
			marks[k] = true
			c := strings.Join(cue, " ")
			if first == "" {
				first = c
			}
			if !slices.Contains(found, c) {
				found = append(found, c)
			}
		}
	}
	return marks, first, len(found)
}

// negated reports whether one of the two words before words[k] is a
// negation.
func negated(words []string, k int) bool {
	for j := max(0, k-2); j < k; j++ {
		switch w := strings.ReplaceAll(words[j], "’", "'"); w {
		case "not", "no", "never", "without", "nor", "cannot", "pas", "sans", "jamais", "aucun", "aucune", "ni":
			return true
		default:
			if strings.HasSuffix(w, "n't") || w == "dont" {
				return true
			}
		}
	}
	return false
}

// rows returns the rows of a table: the sentences carrying one of its cues,
// best ranked first.
func (tb *tableBuilder) rows(spec tableSpec) []rowCandidate {
	cues, nameCues := newCueList(spec.cues), newCueList(spec.nameCues)
	var cands []rowCandidate
	for i := range tb.doc.sentences {
		s := &tb.doc.sentences[i]
		if w := s.words(); w < minRowSentenceWords || w > maxRowSentenceWords || isHeading(*s) || !s.isProse() {
			continue
		}
		_, cue, distinct := cues.marks(tb.words[i])
		if cue == "" {
			continue
		}
		// Sentences the ranking skipped still count, after every ranked one.
		// Short sentences make focused rows.
		score := (tb.scores[i] + 1e-6/float64(i+1)) * min(1, focusWords/float64(s.words())) *
			float64(1+tb.topPhrasesIn(i))
		if spec.weighCues {
			score *= float64(distinct)
		}
		cands = append(cands, rowCandidate{sentence: s, cue: cue, score: score})
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if x, y := spec.after[cands[a].sentence.text], spec.after[cands[b].sentence.text]; x != y {
			return y
		}
		return cands[a].score > cands[b].score
	})
	var out []rowCandidate
	used := map[string]bool{}
	for _, c := range cands {
		if len(out) == spec.rows {
			break
		}
		c.description = describe(c.sentence.text, cues)
		name := ""
		if spec.namedBy != noComplementName {
			name = tb.complementName(c, spec.namedBy, cues, used)
		}
		if name == "" {
			name = tb.name(c, used, nameCues, spec.weighCues)
		}
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
// supply"); "" when no keyphrase is left. With alone, the name is the best
// keyphrase of the row's description, by itself.
func (tb *tableBuilder) name(c rowCandidate, used map[string]bool, nameCues cueList, alone bool) string {
	i := c.sentence.index
	phrases := tb.phrases[i]
	if alone {
		phrases = phrasesIn(phrases, tokenize(c.description, tb.doc.lex))
	}
	var single, multi *keyphrase
	for _, kp := range phrases {
		if used[kp.key] || partOfUsed(kp, used, tb.phrases[i]) || nameCues != nil && !containsCue(kp, nameCues) ||
			alone && kp.determined == 0 {
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
	for _, kp := range phrases {
		if alone {
			break
		}
		if kp != best && kp.rank < topPhrases && !overlapsAny(kp, []*keyphrase{best}) &&
			!subset(best.content, kp.content) && !partOfUsed(kp, used, tb.phrases[i]) {
			name += " " + tb.and() + " " + tb.casing.show(kp)
			break
		}
	}
	return capitalise(firstWords(name, maxNameWords))
}

// complementName names a row by a noun and its complement, as the
// description words them: a noun of the table's kind (a risk cue: "risk of
// misinformation", "dependence on mentors", "perte de données"; or a noun
// of action: "adoption of heat pumps", "investment in storage"), its
// preposition and the keyphrase right after it. The noun is not a verb form
// (see isVerbForm), nor a risk cue used as a verb after its subject
// ("installers warn of"). It
// returns "" when the description has no such phrase or its keyphrase
// already names a row.
func (tb *tableBuilder) complementName(c rowCandidate, kind headKind, cues cueList, used map[string]bool) string {
	toks := tokenize(strings.TrimFunc(c.description, func(r rune) bool { return r == '…' }), tb.doc.lex)
	for k := 0; k+2 < len(toks); k++ {
		head, prep := toks[k], toks[k+1]
		switch {
		case head.modifier || prep.breakBefore || toks[k+2].breakBefore || negated(lowerWords(toks), k):
			continue
		case kind == riskNouns && !(nounCue(cues, head.lower, prep.lower) && isComplementPreposition(prep.lower)):
			continue
		case kind == actionNouns && !(isActionNoun(head.lower) && (isComplementPreposition(prep.lower) || prep.lower == "to" || prep.lower == "à")):
			continue
		case kind == riskNouns && k > 0 && !mayPrecedeNoun(toks[k-1]):
			continue // "installers warn of": a risk cue may be a verb
		}
		kp := tb.phraseAt(c.sentence.index, toks[k+2:])
		if kp == nil || used[kp.key] {
			continue
		}
		used[kp.key] = true
		words := []string{head.text, prep.text, tb.casing.show(kp)}
		return capitalise(firstWords(strings.Join(words, " "), maxNameWords))
	}
	return ""
}

// isActionNoun reports whether a lower-case English or French word is a
// noun of action by its ending ("adoption", "investment", "reliance",
// "croissance") or one of the short nouns of change ("use",
// "shift", "rise").
func isActionNoun(w string) bool {
	switch w {
	case "use", "usage", "shift", "rise", "growth", "switch", "move", "return", "purchase", "demand",
		"essor", "recours", "hausse", "baisse", "retour", "achat":
		return true
	}
	if len([]rune(w)) < 6 {
		return false
	}
	for _, suffix := range []string{"tion", "sion", "ment", "ance", "ence", "ship"} {
		if strings.HasSuffix(w, suffix) {
			return true
		}
	}
	return false
}

// nounCue reports whether word w, followed by next, is one of the cues by
// itself ("risk") or with next ("lack of").
func nounCue(cues cueList, w, next string) bool {
	for _, cue := range cues[w] {
		if len(cue) == 1 || len(cue) == 2 && cue[1] == next {
			return true
		}
	}
	return false
}

// mayPrecedeNoun reports whether a word can stand right before a noun: a
// function word ("the", "a", "is") or an adjective or participle by its
// form ("growing", "potential", "modifier" words). A content word of any
// other form before a cue is rather its subject ("installers warn of").
func mayPrecedeNoun(t token) bool {
	if t.stop || t.modifier {
		return true
	}
	for _, suffix := range []string{"ing", "al", "ive", "ous", "ful", "ic", "ent", "ant", "ary", "ible", "able"} {
		if strings.HasSuffix(t.lower, suffix) {
			return true
		}
	}
	return false
}

// isComplementPreposition reports whether a word introduces a noun's
// complement ("risk of", "investment in", "perte de"); "to" is left out, as
// it mostly follows verbs ("led to", "lost to").
func isComplementPreposition(w string) bool {
	switch w {
	case "of", "on", "for", "in", "de", "du", "des", "pour", "sur", "dans":
		return true
	}
	return false
}

// lowerWords returns the lower-case words of tokens.
func lowerWords(toks []token) []string {
	out := make([]string, len(toks))
	for k, t := range toks {
		out[k] = t.lower
	}
	return out
}

// phraseAt returns the keyphrase of sentence i that starts the tokens toks
// and ends on its head noun, or nil: the longest one in English, where the
// head ends the phrase ("political retribution"), the shortest in French,
// where the head starts it and verbs may follow ("formation", not
// "formation reste").
func (tb *tableBuilder) phraseAt(i int, toks []token) *keyphrase {
	var best *keyphrase
	for _, kp := range tb.phrases[i] {
		if len(kp.stems) > len(toks) || kp.key != stemKey(toks[:len(kp.stems)]) {
			continue
		}
		french := tb.doc.lex.lang == "fr"
		if best == nil || !french && len(kp.stems) > len(best.stems) || french && len(kp.stems) < len(best.stems) {
			best = kp
		}
	}
	return best
}

// phrasesIn keeps the keyphrases whose stems occur consecutively in toks.
func phrasesIn(phrases []*keyphrase, toks []token) []*keyphrase {
	keys := map[string]bool{}
	for k := range toks {
		for n := 1; n <= maxPhraseWords && k+n <= len(toks); n++ {
			keys[stemKey(toks[k:k+n])] = true
		}
	}
	var out []*keyphrase
	for _, kp := range phrases {
		if keys[kp.key] {
			out = append(out, kp)
		}
	}
	return out
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

// containsCue reports whether a keyphrase contains one of the cues.
func containsCue(kp *keyphrase, cues cueList) bool {
	_, first, _ := cues.marks(strings.Fields(strings.ToLower(mostFrequent(kp.forms))))
	return first != ""
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

// bestScore returns the highest score among the rows. It is usually the
// first row's, but rows moved after the others (spec.after) may score
// higher than the first.
func bestScore(cands []rowCandidate) float64 {
	best := 0.0
	for _, c := range cands {
		best = max(best, c.score)
	}
	return best
}

// signals builds the weak-signals table from its specification.
func (tb *tableBuilder) signals(spec tableSpec) []schema.Signal {
	cands := tb.rows(spec)
	best := bestScore(cands)
	out := make([]schema.Signal, 0, len(cands))
	for _, c := range cands {
		out = append(out, schema.Signal{
			Name:        c.name,
			Description: c.description,
			Change:      change(c.sentence, c.cue),
			Relevancy:   relevancy(c.score, best),
			Evidence:    c.sentence.text,
		})
	}
	return out
}

// table builds one of the concerns, behaviors, technologies or issues
// tables from its specification.
func (tb *tableBuilder) table(spec tableSpec) []schema.Row {
	cands := tb.rows(spec)
	best := bestScore(cands)
	out := make([]schema.Row, 0, len(cands))
	for _, c := range cands {
		out = append(out, schema.Row{
			Name:        c.name,
			Description: c.description,
			Relevancy:   relevancy(c.score, best),
			Evidence:    c.sentence.text,
		})
	}
	return out
}

// describe returns a sentence cut to maxDescriptionWords words: the window
// holding the most cues, the one centred on the first cue among equals,
// marked with an ellipsis where cut.
func describe(s string, cues cueList) string {
	words := strings.Fields(s)
	if len(words) <= maxDescriptionWords {
		return strings.Join(words, " ")
	}
	plain := make([]string, len(words))
	for k, w := range words {
		parts := splitElision(strings.TrimFunc(w, notLetter))
		plain[k] = strings.ToLower(parts[len(parts)-1])
	}
	marks, _, _ := cues.marks(plain)
	start := densestWindow(marks, maxDescriptionWords)
	cut := strings.Join(words[start:start+maxDescriptionWords], " ")
	cut = strings.TrimFunc(cut, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '(' && r != ')' })
	if start > 0 {
		cut = "…" + cut
	}
	if start+maxDescriptionWords < len(words) {
		cut += "…"
	}
	return cut
}

// densestWindow returns the start of the window of n marks (n < len(marks))
// holding the most true marks; among equals, the one closest to centring
// the first mark (the start when nothing is marked).
func densestWindow(marks []bool, n int) int {
	centred := 0
	if first := slices.Index(marks, true); first >= 0 {
		centred = min(max(0, first-n/2), len(marks)-n)
	}
	count := 0
	for _, m := range marks[:n] {
		if m {
			count++
		}
	}
	best, bestCount := 0, -1
	for start := 0; start+n <= len(marks); start++ {
		if start > 0 {
			if marks[start-1] {
				count--
			}
			if marks[start+n-1] {
				count++
			}
		}
		if count > bestCount || count == bestCount && abs(start-centred) < abs(best-centred) {
			best, bestCount = start, count
		}
	}
	return best
}

// abs returns the absolute value of x.
func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
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

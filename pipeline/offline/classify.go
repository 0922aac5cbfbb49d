package offline

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/veille/veille/schema"
)

// pageType decides the card's type from rules on the page's host, its URL
// path and its text, in this order: error or wall pages, social networks,
// research (archives, DOIs, journals, encyclopaedias), blogging platforms,
// news outlets and news URL layouts; then the text's voice (first person →
// blog post, reported speech → news); "others" when nothing applies.
func pageType(p Page, doc *document) schema.Type {
	host, path := hostAndPath(p.URL)
	text := strings.ToLower(p.Text)
	words := len(strings.Fields(p.Text))
	switch {
	case isErrorPage(text, words):
		return schema.TypeErrorMessage
	case hostIn(host, socialHosts):
		return schema.TypeSocialNetwork
	case hostIn(host, researchHosts) || isResearchText(text):
		return schema.TypeResearchArticle
	case hostIn(host, blogHosts) || strings.HasPrefix(host, "blog.") || strings.Contains(path, "/blog"):
		return schema.TypeBlogPost
	case hostIn(host, newsHosts) || newsPath.MatchString(path):
		return schema.TypeNews
	}
	return typeFromVoice(doc)
}

// newsPath matches the dated or sectioned URL paths of news sites.
var newsPath = regexp.MustCompile(`/(19|20)\d\d/\d\d?/(\d\d?/)?|/news/|/actualites?/|/articles?/`)

// Host lists: a page belongs to a list when its host is, or is a subdomain
// of, one of the list's domains.
const (
	socialHosts = "linkedin.com twitter.com x.com facebook.com instagram.com threads.net " +
		"reddit.com bsky.app mastodon.social tiktok.com youtube.com news.ycombinator.com " +
		"t.me pinterest.com tumblr.com"
	researchHosts = "arxiv.org doi.org biorxiv.org medrxiv.org ssrn.com nature.com science.org " +
		"sciencedirect.com springer.com link.springer.com wiley.com onlinelibrary.wiley.com " +
		"plos.org pnas.org acm.org ieee.org ieeexplore.ieee.org researchgate.net " +
		"ncbi.nlm.nih.gov pubmed.ncbi.nlm.nih.gov hal.science theses.fr cairn.info " +
		"openreview.net aclanthology.org semanticscholar.org jstor.org frontiersin.org " +
		"mdpi.com cell.com thelancet.com bmj.com nber.org wikipedia.org"
	blogHosts = "substack.com medium.com wordpress.com blogspot.com ghost.io hashnode.dev " +
		"dev.to over-blog.com hypotheses.org typepad.com svbtle.com bearblog.dev " +
		"write.as micro.blog beehiiv.com"
	newsHosts = "bbc.com bbc.co.uk cnn.com nytimes.com theguardian.com reuters.com apnews.com " +
		"npr.org washingtonpost.com wsj.com ft.com bloomberg.com economist.com axios.com " +
		"theverge.com wired.com techcrunch.com arstechnica.com theregister.com engadget.com " +
		"newscientist.com theatlantic.com politico.com politico.eu aljazeera.com " +
		"lemonde.fr lefigaro.fr liberation.fr franceinfo.fr francetvinfo.fr 20minutes.fr " +
		"lesechos.fr latribune.fr leparisien.fr ouest-france.fr lapresse.ca ledevoir.com " +
		"radio-canada.ca rfi.fr france24.com lepoint.fr lexpress.fr nouvelobs.com " +
		"usatoday.com nbcnews.com cbsnews.com abcnews.go.com foxnews.com time.com " +
		"fortune.com forbes.com businessinsider.com cnbc.com vox.com zdnet.com ign.com " +
		"theconversation.com scientificamerican.com phys.org sciencedaily.com"
)

// hostAndPath returns the lower-case host (without "www.") and path of u.
func hostAndPath(u string) (host, path string) {
	parsed, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return "", ""
	}
	return strings.TrimPrefix(strings.ToLower(parsed.Hostname()), "www."), strings.ToLower(parsed.Path)
}

// hostIn reports whether host is one of the space-separated domains or a
// subdomain of one.
func hostIn(host, domains string) bool {
	if host == "" {
		return false
	}
	for _, d := range strings.Fields(domains) {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// isErrorPage reports whether the text is an error page, a login or a bot
// wall: very short, or short and saying so.
func isErrorPage(lowerText string, words int) bool {
	if words < 25 {
		return true
	}
	if words > 250 {
		return false
	}
	for _, cue := range []string{
		"page not found", "404", "access denied", "403 forbidden", "enable javascript",
		"javascript is disabled", "are you a robot", "verify you are human", "captcha",
		"unusual traffic", "sign in to continue", "log in to continue", "please log in",
		"subscribe to continue", "cookies to continue", "just a moment", "checking your browser",
		"page introuvable", "erreur 404", "accès refusé", "connectez-vous", "activez javascript",
		"vous n'êtes pas un robot",
	} {
		if strings.Contains(lowerText, cue) {
			return true
		}
	}
	return false
}

// isResearchText reports whether the text reads as a scholarly paper: an
// abstract and references, or a DOI.
func isResearchText(lowerText string) bool {
	if strings.Contains(lowerText, "doi.org/") || strings.Contains(lowerText, "doi:") {
		return true
	}
	hasAbstract := strings.Contains(lowerText, "abstract") || strings.Contains(lowerText, "résumé")
	hasRefs := strings.Contains(lowerText, "references") || strings.Contains(lowerText, "bibliographie")
	return hasAbstract && hasRefs
}

// typeFromVoice guesses the type from how the text speaks: many first-person
// singular pronouns make a blog post, reported speech makes news.
func typeFromVoice(doc *document) schema.Type {
	var words, firstPerson, reported int
	for _, s := range doc.sentences {
		for _, t := range s.tokens {
			words++
			switch t.lower {
			case "i", "i'd", "i'm", "i've", "i'll", "my", "me", "je", "j", "mon", "ma", "mes", "moi":
				if !strings.HasPrefix(t.lower, "i") || strings.HasPrefix(t.text, "I") {
					firstPerson++
				}
			case "said", "told", "according", "spokesperson", "spokesman", "déclaré", "selon", "affirmé":
				reported++
			}
		}
	}
	switch {
	case words == 0:
		return schema.TypeOthers
	case firstPerson*200 >= words:
		return schema.TypeBlogPost
	case reported*300 >= words:
		return schema.TypeNews
	}
	return schema.TypeOthers
}

// Category lexicons: words whose frequency votes for a category. Business,
// culture and everyday-life words vote for "others", so that a page on a
// stock listing or a recipe is not filed under politics or infrastructures
// for a stray "government" or "water".
const (
	sportWords = "sport sports match matches championship championships tournament league " +
		"football soccer tennis rugby basketball baseball hockey golf boxing cycling " +
		"swimming swim marathon olympic olympics athlete athletes coach coaches cup finals " +
		"season seasons team teams player players scored scores goal goals playoff playoffs " +
		"quarterback touchdown touchdowns yards defensive offensive tackles innings stadium " +
		"nfl nba nhl mlb nascar motogp f1 medal medals relay freestyle " +
		"championnat athlète athlètes coupe équipe équipes joueur joueurs saison entraîneur stade"
	politicsWords = "government governments election elections law laws policy policies " +
		"minister ministry parliament president senate senator senators congress " +
		"congressman congresswoman lawmakers legislature legislation governor governors " +
		"republican republicans democrat democrats democratic impeachment administration " +
		"campaign vote voters regulation regulations party parties political politics " +
		"democracy protest protests protesters sanctions diplomatic troops military war " +
		"refugees immigration immigrants deported deportation deportees " +
		"gouvernement élection élections loi lois politique ministre ministère parlement " +
		"président sénat électeurs réglementation parti démocratie manifestations"
	technologyWords = "technology technologies ai software digital internet app apps data " +
		"computer computers robot robots algorithm algorithms platform platforms online " +
		"device devices chip chips startup startups cloud model models llm llms chatgpt " +
		"openai google apple microsoft web tech streaming subscribers gaming gamers " +
		"console consoles playstation xbox nintendo smartphone smartphones iphone ipad " +
		"macbook laptop laptops keyboard processor battery batteries electric ev evs " +
		"hybrid autonomous gadget gadgets glitches outage servers website websites " +
		"ia numérique logiciel logiciels données " +
		"plateforme plateformes ordinateur technologie technologies application applications " +
		"intelligence artificielle crawlers code coding programming developer developers " +
		"github javascript css tutorial tutorials développeurs programmation"
	scienceWords = "science scientific scientists research researchers study studies " +
		"experiment physics biology chemistry species climate universe planet planets " +
		"energy fusion plasma laboratory lab survey evidence data theory novel " +
		"nasa space spacecraft telescope astronomers orbit moon moons jupiter saturn mars " +
		"disease diseases virus bacteria infection plague disorder clinical medical " +
		"cells genes dna brain lung lungs " +
		"chercheurs chercheur recherche étude études scientifique scientifiques expérience " +
		"physique biologie climat espèces énergie laboratoire"
	cityWords = "city cities urban neighborhood neighbourhood residents mayor street streets " +
		"downtown housing municipal rooftops rooftop pollution smog festival " +
		"ville villes urbain urbaine quartier " +
		"quartiers habitants maire rue rues logement municipal municipale pollution"
	infrastructureWords = "infrastructure infrastructures transit subway railway railways rail " +
		"trains train grid bridge bridges road roads highway airport port pipeline " +
		"maintenance network networks tunnel tunnels cable cables " +
		"réseau réseaux routes pont ponts métro ferroviaire aéroport électricité"
	businessWords = "shares shareholders investors investor stock stocks revenue revenues sales " +
		"earnings profit profits ceo executive executives company companies market markets " +
		"listing ipo billion million quarter quarterly retail retailer deals discount " +
		"entreprise entreprises actionnaires chiffre bénéfice marché marchés bourse"
	cultureWords = "film films movie movies album song songs singer actress actor concert " +
		"band music musical theatre theater celebrity star stars episode dancing show " +
		"recipe recipes cooking ingredients meal meals kids hiking book books " +
		"cinéma chanson chanteur chanteuse actrice acteur concert recette recettes livre"
)

// titleWeight is how many times a word of the title counts: the headline
// says what the page is about more surely than its body.
const titleWeight = 3

// category decides the card's category: the lexicon with the most
// occurrences in the title (each counting [titleWeight] times) and the text,
// if it has 3 of them and 0.5 % of the words; "others" otherwise.
func category(doc *document, title string) schema.Category {
	lexicons := []struct {
		cat   schema.Category
		words string
	}{
		{schema.CategorySport, sportWords},
		{schema.CategoryPolitics, politicsWords},
		{schema.CategoryTechnology, technologyWords},
		{schema.CategoryScience, scienceWords},
		{schema.CategoryCity, cityWords},
		{schema.CategoryInfrastructures, infrastructureWords},
		{schema.CategoryOthers, businessWords},
		{schema.CategoryOthers, cultureWords},
	}
	counts := make([]int, len(lexicons))
	sets := make([]map[string]bool, len(lexicons))
	for k, l := range lexicons {
		sets[k] = map[string]bool{}
		addWords(sets[k], strings.ReplaceAll(l.words, " ", "\n"))
	}
	vote := func(word string, weight int) {
		for k := range sets {
			if sets[k][word] {
				counts[k] += weight
			}
		}
	}
	words := 0
	for _, s := range doc.sentences {
		for _, t := range s.tokens {
			words++
			vote(t.lower, 1)
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(title), notWordRune) {
		vote(w, titleWeight)
	}
	best := -1
	for k := range counts {
		if best < 0 || counts[k] > counts[best] {
			best = k
		}
	}
	if best < 0 || counts[best] < 3 || counts[best]*200 < words {
		return schema.CategoryOthers
	}
	return lexicons[best].cat
}

// notWordRune reports whether r separates words: anything but a letter or a
// digit.
func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

package offline

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

// validate fails the test when a card does not pass schema.Validate.
func validate(t testing.TB, name string, a schema.Answer) {
	t.Helper()
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatalf("%s: marshal card: %v", name, err)
	}
	if _, err := schema.Validate(raw); err != nil {
		t.Fatalf("%s: invalid card: %v\n%s", name, err, raw)
	}
}

// adversarialPages are pages no real extractor should produce, and that the
// baseline must still turn into valid cards.
var adversarialPages = []struct {
	name string
	page Page
}{
	{"empty", Page{}},
	{"blank", Page{Text: " \n\t\n ", Title: "  "}},
	{"one word", Page{Text: "Hello"}},
	{"one sentence", Page{Text: "Heat pumps outsold gas boilers for the first time.", URL: "https://example.org/x"}},
	{"punctuation only", Page{Text: "... !!! ??? --- ,,, ;;; … «» “”"}},
	{"digits only", Page{Text: "1 2 3 4 5 6 7 8 9 10 2024 2025 3.14 1,000,000"}},
	{"chinese", Page{Text: "人工智能正在改变世界。越来越多的公司开始使用生成式人工智能。这带来了新的风险。", Lang: "zh"}},
	{"arabic", Page{Text: "الذكاء الاصطناعي يغير العالم. تستخدم الشركات بشكل متزايد هذه التكنولوجيا الجديدة."}},
	{"russian", Page{Text: "Искусственный интеллект меняет мир. Всё больше компаний используют новые технологии."}},
	{"html garbage", Page{Text: `<html><head><script>var x = {"a": 1};</script></head><body><div class="nav">Home | About | Login</div><p>Cookies &amp; privacy</p></body></html>`}},
	{"no punctuation", Page{Text: strings.Repeat("growing risk of new technology adoption among users ", 300)}},
	{"invalid utf8", Page{Text: "Caf\xe9 society is growing\xff. New risk\xfe emerges.", Title: "\xff\xfe"}},
	{"same word", Page{Text: strings.Repeat("risk. ", 200)}},
	{"title separators only", Page{Title: " | - | ", Text: "A new risk is growing among users of online platforms today."}},
	{"login wall", Page{URL: "https://www.linkedin.com/posts/x", Text: "Sign in to continue. Join now. Forgot password? By clicking continue you agree to the User Agreement."}},
	{"french", Page{Lang: "fr", Text: "L'IA générative est de plus en plus utilisée dans la fonction publique. " +
		"M. Dupont craint une hausse des risques. Les agents utilisent de nouveaux outils numériques."}},
	{"control characters", Page{Text: "Risk\x00 grows\x07 among users.\x1b[31m New tools\u200b emerge."}},
}

func TestCardAlwaysValid(t *testing.T) {
	for _, tc := range adversarialPages {
		t.Run(tc.name, func(t *testing.T) {
			validate(t, tc.name, Card(tc.page))
		})
	}
}

func TestCardGoldPairsValid(t *testing.T) {
	for _, p := range goldPairs(t) {
		validate(t, p.id, Card(p.page))
	}
}

func TestCardDeterministic(t *testing.T) {
	for _, tc := range adversarialPages {
		a, _ := json.Marshal(Card(tc.page))
		b, _ := json.Marshal(Card(tc.page))
		if string(a) != string(b) {
			t.Errorf("%s: two runs differ:\n%s\n%s", tc.name, a, b)
		}
	}
}

func TestCardEvidenceIsVerbatim(t *testing.T) {
	for _, tc := range adversarialPages {
		a := Card(tc.page)
		for _, s := range a.Signals {
			if !strings.Contains(tc.page.Text, s.Evidence) {
				t.Errorf("%s: signal evidence %q not in the text", tc.name, s.Evidence)
			}
			if s.TenYear != "" || s.DrivingForce != "" {
				t.Errorf("%s: signal %q invents 10-year/driving-force", tc.name, s.Name)
			}
		}
		for _, rows := range [][]schema.Row{a.Concerns, a.Behaviors, a.Technologies, a.Issues} {
			for _, r := range rows {
				if !strings.Contains(tc.page.Text, r.Evidence) {
					t.Errorf("%s: row evidence %q not in the text", tc.name, r.Evidence)
				}
			}
		}
	}
}

func TestCardSummaryWithinLimit(t *testing.T) {
	pages := []Page{{Text: strings.Repeat("Emerging technology adoption is growing fast among young users of the platform. ", 100)}}
	for _, tc := range adversarialPages {
		pages = append(pages, tc.page)
	}
	for _, p := range pages {
		if n := len(strings.Fields(Card(p).Summary)); n > maxSummaryWords {
			t.Errorf("summary of %.40q has %d words, want at most %d", p.Text, n, maxSummaryWords)
		}
	}
}

func TestPageType(t *testing.T) {
	long := strings.Repeat("The council said the new rail line will open next year, according to officials. ", 20)
	tests := []struct {
		name string
		page Page
		want schema.Type
	}{
		{"social host", Page{URL: "https://www.linkedin.com/posts/someone-123", Text: long}, schema.TypeSocialNetwork},
		{"arxiv", Page{URL: "https://arxiv.org/abs/2603.23714", Text: long}, schema.TypeResearchArticle},
		{"doi in text", Page{URL: "https://example.org/paper", Text: long + " Available at https://doi.org/10.1000/xyz."}, schema.TypeResearchArticle},
		{"substack", Page{URL: "https://someone.substack.com/p/post", Text: long}, schema.TypeBlogPost},
		{"news outlet", Page{URL: "https://www.bbc.com/news/articles/abc", Text: long}, schema.TypeNews},
		{"dated path", Page{URL: "https://example.org/2025/03/18/story", Text: long}, schema.TypeNews},
		{"error page", Page{URL: "https://example.org/missing", Text: "404 Page not found. The page you are looking for does not exist."}, schema.TypeErrorMessage},
		{"first person", Page{URL: "https://example.org/essay", Text: strings.Repeat("I think my garden taught me patience, and I learned to wait. ", 20)}, schema.TypeBlogPost},
		{"reported speech", Page{URL: "https://example.org/story", Text: long}, schema.TypeNews},
		{"unsure", Page{URL: "https://example.org/page", Text: strings.Repeat("Heat pumps move heat from outside air into buildings efficiently. ", 20)}, schema.TypeOthers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Card(tc.page).Type; got != tc.want {
				t.Errorf("type = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	tests := []struct {
		page Page
		want string
	}{
		{Page{Title: "Echopraxia (novel) - Wikipedia", URL: "https://en.wikipedia.org/wiki/Echopraxia_(novel)"}, "Echopraxia (novel)"},
		{Page{Title: "The Fed - Long COVID, Cognitive Impairment, and the Stalled Decline in Disability Rates"}, "Long COVID, Cognitive Impairment, and the Stalled Decline in Disability Rates"},
		{Page{Title: "Why banks are becoming publishers | Brand Publishing Toolkit"}, "Why banks are becoming publishers"},
		{Page{Title: "Learn In Public"}, "Learn In Public"},
		{Page{Metadata: schema.Metadata{Title: "Meta title | Site"}}, "Meta title"},
		{Page{Text: "First line headline\nBody text here."}, "First line headline"},
		{Page{URL: "https://example.org/a"}, "example.org"},
		// Labels go from both ends; the headline inside stays whole.
		{Page{Title: "Star Wars Jedi: Fallen Order review - shoots for the moon, lands among the stars - VG247"},
			"Star Wars Jedi: Fallen Order review - shoots for the moon, lands among the stars"},
		{Page{Title: "Die elektronische Patientenakte (ePA) – der lange Marsch ins Digitale Gesundheitswesen"},
			"Die elektronische Patientenakte (ePA) – der lange Marsch ins Digitale Gesundheitswesen"},
		{Page{Title: "Opinion | Republicans Are Following Trump to Nowhere"}, "Republicans Are Following Trump to Nowhere"},
		{Page{Title: "The Guardian view on Hong Kong: a city on the brink | Editorial"}, "The Guardian view on Hong Kong: a city on the brink"},
		{Page{Title: "Nadal keeps Spain alive in Davis Cup Finals - Sportsnet.ca", URL: "https://www.sportsnet.ca/tennis/x"},
			"Nadal keeps Spain alive in Davis Cup Finals"},
		{Page{Title: "LinkNaija | Nigeria's popular news platform: Kate Henshaw Is Looking Stunning",
			Metadata: schema.Metadata{SiteName: "LinkNaija | Nigeria's popular news platform"}}, "Kate Henshaw Is Looking Stunning"},
		// A short part that is not title case belongs to the headline.
		{Page{Title: "Apple event live - as it happened"}, "Apple event live - as it happened"},
	}
	for _, tc := range tests {
		if got := Card(tc.page).Title; got != tc.want {
			t.Errorf("title of %+v = %q, want %q", tc.page, got, tc.want)
		}
	}
}

func FuzzCard(f *testing.F) {
	for _, tc := range adversarialPages {
		f.Add(tc.page.URL, tc.page.Title, tc.page.Text, tc.page.Lang)
	}
	f.Fuzz(func(t *testing.T, url, title, text, lang string) {
		validate(t, "fuzz", Card(Page{URL: url, Title: title, Text: text, Lang: lang}))
	})
}

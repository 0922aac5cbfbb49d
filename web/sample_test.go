package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// Sample card IDs.
const (
	idAI      = "bf3c44b3c8125320aa00000000000001"
	idGrid    = "bf3c44b3c8125320aa00000000000002"
	idHostile = "bf3c44b3c8125320aa00000000000003"
	idBig     = "bf3c44b3c8125320aa00000000000004"
	idNoText  = "bf3c44b3c8125320aa00000000000005"
)

// day is a fixed date for the samples.
var day = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func rel(n int) *int { return &n }

// aiText is the page behind the AI card.
const aiText = `Promouvoir une utilisation responsable de l'IA générative dans la fonction publique québécoise.
Je suis très mal à l'aise avec l'interdiction des assistants virtuels dans la fonction publique.
Cette interdiction pourrait nuire à la productivité gouvernementale.
Les employés téléversent déjà des données sensibles même lorsque l'IA est interdite.
L'éducation est cruciale pour une adoption sécurisée de l'IA.
Le fédéral encourage au contraire l'usage encadré de ces outils.`

// sampleCollection is a small collection: two realistic cards (one with
// two versions), a hostile card, a card with a 1 MB summary and an
// imported card without page text, plus runs.
func sampleCollection() *fakeCollection {
	f := &fakeCollection{attempts: map[int64][]schema.JobAttempt{}}
	openai := schema.Provenance{Provider: "openai", Model: "gpt-4o-mini", PromptVersion: "card-v1", CostUSD: 0.0021}
	offline := schema.Provenance{Provider: "offline", Model: "baseline", PromptVersion: "-"}
	f.add(idAI, aiCard(), aiText, day, offline)
	f.add(idAI, aiCard(), aiText, day, openai)
	f.add(idGrid, gridCard(), gridText, day.AddDate(0, 0, -9), openai)
	f.add(idHostile, hostileCard(), hostileText, day.AddDate(0, 0, -2), openai)
	f.byID[idAI].mentions = []schema.Mention{
		{Kind: schema.MentionDigest, Source: "https://letter.example.org/issue-12", Label: "issue-12", FirstSeen: day},
		{Kind: schema.MentionList, Source: "/home/ana/pocket.csv", Tags: []string{"ai", "état"}, FirstSeen: day}}
	f.byID[idHostile].mentions = []schema.Mention{
		{Kind: schema.MentionFeed, Source: "javascript:alert('feed')", Tags: []string{"<b>digest</b>"}, FirstSeen: day}}
	big := gridCard()
	big.URL = "https://big.example.net/long"
	big.Title = "A card with a very long summary"
	big.Summary = strings.Repeat("long summary words ", 1<<20/19)
	f.add(idBig, big, "", day.AddDate(0, 0, -30), offline)
	imported := gridCard()
	imported.URL = "https://archive.example.org/old-page"
	imported.Title = "An imported card"
	f.add(idNoText, imported, "", day.AddDate(0, -3, 0), schema.Provenance{Provider: schema.ProviderImported, Model: "old.md"})
	f.batches = []schema.BatchRun{{ID: 7, StartedAt: day, FinishedAt: day.Add(time.Hour), Status: schema.BatchCompleted,
		Queued: 3, Done: 1, Failed: 2, CostUSD: 0.01, Elapsed: time.Hour}}
	f.attempts[7] = []schema.JobAttempt{
		{ID: 1, RunID: 7, Attempt: 1, URL: "https://ok.example.com/a", Outcome: schema.AttemptDone},
		{ID: 2, RunID: 7, Attempt: 3, URL: "https://down.example.com/b", Outcome: schema.AttemptGaveUp, Cause: "http 503", Error: "503 Service Unavailable <b>bold</b>"},
		{ID: 3, RunID: 7, Attempt: 1, URL: "javascript:alert('run')", Outcome: schema.AttemptFailed, Cause: "input", Error: "not an http(s) URL"},
	}
	f.evals = []schema.EvalRun{{ID: 3, CreatedAt: day, Provider: "openai", Model: "gpt-4o-mini", Prompt: "card-v1", Cards: 40, Overall: 0.61}}
	return f
}

func aiCard() schema.Card {
	return schema.Card{
		URL:    "https://www.linkedin.com/posts/olivierblais_ia-activity-7330920404171030530",
		Origin: &schema.Link{Label: "20250615d", URL: "https://kghosh.substack.com/p/20250615d"},
		Answer: schema.Answer{
			Title:    "Promouvoir une utilisation responsable de l'IA générative dans la fonction publique québécoise",
			Keywords: []string{"IA générative", "fonction publique", "Québec"},
			Themes:   []string{"intelligence artificielle", "gouvernance", "éducation"},
			Category: schema.CategoryPolitics, Type: schema.TypeSocialNetwork,
			Summary: "L'auteur exprime son malaise face à l'interdiction de l'IA générative dans la fonction publique.",
			Signals: []schema.Signal{
				{Name: "Réserves sur l'IA générative", Description: "Inquiétudes quant à l'interdiction de l'IA générative.",
					Change: "D'une prudence extrême à une adoption encadrée.", TenYear: "L'IA intégrée aux processus.",
					DrivingForce: "La productivité.", Relevancy: rel(4), Evidence: "très mal à l'aise avec l'interdiction"},
				{Name: "Usage informel", Description: "Des données sensibles téléversées malgré l'interdiction.",
					Change: "D'un usage restreint à un usage rampant.", TenYear: "Un outil omniprésent.",
					DrivingForce: "L'efficacité.", Relevancy: rel(5), Evidence: "téléversent déjà des données sensibles"},
			},
			Concerns:  []schema.Row{{Name: "Productivité", Description: "Moins de productivité.", Evidence: "nuire à la productivité gouvernementale"}},
			Behaviors: []schema.Row{{Name: "Éducation", Description: "Former à l'IA.", Evidence: "L'éducation est cruciale"}},
			Issues:    []schema.Row{{Name: "Écart fédéral", Description: "Approches divergentes.", Evidence: "absent from the page"}},
		},
	}
}

const gridText = "Utilities are installing home batteries at scale.\nThe grid now buys power back from households every evening."

func gridCard() schema.Card {
	return schema.Card{
		URL: "https://www.energy.example.com/batteries",
		Answer: schema.Answer{
			Title: "Home batteries become part of the grid", Keywords: []string{"batteries", "grid"},
			Themes: []string{"energy", "gouvernance"}, Category: schema.CategoryInfrastructures, Type: schema.TypeNews,
			Summary: "Utilities install home batteries and buy power back.",
			Signals: []schema.Signal{{Name: "Virtual power plants", Description: "Households sell power.",
				Change: "From consumers to prosumers.", TenYear: "Most homes trade power.", DrivingForce: "Cheap storage.",
				Relevancy: rel(3), Evidence: "buys power back from households"}},
			Technologies: []schema.Row{{Name: "Home batteries", Description: "Storage at home.", Relevancy: rel(2), Evidence: "home batteries"}},
		},
	}
}

// hostileText is a page that tries to inject markup.
const hostileText = "Intro <script>alert('text')</script> and <img src=x onerror=alert(1)> then\x1b[31m red \u202e reversed.\n=HYPERLINK(\"http://evil\") closing words."

// hostileCard puts markup, event handlers, dangerous URLs, control
// characters and spreadsheet formulas wherever a model's text can go.
func hostileCard() schema.Card {
	return schema.Card{
		URL:    "javascript:alert('url')",
		Origin: &schema.Link{Label: "<b>digest</b>", URL: "data:text/html,<script>alert('origin')</script>"},
		Answer: schema.Answer{
			Title:    "<script>alert('title')</script> **bold** [x](javascript:alert(1)) <img src=x onerror=alert('t')>",
			Keywords: []string{"=HYPERLINK(\"http://evil\")", "<i>kw</i>"},
			Themes:   []string{"<svg onload=alert('theme')>", "gouvernance"},
			Category: schema.CategoryTechnology, Type: schema.TypeBlogPost,
			Summary: "Summary \"><script>alert('summary')</script> with\x00nul\x1b[2J and <a href=\"javascript:alert(2)\">link</a>",
			Signals: []schema.Signal{{Name: "<script>alert('row')</script>", Description: "+cmd|' /C calc'!A0",
				Change: "-2+3", TenYear: "@SUM(A1)", DrivingForce: "\tTAB", Relevancy: rel(5),
				Evidence: "<script>alert('text')</script>"}},
			Concerns: []schema.Row{{Name: "\" onmouseover=\"alert(1)", Description: "=1+1", Evidence: "<img src=x onerror=alert(1)>"},
				{Name: "Overlap", Description: "\x01=2+2", Evidence: "alert(1)> then"}},
		},
	}
}

// bigCollection is n realistic cards over 52 weeks, for the benchmarks.
func bigCollection(n int) *fakeCollection {
	f := &fakeCollection{attempts: map[int64][]schema.JobAttempt{}}
	themes := []string{"energy", "gouvernance", "intelligence artificielle", "éducation", "santé", "climat", "mobilité", "travail"}
	text := strings.Repeat(gridText+"\n", 20)
	for i := range n {
		c := gridCard()
		c.URL = fmt.Sprintf("https://site%d.example.com/p/%d", i%37, i)
		c.Title = fmt.Sprintf("Card %d: home batteries and the grid", i)
		c.Themes = []string{themes[i%len(themes)], themes[(i/3)%len(themes)]}
		c.Category = schema.Categories[i%len(schema.Categories)]
		c.Summary = strings.Repeat("Utilities install home batteries and buy power back. ", 6)
		f.add(fmt.Sprintf("%032x", i), c, text, day.Add(-time.Duration(i)*time.Hour), schema.Provenance{Provider: "openai"})
	}
	return f
}

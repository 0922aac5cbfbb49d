package storetest

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

var collectionTests = []test{
	{"ListFilters", testListFilters},
	{"ListSortAndPages", testListSortAndPages},
	{"ListSummary", testListSummary},
	{"Facets", testFacets},
	{"Search", testSearch},
	{"SearchFiltersAndSorts", testSearchFiltersAndSorts},
	{"SearchSnippet", testSearchSnippet},
	{"SearchHostileQueries", testSearchHostileQueries},
	{"SearchFollowsNewestVersion", testSearchFollowsNewestVersion},
	{"ImportIdempotent", testImportIdempotent},
	{"ImportOnFetchedDocument", testImportOnFetchedDocument},
	{"ImportedSpansAndMarkdown", testImportedSpansAndMarkdown},
	{"Embeddings", testEmbeddings},
	{"EmbeddingsRejectBadVectors", testEmbeddingsRejectBadVectors},
	{"RelatedByText", testRelatedByText},
}

// collectionCard is one document of the collection fixture and its card.
type collectionCard struct {
	key       string // what the tests call it
	url, text string
	provider  string
	published time.Time
	card      schema.Card
}

// day is a date of the fixture at noon UTC.
func day(month time.Month, d int) time.Time { return time.Date(2026, month, d, 12, 0, 0, 0, time.UTC) }

// collection is the fixture: four documents, the last with two card
// versions (the older one listed first here).
var collection = []collectionCard{
	{key: "voitures", url: "https://www.lemonde.fr/voitures", provider: "openai", published: day(11, 24),
		text: "Les voitures électriques envahissent la ville. Les réseaux de recharge se multiplient.",
		card: schema.Card{Answer: schema.Answer{Title: "Les voitures électriques envahissent la ville",
			Keywords: []string{"voitures électriques", "mobilité"}, Themes: []string{"Énergie", "Mobility"},
			Category: schema.CategoryCity, Type: schema.TypeNews,
			Summary: "Les ventes de voitures électriques progressent dans les grandes villes françaises.",
			Signals: []schema.Signal{{Name: "Bus autonomes", Description: "Des bus sans chauffeur testés en banlieue."}}}}},
	{key: "cities", url: "https://example.com/cities", provider: "offline", published: day(11, 20),
		text: "Many cities now run electric buses. The energy bill falls.",
		card: schema.Card{Origin: &schema.Link{Label: "Digest 1", URL: "https://digest.example/issue-1"},
			Answer: schema.Answer{Title: "Smart cities bet on electric buses",
				Keywords: []string{"smart city", "buses"}, Themes: []string{"urbanism", "energy"},
				Category: schema.CategoryCity, Type: schema.TypeBlogPost,
				Summary: "Cities buy electric buses to cut emissions and energy costs."}}},
	{key: "models", url: "https://example.org/ai", provider: "openai", published: day(10, 1),
		text: "Language models help researchers. A city council also tests them.",
		card: schema.Card{Answer: schema.Answer{Title: "Language models change research",
			Keywords: []string{"ai", "research"}, Themes: []string{"technology"},
			Category: schema.CategoryTechnology, Type: schema.TypeResearchArticle,
			Summary:  "Researchers use language models to read papers.",
			Concerns: []schema.Row{{Name: "Reproducibility", Description: "Results depend on the model version."}}}}},
	{key: "policy-v1", url: "https://example.net/policy", provider: "openai", published: day(9, 1),
		text: "The parliament debates a new energy law.",
		card: schema.Card{Answer: schema.Answer{Title: "Science of old", Themes: []string{"old theme"},
			Category: schema.CategoryScience, Type: schema.TypeOthers, Summary: "Fossils and comets."}}},
	{key: "policy", url: "https://example.net/policy", provider: "anthropic", published: day(11, 26),
		text: "The parliament debates a new energy law.",
		card: schema.Card{Answer: schema.Answer{Title: "Parliament debates energy policy",
			Keywords: []string{"parliament"}, Themes: []string{"energy", "politics"},
			Category: schema.CategoryPolitics, Type: schema.TypeNews,
			Summary: "Members of parliament argue over the energy transition."}}},
}

// collectionIDs maps the fixture's keys to their stored document and card.
type collectionIDs struct {
	doc  map[string]string // document ID by key
	card map[string]int64  // card id by key
	key  map[string]string // key by document ID (the newest card's key)
}

// newCard is the NewCard of a fixture card.
func newCard(t *testing.T, c collectionCard) schema.NewCard {
	t.Helper()
	c.card.URL = c.url
	js, err := json.Marshal(c.card)
	if err != nil {
		t.Fatal(err)
	}
	return schema.NewCard{DocumentID: schema.DocumentID(c.url), URL: c.url, CardJSON: string(js),
		Markdown: "# " + c.card.Title, RawJSON: string(js), Published: c.published,
		Provenance: schema.Provenance{Provider: c.provider, Model: "m-" + c.key},
		Spans: []schema.Span{{Section: "signals", Name: "x", Evidence: "e", Start: 0, End: 1, Method: schema.GroundExact, Score: 1},
			{Section: "issues", Name: "y", Evidence: "f", Start: -1, End: -1, Method: schema.GroundNone}}}
}

// fillCollection stores the fixture.
func fillCollection(t *testing.T, s Backend) collectionIDs {
	t.Helper()
	ids := collectionIDs{doc: map[string]string{}, card: map[string]int64{}, key: map[string]string{}}
	for _, c := range collection {
		doc := saveDocument(t, s, c.url, c.text)
		nc := newCard(t, c)
		id, _ := saveCard(t, s, nc, run(doc))
		ids.doc[c.key], ids.card[c.key], ids.key[doc.ID] = doc.ID, id, c.key
	}
	return ids
}

// keys returns the fixture keys of listed cards.
func (ids collectionIDs) keys(cards []schema.CardSummary) []string {
	out := []string{}
	for _, c := range cards {
		out = append(out, ids.key[c.ID])
	}
	return out
}

// hitKeys returns the fixture keys of search hits.
func (ids collectionIDs) hitKeys(hits []schema.SearchHit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, ids.key[h.ID])
	}
	return out
}

func testListFilters(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	tests := []struct {
		name string
		f    schema.CardFilter
		want []string
	}{
		{"all, newest first", schema.CardFilter{}, []string{"policy", "voitures", "cities", "models"}},
		{"category", schema.CardFilter{Category: "city"}, []string{"voitures", "cities"}},
		{"category of an older version only", schema.CardFilter{Category: "science"}, []string{}},
		{"type", schema.CardFilter{Type: "news"}, []string{"policy", "voitures"}},
		{"theme ignores case", schema.CardFilter{Theme: "ÉNERGIE"}, []string{"voitures"}},
		{"theme", schema.CardFilter{Theme: "energy"}, []string{"policy", "cities"}},
		{"theme of an older version only", schema.CardFilter{Theme: "old theme"}, []string{}},
		{"keyword", schema.CardFilter{Keyword: "Voitures Électriques"}, []string{"voitures"}},
		{"host without www", schema.CardFilter{Host: "lemonde.fr"}, []string{"voitures"}},
		{"host with www", schema.CardFilter{Host: "www.lemonde.fr"}, []string{"voitures"}},
		{"host", schema.CardFilter{Host: "example.com"}, []string{"cities"}},
		{"provider", schema.CardFilter{Provider: "offline"}, []string{"cities"}},
		{"origin", schema.CardFilter{Origin: "https://digest.example/issue-1"}, []string{"cities"}},
		{"since is inclusive", schema.CardFilter{Since: day(11, 20)}, []string{"policy", "voitures", "cities"}},
		{"until is exclusive", schema.CardFilter{Until: day(11, 20)}, []string{"models"}},
		{"since and until", schema.CardFilter{Since: day(11, 1), Until: day(11, 25)}, []string{"voitures", "cities"}},
		{"two filters", schema.CardFilter{Category: "city", Provider: "openai"}, []string{"voitures"}},
		{"nothing", schema.CardFilter{Host: "nowhere.example"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards, err := s.ListCards(t.Context(), tt.f)
			if got := ids.keys(cards); err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListCards = %v, %v; want %v", got, err, tt.want)
			}
			n, err := s.CountCards(t.Context(), tt.f)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountCards = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
}

func testListSortAndPages(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	tests := []struct {
		name string
		f    schema.CardFilter
		want []string
	}{
		{"newest", schema.CardFilter{Sort: schema.SortNewest}, []string{"policy", "voitures", "cities", "models"}},
		{"oldest", schema.CardFilter{Sort: schema.SortOldest}, []string{"models", "cities", "voitures", "policy"}},
		{"title ignores case", schema.CardFilter{Sort: schema.SortTitle}, []string{"models", "voitures", "policy", "cities"}},
		{"limit", schema.CardFilter{Limit: 2}, []string{"policy", "voitures"}},
		{"offset", schema.CardFilter{Limit: 2, Offset: 1}, []string{"voitures", "cities"}},
		{"offset past the end", schema.CardFilter{Offset: 10}, []string{}},
		{"filtered page", schema.CardFilter{Category: "city", Limit: 1, Offset: 1}, []string{"cities"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards, err := s.ListCards(t.Context(), tt.f)
			if got := ids.keys(cards); err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListCards = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if n, err := s.CountCards(t.Context(), schema.CardFilter{Category: "city", Limit: 1, Offset: 1}); err != nil || n != 2 {
		t.Errorf("CountCards ignores the page: got %d, %v; want 2", n, err)
	}
	if _, err := s.ListCards(t.Context(), schema.CardFilter{Sort: "random"}); err == nil {
		t.Error("ListCards with an unknown sort: no error")
	}
}

func testListSummary(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	cards, err := s.ListCards(t.Context(), schema.CardFilter{Provider: "offline"})
	if err != nil || len(cards) != 1 {
		t.Fatalf("ListCards = %+v, %v", cards, err)
	}
	want := schema.CardSummary{ID: ids.doc["cities"], CardID: ids.card["cities"], Version: 1,
		URL: "https://example.com/cities", Title: "Smart cities bet on electric buses", Published: day(11, 20),
		Host: "example.com", Category: schema.CategoryCity, Type: schema.TypeBlogPost, Provider: "offline",
		Model: "m-cities", Origin: "https://digest.example/issue-1", RowsTotal: 2, RowsGrounded: 1}
	if !reflect.DeepEqual(cards[0], want) {
		t.Errorf("summary =\n%+v\nwant\n%+v", cards[0], want)
	}
	policy, err := s.ListCards(t.Context(), schema.CardFilter{Host: "example.net"})
	if err != nil || len(policy) != 1 || policy[0].Version != 2 || policy[0].CardID != ids.card["policy"] {
		t.Errorf("a document with two versions lists %+v, %v; want its version 2 only", policy, err)
	}
}

func testFacets(t *testing.T, s Backend) {
	fillCollection(t, s)
	fc := func(pairs ...any) []schema.FacetCount {
		out := []schema.FacetCount{}
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, schema.FacetCount{Value: pairs[i].(string), Count: pairs[i+1].(int)})
		}
		return out
	}
	tests := []struct {
		facet string
		f     schema.CardFilter
		limit int
		want  []schema.FacetCount
	}{
		{schema.FacetCategory, schema.CardFilter{}, 0, fc("city", 2, "politics", 1, "technology", 1)},
		{schema.FacetType, schema.CardFilter{}, 0, fc("news", 2, "blog post", 1, "research article", 1)},
		{schema.FacetTheme, schema.CardFilter{}, 3, fc("energy", 2, "mobility", 1, "politics", 1)},
		{schema.FacetKeyword, schema.CardFilter{Category: "city"}, 0,
			fc("buses", 1, "mobilité", 1, "smart city", 1, "voitures électriques", 1)},
		{schema.FacetHost, schema.CardFilter{}, 0, fc("example.com", 1, "example.net", 1, "example.org", 1, "lemonde.fr", 1)},
		{schema.FacetProvider, schema.CardFilter{Category: "city"}, 0, fc("offline", 1, "openai", 1)},
		{schema.FacetOrigin, schema.CardFilter{}, 0, fc("https://digest.example/issue-1", 1)},
		{schema.FacetWeek, schema.CardFilter{}, 0, fc("2026-W48", 2, "2026-W40", 1, "2026-W47", 1)},
		{schema.FacetWeek, schema.CardFilter{Since: day(11, 1)}, 1, fc("2026-W48", 2)},
		{schema.FacetCategory, schema.CardFilter{Host: "nowhere.example"}, 0, fc()},
	}
	for _, tt := range tests {
		got, err := s.Facets(t.Context(), tt.f, tt.facet, tt.limit)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Facets(%+v, %s, %d) = %v, %v; want %v", tt.f, tt.facet, tt.limit, got, err, tt.want)
		}
	}
	if _, err := s.Facets(t.Context(), schema.CardFilter{}, "colour", 0); err == nil {
		t.Error("Facets of an unknown facet: no error")
	}
}

// sorted returns a sorted copy of ss.
func sorted(ss []string) []string {
	out := append([]string{}, ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func testSearch(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	tests := []struct {
		name, query string
		want        []string
		ordered     bool // else compared as sets
	}{
		{"plural finds singular", "voiture", []string{"voitures"}, true},
		{"case and accents", "VOITURES electriques", []string{"voitures"}, true},
		{"accents dropped", "energie", []string{"cities", "policy", "voitures"}, false},
		{"accents kept", "énergies", []string{"cities", "policy", "voitures"}, false},
		{"english plural in the title ranks first", "city", []string{"cities", "models"}, true},
		{"plural of the query", "cities", []string{"cities", "models"}, true},
		{"bus and buses", "bus", []string{"cities", "voitures"}, false},
		{"buses and bus", "buses", []string{"cities", "voitures"}, false},
		{"every word must match", "voiture research", []string{}, true},
		{"page text", "recharge", []string{"voitures"}, true},
		{"table rows", "reproducibility", []string{"models"}, true},
		{"older versions are not searched", "fossils", []string{}, true},
		{"empty", "", []string{}, true},
		{"no word", " !!! -- ", []string{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.SearchCards(t.Context(), tt.query, schema.CardFilter{})
			got := ids.hitKeys(hits)
			if !tt.ordered {
				got = sorted(got)
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SearchCards(%q) = %v, %v; want %v", tt.query, got, err, tt.want)
			}
			for i, h := range hits {
				if h.Score <= 0 || i > 0 && h.Score > hits[i-1].Score {
					t.Errorf("hit %d: score %v after %v; want positive scores, best first", i, h.Score, hits[max(i-1, 0)].Score)
				}
			}
		})
	}
}

func testSearchFiltersAndSorts(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	tests := []struct {
		name string
		f    schema.CardFilter
		want []string
	}{
		{"category", schema.CardFilter{Category: "politics"}, []string{"policy"}},
		{"theme", schema.CardFilter{Theme: "urbanism"}, []string{"cities"}},
		{"since", schema.CardFilter{Since: day(11, 25)}, []string{"policy"}},
		{"sorted oldest first", schema.CardFilter{Sort: schema.SortOldest}, []string{"cities", "voitures", "policy"}},
		{"sorted newest first", schema.CardFilter{Sort: schema.SortNewest}, []string{"policy", "voitures", "cities"}},
		{"page", schema.CardFilter{Sort: schema.SortOldest, Limit: 1, Offset: 1}, []string{"voitures"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.SearchCards(t.Context(), "energy", tt.f)
			if got := ids.hitKeys(hits); err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SearchCards(energy, %+v) = %v, %v; want %v", tt.f, got, err, tt.want)
			}
		})
	}
}

func testSearchSnippet(t *testing.T, s Backend) {
	fillCollection(t, s)
	hits, err := s.SearchCards(t.Context(), "voiture", schema.CardFilter{})
	if err != nil || len(hits) != 1 {
		t.Fatalf("SearchCards = %+v, %v", hits, err)
	}
	sn := hits[0].Snippet
	if !strings.Contains(strings.ToLower(sn), schema.SnippetOpen+"voitures"+schema.SnippetClose) {
		t.Errorf("snippet %q does not mark %q", sn, "voitures")
	}
	if n := len(strings.Fields(strings.NewReplacer(schema.SnippetOpen, "", schema.SnippetClose, "").Replace(sn))); n > 16 {
		t.Errorf("snippet %q has %d words, want about 12", sn, n)
	}
}

func testSearchHostileQueries(t *testing.T, s Backend) {
	fillCollection(t, s)
	queries := []string{`"`, `""`, `-`, `*`, `NEAR(`, `NEAR(a b, 2)`, `a OR`, `OR`, `AND NOT`, `title:x`,
		`{title}: energy`, `^energy`, `energy*`, `'); DROP TABLE cards;--`, `"energy`, `(energy`, `energy)`,
		"\x00", "\xff\xfe", "a\u0301", `\"`, "😀", strings.Repeat("énergie voiture ", 700)}
	for _, q := range queries {
		if _, err := s.SearchCards(t.Context(), q, schema.CardFilter{}); err != nil {
			t.Errorf("SearchCards(%q): %v", clip(q), err)
		}
	}
	hits, err := s.SearchCards(t.Context(), `energy)"`, schema.CardFilter{})
	if err != nil || len(hits) != 3 {
		t.Errorf(`SearchCards("energy)\"") = %d hits, %v; want the 3 energy cards`, len(hits), err)
	}
	if n, err := s.CountCards(t.Context(), schema.CardFilter{}); err != nil || n != 4 {
		t.Errorf("after the hostile queries: %d cards, %v; want 4", n, err)
	}
}

// clip shortens a query for a message.
func clip(q string) string {
	if len(q) > 40 {
		return q[:40] + "…"
	}
	return q
}

func testSearchFollowsNewestVersion(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	c := collection[2] // models
	c.card.Title = "Chess engines change research"
	doc := Document(c.url, c.text)
	saveCard(t, s, newCard(t, c), run(doc))
	if hits, err := s.SearchCards(t.Context(), "chess", schema.CardFilter{}); err != nil || len(hits) != 1 ||
		hits[0].ID != ids.doc["models"] || hits[0].Version != 2 {
		t.Errorf("search for the new version's title = %+v, %v; want version 2", hits, err)
	}
	if hits, err := s.SearchCards(t.Context(), "language", schema.CardFilter{}); err != nil || len(hits) != 1 ||
		hits[0].Version != 2 {
		t.Errorf("search for the page text = %+v, %v; want version 2 only", hits, err)
	}
	// A re-fetch that changes the page's text changes what is found.
	if err := s.SaveDocument(t.Context(), Document(c.url, "Quantum annealing.")); err != nil {
		t.Fatal(err)
	}
	if hits, err := s.SearchCards(t.Context(), "annealing", schema.CardFilter{}); err != nil || len(hits) != 1 {
		t.Errorf("search for the new page text = %+v, %v; want 1 hit", hits, err)
	}
}

// importedCard is a card read from a file.
func importedCard(t *testing.T, url, title string, published time.Time) schema.NewCard {
	t.Helper()
	canonical, err := schema.CanonicalURL(url)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(schema.Card{URL: url, Answer: schema.Answer{Title: title, Themes: []string{"imports"}}})
	if err != nil {
		t.Fatal(err)
	}
	return schema.NewCard{DocumentID: schema.DocumentID(canonical), URL: url, CardJSON: string(js),
		Markdown: "# " + title, Published: published,
		Provenance: schema.Provenance{Provider: schema.ProviderImported, Model: "card.md"}}
}

func testImportIdempotent(t *testing.T, s Backend) {
	ctx := t.Context()
	url := "https://example.com/imported"
	c := importedCard(t, url, "Imported wind farms", day(11, 2))
	steps := []struct {
		name        string
		card        schema.NewCard
		version     int
		changed     bool
		sameIDAsPre bool
	}{
		{"first import", c, 1, true, false},
		{"same card again", c, 1, false, true},
		{"same card without a date", func() schema.NewCard { d := c; d.Published = time.Time{}; return d }(), 1, false, true},
		{"changed card", importedCard(t, url, "Imported offshore wind farms", day(11, 2)), 2, true, false},
		{"changed date", importedCard(t, url, "Imported offshore wind farms", day(11, 3)), 3, true, false},
	}
	var prev int64
	for _, st := range steps {
		id, version, changed, err := s.ImportCard(ctx, st.card)
		if err != nil || version != st.version || changed != st.changed || id == 0 || st.sameIDAsPre != (id == prev) {
			t.Errorf("%s: ImportCard = %d, %d, %v, %v; want version %d, changed %v", st.name, id, version, changed, err,
				st.version, st.changed)
		}
		prev = id
	}
	doc, err := s.GetDocumentByID(ctx, c.DocumentID)
	if err != nil || doc.Method != "imported" || doc.Status != 0 || doc.Text != "" || doc.ContentType != "text/markdown" ||
		doc.CanonicalURL != url || doc.FetchedAt.IsZero() {
		t.Errorf("stub document = %+v, %v", doc, err)
	}
	cards, err := s.ListCards(ctx, schema.CardFilter{Provider: schema.ProviderImported})
	if err != nil || len(cards) != 1 || cards[0].Version != 3 || !cards[0].Published.Equal(day(11, 3)) ||
		cards[0].Model != "card.md" || cards[0].Title != "Imported offshore wind farms" {
		t.Errorf("imported cards = %+v, %v", cards, err)
	}
	if hits, err := s.SearchCards(ctx, "offshore", schema.CardFilter{}); err != nil || len(hits) != 1 {
		t.Errorf("search for an imported card = %+v, %v", hits, err)
	}
	bad := importedCard(t, "https://example.com/other", "x", day(11, 2))
	bad.DocumentID = "0123456789abcdef0123456789abcdef"
	if _, _, _, err := s.ImportCard(ctx, bad); err == nil {
		t.Error("ImportCard with a document ID not of its URL: no error")
	}
	if n, err := s.DocumentCount(ctx); err != nil || n != 1 {
		t.Errorf("DocumentCount = %d, %v; want 1 (the failed import left nothing)", n, err)
	}
}

// testImportedSpansAndMarkdown checks that the spans of an imported card read back
// as they were given: derived from the card (and kept as no rows) when
// they are its ungrounded spans, stored as they are when not; and that
// its markdown is not stored, and shows as its card rendered.
func testImportedSpansAndMarkdown(t *testing.T, s Backend) {
	ctx := t.Context()
	answer := schema.Answer{Title: "Rows", Signals: []schema.Signal{{Name: "s0", Evidence: "e0"}, {Name: "s1"}},
		Issues: []schema.Row{{Name: "i0", Evidence: "e2"}}}
	grounded := schema.UngroundedSpans(answer)
	grounded[1] = schema.Span{Section: "signals", Row: 1, Name: "s1", Evidence: "found", Start: 3, End: 8,
		Method: schema.GroundExact, Score: 1}
	for _, tc := range []struct {
		name  string
		spans []schema.Span
	}{
		{"ungrounded", schema.UngroundedSpans(answer)},
		{"one grounded", grounded},
		{"none", nil},
	} {
		card := schema.Card{URL: "https://example.com/spans/" + strings.ReplaceAll(tc.name, " ", "-"), Answer: answer}
		c := importedCard(t, card.URL, "Rows", day(11, 2))
		js, err := json.Marshal(card)
		if err != nil {
			t.Fatal(err)
		}
		c.CardJSON, c.Decoded, c.Spans, c.Markdown = string(js), &card, tc.spans, ""
		id, _, _, err := s.ImportCard(ctx, c)
		if err != nil {
			t.Fatalf("%s: ImportCard: %v", tc.name, err)
		}
		spans, err := s.CardSpans(ctx, id)
		if err != nil || !reflect.DeepEqual(spans, tc.spans) {
			t.Errorf("%s: CardSpans = %+v, %v\nwant %+v", tc.name, spans, err, tc.spans)
		}
		// Stored without its markdown, the card reads back without it,
		// and renders as the card.
		stored, err := s.LatestCard(ctx, c.DocumentID)
		if want := markdown.Render(card); err != nil || stored.Markdown != "" || markdown.Stored(stored) != want {
			t.Errorf("%s: markdown %q, shown as %q, %v; want none, shown as %q", tc.name, stored.Markdown,
				markdown.Stored(stored), err, want)
		}
	}
}

func testImportOnFetchedDocument(t *testing.T, s Backend) {
	ctx := t.Context()
	doc := saveDocument(t, s, "https://example.com/fetched", "Tidal turbines spin under the bridge.")
	c := importedCard(t, doc.CanonicalURL, "Imported card", time.Time{})
	if _, version, changed, err := s.ImportCard(ctx, c); err != nil || version != 1 || !changed {
		t.Fatalf("ImportCard = %d, %v, %v", version, changed, err)
	}
	got, err := s.GetDocumentByID(ctx, doc.ID)
	if err != nil || got.Text != doc.Text || got.Method != doc.Method {
		t.Errorf("the fetched document changed: %+v, %v", got, err)
	}
	if hits, err := s.SearchCards(ctx, "turbine", schema.CardFilter{}); err != nil || len(hits) != 1 ||
		!hits[0].Published.Equal(doc.FetchedAt) {
		t.Errorf("search in the page text of an imported card = %+v, %v; want 1 hit dated when fetched", hits, err)
	}
}

func testEmbeddings(t *testing.T, s Backend) {
	ctx := t.Context()
	ids := fillCollection(t, s)
	model := "text-embedding-3-small"
	saves := []schema.Embedding{
		{CardID: ids.card["voitures"], Model: model, Vector: []float32{0.5, -1, 2}},
		{CardID: ids.card["cities"], Model: model, Vector: []float32{1, 0, 0}},
		{CardID: ids.card["voitures"], Model: "other", Vector: []float32{9}},
		{CardID: ids.card["policy-v1"], Model: model, Vector: []float32{0, 1, 0}},      // an older version
		{CardID: ids.card["voitures"], Model: model, Vector: []float32{0.25, -1, 3.5}}, // replaces the first
	}
	for _, e := range saves {
		if err := s.SaveEmbedding(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Embeddings(ctx, model)
	want := []schema.Embedding{saves[4], saves[1]}
	if want[0].CardID > want[1].CardID {
		want[0], want[1] = want[1], want[0]
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Embeddings = %+v, %v\nwant %+v (newest versions only, by card id)", got, err, want)
	}
	if e, err := s.EmbeddingOf(ctx, ids.card["voitures"], "other"); err != nil || !reflect.DeepEqual(e, saves[2]) {
		t.Errorf("EmbeddingOf = %+v, %v; want %+v", e, err, saves[2])
	}
	if e, err := s.EmbeddingOf(ctx, ids.card["policy-v1"], model); err != nil || !reflect.DeepEqual(e, saves[3]) {
		t.Errorf("EmbeddingOf an older version = %+v, %v; want %+v", e, err, saves[3])
	}
	if _, err := s.EmbeddingOf(ctx, ids.card["models"], model); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("EmbeddingOf a card without one: err = %v, want schema.ErrNotFound", err)
	}
	if got, err := s.Embeddings(ctx, "unknown"); err != nil || len(got) != 0 {
		t.Errorf("Embeddings of an unknown model = %+v, %v; want none", got, err)
	}
}

func testEmbeddingsRejectBadVectors(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	id := ids.card["voitures"]
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, e := range []schema.Embedding{
		{CardID: id, Model: "m"},
		{CardID: id, Model: "m", Vector: []float32{1, nan}},
		{CardID: id, Model: "m", Vector: []float32{-inf}},
		{CardID: id, Model: "", Vector: []float32{1}},
	} {
		if err := s.SaveEmbedding(t.Context(), e); err == nil {
			t.Errorf("SaveEmbedding(%+v): no error", e)
		}
	}
	err := s.SaveEmbedding(t.Context(), schema.Embedding{CardID: id + 1000, Model: "m", Vector: []float32{1}})
	if !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("SaveEmbedding for a missing card: err = %v, want schema.ErrNotFound", err)
	}
}

func testRelatedByText(t *testing.T, s Backend) {
	ids := fillCollection(t, s)
	for _, key := range []string{"voitures", "cities", "policy"} {
		hits, err := s.RelatedByText(t.Context(), ids.doc[key], 10)
		if err != nil || len(hits) == 0 {
			t.Errorf("RelatedByText(%s) = %v, %v; want some cards", key, ids.hitKeys(hits), err)
		}
		for _, h := range hits {
			if h.ID == ids.doc[key] {
				t.Errorf("RelatedByText(%s) returns the card itself", key)
			}
		}
	}
	hits, err := s.RelatedByText(t.Context(), ids.doc["cities"], 1)
	if err != nil || len(hits) != 1 {
		t.Errorf("RelatedByText(cities, 1) = %v, %v; want one card", ids.hitKeys(hits), err)
	}
	if _, err := s.RelatedByText(t.Context(), "unknown", 10); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("RelatedByText of an unknown document: err = %v, want schema.ErrNotFound", err)
	}
}

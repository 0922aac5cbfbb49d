package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/internal/cputime"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
	"github.com/veille/veille/store/storetest"
)

// The benchmarks run on a synthetic collection of VEILLE_BENCH_CARDS cards
// (100,000 by default), built once per process into a temporary file:
//
//	go test ./store/sqlite -run '^$' -bench . -benchtime 200x
//
// or into VEILLE_BENCH_DB, which is kept, and reused when it exists (then
// VEILLE_BENCH_CARDS is ignored).
//
// The cards' words come from the gold cards (../shared/gold/cards, from
// the module root) when they are there, else from a built-in list.

// benchWords is the vocabulary used when the gold cards are absent.
const benchWords = `energy énergie voiture voitures city cities ville villes bus buses mobility mobilité climate
	climat water eau agriculture farming food alimentation health santé hospital hôpital school école education
	research recherche science laboratory laboratoire model models modèle intelligence artificial artificielle
	data données privacy vie privée surveillance camera caméra drone drones robot robots automation
	automatisation work travail worker travailleurs union syndicat strike grève housing logement rent loyer
	tourism tourisme airline airlines aviation avion train trains rail railway gare station battery batteries
	batterie solar solaire wind éolien nuclear nucléaire grid réseau réseaux hydrogen hydrogène carbon carbone
	emissions émissions forest forêt biodiversity biodiversité ocean océan fishing pêche plastic plastique
	recycling recyclage waste déchets circular circulaire economy économie inflation prices prix tax taxe
	taxes bank banque crypto blockchain payment paiement retail commerce delivery livraison logistics
	logistique port ports shipping maritime chip chips semiconductor semi-conducteurs quantum quantique
	cloud computing software logiciel open source security sécurité cyberattack cyberattaque election
	élection parliament parlement law loi regulation régulation court tribunal police justice migration
	migrants border frontière war guerre defense défense space espace satellite satellites launch lancement
	game jeux video vidéo music musique streaming platform plateforme social network réseau influencer
	youth jeunes elderly seniors aging vieillissement care soins pharmacy pharmacie vaccine vaccin genome
	génome protein protéine brain cerveau sleep sommeil sport athletes olympics stadium stade bike vélo
	cycling walking piétons street rue neighbourhood quartier festival culture museum musée library`

// benchVocabulary returns the benchmark's words: the gold cards' words when
// they are found, plus the built-in list.
func benchVocabulary(tb testing.TB) []string {
	seen := map[string]bool{}
	var vocab []string
	add := func(text string) {
		for _, w := range strings.FieldsFunc(text, func(r rune) bool {
			return !(r == '-' || r == '\'' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= 0xC0)
		}) {
			if w = strings.ToLower(w); len(w) > 2 && !seen[w] {
				seen[w] = true
				vocab = append(vocab, w)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "gold", "cards", "*.md"))
	if len(files) == 0 {
		tb.Logf("../shared/gold/cards absent: benchmark words from the built-in list")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		c, err := markdown.Parse(string(b))
		if err != nil {
			continue
		}
		add(c.Title + " " + c.Summary + " " + strings.Join(c.Keywords, " ") + " " + strings.Join(c.Themes, " "))
		for _, s := range c.Signals {
			add(s.Name + " " + s.Description + " " + s.Change + " " + s.TenYear + " " + s.DrivingForce)
		}
		for _, rows := range [][]schema.Row{c.Concerns, c.Behaviors, c.Technologies, c.Issues} {
			for _, r := range rows {
				add(r.Name + " " + r.Description)
			}
		}
	}
	add(benchWords)
	return vocab
}

// cardGen makes synthetic cards: words drawn with a skewed distribution
// (a few common words, many rare ones), from a fixed seed.
type cardGen struct {
	rng   *rand.Rand
	vocab []string
}

func newCardGen(vocab []string, seed uint64) *cardGen {
	return &cardGen{rng: rand.New(rand.NewPCG(seed, 7)), vocab: vocab}
}

// word draws a word: the square of a uniform draw favours the first words.
func (g *cardGen) word() string {
	u := g.rng.Float64()
	return g.vocab[int(u*u*float64(len(g.vocab)))]
}

func (g *cardGen) phrase(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.word()
	}
	return strings.Join(ws, " ")
}

func (g *cardGen) list(n, words int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.phrase(words)
	}
	return out
}

// benchEpoch is the date of the first synthetic card; they span two years.
var benchEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// card returns synthetic card i, its page text and its date.
func (g *cardGen) card(i int) (schema.NewCard, string) {
	url := fmt.Sprintf("https://www.site%d.example/%s/%d-%s", i%700, g.word(), i, strings.ReplaceAll(g.word(), " ", "-"))
	rows := func(n int) []schema.Row {
		out := make([]schema.Row, n)
		for j := range out {
			out[j] = schema.Row{Name: g.phrase(3), Description: g.phrase(14), Evidence: g.phrase(8)}
		}
		return out
	}
	c := schema.Card{URL: url, Answer: schema.Answer{Title: g.phrase(9), Keywords: g.list(5, 2),
		Themes: g.list(3, 1), Category: schema.Categories[g.rng.IntN(len(schema.Categories))],
		Type: schema.Types[g.rng.IntN(len(schema.Types))], Summary: g.phrase(60), Concerns: rows(2),
		Behaviors: rows(2), Technologies: rows(2), Issues: rows(1)}}
	for range 3 {
		c.Signals = append(c.Signals, schema.Signal{Name: g.phrase(3), Description: g.phrase(14),
			Change: g.phrase(16), TenYear: g.phrase(16), DrivingForce: g.phrase(16), Evidence: g.phrase(8)})
	}
	if i%5 == 0 {
		c.Origin = &schema.Link{Label: "digest", URL: fmt.Sprintf("https://digest.example/issue-%d", i%40)}
	}
	js, _ := json.Marshal(c)
	canonical, _ := schema.CanonicalURL(url)
	providers := []string{"openai", "offline", "anthropic", schema.ProviderImported}
	return schema.NewCard{DocumentID: schema.DocumentID(canonical), URL: url, CardJSON: string(js),
		Markdown: "# " + c.Title, Published: benchEpoch.Add(time.Duration(g.rng.IntN(730*24)) * time.Hour),
		Provenance: schema.Provenance{Provider: providers[i%len(providers)], Model: "bench"}}, g.phrase(250)
}

// benchCount is the size of the benchmarks' collection.
func benchCount(tb testing.TB) int {
	if v := os.Getenv("VEILLE_BENCH_CARDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			tb.Fatalf("VEILLE_BENCH_CARDS=%q: want a number ≥ 10", v)
		}
		return n
	}
	return 100_000
}

// The collection, built once per process.
var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureDir  string
	fixtureErr  error
	fixtureDocs []string // document IDs
)

// TestMain removes the benchmarks' collection once the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// benchStore opens the benchmarks' collection, building it on first use:
// each card's document is saved with its page text, then the card
// imported.
func benchStore(b *testing.B) *Store {
	b.Helper()
	fixtureOnce.Do(func() {
		n := benchCount(b)
		if fixturePath = os.Getenv("VEILLE_BENCH_DB"); fixturePath != "" {
			if _, err := os.Stat(fixturePath); err == nil {
				fixtureDocs, fixtureErr = storedDocs(fixturePath)
				return
			}
		} else {
			if fixtureDir, fixtureErr = os.MkdirTemp("", "veille-bench-"); fixtureErr != nil {
				return
			}
			fixturePath = filepath.Join(fixtureDir, "veille.db")
		}
		ctx := context.Background()
		s, err := Open(ctx, fixturePath)
		if err != nil {
			fixtureErr = err
			return
		}
		defer s.Close()
		start := time.Now()
		g := newCardGen(benchVocabulary(b), 1)
		for first := 0; first < n; first += fixtureBatch {
			if fixtureErr = buildBatch(ctx, s, g, first, min(n, first+fixtureBatch)); fixtureErr != nil {
				return
			}
		}
		b.Logf("collection of %d cards built in %v at %s", n, time.Since(start).Round(time.Second), fixturePath)
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	s, err := Open(b.Context(), fixturePath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// storedDocs opens a collection kept from an earlier run (VEILLE_BENCH_DB)
// and returns its documents' IDs, in the order they were built.
func storedDocs(path string) ([]string, error) {
	s, err := Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rows, err := s.db.Query(`SELECT document_id FROM card_latest ORDER BY card_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// fixtureBatch is how many cards of the benchmarks' collection are saved
// in one transaction.
const fixtureBatch = 500

// buildBatch saves cards first to end-1 of the benchmarks' collection: their
// documents with their page texts in one transaction, then the cards with
// ImportCards.
func buildBatch(ctx context.Context, s *Store, g *cardGen, first, end int) error {
	cards := make([]schema.NewCard, 0, end-first)
	docs := make([]schema.Document, 0, end-first)
	for i := first; i < end; i++ {
		c, text := g.card(i)
		doc := storetest.Document(c.URL, text)
		canonical, err := schema.CanonicalURL(c.URL)
		if err != nil {
			return err
		}
		doc.ID, doc.CanonicalURL = c.DocumentID, canonical
		cards, docs = append(cards, c), append(docs, doc)
	}
	err := s.inStmtTx(ctx, func(tx *stmtTx) error {
		for _, doc := range docs {
			if err := saveDocument(ctx, tx, doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.ImportCards(ctx, cards); err != nil {
		return err
	}
	for _, c := range cards {
		fixtureDocs = append(fixtureDocs, c.DocumentID)
	}
	return nil
}

// latencies records the wall and CPU time of each operation of a
// benchmark. The CPU time is the thread's (the benchmark's goroutine is
// locked to its thread): on a machine shared with other work it is the
// steadier figure.
type latencies struct {
	wall, cpu []time.Duration
}

// measure runs the benchmark's loop, timing each call of op.
func measure(b *testing.B, op func(i int)) latencies {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var l latencies
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start, cpu := time.Now(), cputime.Thread()
		op(i)
		l.wall = append(l.wall, time.Since(start))
		l.cpu = append(l.cpu, cputime.Thread()-cpu)
	}
	return l
}

// report reports the median and 95th percentile of the wall and CPU times.
func (l latencies) report(b *testing.B) {
	if len(l.wall) == 0 {
		return
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, m := range []struct {
		name string
		ds   []time.Duration
	}{{"", l.wall}, {"cpu-", l.cpu}} {
		slices.Sort(m.ds)
		b.ReportMetric(ms(m.ds[len(m.ds)/2]), m.name+"p50-ms")
		b.ReportMetric(ms(m.ds[len(m.ds)*95/100]), m.name+"p95-ms")
	}
}

// BenchmarkImport imports new cards, one transaction each, into a fresh
// store (stub documents, no page text).
func BenchmarkImport(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "veille.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := newCardGen(benchVocabulary(b), 2)
	cards := make([]schema.NewCard, b.N)
	for i := range cards {
		cards[i], _ = g.card(i)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, _, err := s.ImportCard(b.Context(), cards[i%len(cards)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkImportCards imports new cards in batches of 4,000 (as `extract
// import` hands them to the store) into a fresh store, each card as the
// importer makes it (one ungrounded span a row, its decoded card), and
// reports cards per second and the process's CPU time per card (both
// cores: the cards are indexed in a goroutine while they are written):
//
//	go test ./store/sqlite -run '^$' -bench ImportCards -benchtime 10x
func BenchmarkImportCards(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "veille.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const batch = 4000
	g := newCardGen(benchVocabulary(b), 2)
	cards := make([]schema.NewCard, 0, b.N*batch)
	for i := range b.N * batch {
		cards = append(cards, importedCard(g, i))
	}
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Process()
	for i := range b.N {
		if _, err := s.ImportCards(b.Context(), cards[i*batch:(i+1)*batch]); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N * batch)
	b.ReportMetric(n/time.Since(start).Seconds(), "cards/s")
	b.ReportMetric(float64((cputime.Process()-cpu).Microseconds())/1000/n, "cpu-ms/card")
}

// importedCard is synthetic card i as `extract import` hands it to the
// store.
func importedCard(g *cardGen, i int) schema.NewCard {
	c, _ := g.card(i)
	card, err := schema.CardDecoder{}.Decode([]byte(c.CardJSON))
	if err != nil {
		panic(err)
	}
	c.Markdown, c.RawJSON, c.Decoded = "", "{}", &card // no markdown: it is rendered when shown
	c.Provenance = schema.Provenance{Provider: schema.ProviderImported, Model: "cards.jsonl"}
	c.Spans = schema.UngroundedSpans(card.Answer)
	return c
}

// benchQueries are the searches of BenchmarkSearch, by kind: one to
// three words drawn as the cards' words are (mixed), the commonest words,
// two words, rare words, quoted phrases and accented input.
func benchQueries(vocab []string) map[string][]string {
	g := newCardGen(vocab, 3)
	qs := map[string][]string{}
	for i := range 100 {
		qs["mixed"] = append(qs["mixed"], g.phrase(1+i%3))
		qs["two-words"] = append(qs["two-words"], g.phrase(2))
		qs["common"] = append(qs["common"], vocab[i%10])
		qs["rare"] = append(qs["rare"], vocab[len(vocab)-1-i])
		qs["phrase"] = append(qs["phrase"], `"`+vocab[i%20]+" "+vocab[(i*7)%50]+`"`)
	}
	qs["accented"] = []string{"énergie", "voitures électriques", "ÉNERGIE", "mobilité", "réseaux", "santé",
		"hôpital", "données", "sécurité", "écoles"}
	return qs
}

func BenchmarkSearch(b *testing.B) {
	s := benchStore(b)
	queries := benchQueries(benchVocabulary(b))
	for _, kind := range []string{"mixed", "common", "two-words", "rare", "phrase", "accented"} {
		qs := queries[kind]
		b.Run(kind, func(b *testing.B) {
			hits := 0
			l := measure(b, func(i int) {
				h, err := s.SearchCards(b.Context(), qs[i%len(qs)], schema.CardFilter{Limit: 20})
				if err != nil {
					b.Fatal(err)
				}
				hits += len(h)
			})
			l.report(b)
			b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
		})
	}
}

// BenchmarkListTwoFacets lists a page of cards filtered on two facets
// (category and theme), counts them, and counts two facets (theme, week)
// over one category: what a listing page asks.
func BenchmarkListTwoFacets(b *testing.B) {
	s := benchStore(b)
	themes, err := s.Facets(b.Context(), schema.CardFilter{}, schema.FacetTheme, 20)
	if err != nil || len(themes) == 0 {
		b.Fatalf("themes: %v, %v", themes, err)
	}
	l := measure(b, func(i int) {
		category := string(schema.Categories[i%len(schema.Categories)])
		f := schema.CardFilter{Category: category, Theme: themes[i%len(themes)].Value, Limit: 50}
		if _, err := s.ListCards(b.Context(), f); err != nil {
			b.Fatal(err)
		}
		if _, err := s.CountCards(b.Context(), f); err != nil {
			b.Fatal(err)
		}
		for _, facet := range []string{schema.FacetTheme, schema.FacetWeek} {
			if _, err := s.Facets(b.Context(), schema.CardFilter{Category: category}, facet, 20); err != nil {
				b.Fatal(err)
			}
		}
	})
	l.report(b)
}

func BenchmarkRelatedByText(b *testing.B) {
	s := benchStore(b)
	rng := rand.New(rand.NewPCG(4, 4))
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fixtureDocs[rng.IntN(len(fixtureDocs))]
	}
	l := measure(b, func(i int) {
		if _, err := s.RelatedByText(b.Context(), ids[i%len(ids)], 10); err != nil {
			b.Fatal(err)
		}
	})
	l.report(b)
}

package ask_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/ask"
	"github.com/veille/veille/pipeline/llm/llmtest"
	"github.com/veille/veille/pipeline/llm/openai"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
	"github.com/veille/veille/store/sqlite"
)

// plantedSignals are one weak signal worded ten ways, as ten outlets
// would write it.
var plantedSignals = [][2]string{
	{"Cities compost food waste", "Municipal services collect kitchen scraps and turn them into compost for parks."},
	{"Food scraps become biogas", "Towns send household food waste to digesters that make biogas for buses."},
	{"Curbside compost bins", "A third bin for food waste now sits beside recycling in every street."},
	{"Restaurants must sort leftovers", "New rules make restaurants separate food waste for municipal composting."},
	{"Compost from school canteens", "School canteens hand their leftover food to the city compost plant."},
	{"Kitchen waste collection expands", "Weekly pick-up of kitchen waste reaches half of the region's households."},
	{"Organic waste mandate", "A national law obliges municipalities to collect organic food waste separately."},
	{"Community composting sites", "Neighbourhood compost sites take residents' food scraps and peelings."},
	{"Food waste turned into fertiliser", "The city sells fertiliser made from collected food waste to farmers."},
	{"Bio-waste sorting rises", "Households sort more bio-waste since compost collection became free."},
}

// plantedHosts are the six outlets carrying the planted signal.
var plantedHosts = []string{"lemonde.example", "guardian.example", "taz.example", "elpais.example", "corriere.example", "nos.example"}

// plantedCollection imports the planted trend (10 cards, 6 hosts, the last
// three weeks) among 300 cards made from the gold cards' rows, and returns
// the store and the planted cards' ids. It skips without ../shared.
func plantedCollection(t *testing.T) (*sqlite.Store, map[string]bool) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "gold", "cards")
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(files) == 0 {
		t.Skipf("gold cards not available in %s: run beside ../shared", dir)
	}
	type row struct{ table, name, desc string }
	var rows []row
	var titles []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := markdown.Parse(string(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		titles = append(titles, c.Title)
		for _, s := range c.Signals {
			rows = append(rows, row{"signals", s.Name, s.Description})
		}
		for _, tb := range c.RowTables() {
			for _, r := range *tb.Rows {
				rows = append(rows, row{tb.Key, r.Name, r.Description})
			}
		}
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC()
	rng := rand.New(rand.NewPCG(1, 2))
	var cards []schema.NewCard
	planted := map[string]bool{}
	add := func(url, title string, signals []schema.Signal, published time.Time) string {
		c := schema.Card{URL: url, Answer: schema.Answer{Title: title, Signals: signals}}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		canon, err := schema.CanonicalURL(url)
		if err != nil {
			t.Fatal(err)
		}
		id := schema.DocumentID(canon)
		cards = append(cards, schema.NewCard{DocumentID: id, URL: url, CardJSON: string(b),
			Provenance: schema.Provenance{Provider: "imported"}, Published: published})
		return id
	}
	for i := range 300 {
		var sig []schema.Signal
		for range 5 {
			r := rows[rng.IntN(len(rows))]
			sig = append(sig, schema.Signal{Name: r.name, Description: r.desc})
		}
		add(fmt.Sprintf("https://other%d.example/%d", i%40, i), titles[rng.IntN(len(titles))]+fmt.Sprintf(" (%d)", i), sig,
			now.AddDate(0, 0, -rng.IntN(120)))
	}
	for i, s := range plantedSignals {
		r := rows[rng.IntN(len(rows))]
		id := add(fmt.Sprintf("https://%s/planted-%d", plantedHosts[i%len(plantedHosts)], i), s[0],
			[]schema.Signal{{Name: s[0], Description: s[1]}, {Name: r.name, Description: r.desc}}, now.AddDate(0, 0, -2*i-1))
		planted[id] = true
	}
	if _, err := st.ImportCards(ctx, cards); err != nil {
		t.Fatal(err)
	}
	return st, planted
}

// TestPlantedTrend checks that a question about the planted trend ranks
// its cards first, by words alone and with fake embeddings.
func TestPlantedTrend(t *testing.T) {
	st, planted := plantedCollection(t)
	chat := llmtest.NewChat(t)
	emb := openai.NewEmbedder(openai.EmbedConfig{APIKey: "k", BaseURL: chat.URL, Model: "fake-embed"})
	const question = "Which cities collect food waste for compost?"
	for _, tt := range []struct {
		name string
		opts ask.Options
	}{
		{"words", ask.Options{Limit: 10}},
		{"words and embeddings", ask.Options{Limit: 10, Embedder: emb}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ask.Retrieve(context.Background(), st, question, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			hits := 0
			var ranks []string
			for i, c := range got {
				if planted[c.ID] {
					hits++
					ranks = append(ranks, fmt.Sprint(i+1))
				}
			}
			t.Logf("%s: %d of the top %d are planted (precision %.2f, recall %.2f); ranks %s", tt.name, hits, len(got),
				float64(hits)/float64(len(got)), float64(hits)/float64(len(planted)), strings.Join(ranks, " "))
			if hits < 9 || !planted[got[0].ID] {
				t.Errorf("%d planted cards in the top 10, want at least 9, the first one planted", hits)
			}
		})
	}
}

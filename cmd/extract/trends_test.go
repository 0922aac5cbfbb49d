package main

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/trends/trendstest"
	"github.com/veille/veille/schema"
)

// trendsCollection builds a collection with a planted trend from
// background (nil: the embedded one), imports it into a new database and
// returns the database and the planted cards' URLs.
func trendsCollection(t *testing.T, background []schema.Card) (db string, planted []string) {
	t.Helper()
	c, err := trendstest.Build(trendstest.Options{Now: time.Now().UTC(), Background: background})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "cards.jsonl")
	if err := c.WriteJSONL(file); err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "veille.db")
	if _, stderr, code := runExtract(t, "", "import", "--db", db, file); code != exitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	return db, c.PlantedURLs()
}

// fakeEmbeddings serves /v1/embeddings with deterministic vectors: the
// words of each text, lower-cased, their first five letters hashed into
// 256 dimensions (a bag of crude stems), and counts the texts embedded.
func fakeEmbeddings(t *testing.T) (srv *httptest.Server, texts func() int) {
	var mu sync.Mutex
	n := 0
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.URL.Path != "/v1/embeddings" {
			t.Errorf("request %s: %v", r.URL.Path, err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		n += len(req.Input)
		mu.Unlock()
		type item struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		data := []item{}
		for i, text := range req.Input {
			data = append(data, item{i, bagOfStems(text)})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	}))
	t.Cleanup(srv.Close)
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// bagOfStems is the fake embeddings server's vector of text.
func bagOfStems(text string) []float32 {
	v := make([]float32, 256)
	v[0] = 0.01 // never all zeros
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !('a' <= r && r <= 'z') }) {
		if len(w) < 4 {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(w[:min(len(w), 5)]))
		v[h.Sum32()%256]++
	}
	var norm float64
	for _, x := range v {
		norm += float64(x * x)
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / math.Sqrt(norm))
	}
	return v
}

// topTrend runs trends --json and returns its clusters.
func topTrends(t *testing.T, a *app, db string, extra ...string) []schema.Trend {
	t.Helper()
	out := &strings.Builder{}
	errOut := &strings.Builder{}
	a.stdout, a.stderr = out, errOut
	if code := a.run(context.Background(), append([]string{"trends", "--db", db, "--json"}, extra...)); code != exitOK {
		t.Fatalf("trends: exit %d: %s", code, errOut)
	}
	var ts []schema.Trend
	for _, l := range nonEmptyLines(out.String()) {
		var tr schema.Trend
		if err := json.Unmarshal([]byte(l), &tr); err != nil {
			t.Fatalf("trends --json line %q: %v", l, err)
		}
		ts = append(ts, tr)
	}
	if len(ts) == 0 {
		t.Fatalf("trends: no cluster; stderr: %s", errOut)
	}
	return ts
}

// checkPlanted checks that the top cluster is the planted trend (at least
// 9 of its cards, at most 3 others) and logs its precision and recall.
func checkPlanted(t *testing.T, top schema.Trend, planted []string) {
	t.Helper()
	hit, other := 0, 0
	for _, c := range top.Cards {
		if slices.Contains(planted, c.URL) {
			hit++
		} else {
			other++
		}
	}
	precision := float64(hit) / float64(hit+other)
	recall := float64(hit) / float64(len(planted))
	t.Logf("top cluster %q: %d sources, %d cards: %d planted of %d, %d others; precision %.2f, recall %.2f",
		top.Label, top.Sources, len(top.Cards), hit, len(planted), other, precision, recall)
	if hit < 9 || other > 3 {
		t.Errorf("top cluster %q has %d of the %d planted cards and %d others; want at least 9 and at most 3",
			top.Label, hit, len(planted), other)
	}
}

// trendBackgrounds are the background sets of the quality tests: the
// embedded one, and the gold cards when ../shared is there.
func trendBackgrounds(t *testing.T) map[string][]schema.Card {
	sets := map[string][]schema.Card{"embedded": nil}
	gold, err := trendstest.GoldBackground(filepath.Join("..", "..", "..", "shared", "gold"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.Log("no gold cards in ../shared/gold: the quality test runs on the embedded background only")
	case err != nil:
		t.Fatal(err)
	default:
		sets["gold"] = gold
	}
	return sets
}

func TestTrendsFindsThePlantedTrend(t *testing.T) {
	for name, bg := range trendBackgrounds(t) {
		t.Run(name+"/lexical", func(t *testing.T) {
			db, planted := trendsCollection(t, bg)
			a := &app{stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
			checkPlanted(t, topTrends(t, a, db)[0], planted)
		})
		t.Run(name+"/embeddings", func(t *testing.T) {
			db, planted := trendsCollection(t, bg)
			srv, texts := fakeEmbeddings(t)
			env := map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": srv.URL + "/v1"}
			a := &app{stdin: strings.NewReader(""), getenv: func(k string) string { return env[k] }}
			// The fake's bag of stems puts rewordings of one signal at a
			// cosine of 0.5 to 0.7, below what a real model gives them.
			checkPlanted(t, topTrends(t, a, db, "--threshold", "0.45")[0], planted)
			embedded := texts()
			// A second run embeds nothing: the rows' vectors are kept.
			checkPlanted(t, topTrends(t, a, db, "--rebuild", "--threshold", "0.45")[0], planted)
			if texts() != embedded {
				t.Errorf("the second run embedded %d more rows; want none", texts()-embedded)
			}
		})
	}
}

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
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/trends"
	"github.com/veille/veille/pipeline/trends/trendstest"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
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
// (llmtest.Embed is a bag of stems too, hashed into 255 buckets; its
// collisions happen to pull some gold rows into one chain at the
// thresholds that keep the planted trend together, so the quality test
// keeps this one.)
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

// TestTrendsBadInput checks that bad flags, a missing database and an
// empty collection each fail with one line and the right exit status,
// storing nothing.
func TestTrendsBadInput(t *testing.T) {
	dir := badInputDir(t)
	at := func(name string) string { return filepath.Join(dir, name) }
	fresh := at("fresh.db")
	empty := at("empty.db") // a store with a document and no card
	if _, stderr, code := runExtract(t, "", "text", at("page.html"), "--db", empty); code != exitOK {
		t.Fatalf("setup: extract text: exit %d: %s", code, stderr)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"since not a date", []string{"--since", "yesterday"}, exitUsage,
			`extract: trends: --since "yesterday": want a date YYYY-MM-DD, an RFC 3339 time, or a duration such as 7d or 12h`},
		{"since empty", []string{"--since", ""}, exitUsage, `extract: trends: --since "": the period needs a start`},
		{"since in the future", []string{"--since", "2999-01-01"}, exitUsage,
			"extract: trends: --since 2999-01-01 --window 7d: the period starts 2999-01-01T00:00:00Z, after its end"},
		{"window not a duration", []string{"--window", "1w"}, exitUsage,
			`extract: trends: --window "1w": want a positive duration in days or hours, such as 7d or 36h`},
		{"window zero", []string{"--window", "0d"}, exitUsage, `extract: trends: --window "0d": want a positive duration`},
		{"window longer than the period", []string{"--since", "7d", "--window", "30d"}, exitUsage,
			"extract: trends: --since 7d --window 30d: window 30d is longer than the period 7d"},
		{"too many windows", []string{"--since", "3650d", "--window", "1h"}, exitUsage,
			"extract: trends: --since 3650d --window 1h: 87600 windows of 1h in the period 3650d, at most 520"},
		{"unknown table", []string{"--table", "ideas"}, exitUsage, `extract: trends: --since 90d --window 7d: no table "ideas"`},
		{"unknown format", []string{"--format", "pdf"}, exitUsage, `extract: trends: --format "pdf": want text, md, json or html`},
		{"json and format", []string{"--json", "--format", "md"}, exitUsage, "extract: trends: --json and --format: give one"},
		{"threshold", []string{"--threshold", "1.5"}, exitUsage, "extract: trends: --threshold 1.5: want a number between 0 and 1"},
		{"min sources", []string{"--min-sources", "0"}, exitUsage, "extract: trends: --min-sources 0: want 1 or more"},
		{"empty collection", []string{"--db", empty}, exitFailure, "extract: trends: no card in " + empty + ": nothing to cluster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"trends", "--db", fresh}, tt.args...)
			stdout, stderr, code := runExtract(t, "", args...)
			if code != tt.code || !strings.HasPrefix(stderr, tt.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line starting with %q", code, stdout, stderr, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Errorf("%s was created", fresh)
	}
	if _, stderr, code := runExtract(t, "", "trends", "--db", fresh); code != exitFailure || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing database: exit %d, %s", code, stderr)
	}
}

// TestTrendsOutputs checks the formats on one collection, and that a
// quiet period is said plainly.
func TestTrendsOutputs(t *testing.T) {
	db, _ := trendsCollection(t, nil)
	text, stderr, code := runExtract(t, "", "trends", "--db", db, "--limit", "3")
	if code != exitOK || !strings.Contains(text, " 1. ") || !strings.Contains(text, "8 sources, 12 cards") ||
		!strings.Contains(stderr, "clustered") || !strings.Contains(stderr, "clustered by their words") {
		t.Errorf("text: exit %d\n%s\n%s", code, text, stderr)
	}
	md, _, code := runExtract(t, "", "trends", "--db", db, "--limit", "3", "--format", "md")
	if code != exitOK || !strings.HasPrefix(md, "# Trends") || !strings.Contains(md, "## 1. ") ||
		!strings.Contains(md, "](<https://citylab.example/leaf-blowers-0>)") {
		t.Errorf("md: exit %d\n%s", code, md)
	}
	js, _, code := runExtract(t, "", "trends", "--db", db, "--limit", "3", "--format", "json", "--table", "signals")
	var rep schema.TrendReport
	if err := json.Unmarshal([]byte(js), &rep); code != exitOK || err != nil || len(rep.Trends) == 0 || len(rep.Windows) != 13 ||
		len(rep.Themes) == 0 || len(rep.Themes[0].Counts) != 13 {
		t.Errorf("json: exit %d, %v: %d trends, %d windows, themes %+v", code, err, len(rep.Trends), len(rep.Windows), rep.Themes)
	}
	for _, tr := range rep.Trends {
		for _, r := range tr.Rows {
			if r.Section != "signals" {
				t.Errorf("--table signals lists a row of %s", r.Section)
			}
		}
	}
	html, _, code := runExtract(t, "", "trends", "--db", db, "--limit", "3", "--format", "html")
	if code != exitOK || !strings.HasPrefix(html, "<!doctype html>") || !strings.Contains(html, "<svg") ||
		!strings.Contains(html, "Gas leaf blower bans spread") {
		t.Errorf("html: exit %d\n%.500s", code, html)
	}
	out, stderr, code := runExtract(t, "", "trends", "--db", db, "--json", "--min-sources", "50")
	if code != exitOK || out != "" || !strings.Contains(stderr, "trends: no cluster carried by 50 or more sources among the cards published since") {
		t.Errorf("no cluster: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestTrendsIncremental checks that cards imported later join the
// clusters already made, which keep their ids, and that --rebuild gives
// the same clusters as the incremental runs.
func TestTrendsIncremental(t *testing.T) {
	db, planted := trendsCollection(t, nil)
	a := &app{stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
	before := topTrends(t, a, db)[0]
	dir := t.TempDir()
	file := filepath.Join(dir, "late.json")
	late := `{"url": "https://latecomer.example/blowers", "title": "Late", "published": "` +
		time.Now().UTC().Add(-time.Hour).Format(time.RFC3339) + `", "signals": [{"name": "Another gas leaf blower ban",` +
		` "description": "One more town bans gas-powered leaf blowers."}]}`
	if err := os.WriteFile(file, []byte(late), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runExtract(t, "", "import", "--db", db, file); code != exitOK {
		t.Fatalf("import: %s", stderr)
	}
	after := topTrends(t, a, db)[0]
	if after.Cluster != before.Cluster || after.Sources != before.Sources+1 || len(after.Cards) != len(planted)+1 {
		t.Errorf("after one more card: cluster %d, %d sources, %d cards; want cluster %d, %d sources, %d cards",
			after.Cluster, after.Sources, len(after.Cards), before.Cluster, before.Sources+1, len(planted)+1)
	}
	rebuilt := topTrends(t, a, db, "--rebuild")[0]
	if rebuilt.Label != after.Label || len(rebuilt.Cards) != len(after.Cards) || rebuilt.Sources != after.Sources {
		t.Errorf("rebuilt top cluster %q, %d cards, %d sources; incremental %q, %d cards, %d sources",
			rebuilt.Label, len(rebuilt.Cards), rebuilt.Sources, after.Label, len(after.Cards), after.Sources)
	}
}

// TestTopClustersMatchesTheReference checks the SQLite store's ranking
// against trendstest's, which the tests' in-memory stores use.
func TestTopClustersMatchesTheReference(t *testing.T) {
	db, _ := trendsCollection(t, nil)
	if _, stderr, code := runExtract(t, "", "trends", "--db", db); code != exitOK {
		t.Fatalf("trends: %s", stderr)
	}
	st, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.ClusteredRows(t.Context(), trends.LexicalSpace, schema.RowFilter{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	week := 7 * 24 * time.Hour
	for _, q := range []schema.ClusterQuery{
		{RowFilter: schema.RowFilter{Since: now.AddDate(0, 0, -90), Until: now}, Recent: now.Add(-week), Previous: now.Add(-2 * week), MinSources: 2},
		{RowFilter: schema.RowFilter{Since: now.AddDate(0, 0, -30), Until: now, Section: "signals"}, Recent: now.Add(-week), Previous: now.Add(-2 * week), MinSources: 1, Limit: 7},
	} {
		got, total, err := st.TopClusters(t.Context(), trends.LexicalSpace, q)
		want, wantTotal := trendstest.TopClusters(all, q)
		if err != nil || total != wantTotal || !reflect.DeepEqual(got, want) {
			t.Errorf("TopClusters(%+v) = %d of %d, %v\n%+v\nwant %d of %d\n%+v", q, len(got), total, err, got, len(want), wantTotal, want)
		}
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"7d", "36h", "0d", "1w", "", "999999d", "-1d", "7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseWindow(s)
		if err == nil && d <= 0 {
			t.Errorf("parseWindow(%q) = %v without error", s, d)
		}
		if err != nil && d != 0 {
			t.Errorf("parseWindow(%q) = %v with error %v", s, d, err)
		}
	})
}

// TestTrendsOnReadOnlyDatabase checks that a database the user may not
// write is ranked as it is, its new cards left unclustered.
func TestTrendsOnReadOnlyDatabase(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("permissions do not stop root")
	}
	db, _ := trendsCollection(t, nil)
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runExtract(t, "", "trends", "--db", db, "--json")
	if code != exitOK || out != "" || !strings.Contains(stderr, "is read-only: the clusters kept are ranked") {
		t.Errorf("read-only, never clustered: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runExtract(t, "", "trends", "--db", db); code != exitOK {
		t.Fatalf("trends: %s", stderr)
	}
	os.Chmod(db, 0o444)
	if out, stderr, code := runExtract(t, "", "trends", "--db", db, "--json"); code != exitOK || len(nonEmptyLines(out)) == 0 {
		t.Errorf("read-only, clustered: exit %d, %d clusters, stderr %q", code, len(nonEmptyLines(out)), stderr)
	}
}

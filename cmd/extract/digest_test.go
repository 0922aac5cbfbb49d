package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/llm/llmtest"
	"github.com/veille/veille/store/sqlite"
)

// themedDB imports cards into a new database: three on heat pumps (theme
// Energy) from three hosts, published in the last week, and one older
// card.
func themedDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	day := time.Now().UTC()
	cards := []struct {
		url, title, theme, signal string
		age                       int
	}{
		{"https://a.example/pumps", "Heat pumps double in Poland", "Energy", "Heat pump boom", 1},
		{"https://b.example/villages", "Villages switch to heat pumps", "Energy", "Heat pump boom in villages", 2},
		{"https://c.example/grants", "Grants for heat pumps", "energy", "Heat pump boom and grants", 3},
		{"https://d.example/old", "Cargo bikes in Paris", "Mobility", "Cargo bikes", 200},
	}
	for i, c := range cards {
		b, _ := json.Marshal(map[string]any{"url": c.url, "title": c.title, "published": day.AddDate(0, 0, -c.age).Format(time.DateOnly),
			"summary": c.title + ".", "themes": []string{c.theme}, "keywords": []string{c.signal},
			"signals": []map[string]any{{"name": c.signal, "description": "Households replace their boilers with heat pumps.", "change": "", "10-year": "",
				"driving-force": "", "relevancy": 4, "evidence": ""}}})
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("c%d.json", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "veille.db")
	if _, stderr, code := runExtract(t, "", "import", "--db", db, dir); code != exitOK {
		t.Fatalf("import: %s", stderr)
	}
	return db
}

func TestDigestCommandExtractive(t *testing.T) {
	db := themedDB(t)
	stdout, stderr, code := runExtract(t, "", "digest", "--db", db, "--provider", "offline")
	if code != exitOK || !strings.Contains(stderr, "an extractive digest") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"# Digest\n", "## Heat pump boom\n", "3 cards from 3 sources", "[Heat pumps double in Poland](https://a.example/pumps)",
		"**Heat pump boom in villages** (signals)", "Extractive digest"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("digest lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "Cargo bikes") {
		t.Errorf("digest of the week shows a card of 200 days ago:\n%s", stdout)
	}
	// The yearly review, in HTML, to a file.
	out := filepath.Join(t.TempDir(), "review.html")
	if _, stderr, code := runExtract(t, "", "digest", "--db", db, "--provider", "offline", "--since", "365d",
		"--title", "2025 review", "--format", "html", "-o", out); code != exitOK {
		t.Fatalf("review: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().AddDate(-1, 0, 0).Format("2006-01")
	for _, want := range []string{"<title>2025 review</title>", "<h1>2025 review</h1>", "4 cards", year, "Cargo bikes in Paris"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("review lacks %q:\n%s", want, b)
		}
	}
}

func TestDigestCommandModel(t *testing.T) {
	db := themedDB(t)
	chat := llmtest.NewChat(t)
	chat.Reply = func(n int, req llmtest.Request) string {
		block, _ := llmtest.Block(req.User(), "CARDS")
		_, after, _ := strings.Cut(block, "Card id: ")
		id, _, _ := strings.Cut(after, "\n")
		b, _ := json.Marshal(map[string]any{"title": "Heat pumps everywhere", "synthesis": "Three sources report heat pumps.",
			"implications": []map[string]any{{"text": "Boiler makers lose ground.", "cited": []string{id}}}, "cited": []string{id}})
		return string(b)
	}
	for run := range 2 {
		a, out, errOut := modelApp(chat)
		if code := a.run(context.Background(), []string{"digest", "--db", db, "--price-in", "1", "--price-out", "2"}); code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out.String(), "## Heat pumps everywhere\n") || !strings.Contains(out.String(), "- Boiler makers lose ground. ([") {
			t.Errorf("run %d:\n%s", run, out)
		}
		want := "1 request, 0 answers from the cache; tokens 1000 in, 100 out; estimated cost 0.0012 USD"
		if run == 1 {
			want = "0 requests, 1 answer from the cache"
		}
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("run %d: stderr %q, want %q", run, errOut, want)
		}
	}
	if chat.Count() != 1 {
		t.Errorf("%d requests for one topic twice, want 1", chat.Count())
	}
}

func TestDigestCommandBadInput(t *testing.T) {
	db := themedDB(t)
	absent := filepath.Join(t.TempDir(), "absent.db")
	out := filepath.Join(t.TempDir(), "digest.md")
	empty := filepath.Join(t.TempDir(), "empty.db")
	st, err := sqlite.Open(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"bad since", []string{"--db", absent, "--since", "last week"}, exitUsage, `--since "last week"`},
		{"future since", []string{"--db", absent, "--since", "2999-01-01"}, exitUsage, "starts in the future"},
		{"bad format", []string{"--db", absent, "--format", "pdf"}, exitUsage, `--format "pdf"`},
		{"bad topics", []string{"--db", absent, "--topics", "0"}, exitUsage, "--topics 0"},
		{"no card in the period", []string{"--db", db, "--provider", "offline", "--since", "2h", "-o", out}, exitFailure, "no card published since"},
		{"empty collection", []string{"--db", empty, "-o", out}, exitFailure, "the collection has no cards yet"},
		{"no database", []string{"--db", absent, "-o", out}, exitFailure, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runExtract(t, "", append([]string{"digest"}, tt.args...)...)
			last := strings.TrimSpace(stderr)
			if i := strings.LastIndex(last, "\n"); i >= 0 && tt.code == exitFailure {
				last = last[i+1:] // the offline notice comes first
			}
			if code != tt.code || !strings.Contains(last, tt.stderr) || strings.Contains(last, "\n") || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line with %q", code, stdout, stderr, tt.code, tt.stderr)
			}
			for _, p := range []string{absent, out} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s was written", p)
				}
			}
		})
	}
}

// TestDigestNamesThePlantedTrend: on the collection with a planted trend
// (ten cards or more, six hosts, one signal worded differently each time,
// among unrelated cards), the digest's first topic is the planted trend,
// as extract trends ranks it, and it links at least nine planted cards.
func TestDigestNamesThePlantedTrend(t *testing.T) {
	db, planted := trendsCollection(t, nil)
	top := topTrends(t, &app{stdin: strings.NewReader(""), getenv: func(string) string { return "" }}, db, "--since", "30d")[0]
	stdout, stderr, code := runExtract(t, "", "digest", "--db", db, "--provider", "offline", "--since", "30d")
	if code != exitOK {
		t.Fatalf("digest: exit %d: %s", code, stderr)
	}
	_, first, _ := strings.Cut(stdout, "\n## ")
	label, section, _ := strings.Cut(first, "\n")
	section, _, _ = strings.Cut(section, "\n## ")
	if label != top.Label {
		t.Errorf("the digest's first topic is %q, want the top trend %q", label, top.Label)
	}
	linked := 0
	for _, u := range planted {
		if strings.Contains(section, "("+u+")") {
			linked++
		}
	}
	t.Logf("first topic %q links %d of the %d planted cards", label, linked, len(planted))
	if linked < 9 {
		t.Errorf("the first topic links %d planted cards, want at least 9:\n%s", linked, section)
	}
}

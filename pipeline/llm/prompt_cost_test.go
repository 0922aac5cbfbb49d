package llm_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/openai"
	"github.com/veille/veille/pipeline/llm/tokens"
	"github.com/veille/veille/schema"
)

// sharedDir returns ../shared beside the module root, skipping the test
// when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared not found (%v): skipping a test that needs the gold pairs", err)
	}
	return dir
}

// TestPromptTokenFigures prints, for each gold pair's article, the requests
// and o200k_base prompt tokens of one card with the default prompt against
// the original's layout (seven requests, each re-sending the article), and
// checks the target: at least 5× fewer prompt tokens per card overall.
//
//	go test ./pipeline/llm -run TestPromptTokenFigures -v
func TestPromptTokenFigures(t *testing.T) {
	pairs, err := filepath.Glob(filepath.Join(sharedDir(t), "gold", "pairs", "*", "article.txt"))
	if err != nil || len(pairs) == 0 {
		t.Skipf("no gold pairs found (%v)", err)
	}
	tc, err := tokens.New()
	if err != nil {
		t.Fatal(err)
	}
	m, err := openai.New(openai.Config{APIKey: "unused"}, llm.ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ours, orig llm.PromptCost
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s %8s %6s %9s %6s %9s %6s\n", "article", "article", "ours", "ours", "orig", "orig", "ratio")
	fmt.Fprintf(&b, "%-34s %8s %6s %9s %6s %9s %6s\n", "", "tokens", "req", "tokens", "req", "tokens", "")
	for _, p := range pairs {
		in := pairInput(t, p)
		o, err := m.PromptCost(in, []llm.Section{llm.WholeCard}, tc)
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.PromptCost(in, llm.CardSections, tc)
		if err != nil {
			t.Fatal(err)
		}
		id := filepath.Base(filepath.Dir(p))
		fmt.Fprintf(&b, "%-34s %8d %6d %9d %6d %9d %5.1fx\n", id, tc.Count(in.Text), o.Requests, o.PromptTokens,
			g.Requests, g.PromptTokens, float64(g.PromptTokens)/float64(o.PromptTokens))
		ours.Requests += o.Requests
		ours.PromptTokens += o.PromptTokens
		orig.Requests += g.Requests
		orig.PromptTokens += g.PromptTokens
	}
	n := len(pairs)
	ratio := float64(orig.PromptTokens) / float64(ours.PromptTokens)
	fmt.Fprintf(&b, "%-34s %8s %6.1f %9d %6.1f %9d %5.1fx\n", "per card (mean)", "",
		float64(ours.Requests)/float64(n), ours.PromptTokens/n, float64(orig.Requests)/float64(n), orig.PromptTokens/n, ratio)
	fmt.Fprintf(&b, "answer schema (sent with each request): %d tokens\n", tc.Count(string(schema.AnswerSchema())))
	t.Log("\n" + b.String())
	if ratio < 5 {
		t.Errorf("prompt tokens per card: original %d / ours %d = %.2fx, want at least 5x", orig.PromptTokens/n, ours.PromptTokens/n, ratio)
	}
}

// pairInput reads a gold pair's article and page.json as a model Input.
func pairInput(t testing.TB, articlePath string) llm.Input {
	t.Helper()
	text, err := os.ReadFile(articlePath)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		URL, Title, Lang string
	}
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(articlePath), "page.json")); err == nil {
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatalf("%s: %v", articlePath, err)
		}
	}
	return llm.Input{URL: page.URL, Title: page.Title, Lang: page.Lang, Text: string(text)}
}

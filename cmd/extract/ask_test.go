package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/llm/llmtest"
	"github.com/veille/veille/store/sqlite"
	"github.com/veille/veille/web"
)

// modelApp is an app whose environment points the openai provider at a
// fake chat server.
func modelApp(chat *llmtest.Chat) (*app, *strings.Builder, *strings.Builder) {
	env := map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": chat.URL, "EXTRACT_EMBED_MODEL": ""}
	out, errOut := &strings.Builder{}, &strings.Builder{}
	return &app{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(k string) string { return env[k] }}, out, errOut
}

func TestAskCommandOffline(t *testing.T) {
	db := collectionDB(t)
	stdout, stderr, code := runExtract(t, "", "ask", "--db", db, "--provider", "offline", "What about heat pumps?")
	if code != exitOK || !strings.Contains(stderr, "no model to answer") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The field notes and the article are about heat pumps, the social
	// post is not.
	lines := nonEmptyLines(stdout)
	if len(lines) < 5 || !strings.Contains(strings.Join(lines[:5], "\n"), articleURL) || !strings.Contains(stdout, "signals: ") ||
		strings.Contains(stdout, "social") {
		t.Errorf("ranked cards:\n%s", stdout)
	}
	stdout, _, code = runExtract(t, "", "ask", "--db", db, "--provider", "offline", "--json", "heat pumps")
	var got askOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != exitOK {
		t.Fatalf("ask --json: exit %d, %v:\n%s", code, err, stdout)
	}
	if got.Question != "heat pumps" || got.Answer != "" || len(got.Cards) != 2 || got.Cards[1].URL != articleURL ||
		got.Cards[0].Score <= 0 || got.Cards[0].Cited || len(got.Cards[1].Rows) == 0 {
		t.Errorf("ask --json = %+v", got)
	}
	stdout, stderr, code = runExtract(t, "", "ask", "--db", db, "--provider", "offline", "quantum entanglement")
	if code != exitOK || stdout != "" || !strings.Contains(stderr, `no card matches "quantum entanglement"`) {
		t.Errorf("nothing found: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestAskCommandModel(t *testing.T) {
	db := collectionDB(t)
	chat := llmtest.NewChat(t)
	chat.Reply = func(n int, req llmtest.Request) string {
		// Cite the first card of the data block.
		block, _ := llmtest.Block(req.User(), "CARDS")
		id := strings.TrimSpace(strings.SplitN(strings.TrimPrefix(block, "Card id: "), "\n", 2)[0])
		b, _ := json.Marshal(map[string]any{"answer": "Towns install heat pumps.", "cited": []string{id}})
		return string(b)
	}
	for run := range 2 {
		a, out, errOut := modelApp(chat)
		if code := a.run(context.Background(), []string{"ask", "--db", db, "--json", "--price-in", "1", "--price-out", "2", "heat pumps"}); code != exitOK {
			t.Fatalf("run %d: exit %d: %s", run, code, errOut)
		}
		var got askOutput
		if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
			t.Fatal(err)
		}
		if got.Answer != "Towns install heat pumps." || len(got.Cards) == 0 || !got.Cards[0].Cited {
			t.Errorf("run %d: %+v", run, got)
		}
		wantCost := "tokens 1000 in, 100 out; estimated cost 0.0012 USD"
		if run == 1 {
			wantCost = "(from the response cache)"
		}
		if !strings.Contains(errOut.String(), wantCost) {
			t.Errorf("run %d: stderr %q, want %q", run, errOut, wantCost)
		}
	}
	if chat.Count() != 1 || chat.EmbedRequests() != 3 {
		t.Errorf("%d requests for the same question twice, want 1; %d embeddings requests, want 3 (the cards once, the question twice)",
			chat.Count(), chat.EmbedRequests())
	}
	// The text output: the answer, then the cited cards.
	a, out, errOut := modelApp(chat)
	if code := a.run(context.Background(), []string{"ask", "--db", db, "heat pumps"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out.String(), "Towns install heat pumps.\n\nCited cards:\n") {
		t.Errorf("ask:\n%s", out)
	}
}

func TestAskCommandBadInput(t *testing.T) {
	db := collectionDB(t)
	empty := filepath.Join(t.TempDir(), "empty.db")
	st, err := sqlite.Open(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	absent := filepath.Join(t.TempDir(), "absent.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"empty question", []string{"ask", "--db", db, "  "}, exitUsage, "ask: empty question"},
		{"10 KB question", []string{"ask", "--db", absent, strings.Repeat("heat ", 2048)}, exitUsage, "question of 10240 bytes"},
		{"bad since", []string{"ask", "--db", absent, "--since", "yesterday", "heat"}, exitUsage, `--since "yesterday"`},
		{"bad limit", []string{"ask", "--db", db, "--limit", "0", "heat"}, exitUsage, "--limit 0"},
		{"empty collection", []string{"ask", "--db", empty, "--provider", "offline", "heat"}, exitFailure, "no cards yet"},
		{"no database", []string{"ask", "--db", absent, "heat"}, exitFailure, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runExtract(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line with %q", code, stdout, stderr, tt.code, tt.stderr)
			}
			if _, err := os.Stat(absent); err == nil {
				t.Errorf("%s was created", absent)
			}
		})
	}
}

// TestServeAskPage serves the ask page of serve over a collection,
// offline.
func TestServeAskPage(t *testing.T) {
	db := collectionDB(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	q, err := a.newAsker(ctx, st, modelFlags{provider: "offline", maxAttempts: 1, timeout: time.Second, maxInputTokens: 1, priceIn: -1, priceOut: -1}, "")
	if err != nil {
		t.Fatal(err)
	}
	h := web.New(st, web.Options{Asker: webAsker{q}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ask?q=heat+pumps", nil))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Municipal heat pumps cut winter bills") || !strings.Contains(body, "No model is configured") {
		t.Errorf("/ask: %d\n%s", rec.Code, body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ask?q="+strings.Repeat("x", 3000), nil))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "question of 3000 bytes") {
		t.Errorf("/ask with a long question: %d", rec.Code)
	}
}

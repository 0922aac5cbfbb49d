package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

// TestRunEndToEnd runs extract run on an httptest page against a fake
// OpenAI-compatible server: URL → stored, printed and written card.
func TestRunEndToEnd(t *testing.T) {
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0)
	db := filepath.Join(t.TempDir(), "veille.db")
	outDir := filepath.Join(t.TempDir(), "cards")
	url := site.srv.URL + "/a/lyon"

	stdout, stderr, code := runBatchCmd(t, model.env(), "run", url, "--db", db, "-o", outDir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "# __") || !strings.Contains(stdout, "__[External link]("+url+")__") {
		t.Errorf("stdout is not a card for %s:\n%s", url, stdout)
	}
	if !strings.HasPrefix(stderr, "grounding: ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one grounding tally line", stderr)
	}
	id := schema.DocumentID(mustCanonical(t, url))
	written, err := os.ReadFile(filepath.Join(outDir, id+".md"))
	if err != nil || string(written)+"\n" != stdout {
		t.Errorf("-o file: %v; want the printed card", err)
	}
	if model.requests.Load() != 1 {
		t.Errorf("%d model requests, want 1", model.requests.Load())
	}

	// Again: the page comes from the store, the answer from the cache; the
	// card is a new version.
	if _, stderr, code := runBatchCmd(t, model.env(), "run", url, "--db", db); code != exitOK {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if model.requests.Load() != 1 || site.fetches.Load() != 1 {
		t.Errorf("second run: %d requests, %d fetches; want 1 and 1", model.requests.Load(), site.fetches.Load())
	}
	versions := cardVersions(t, db, id)
	if len(versions) != 2 || versions[0].Provider != "openai" || !versions[1].Cached {
		t.Errorf("versions = %+v", versions)
	}

	// --json: one object a line with provenance and grounding.
	stdout, stderr, code = runBatchCmd(t, model.env(), "run", url, "--db", db, "--json", "--no-cache")
	if code != exitOK {
		t.Fatalf("--json: exit %d: %s", code, stderr)
	}
	var got runOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	if got.ID != id || got.Version != 3 || got.Provenance.Model != "gpt-4o-mini" || got.Provenance.Requests != 1 {
		t.Errorf("--json output = %+v", got)
	}
}

func TestRunFallsBackToOffline(t *testing.T) {
	site := newBatchSite(t)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	db := filepath.Join(t.TempDir(), "veille.db")
	stdout, stderr, code := runBatchCmd(t, map[string]string{"OLLAMA_HOST": gone.URL}, "run", site.srv.URL+"/a/x", "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "offline baseline") || !strings.Contains(lines[0], "OPENAI_API_KEY") {
		t.Errorf("stderr = %q, want the offline notice then the tally", stderr)
	}
	if !strings.HasPrefix(stdout, "# __") {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestRunBadInputs(t *testing.T) {
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0)
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"missing file", []string{"run", "no/such/page.html"}, exitFailure, "no/such/page.html"},
		{"404 page", []string{"run", site.srv.URL + "/gone"}, exitFailure, "/gone"},
		{"no input", []string{"run"}, exitUsage, "requires at least 1 arg"},
		{"unknown provider", []string{"run", site.srv.URL + "/a/1", "--provider", "gpt"}, exitUsage, `--provider "gpt": want one of auto, openai`},
		{"bad attempts", []string{"run", site.srv.URL + "/a/1", "--max-attempts", "0"}, exitUsage, "--max-attempts 0: must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "veille.db")
			stdout, stderr, code := runBatchCmd(t, model.env(), append(tt.args, "--db", db)...)
			if code != tt.code || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("exit %d stderr %q; want %d and %q", code, stderr, tt.code, tt.wantErr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if _, err := os.Stat(db); err == nil {
				if cards := storedCards(t, db); len(cards) != 0 {
					t.Errorf("%d cards stored, want none", len(cards))
				}
			}
		})
	}
}

func mustCanonical(t *testing.T, url string) string {
	t.Helper()
	c, err := schema.CanonicalURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func cardVersions(t *testing.T, db, documentID string) []schema.StoredCard {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cards, err := st.CardVersions(context.Background(), documentID)
	if err != nil {
		t.Fatal(err)
	}
	return cards
}

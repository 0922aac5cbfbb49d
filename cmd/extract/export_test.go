package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/export"
)

// exportFixture makes a store holding three cards through extract batch.
func exportFixture(t *testing.T) (db string, urls []string) {
	t.Helper()
	site := newBatchSite(t)
	model := newFakeOpenAI(t, 0)
	db = filepath.Join(t.TempDir(), "veille.db")
	urls = site.articleURLs(3)
	if _, stderr, code := runBatchCmd(t, model.env(), "batch", "--db", db, "--provider", "openai",
		"--host-rps", "0", writeList(t, urls...)); code != exitOK {
		t.Fatalf("batch: exit %d: %s", code, stderr)
	}
	return db, urls
}

func TestExportFormats(t *testing.T) {
	db, urls := exportFixture(t)
	cards := storedCards(t, db)

	t.Run("md files named by ID", func(t *testing.T) {
		dir := t.TempDir()
		if _, stderr, code := runBatchCmd(t, nil, "export", "--db", db, "--format", "md", "-o", dir); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, c := range cards {
			got, err := os.ReadFile(filepath.Join(dir, c.DocumentID+".md"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.Markdown {
				t.Errorf("%s.md differs from the stored card", c.DocumentID)
			}
		}
	})
	t.Run("jsonl one card per line", func(t *testing.T) {
		stdout, stderr, code := runBatchCmd(t, nil, "export", "--db", db, "--format", "jsonl", "-o", "-")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(lines) != len(urls) {
			t.Fatalf("%d lines, want %d", len(lines), len(urls))
		}
		for _, l := range lines {
			var c export.Card
			if err := json.Unmarshal([]byte(l), &c); err != nil || c.ID == "" || c.URL == "" || c.Title == "" {
				t.Errorf("line %q: %+v, %v", l, c, err)
			}
		}
	})
	t.Run("csv one line per row", func(t *testing.T) {
		dir := t.TempDir()
		if _, stderr, code := runBatchCmd(t, nil, "export", "--db", db, "--format", "csv", "-o", dir); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		f, err := os.Open(filepath.Join(dir, "rows.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 1+len(urls) || rows[0][0] != "card_id" || rows[0][11] != "table" || rows[0][12] != "name" {
			t.Fatalf("rows = %q", rows)
		}
		if rows[1][1] == "" || !strings.HasPrefix(rows[1][2], "http") || rows[1][11] != "signals" ||
			rows[1][12] != "Shared cargo bike fleets" || rows[1][5] == "" {
			t.Errorf("row = %q", rows[1])
		}
	})
	t.Run("json array", func(t *testing.T) {
		stdout, _, code := runBatchCmd(t, nil, "export", "--db", db, "--format", "json", "-o", "-")
		var all []export.Card
		if err := json.Unmarshal([]byte(stdout), &all); code != exitOK || err != nil || len(all) != len(urls) {
			t.Errorf("exit %d, %d cards, %v", code, len(all), err)
		}
	})
	t.Run("since excludes older cards", func(t *testing.T) {
		stdout, _, code := runBatchCmd(t, nil, "export", "--db", db, "--format", "jsonl", "--since", "2999-01-01", "-o", "-")
		if code != exitOK || stdout != "" {
			t.Errorf("exit %d, output %q", code, stdout)
		}
	})
}

func TestExportUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "veille.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"format", []string{"--format", "xml", "-o", "-"}, "--format"},
		{"output", []string{"--format", "md"}, "-o DIR"},
		{"since", []string{"--since", "yesterday", "-o", "-"}, "--since"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runBatchCmd(t, nil, append([]string{"export", "--db", db}, tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q", code, stderr)
			}
		})
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

// seedCard is the mission's seed card, in the current layout.
var seedCard = filepath.Join("..", "..", "seeds", "000_bf3c44b3c8125320.txt")

func TestParsePrintsTheCardAsJSON(t *testing.T) {
	stdout, stderr, code := runExtract(t, "", "parse", seedCard)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var c schema.Card
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatalf("output is not a JSON card: %v", err)
	}
	if c.Category != schema.CategoryPolitics || c.Type != schema.TypeSocialNetwork ||
		len(c.Signals) != 5 || c.Origin == nil || c.Origin.Label != "20250615d" ||
		!strings.HasPrefix(c.URL, "https://www.linkedin.com/posts/olivierblais_") {
		t.Errorf("extract parse seed: %+v", c)
	}
	if strings.Contains(stdout, `\u0026`) {
		t.Error("extract parse escapes & in URLs")
	}
}

func TestParseNamesTheFileAndLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.md")
	if err := os.WriteFile(path, []byte("# __T__\n\n__[External link](u)__\n\n## Colour\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runExtract(t, "", "parse", path)
	want := "extract: parse " + path + `: line 5: unknown section "Colour"` + "\n"
	if code != exitFailure || stderr != want {
		t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, exitFailure, want)
	}
}

func TestParseReadsStandardInput(t *testing.T) {
	stdout, stderr, code := runExtract(t, "# __T__\n\n__[External link](u)__", "parse", "-")
	if code != exitOK || !strings.Contains(stdout, `"title": "T"`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

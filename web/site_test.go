package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestExportSite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	st, err := ExportSite(context.Background(), sampleCollection(), dir, Options{Title: "veille site"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Cards != 5 || st.Themes < 4 || st.Categories != 3 || st.Files < 15 {
		t.Errorf("stats %+v", st)
	}
	for _, name := range []string{"index.html", "cards/" + idAI + ".html", "themes/energy.html", "categories/politics.html",
		"feed.atom", "search.json", "search-index.js", "assets/style.css", "assets/app.js", "assets/search.js", siteMarker} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	checkRelativeLinks(t, dir)
	card := readFile(t, filepath.Join(dir, "cards", idAI+".html"))
	for _, want := range []string{`href="../assets/style.css"`, `href="../themes/gouvernance.html"`, `href="../categories/politics.html"`,
		`href="../cards/` + idGrid + `.html"`, `<mark class="ev"`, `<span class="url-text">pocket.csv</span>`} {
		if !strings.Contains(card, want) {
			t.Errorf("card page lacks %q", want)
		}
	}
	if strings.Contains(card, "/home/ana") {
		t.Error("the published card page names a folder of the analyst's machine")
	}
	checkNoInjection(t, "hostile", readFile(t, filepath.Join(dir, "cards", idHostile+".html")))
	index := readFile(t, filepath.Join(dir, "index.html"))
	checkNoInjection(t, "index", index)
	if !strings.Contains(index, `data-index="search-index.js"`) || !strings.Contains(index, `href="themes/energy.html"`) {
		t.Errorf("index lacks the search or the themes")
	}
	var entries []searchEntry
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "search.json"))), &entries); err != nil || len(entries) != 5 {
		t.Fatalf("search.json: %v, %d entries", err, len(entries))
	}
	if js := readFile(t, filepath.Join(dir, "search-index.js")); strings.Contains(js, "</script") || strings.Contains(js, "<script") {
		t.Errorf("search-index.js holds markup")
	}
}

// checkRelativeLinks fails on an absolute local link in the site's pages.
func checkRelativeLinks(t *testing.T, dir string) {
	t.Helper()
	abs := regexp.MustCompile(`(href|src|action)="/`)
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".html") {
			if m := abs.FindString(readFile(t, path)); m != "" {
				t.Errorf("%s: absolute link %s", path, m)
			}
		}
		return err
	})
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExportSiteReplaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	c := sampleCollection()
	if _, err := ExportSite(context.Background(), c, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ExportSite(context.Background(), c, dir, Options{BaseURL: "https://example.org/v"}); err != nil {
		t.Fatalf("second export: %v", err)
	}
	if feed := readFile(t, filepath.Join(dir, "feed.atom")); !strings.Contains(feed, "https://example.org/v/cards/"+idAI+".html") {
		t.Errorf("feed without BaseURL links")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "precious.txt"), []byte("keep"), 0o644)
	if _, err := ExportSite(context.Background(), c, other, Options{}); err == nil {
		t.Errorf("replaced a folder that is not a site")
	}
	if readFile(t, filepath.Join(other, "precious.txt")) != "keep" {
		t.Errorf("touched the folder")
	}
	broken := sampleCollection()
	broken.err = errStore
	if _, err := ExportSite(context.Background(), broken, dir, Options{}); err == nil {
		t.Errorf("no error from a broken store")
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Errorf("a failed export damaged the earlier one: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".site-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left: %v", leftovers)
	}
}

func BenchmarkExportSite10k(b *testing.B) {
	c := bigCollection(10000)
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "site")
		st, err := ExportSite(context.Background(), c, dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Files), "files")
		b.ReportMetric(float64(st.Bytes)/1e6, "MB")
	}
}

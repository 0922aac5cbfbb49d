package feed

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

func TestParse(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"feed.rss", []string{"https://example.org/1", "https://example.org/2"}},
		{"feed.atom", []string{"https://example.org/atom-a"}},
		{"feed.json", []string{"https://example.org/json-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Parse(strings.NewReader("<html>not a feed</html>")); err == nil {
		t.Error("Parse accepted an HTML page")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`<rss version="2.0"><channel><item><link>https://a.example/</link></item></channel></rss>`)
	f.Add(`{"version":"https://jsonfeed.org/version/1.1","items":[{"url":"https://a.example/"}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		urls, err := Parse(strings.NewReader(in))
		if err == nil {
			checkParsedURLs(t, urls)
		}
	})
}

// checkParsedURLs fails the test for a link that is not a web URL with a
// canonical form.
func checkParsedURLs(t *testing.T, urls []string) {
	t.Helper()
	for _, u := range urls {
		if err := schema.CheckWebURL(u); err != nil {
			t.Errorf("parser returned %q: %v", u, err)
		}
		if _, err := schema.CanonicalURL(u); err != nil {
			t.Errorf("parser returned %q: %v", u, err)
		}
	}
}

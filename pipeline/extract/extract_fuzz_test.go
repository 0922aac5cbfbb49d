package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

func FuzzExtractHTML(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "extract", "*.html"))
	for _, path := range fixtures {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "https://example.org/a")
	}
	f.Add([]byte("<p>short</p>"), "")
	f.Add([]byte("<html><body><table><tr><td>x</td></tr></table><pre>a\nb</pre></body></html>"), "http://[::1]:namedport")
	f.Add([]byte("\x00\xff<meta property=og:description content=\"a b c\">"), "%zz")
	f.Fuzz(func(t *testing.T, body []byte, pageURL string) {
		ex, err := HTML(body, pageURL)
		if err != nil {
			return
		}
		if len(wordTokens(ex.Text)) == 0 {
			t.Errorf("no words in successful extraction %q", ex.Text)
		}
		if ex.Method == "" {
			t.Error("empty method")
		}
		for _, line := range strings.Split(ex.Text, "\n") {
			if strings.IndexFunc(line, unicode.IsControl) >= 0 && ex.Method != MethodDescription {
				t.Errorf("control character in line %q", line)
			}
		}
	})
}

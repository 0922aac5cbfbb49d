package schema

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"already canonical", "https://example.com/a/b?x=1", "https://example.com/a/b?x=1"},
		{"scheme and host lower-cased, path kept", "HTTPS://Example.COM/Path/To", "https://example.com/Path/To"},
		{"fragment dropped", "https://example.com/a#section-2", "https://example.com/a"},
		{"default https port", "https://example.com:443/a", "https://example.com/a"},
		{"default http port", "http://example.com:80/a", "http://example.com/a"},
		{"other port kept", "http://example.com:8080/a", "http://example.com:8080/a"},
		{"https on :80 kept", "https://example.com:80/a", "https://example.com:80/a"},
		{"utm removed, others in order", "https://x.org/p?b=2&utm_source=nl&a=1&utm_medium=email", "https://x.org/p?b=2&a=1"},
		{"all tracking removed leaves no ?", "https://x.org/p?utm_source=a&fbclid=b&gclid=c&mc_cid=d&mc_eid=e", "https://x.org/p"},
		{"ref and rcm", "https://x.org/p?ref=sentiers.media&rcm=ACoAA&ref_src=twsrc", "https://x.org/p"},
		{"case-insensitive keys", "https://x.org/p?UTM_Source=a&FBCLID=b&id=7", "https://x.org/p?id=7"},
		{"encoding of kept params preserved", "https://x.org/s?q=a%20b&lang=fr", "https://x.org/s?q=a%20b&lang=fr"},
		{"empty query and fragment", "https://x.org/p?#", "https://x.org/p"},
		{"parentheses in path", "https://en.wikipedia.org/wiki/Echopraxia_(novel)", "https://en.wikipedia.org/wiki/Echopraxia_(novel)"},
		{"surrounding spaces", "  https://x.org/p  ", "https://x.org/p"},
		{"file URL", "file:///tmp/page.html", "file:///tmp/page.html"},
		{"no path stays without slash", "https://llmstxt.org", "https://llmstxt.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalURL(tt.in)
			if err != nil {
				t.Fatalf("CanonicalURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonicalURLRejects(t *testing.T) {
	for _, in := range []string{"", "example.com/page", "/tmp/x.html", "ftp://example.com/f", "https:///nohost", "http://[::1", "mailto:a@b.c"} {
		if got, err := CanonicalURL(in); err == nil {
			t.Errorf("CanonicalURL(%q) = %q, want an error", in, got)
		}
	}
}

func TestDocumentID(t *testing.T) {
	tests := []struct{ url, want string }{
		// IDs of gold cards (the original system's file names).
		{"https://ethz.ch/en/news-and-events/eth-news/news/2020/02/cybathlon-2020-start.html", "012da0fd0aa5dad27caf91e3bd4b238f"},
		{"https://en.wikipedia.org/wiki/Echopraxia_(novel)", "02c7c6ecebdfd064c818ecf5a289b629"},
		{"https://llmstxt.org/", "1011289e94680d65690a31b58158f434"},
	}
	for _, tt := range tests {
		if got := DocumentID(tt.url); got != tt.want {
			t.Errorf("DocumentID(%q) = %s, want %s", tt.url, got, tt.want)
		}
	}
}

func TestPythonBytesRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `b'abc'`},
		{"it's", `b"it's"`},
		{`it's "x"`, `b'it\'s "x"'`},
		{`a\b`, `b'a\\b'`},
		{"t\tn\nr\r\x00", `b't\tn\nr\r\x00'`},
		{"é", `b'\xc3\xa9'`},
		{"\x7f", `b'\x7f'`},
	}
	for _, tt := range tests {
		if got := pythonBytesRepr([]byte(tt.in)); got != tt.want {
			t.Errorf("pythonBytesRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestDocumentIDMatchesGoldCards checks every gold card whose external link
// is already canonical: its file name must be DocumentID of that link.
func TestDocumentIDMatchesGoldCards(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "gold", "cards")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("gold cards not available (%v): ../shared is absent", err)
	}
	link := regexp.MustCompile(`External link\]\((\S+)\)__`)
	checked := 0
	for _, e := range entries {
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m := link.FindSubmatch(body)
		if m == nil {
			continue
		}
		raw := string(m[1])
		canon, err := CanonicalURL(raw)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if canon != raw {
			continue // tracking parameters: the original ID hashed them in
		}
		checked++
		if id := strings.TrimSuffix(e.Name(), ".md"); DocumentID(canon) != id {
			t.Errorf("DocumentID(%q) = %s, want %s", canon, DocumentID(canon), id)
		}
	}
	if checked == 0 {
		t.Fatal("no gold card with a canonical link was checked")
	}
	t.Logf("%d gold card IDs reproduced", checked)
}

// FuzzCanonicalURL checks that canonicalization never panics, is idempotent,
// and never keeps a fragment or a utm_ parameter.
func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/a?utm_source=x&b=1#f",
		"HTTP://EXAMPLE.COM:80/",
		"https://x.org/p?&&ref=1&&q=%zz",
		"file:///tmp/a.html",
		"https://[::1]:443/x?y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		canon, err := CanonicalURL(raw)
		if err != nil {
			return
		}
		again, err := CanonicalURL(canon)
		if err != nil {
			t.Fatalf("CanonicalURL(%q) = %q, which fails: %v", raw, canon, err)
		}
		if again != canon {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, canon, again)
		}
		if _, query, ok := strings.Cut(canon, "?"); ok {
			for _, part := range strings.Split(query, "&") {
				if strings.HasPrefix(strings.ToLower(part), "utm_") {
					t.Fatalf("CanonicalURL(%q) = %q keeps a utm_ parameter", raw, canon)
				}
			}
		}
		if utf8.ValidString(raw) && len(DocumentID(canon)) != 32 {
			t.Fatalf("DocumentID(%q) is not 32 hex digits", canon)
		}
	})
}

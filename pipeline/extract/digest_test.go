package extract

import (
	"testing"

	"github.com/veille/veille/schema"
)

func TestDigestLinks(t *testing.T) {
	links, err := DigestLinks(readExtractFixture(t, "digest.html"), "file:///tmp/digest.html")
	if err != nil {
		t.Fatal(err)
	}
	want := []Link{
		{URL: "https://www.axios.com/2022/12/01/united-airlines-batteries?utm_source=newsletter", Text: "Airlines face electrification challenges"},
		{URL: "https://mariedolle.substack.com/p/les-universites-face-a-lia", Text: "Les universités face à l'IA"},
		{URL: "https://arxiv.org/abs/2603.23714", Text: "A paper on arXiv"},
		{URL: "https://www.bbc.com/news/articles/cy4wnw04e8wo", Text: "the BBC report"},
	}
	origin := schema.Link{Label: "20250615", URL: "https://signals.substack.com/p/20250615"}
	if len(links) != len(want) {
		t.Fatalf("got %d links, want %d:\n%+v", len(links), len(want), links)
	}
	for i := range want {
		want[i].Origin = origin
		if links[i] != want[i] {
			t.Errorf("link %d = %+v, want %+v", i, links[i], want[i])
		}
	}
}

func TestDigestLinksOrigin(t *testing.T) {
	tests := []struct{ page, pageURL, wantLabel, wantURL string }{
		{`<p><a href="https://a.example/x">x</a></p>`, "https://news.example.org/issues/42/", "42", "https://news.example.org/issues/42/"},
		{`<p><a href="https://a.example/x">x</a></p>`, "https://news.example.org/", "news.example.org", "https://news.example.org/"},
		{`<p><a href="/local">self</a> <a href="https://www.news.example.org/y">self too</a> <a href="https://a.example/x">x</a></p>`, "https://news.example.org/p/7", "7", "https://news.example.org/p/7"},
	}
	for _, tt := range tests {
		links, err := DigestLinks([]byte(tt.page), tt.pageURL)
		if err != nil {
			t.Fatal(err)
		}
		if len(links) != 1 || links[0].URL != "https://a.example/x" {
			t.Fatalf("%s: links %+v", tt.pageURL, links)
		}
		if links[0].Origin.Label != tt.wantLabel || links[0].Origin.URL != tt.wantURL {
			t.Errorf("%s: origin %+v, want %s %s", tt.pageURL, links[0].Origin, tt.wantLabel, tt.wantURL)
		}
	}
}

// FuzzDigestLinks checks that any page parses without panic and yields only
// absolute http(s) links.
func FuzzDigestLinks(f *testing.F) {
	f.Add(readExtractFixture(f, "digest.html"), "https://signals.substack.com/p/20250615")
	f.Add([]byte(`<a href="//x.org/a">x</a><a href="javascript:1">j</a>`), "https://y.org/")
	f.Fuzz(func(t *testing.T, page []byte, pageURL string) {
		links, err := DigestLinks(page, pageURL)
		if err != nil {
			return
		}
		for _, l := range links {
			if _, err := schema.CanonicalURL(l.URL); err != nil {
				t.Fatalf("link %q is not a valid URL: %v", l.URL, err)
			}
		}
	})
}

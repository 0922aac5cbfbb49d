package schema

import (
	"testing"
	"time"
)

func TestDocumentSourceURL(t *testing.T) {
	tests := []struct {
		name, url, declared, want string
	}{
		{"fetched page keeps its URL", "https://a.example/x?utm_source=n", "https://a.example/x", "https://a.example/x?utm_source=n"},
		{"saved page links to its canonical", "file:///tmp/x.html", "https://a.example/x", "https://a.example/x"},
		{"saved page without canonical", "file:///tmp/x.html", "", "file:///tmp/x.html"},
		{"relative canonical is ignored", "file:///tmp/x.html", "/x", "file:///tmp/x.html"},
		{"non-web canonical is ignored", "file:///tmp/x.html", "javascript:alert(1)", "file:///tmp/x.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Document{URL: tt.url, Metadata: Metadata{CanonicalURL: tt.declared}}
			if got := d.SourceURL(); got != tt.want {
				t.Errorf("SourceURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDocumentPublished(t *testing.T) {
	fetched := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		published string
		want      time.Time
	}{
		{"2025-06-15", time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)},
		{"2025-06-15T09:30:00+02:00", time.Date(2025, 6, 15, 7, 30, 0, 0, time.UTC)},
		{"", fetched},
		{"June 15, 2025", fetched},
		{"0001-01-01", fetched},
		{"2025-13-40", fetched},
	}
	for _, tt := range tests {
		d := Document{FetchedAt: fetched, Metadata: Metadata{Published: tt.published}}
		if got := d.Published(); !got.Equal(tt.want) {
			t.Errorf("Published with %q = %v, want %v", tt.published, got, tt.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	f.Add("2025-06-15")
	f.Add("2025-06-15T09:30:00Z")
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := ParseDate(s); ok && (d.Year() < 1900 || d.Location() != time.UTC) {
			t.Fatalf("ParseDate(%q) = %v", s, d)
		}
	})
}

func TestSourceURLCannotBreakTheMarkdownLink(t *testing.T) {
	tests := []struct{ canonical, want string }{
		{"https://evil.example/a)](javascript:alert(1))<script>x</script>",
			"https://evil.example/a%29%5D%28javascript:alert%281%29%29%3Cscript%3Ex%3C/script%3E"},
		{"https://news.example/2026/article", "https://news.example/2026/article"},
		{"javascript:alert(1)", "file:///tmp/page.html"},
		{"file:///etc/passwd", "file:///tmp/page.html"},
		{"http://:80/x", "file:///tmp/page.html"},
	}
	for _, tt := range tests {
		d := Document{URL: "file:///tmp/page.html", Metadata: Metadata{CanonicalURL: tt.canonical}}
		if got := d.SourceURL(); got != tt.want {
			t.Errorf("SourceURL with canonical %q = %q, want %q", tt.canonical, got, tt.want)
		}
	}
}

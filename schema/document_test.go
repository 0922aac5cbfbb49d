package schema

import "testing"

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

package schema

import (
	"net/url"
	"strings"
	"time"
)

// Metadata is what a page says about itself, as found by text extraction.
type Metadata struct {
	Title        string `json:"title,omitempty"`
	Description  string `json:"description,omitempty"`
	SiteName     string `json:"site_name,omitempty"`
	Lang         string `json:"lang,omitempty"`
	Author       string `json:"author,omitempty"`
	Published    string `json:"published,omitempty"` // as the page gives it, ideally RFC 3339 or YYYY-MM-DD
	CanonicalURL string `json:"canonical_url,omitempty"`
}

// Document is a fetched (or read) source page and its extracted text.
type Document struct {
	// ID derives from CanonicalURL (see DocumentID).
	ID           string `json:"id"`
	CanonicalURL string `json:"canonical_url"`
	// URL is the address as given (or file://… for a local file);
	// FinalURL is where redirects ended.
	URL         string    `json:"url"`
	FinalURL    string    `json:"final_url"`
	Status      int       `json:"status"`
	ContentType string    `json:"content_type"`
	FetchedAt   time.Time `json:"fetched_at"`
	// ContentHash is the hex SHA-256 of Body.
	ContentHash string `json:"content_hash"`
	// Body is the raw page as received (decoded to UTF-8 for text types).
	Body []byte `json:"-"`
	// Text is the extracted main text, one paragraph a line.
	Text     string   `json:"text"`
	Metadata Metadata `json:"metadata"`
	// Method says which extraction path produced Text
	// (e.g. "trafilatura", "readability", "og:description", "plain", "pdf"),
	// or MethodImported for the stand-in of an imported card's page.
	Method string `json:"method"`
}

// MethodImported is the Method of the document a store keeps for an
// imported card: a stand-in with no text, the page never having been
// fetched. It is no page to make a card from.
const MethodImported = "imported"

// SourceURL is the address a card links to as its "External link": the URL
// as given, except for a saved copy of a web page (a local file) that
// declares its own http(s) canonical URL, which links to that page, its
// URL re-encoded so that no character of it can end a markdown link.
func (d Document) SourceURL() string {
	if !strings.HasPrefix(d.URL, "file:") {
		return d.URL
	}
	declared := d.Metadata.CanonicalURL
	if u, err := url.Parse(declared); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" {
		// Re-encoded: a declared "…/a)](javascript:…)<script>" must not
		// break out of the card's markdown link.
		return u.String()
	}
	return d.URL
}

// Published is the document's date: the publication date the page
// declares (Metadata.Published, an RFC 3339 date-time or a YYYY-MM-DD
// date), else when it was fetched.
func (d Document) Published() time.Time {
	if t, ok := ParseDate(d.Metadata.Published); ok {
		return t
	}
	return d.FetchedAt
}

// ParseDate reads a date as pages and card files give it: an RFC 3339
// date-time, or a YYYY-MM-DD date (midnight UTC). ok is false for anything
// else, and for a year before 1900, which no web page means.
func ParseDate(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

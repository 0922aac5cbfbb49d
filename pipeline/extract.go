package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	trafilatura "github.com/markusmobius/go-trafilatura"

	"github.com/veille/veille/schema"
)

// Extraction is the main text of an HTML page and what the page says about
// itself.
type Extraction struct {
	// Text is the main text, one paragraph a line, without the headline.
	Text string
	// Metadata holds the title, description, site name, language, author,
	// published date and canonical URL found in the page.
	Metadata schema.Metadata
	// Method names the path that produced Text: "trafilatura",
	// "trafilatura+fallback" or "og:description".
	Method string
}

// ErrEmptyExtraction is returned (wrapped) when a page yields no text at all.
var ErrEmptyExtraction = errors.New("no text extracted")

// minBodyRunes is the body length under which the page's own description
// (og:description and the like) is preferred when it is longer: social posts
// expose their text only there.
const minBodyRunes = 200

// ExtractHTML extracts the main text and the metadata of an HTML page.
// pageURL, when not empty, helps resolve relative links and is the canonical
// URL if the page declares none.
func ExtractHTML(body []byte, pageURL string) (Extraction, error) {
	opts := trafilatura.Options{
		EnableFallback:  true,
		ExcludeComments: true,
		HtmlDateMode:    trafilatura.Fast,
	}
	if u, err := url.Parse(pageURL); err == nil && u.Host != "" {
		opts.OriginalURL = u
	}
	result, err := trafilatura.Extract(bytes.NewReader(body), opts)
	if err != nil {
		return Extraction{}, fmt.Errorf("extract main text: %w", err)
	}
	ex := Extraction{
		Text:     renderText(result.ContentNode),
		Metadata: metadataOf(result.Metadata, pageURL),
		Method:   "trafilatura+fallback",
	}
	preferDescription(&ex)
	if strings.TrimSpace(ex.Text) == "" {
		return Extraction{}, fmt.Errorf("extract main text: %w", ErrEmptyExtraction)
	}
	return ex, nil
}

// preferDescription replaces a short body by the page's description when the
// description says more.
func preferDescription(ex *Extraction) {
	desc := strings.TrimSpace(ex.Metadata.Description)
	bodyLen := utf8.RuneCountInString(ex.Text)
	if bodyLen >= minBodyRunes || utf8.RuneCountInString(desc) <= bodyLen {
		return
	}
	ex.Text = desc
	ex.Method = "og:description"
}

// metadataOf maps go-trafilatura's metadata onto the schema's.
func metadataOf(m trafilatura.Metadata, pageURL string) schema.Metadata {
	md := schema.Metadata{
		Title:        strings.TrimSpace(m.Title),
		Description:  strings.TrimSpace(m.Description),
		SiteName:     strings.TrimSpace(m.Sitename),
		Lang:         strings.TrimSpace(m.Language),
		Author:       strings.TrimSpace(m.Author),
		CanonicalURL: strings.TrimSpace(m.URL),
	}
	if !m.Date.IsZero() {
		md.Published = m.Date.Format("2006-01-02")
	}
	if md.CanonicalURL == "" {
		md.CanonicalURL = pageURL
	}
	return md
}

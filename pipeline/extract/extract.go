package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/go-shiori/go-readability"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/veille/veille/schema"
)

// Result is the main text of an HTML page and what the page says about
// itself.
type Result struct {
	// Text is the main text, one paragraph a line, without the headline
	// (which is Metadata.Title).
	Text string
	// Metadata holds the title, description, site name, language, author,
	// published date and canonical URL found in the page.
	Metadata schema.Metadata
	// Method names the path that produced Text (see the Method… constants).
	Method string
}

// Result methods, as recorded in Result.Method.
const (
	// MethodTrafilatura: go-trafilatura's text (with its own fallbacks),
	// cleaned of headline and link lists; go-readability found nothing or
	// another part of the page, so it could not confirm lines.
	MethodTrafilatura = "trafilatura"
	// MethodTrafilaturaReadability: go-trafilatura's lines confirmed by
	// go-readability, cleaned of headline and link lists.
	MethodTrafilaturaReadability = "trafilatura+readability"
	// MethodReadability: go-readability's text, go-trafilatura having
	// found none.
	MethodReadability = "readability"
	// MethodDescription: the page's own description (og:description and
	// the like), used when the body is shorter: social posts.
	MethodDescription = "og:description"
)

// ErrEmpty is returned (wrapped) when a page yields no text at all.
var ErrEmpty = errors.New("no text extracted")

// minBodyRunes is the body length under which the page's description is
// preferred when it is longer: social posts expose their text only there.
const minBodyRunes = 200

// HTML extracts the main text and the metadata of an HTML page given
// as UTF-8. pageURL, when not empty, resolves relative links and stands for
// the canonical URL if the page declares none.
//
// The text is go-trafilatura's, kept line by line where go-readability
// agrees (two independent extractors rarely keep the same boilerplate),
// without the headline and without link lists and teasers. When
// go-trafilatura finds nothing, go-readability's text is used; when the
// body is shorter than the page's description, the description is (social
// posts).
func HTML(body []byte, pageURL string) (ex Result, err error) {
	defer func() {
		// The extractors are third-party code walking untrusted markup: a
		// panic there is this page's failure, not the program's.
		if r := recover(); r != nil {
			ex, err = Result{}, fmt.Errorf("extract main text: extractor failed: %v", r)
		}
	}()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("parse html: %w", err)
	}
	pageU := absoluteURL(pageURL)

	// Readability runs first: trafilatura may take its node as a fallback
	// candidate and rewrite it.
	article, readErr := readability.FromDocument(doc, pageU)
	if readErr != nil {
		article = readability.Article{}
	}
	readable := renderLines(article.Node)

	result, trafErr := trafilatura.ExtractDocument(doc, trafilatura.Options{
		OriginalURL:        pageU,
		EnableFallback:     true,
		FallbackCandidates: &trafilatura.FallbackCandidates{Readability: article.Node},
		ExcludeComments:    true,
		HtmlDateMode:       trafilatura.Fast,
	})
	switch {
	case trafErr == nil:
		ex = combineExtractions(result, readable, doc, pageURL)
	case len(readable) > 0:
		md := readabilityMetadata(article, pageURL)
		ex = Result{
			Text:     joinLines(dropHeadline(readable, md.Title)),
			Metadata: md,
			Method:   MethodReadability,
		}
	default:
		return Result{}, fmt.Errorf("extract main text: %w", trafErr)
	}
	preferDescription(&ex)
	if len(wordTokens(ex.Text)) == 0 {
		return Result{}, fmt.Errorf("extract main text: %w", ErrEmpty)
	}
	return ex, nil
}

// combineExtractions keeps go-trafilatura's lines that go-readability
// confirms (completing the paragraphs it cut), then drops the headline and
// the link lines.
func combineExtractions(result *trafilatura.ExtractResult, readable []textLine, doc *html.Node, pageURL string) Result {
	ex := Result{Metadata: metadataOf(result.Metadata, pageURL), Method: MethodTrafilatura}
	if title := headline(doc); title != "" && sameText(ex.Metadata.Title, ex.Metadata.SiteName) {
		// Some sites' <title> is the site's name alone: the headline says
		// what the page is.
		ex.Metadata.Title = title
	}
	if !webCanonical(doc) {
		// go-trafilatura resolves any canonical against the page, so that
		// "file:///etc/passwd" would become http://host/…/file:/etc/passwd.
		ex.Metadata.CanonicalURL = pageURL
	}
	lines, confirmed := confirmLines(renderLines(result.ContentNode), readable)
	if confirmed {
		lines = completeFragments(lines, readable)
		ex.Method = MethodTrafilaturaReadability
	}
	lines = dropHeadline(lines, ex.Metadata.Title)
	lines = dropLinkLines(lines, newPageLines(doc))
	ex.Text = joinLines(lines)
	return ex
}

// absoluteURL parses pageURL, returning nil unless it is absolute.
func absoluteURL(pageURL string) *url.URL {
	u, err := url.Parse(pageURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil
	}
	return u
}

// preferDescription replaces a short body by the page's description when the
// description says more.
func preferDescription(ex *Result) {
	desc := strings.TrimSpace(ex.Metadata.Description)
	bodyLen := utf8.RuneCountInString(ex.Text)
	if bodyLen >= minBodyRunes || utf8.RuneCountInString(desc) <= bodyLen {
		return
	}
	ex.Text = desc
	ex.Method = MethodDescription
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

// headline is the page's own headline: its og:title when that is not the
// site's name, else its first <h1>.
func headline(doc *html.Node) string {
	var ogTitle, siteName, h1 string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch {
		case n.DataAtom == atom.Meta && attr(n, "property") == "og:title":
			ogTitle = strings.TrimSpace(attr(n, "content"))
		case n.DataAtom == atom.Meta && attr(n, "property") == "og:site_name":
			siteName = strings.TrimSpace(attr(n, "content"))
		case n.DataAtom == atom.H1 && h1 == "":
			h1 = strings.TrimSpace(nodeText(n))
		}
	}
	if ogTitle != "" && !sameText(ogTitle, siteName) {
		return ogTitle
	}
	return h1
}

// sameText reports whether a and b are the same words, ignoring case and
// spacing; two empty texts are not.
func sameText(a, b string) bool {
	a, b = strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " ")
	return a != "" && strings.EqualFold(a, b)
}

// webCanonical reports whether the page's declared canonical link, if any,
// is an http(s) address, absolute or relative: not another scheme.
func webCanonical(doc *html.Node) bool {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.DataAtom == atom.Link && strings.EqualFold(attr(n, "rel"), "canonical") {
			u, err := url.Parse(strings.TrimSpace(attr(n, "href")))
			return err == nil && (u.Scheme == "" || u.Scheme == "http" || u.Scheme == "https")
		}
	}
	return true
}

// readabilityMetadata maps go-readability's metadata onto the schema's.
func readabilityMetadata(a readability.Article, pageURL string) schema.Metadata {
	md := schema.Metadata{
		Title:        strings.TrimSpace(a.Title),
		Description:  strings.TrimSpace(a.Excerpt),
		SiteName:     strings.TrimSpace(a.SiteName),
		Lang:         strings.TrimSpace(a.Language),
		Author:       strings.TrimSpace(a.Byline),
		CanonicalURL: pageURL,
	}
	if a.PublishedTime != nil {
		md.Published = a.PublishedTime.Format("2006-01-02")
	}
	return md
}

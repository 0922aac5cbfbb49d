package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/veille/veille/schema"
)

// Link is an outbound link in the body of a digest page (a newsletter
// issue, a link roundup): the source a card will be written for, with the
// digest as its origin.
type Link struct {
	// URL is the link's target, resolved against the digest's URL.
	URL string `json:"url"`
	// Text is the anchor text, white space collapsed.
	Text string `json:"text"`
	// Origin is the digest: its URL and, as label, the last segment of its
	// path (as in the title line of gold cards).
	Origin schema.Link `json:"origin"`
}

// bodyClasses are class names of the element holding a post's body, most
// specific first (Substack, then common blog engines).
var bodyClasses = []string{"available-content", "markup", "post-content", "entry-content", "article-body", "post-body"}

// boilerplateTags are elements whose links are never a digest's content.
var boilerplateTags = []atom.Atom{atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form, atom.Button}

// boilerplateClassWords mark, within a class name, elements or anchors that
// are share, subscribe or navigation widgets.
var boilerplateClassWords = []string{"share", "subscribe", "subscription", "button", "footer", "nav", "menu", "social", "comment", "image-link"}

// sharePrefixes are host+path prefixes of "share this" endpoints.
var sharePrefixes = []string{
	"twitter.com/intent", "twitter.com/share", "x.com/intent", "x.com/share",
	"facebook.com/sharer", "facebook.com/share", "linkedin.com/sharearticle", "linkedin.com/sharing",
	"reddit.com/submit", "news.ycombinator.com/submitlink", "wa.me/", "api.whatsapp.com/send",
	"t.me/share", "telegram.me/share", "pinterest.com/pin/create", "bsky.app/intent",
}

// DigestLinks lists the outbound links of a digest page's body, in page
// order and without duplicates: not navigation, headers, footers, share or
// subscribe widgets, images, in-page anchors, nor links back to the
// digest's own site. pageURL is where the page was found; a canonical URL
// declared by the page takes precedence as the origin.
func DigestLinks(body []byte, pageURL string) ([]Link, error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("digest links of %s: %w", pageURL, err)
	}
	originURL := declaredCanonical(doc, pageURL)
	origin, err := url.Parse(originURL)
	if err != nil {
		return nil, fmt.Errorf("digest links of %s: %w", pageURL, err)
	}
	label := path.Base(strings.TrimSuffix(origin.Path, "/"))
	if label == "." || label == "/" {
		label = origin.Host
	}
	var links []Link
	seen := map[string]bool{}
	for _, a := range contentAnchors(digestBody(doc)) {
		target, ok := outboundTarget(a, origin)
		if !ok {
			continue
		}
		key, err := schema.CanonicalURL(target)
		if err != nil || seen[key] {
			continue
		}
		seen[key] = true
		links = append(links, Link{
			URL:    target,
			Text:   strings.Join(strings.Fields(nodeText(a)), " "),
			Origin: schema.Link{Label: label, URL: originURL},
		})
	}
	return links, nil
}

// declaredCanonical returns the page's <link rel="canonical"> (or og:url)
// when it is an absolute http(s) URL, else pageURL.
func declaredCanonical(doc *html.Node, pageURL string) string {
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		var candidate string
		switch {
		case n.DataAtom == atom.Link && strings.EqualFold(attr(n, "rel"), "canonical"):
			candidate = attr(n, "href")
		case n.DataAtom == atom.Meta && attr(n, "property") == "og:url":
			candidate = attr(n, "content")
		default:
			continue
		}
		if schema.CheckWebURL(candidate) == nil {
			return candidate
		}
	}
	return pageURL
}

// digestBody finds the element holding the post's body: the first element
// with one of bodyClasses, else <article>, <main>, or the whole document.
func digestBody(doc *html.Node) *html.Node {
	for _, class := range bodyClasses {
		for n := range doc.Descendants() {
			if n.Type == html.ElementNode && slices.Contains(strings.Fields(attr(n, "class")), class) {
				return n
			}
		}
	}
	for _, a := range []atom.Atom{atom.Article, atom.Main} {
		for n := range doc.Descendants() {
			if n.DataAtom == a {
				return n
			}
		}
	}
	return doc
}

// contentAnchors returns the <a> elements under root that are not inside
// boilerplate (navigation, header, footer, forms, share and subscribe
// widgets).
func contentAnchors(root *html.Node) []*html.Node {
	var anchors []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n != root && isBoilerplate(n) {
			return
		}
		if n.DataAtom == atom.A {
			anchors = append(anchors, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return anchors
}

// isBoilerplate reports whether an element is page furniture by its tag,
// its role or its class names.
func isBoilerplate(n *html.Node) bool {
	if slices.Contains(boilerplateTags, n.DataAtom) {
		return true
	}
	if role := attr(n, "role"); role == "navigation" || role == "banner" || role == "contentinfo" {
		return true
	}
	for _, class := range strings.Fields(strings.ToLower(attr(n, "class"))) {
		for _, word := range boilerplateClassWords {
			if strings.Contains(class, word) {
				return true
			}
		}
	}
	return false
}

// outboundTarget resolves an anchor's href against the origin and tells
// whether it points to another site's page.
func outboundTarget(a *html.Node, origin *url.URL) (string, bool) {
	href := strings.TrimSpace(attr(a, "href"))
	if href == "" || strings.HasPrefix(href, "#") {
		return "", false
	}
	u, err := origin.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	host := bareHost(u.Hostname())
	switch {
	case host == bareHost(origin.Hostname()):
		return "", false
	case isPlatformHost(host), isShareLink(host, u.Path), u.Query().Get("action") == "share":
		return "", false
	case isImagePath(u.Path):
		return "", false
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), true
}

// bareHost lower-cases a host name and drops a leading "www.".
func bareHost(host string) string {
	return strings.TrimPrefix(strings.ToLower(host), "www.")
}

// isPlatformHost reports whether host belongs to the newsletter platform
// itself (Substack's app and image CDN), not to a publication on it.
func isPlatformHost(host string) bool {
	return host == "substack.com" || host == "substackcdn.com" || strings.HasSuffix(host, ".substackcdn.com")
}

func isShareLink(host, urlPath string) bool {
	target := strings.ToLower(host + urlPath)
	for _, prefix := range sharePrefixes {
		if strings.HasPrefix(target, prefix) {
			return true
		}
	}
	return false
}

func isImagePath(urlPath string) bool {
	switch strings.ToLower(path.Ext(urlPath)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif":
		return true
	}
	return false
}

// attr returns the value of an element's attribute, or "".
func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// nodeText is the concatenated text under n.
func nodeText(n *html.Node) string {
	var sb strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			sb.WriteString(d.Data)
		}
	}
	return sb.String()
}

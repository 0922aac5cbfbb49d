package offline

import (
	"strings"
	"unicode/utf8"
)

// maxTitleWords bounds a title made from the page's first sentence.
const maxTitleWords = 15

// title returns the page's title cleaned of site-name parts ("Echopraxia
// (novel) - Wikipedia" → "Echopraxia (novel)"): the title is cut at the usual
// separators, parts naming the site are dropped and the longest part is kept.
// A page without a title is titled by its first sentence, cut to
// maxTitleWords words; a page without text by its host.
func title(p Page, doc *document) string {
	raw := strings.Join(strings.Fields(p.Title), " ")
	if raw == "" {
		raw = strings.Join(strings.Fields(p.Metadata.Title), " ")
	}
	if raw != "" {
		return longestPart(raw, p.Metadata.SiteName, p.URL)
	}
	if len(doc.sentences) > 0 {
		return firstWords(doc.sentences[0].text, maxTitleWords)
	}
	if host, _ := hostAndPath(p.URL); host != "" {
		return host
	}
	return "Untitled page"
}

// longestPart splits a title at site-name separators and returns its longest
// part that does not name the site.
func longestPart(raw, siteName, pageURL string) string {
	host, _ := hostAndPath(pageURL)
	parts := []string{raw}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " · ", " :: ", " » ", " • "} {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	best := ""
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if namesSite(part, siteName, host) {
			continue
		}
		if utf8.RuneCountInString(part) > utf8.RuneCountInString(best) {
			best = part
		}
	}
	if best == "" {
		return raw
	}
	return best
}

// namesSite reports whether a title part is the site's name or host.
func namesSite(part, siteName, host string) bool {
	p := strings.ToLower(part)
	if siteName != "" && p == strings.ToLower(strings.TrimSpace(siteName)) {
		return true
	}
	compact := strings.ReplaceAll(p, " ", "")
	return host != "" && compact != "" && strings.Contains(host, compact)
}

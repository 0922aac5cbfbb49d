package offline

import (
	"strings"
	"unicode"
)

// maxTitleWords bounds a title made from the page's first sentence.
const maxTitleWords = 15

// maxLabelWords is the most words a title's end part may have to be taken
// for a site or section label ("ETH Zurich", "Opinion") rather than for a
// part of the headline.
const maxLabelWords = 3

// titleSeparators are the marks that set a site or section label apart from
// a headline ("Headline | Site", "Site - Headline").
var titleSeparators = []string{" | ", " - ", " – ", " — ", " · ", " :: ", " » ", " • "}

// title returns the page's title cleaned of site-name parts ("Echopraxia
// (novel) - Wikipedia" → "Echopraxia (novel)"): labels are stripped from both
// ends of the title, the headline inside is kept whole. A page without a
// title is titled by its first sentence, cut to maxTitleWords words; a page
// without text by its host.
func title(p Page, doc *document) string {
	raw := strings.Join(strings.Fields(p.Title), " ")
	if raw == "" {
		raw = strings.Join(strings.Fields(p.Metadata.Title), " ")
	}
	if raw != "" {
		return stripSiteLabels(raw, p.Metadata.SiteName, p.URL)
	}
	if len(doc.sentences) > 0 {
		return firstWords(doc.sentences[0].text, maxTitleWords)
	}
	if host, _ := hostAndPath(p.URL); host != "" {
		return host
	}
	return "Untitled page"
}

// stripSiteLabels removes, from both ends of a title, the parts that name
// the site (its declared name or its host, "Sportsnet.ca", "LinkNaija |
// Nigeria's popular news platform:") and the short title-case labels set
// apart by a separator ("| Editorial", "Opinion |", "- Auto News"). The
// title is returned unchanged when nothing else would be left.
func stripSiteLabels(raw, siteName, pageURL string) string {
	host, _ := hostAndPath(pageURL)
	t := raw
	for changed := true; changed; {
		changed = false
		if rest, ok := cutSiteName(t, siteName); ok {
			t, changed = rest, true
		}
		for _, sep := range titleSeparators {
			if k := strings.LastIndex(t, sep); k > 0 {
				if head, label := t[:k], t[k+len(sep):]; isLabel(label, head, siteName, host) {
					t, changed = head, true
				}
			}
			if k := strings.Index(t, sep); k > 0 {
				if label, tail := t[:k], t[k+len(sep):]; isLabel(label, tail, siteName, host) {
					t, changed = tail, true
				}
			}
		}
	}
	t = strings.TrimSpace(t)
	if !hasLetter(t) {
		return raw
	}
	return t
}

// cutSiteName removes the site's declared name from either end of a title,
// with the separator or colon that joins it; ok is false when the title
// neither starts nor ends with it or is nothing else.
func cutSiteName(t, siteName string) (rest string, ok bool) {
	name := strings.Join(strings.Fields(siteName), " ")
	if name == "" || len(name) >= len(t) {
		return t, false
	}
	trim := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("|-–—·:»•", r)
		})
	}
	lower, lowerName := strings.ToLower(t), strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, lowerName) && startsWithSeparator(t[len(name):]):
		rest = trim(t[len(name):])
	case strings.HasSuffix(lower, lowerName) && endsWithSeparator(t[:len(t)-len(name)]):
		rest = trim(t[:len(t)-len(name)])
	}
	if !hasLetter(rest) {
		return t, false
	}
	return rest, true
}

// startsWithSeparator reports whether s begins with a title separator or a
// colon: what follows a site name put before the headline.
func startsWithSeparator(s string) bool {
	if strings.HasPrefix(s, ":") {
		return true
	}
	for _, sep := range titleSeparators {
		if strings.HasPrefix(s, sep) {
			return true
		}
	}
	return false
}

// endsWithSeparator reports whether s ends with a title separator: what
// precedes a site name put after the headline.
func endsWithSeparator(s string) bool {
	for _, sep := range titleSeparators {
		if strings.HasSuffix(s, sep) {
			return true
		}
	}
	return false
}

// isLabel reports whether an end part of a title, set apart by a separator
// from the rest, is a site or section label: it names the site or its host,
// or it is a short title-case phrase beside a longer headline.
func isLabel(part, rest, siteName, host string) bool {
	part = strings.TrimSpace(part)
	if part == "" || !hasLetter(rest) {
		return false
	}
	if namesSite(part, siteName, host) {
		return true
	}
	words := strings.Fields(part)
	if len(words) > maxLabelWords || len(words) >= len(strings.Fields(rest)) {
		return false
	}
	for _, w := range words {
		if r := []rune(w); !unicode.IsUpper(r[0]) && !unicode.IsDigit(r[0]) {
			return false
		}
	}
	return true
}

// namesSite reports whether a title part is the site's name or host
// ("Wikipedia" on wikipedia.org, "Sportsnet.ca").
func namesSite(part, siteName, host string) bool {
	p := strings.ToLower(part)
	if siteName != "" && p == strings.ToLower(strings.TrimSpace(siteName)) {
		return true
	}
	compact := strings.ReplaceAll(p, " ", "")
	return host != "" && compact != "" && (strings.Contains(host, compact) || strings.TrimPrefix(compact, "www.") == host)
}

package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// links builds the addresses the pages link to: absolute paths on the
// server, relative file paths in the static site.
type links interface {
	Home() string
	Cards() string
	Card(id string) string
	Asset(name string) string
	Signals() string
	Trends() string
	Runs() string
	Feed() string
	Theme(value string) string
	Category(value string) string
	SearchIndex() string
}

// serverLinks are the server's routes.
type serverLinks struct{}

func (serverLinks) Home() string             { return "/" }
func (serverLinks) Cards() string            { return "/cards" }
func (serverLinks) Card(id string) string    { return "/cards/" + url.PathEscape(id) }
func (serverLinks) Asset(name string) string { return "/assets/" + name }
func (serverLinks) Signals() string          { return "/signals" }
func (serverLinks) Trends() string           { return "/trends" }
func (serverLinks) Runs() string             { return "/runs" }
func (serverLinks) Feed() string             { return "/feed.atom" }
func (serverLinks) SearchIndex() string      { return "" }

// Theme lists the cards of one theme.
func (serverLinks) Theme(value string) string {
	return "/cards?" + url.Values{"theme": {value}}.Encode()
}

// Category lists the cards of one category.
func (serverLinks) Category(value string) string {
	return "/cards?" + url.Values{"category": {value}}.Encode()
}

// siteLinks are the static site's files, relative to the page's folder:
// root is "" for the top-level pages and "../" for those one folder down.
type siteLinks struct {
	root string
}

func (l siteLinks) Home() string             { return l.root + "index.html" }
func (l siteLinks) Cards() string            { return l.root + "index.html" }
func (l siteLinks) Card(id string) string    { return l.root + "cards/" + fileLink(cardFile(id)) }
func (l siteLinks) Asset(name string) string { return l.root + "assets/" + name }
func (l siteLinks) Signals() string          { return "" }
func (l siteLinks) Trends() string           { return "" }
func (l siteLinks) Runs() string             { return "" }
func (l siteLinks) Feed() string             { return l.root + "feed.atom" }
func (l siteLinks) SearchIndex() string      { return l.root + "search-index.js" }

// Theme is the theme's listing page.
func (l siteLinks) Theme(value string) string {
	return l.root + "themes/" + fileLink(slugFile(value))
}

// Category is the category's listing page.
func (l siteLinks) Category(value string) string {
	return l.root + "categories/" + fileLink(slugFile(value))
}

// fileLink escapes a file name for a relative link.
func fileLink(name string) string {
	return (&url.URL{Path: name}).EscapedPath()
}

// cardFile is a card's file name: its ID when that is a plain name (the
// usual hex document ID), else a hash of it.
func cardFile(id string) string {
	if plainName(id) {
		return id + ".html"
	}
	return "c-" + shortHash(id, 16) + ".html"
}

// slugFile is a theme's or category's file name: the value lower-cased
// with spaces as dashes when it is plain ASCII, else an ASCII slug with a
// hash suffix, so that two values never share a file.
func slugFile(value string) string {
	lower := strings.ToLower(strings.TrimSpace(value))
	var b strings.Builder
	plain := lower != "" && len(lower) <= 60
	dash := false
	for _, r := range lower {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == ' ' && !dash:
			b.WriteByte('-')
			dash = true
		default:
			plain = false
			if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	slug := strings.Trim(b.String(), "-")
	if len(slug) > 60 {
		slug = slug[:60]
	}
	if !plain || slug != strings.ReplaceAll(lower, " ", "-") {
		slug = strings.TrimSuffix(slug+"-"+shortHash(lower, 8), "-")
		slug = strings.TrimPrefix(slug, "-")
	}
	return slug + ".html"
}

// plainName reports whether s is a safe file name: 1 to 100 letters,
// digits, dashes and underscores.
func plainName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// shortHash is the first n hex digits of s's SHA-256.
func shortHash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

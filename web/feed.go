package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// feedEntries is how many cards the feed carries.
const feedEntries = 50

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

// atomLink is an Atom link.
type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

// atomPerson is an Atom author.
type atomPerson struct {
	Name string `xml:"name"`
}

// atomText is an Atom text construct.
type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// atomCategory is an Atom category.
type atomCategory struct {
	Term string `xml:"term,attr"`
}

// atomEntry is one card in the feed.
type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

// handleFeed serves the newest cards as Atom, with absolute links from
// BaseURL or the request's host.
func (s *server) handleFeed(w http.ResponseWriter, r *http.Request) {
	base := s.opts.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = (&url.URL{Scheme: scheme, Host: r.Host}).String()
	}
	body, err := s.feed(r.Context(), strings.TrimSuffix(base, "/")+"/", serverLinks{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write(body)
}

// feed renders the Atom feed; base ends with "/" (or is "" for relative
// links) and l's links are joined to it.
func (s *server) feed(ctx context.Context, base string, l links) ([]byte, error) {
	cards, err := s.c.ListCards(ctx, schema.CardFilter{Limit: feedEntries})
	if err != nil {
		return nil, err
	}
	feedID := join(base, l.Home())
	if base == "" {
		feedID = "urn:veille:site"
	}
	f := atomFeed{Title: oneLine(s.opts.Title), ID: feedID, Updated: atomTime(s.opts.Now()),
		Author: atomPerson{Name: oneLine(s.opts.Title)},
		Links: []atomLink{{Href: join(base, l.Feed()), Rel: "self", Type: "application/atom+xml"},
			{Href: join(base, l.Home()), Rel: "alternate", Type: "text/html"}}}
	for i, c := range cards {
		e, err := s.entry(ctx, c, base, l)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			f.Updated = e.Updated
		}
		f.Entries = append(f.Entries, e)
	}
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// entry makes one card's entry, its summary read from the stored card.
func (s *server) entry(ctx context.Context, c schema.CardSummary, base string, l links) (atomEntry, error) {
	stored, err := s.c.LatestCard(ctx, c.ID)
	if err != nil {
		return atomEntry{}, err
	}
	card, _ := decodeCard(stored.CardJSON)
	page := join(base, l.Card(c.ID))
	updated := c.Published
	if !stored.CreatedAt.IsZero() {
		updated = stored.CreatedAt
	}
	id := page
	if base == "" {
		id = "urn:veille:card:" + url.PathEscape(c.ID)
	}
	e := atomEntry{Title: oneLine(cmpOr(c.Title, card.Title, c.URL, c.ID)), ID: id, Updated: atomTime(updated),
		Links:   []atomLink{{Href: page, Rel: "alternate", Type: "text/html"}},
		Summary: atomText{Type: "text", Body: cleanText(excerpt(card.Summary, 1000))}}
	if !c.Published.IsZero() {
		e.Published = atomTime(c.Published)
	}
	if isWebURL(c.URL) {
		e.Links = append(e.Links, atomLink{Href: c.URL, Rel: "related"})
	}
	for _, t := range card.Themes {
		e.Categories = append(e.Categories, atomCategory{Term: oneLine(t)})
	}
	return e, nil
}

// atomTime formats t as RFC 3339 in UTC; the zero time becomes the epoch.
func atomTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}

// join prefixes a site path with base, dropping the path's leading "/".
func join(base, path string) string {
	if base == "" {
		return path
	}
	return base + strings.TrimPrefix(path, "/")
}

// cmpOr returns the first non-blank string.
func cmpOr(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

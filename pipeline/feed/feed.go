// Package feed reads RSS, Atom and JSON feeds through mmcdole/gofeed.
package feed

import (
	"fmt"
	"io"
	"strings"

	"github.com/mmcdole/gofeed"
	"github.com/veille/veille/schema"
)

// Parse reads an RSS, Atom or JSON feed and returns its items' http(s)
// links in feed order.
func Parse(r io.Reader) ([]string, error) {
	feed, err := gofeed.NewParser().Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	return itemLinks(feed), nil
}

// itemLinks lists the links of a feed's items that have one.
func itemLinks(feed *gofeed.Feed) []string {
	var links []string
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		if link := itemLink(it); link != "" {
			links = append(links, link)
		}
	}
	return links
}

// itemLink is a feed item's page: its link, else its first links entry,
// else a GUID that is itself a URL.
func itemLink(it *gofeed.Item) string {
	candidates := append([]string{it.Link}, it.Links...)
	candidates = append(candidates, it.GUID)
	for _, c := range candidates {
		if c = strings.TrimSpace(c); schema.CheckWebURL(c) == nil {
			return c
		}
	}
	return ""
}

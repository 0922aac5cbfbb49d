package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/veille/veille/schema"
)

// Stats counts what ExportSite wrote.
type Stats struct {
	Cards, Themes, Categories, Files int
	Bytes                            int64
	Elapsed                          time.Duration
}

// siteMarker is the file that marks a folder as an exported site; an
// existing folder without it is never replaced.
const siteMarker = ".veille-site"

// searchEntry is one card in the static site's search index.
type searchEntry struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Page     string   `json:"page"`
	Keywords []string `json:"keywords"`
	Themes   []string `json:"themes"`
	Summary  string   `json:"summary"`
}

// exported is what a card's page tells the listings and the index.
type exported struct {
	summary  schema.CardSummary
	themes   []string
	category string
	search   searchEntry
}

// site writes one export into a temporary folder.
type site struct {
	s     *server
	tmp   string
	mu    sync.Mutex
	stats Stats
}

// ExportSite writes the collection as a static site in dir: index.html
// (charts, latest cards, client-side search), cards/<id>.html,
// themes/<slug>.html, categories/<slug>.html, feed.atom, search.json (with
// search-index.js, the same data as a script, for file://) and assets/.
// Links are relative, so the folder works from file:// and any static
// host. The site is built in a temporary folder beside dir, then renamed
// into place; an existing dir is replaced only if it is an earlier export.
func ExportSite(ctx context.Context, c Collection, dir string, opts Options) (Stats, error) {
	start := time.Now()
	if err := checkReplaceable(dir); err != nil {
		return Stats{}, err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Stats{}, err
	}
	tmp, err := os.MkdirTemp(parent, ".site-*")
	if err != nil {
		return Stats{}, err
	}
	st := &site{s: &server{c: c, opts: opts.withDefaults(), tpl: mustTemplates()}, tmp: tmp}
	if err := st.build(ctx); err != nil {
		os.RemoveAll(tmp)
		return Stats{}, err
	}
	if err := replaceDir(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return Stats{}, err
	}
	st.stats.Elapsed = time.Since(start)
	return st.stats, nil
}

// checkReplaceable refuses a dir that exists and is not an empty folder or
// an earlier export.
func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, siteMarker)); err != nil {
		return fmt.Errorf("site: %s is not empty and not an exported site (no %s): not replacing it", dir, siteMarker)
	}
	return nil
}

// replaceDir renames tmp to dir, moving an earlier dir aside first and
// removing it afterwards.
func replaceDir(tmp, dir string) error {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + "-old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// build writes every file of the site into st.tmp.
func (st *site) build(ctx context.Context) error {
	cards, err := allCards(ctx, st.s.c)
	if err != nil {
		return err
	}
	rel, err := newSiteRelated(ctx, st.s.c, cards)
	if err != nil {
		return err
	}
	st.s.c = siteCollection{Collection: st.s.c, rel: rel}
	for _, sub := range []string{"cards", "themes", "categories", "assets"} {
		if err := os.MkdirAll(filepath.Join(st.tmp, sub), 0o755); err != nil {
			return err
		}
	}
	done, err := st.cardPages(ctx, cards)
	if err != nil {
		return err
	}
	if err := st.listings(done); err != nil {
		return err
	}
	if err := st.index(ctx, done); err != nil {
		return err
	}
	return st.extras(ctx, done)
}

// allCards lists every card, newest first.
func allCards(ctx context.Context, c Collection) ([]schema.CardSummary, error) {
	const batch = 500
	var all []schema.CardSummary
	for {
		page, err := c.ListCards(ctx, schema.CardFilter{Limit: batch, Offset: len(all)})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < batch {
			return all, nil
		}
	}
}

// cardPages renders the card pages on every core and returns what the
// listings need, in the cards' order.
func (st *site) cardPages(ctx context.Context, cards []schema.CardSummary) ([]exported, error) {
	out := make([]exported, len(cards))
	err := forEachCard(ctx, len(cards), func(ctx context.Context, i int) error {
		e, err := st.cardPage(ctx, cards[i])
		out[i] = e
		return err
	})
	if err != nil {
		return nil, err
	}
	st.stats.Cards = len(cards)
	return out, nil
}

// forEachCard calls do for 0 to n-1 on every core, and stops at the first
// error, which it returns.
func forEachCard(ctx context.Context, n int, do func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(ctx, i); err != nil {
					cancel(err)
				}
			}
		}()
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// cardPage writes one card's page.
func (st *site) cardPage(ctx context.Context, c schema.CardSummary) (exported, error) {
	l := siteLinks{root: "../"}
	d, err := st.s.cardData(ctx, c.ID, 0, l)
	if err != nil {
		return exported{}, fmt.Errorf("card %s: %w", c.ID, err)
	}
	p := st.s.newPage(l, oneLine(cmpOr(d.Card.Title, c.ID)), "cards")
	d.FoundIn = publishedMentions(d.FoundIn)
	p.Data = d
	if err := st.writePage(filepath.Join("cards", cardFile(c.ID)), "card", p); err != nil {
		return exported{}, err
	}
	e := exported{summary: c, themes: d.Card.Themes, category: string(d.Card.Category)}
	e.search = searchEntry{ID: c.ID, Title: oneLine(cmpOr(d.Card.Title, c.Title)), URL: c.URL,
		Page: siteLinks{}.Card(c.ID), Keywords: d.Card.Keywords, Themes: d.Card.Themes,
		Summary: excerpt(d.Card.Summary, 240)}
	return e, nil
}

// listingData is a theme's or category's page.
type listingData struct {
	Heading string
	Items   []listItem
}

// listings writes a page per theme and per category.
func (st *site) listings(done []exported) error {
	themes, cats := groups(done)
	for _, g := range []struct {
		dir, label string
		by         map[string][]listItem
		n          *int
	}{{"themes", "Theme", themes, &st.stats.Themes}, {"categories", "Category", cats, &st.stats.Categories}} {
		for value, items := range g.by {
			p := st.s.newPage(siteLinks{root: "../"}, g.label+": "+oneLine(value), "cards")
			p.Data = listingData{Heading: g.label + ": " + oneLine(value), Items: items}
			if err := st.writePage(filepath.Join(g.dir, slugFile(value)), "listing", p); err != nil {
				return err
			}
			*g.n++
		}
	}
	return nil
}

// groups gathers the cards per theme (ignoring case, named as first met)
// and per category.
func groups(done []exported) (themes, cats map[string][]listItem) {
	themes, cats = map[string][]listItem{}, map[string][]listItem{}
	names := map[string]string{}
	for _, e := range done {
		item := listItem{CardSummary: e.summary}
		seen := map[string]bool{}
		for _, t := range e.themes {
			key := strings.ToLower(strings.TrimSpace(t))
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			if _, ok := names[key]; !ok {
				names[key] = key
			}
			themes[names[key]] = append(themes[names[key]], item)
		}
		if e.category != "" {
			cats[e.category] = append(cats[e.category], item)
		}
	}
	return themes, cats
}

// index writes index.html with the charts, the latest cards, the theme and
// category lists, and the search box.
func (st *site) index(ctx context.Context, done []exported) error {
	l := siteLinks{}
	d, err := st.s.indexData(ctx, l)
	if err != nil {
		return err
	}
	themes, cats := groups(done)
	d.Themes, d.Categories = groupLinks(themes, l.Theme), groupLinks(cats, l.Category)
	p := st.s.newPage(l, st.s.opts.Title, "home")
	p.Data = d
	return st.writePage("index.html", "index", p)
}

// groupLinks lists the groups, biggest first, with their pages.
func groupLinks(by map[string][]listItem, link func(string) string) []facetLink {
	out := make([]facetLink, 0, len(by))
	for v, items := range by {
		out = append(out, facetLink{Value: v, Count: len(items), Link: link(v)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// extras writes the feed, the search index, the assets and the marker.
func (st *site) extras(ctx context.Context, done []exported) error {
	base := strings.TrimSuffix(st.s.opts.BaseURL, "/")
	if base != "" {
		base += "/"
	}
	feed, err := st.s.feed(ctx, base, siteLinks{})
	if err != nil {
		return err
	}
	entries := make([]searchEntry, len(done))
	for i, e := range done {
		entries[i] = e.search
	}
	index, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	script := append(append([]byte("window.veilleSearchIndex = "), index...), []byte(";\n")...)
	for name, body := range map[string][]byte{"feed.atom": feed, "search.json": index,
		"search-index.js": script, siteMarker: []byte("written by veille's ExportSite\n")} {
		if err := st.write(name, body); err != nil {
			return err
		}
	}
	return st.assets()
}

// assets copies the embedded assets.
func (st *site) assets() error {
	return fs.WalkDir(assetFS, "assets", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetFS.ReadFile(path)
		if err != nil {
			return err
		}
		return st.write(path, body)
	})
}

// writePage renders a page into the site.
func (st *site) writePage(name, tpl string, p *page) error {
	body, err := st.s.tpl.execute(tpl, p)
	if err != nil {
		return err
	}
	return st.write(name, body)
}

// write writes one file of the site and counts it.
func (st *site) write(name string, body []byte) error {
	if err := os.WriteFile(filepath.Join(st.tmp, filepath.FromSlash(name)), body, 0o644); err != nil {
		return err
	}
	st.mu.Lock()
	st.stats.Files++
	st.stats.Bytes += int64(len(body))
	st.mu.Unlock()
	return nil
}

// publishedMentions is what a published site says of where a page was
// found: a list file by its name only, since its folder is the analyst's
// own machine.
func publishedMentions(ms []schema.Mention) []schema.Mention {
	out := make([]schema.Mention, len(ms))
	for i, m := range ms {
		if m.Kind == schema.MentionList {
			m.Source = filepath.Base(m.Source)
		}
		out[i] = m
	}
	return out
}

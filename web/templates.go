package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pageNames are the pages, each parsed with the base layout and partials.
var pageNames = []string{"index", "cards", "card", "listing", "signals", "trends", "runs", "ask", "notfound", "error"}

// templates holds every page's parsed template, parsed once.
type templates struct {
	pages map[string]*template.Template
}

// mustTemplates parses the embedded templates; they are part of the
// binary, so an error is a programming error.
func mustTemplates() *templates {
	t, err := parseTemplates()
	if err != nil {
		panic(err)
	}
	return t
}

// parseTemplates parses the base layout and the partials once, then each
// page on a clone of them.
func parseTemplates() (*templates, error) {
	base, err := template.New("base").Funcs(funcs()).ParseFS(templateFS, "templates/base.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := clone.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, err
		}
		t.pages[name] = clone
	}
	return t, nil
}

// execute renders page name with p into a buffer.
func (t *templates) execute(name string, p *page) ([]byte, error) {
	tpl, ok := t.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, "base", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// page is what every template receives: the layout's fields and the
// page's own data.
type page struct {
	Site  string
	Title string
	// Nav names the current section of the menu ("cards", "signals", ...).
	Nav string
	L   links
	// Static is true in the exported site.
	Static bool
	// Messages are notes shown above the content (a bad date, ...).
	Messages []string
	// Ask is the address of the ask page; empty when there is none.
	Ask  string
	Data any
}

// newPage starts a page of the server or the site.
func (s *server) newPage(l links, title, nav string) *page {
	_, static := l.(siteLinks)
	p := &page{Site: s.opts.Title, Title: title, Nav: nav, L: l, Static: static}
	if s.opts.Asker != nil && !static {
		p.Ask = "/ask"
	}
	return p
}

// render writes page name with status; a template error becomes a plain
// 500, logged.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page, data any) {
	p.Data = data
	body, err := s.tpl.execute(name, p)
	if err != nil {
		s.opts.Logger.Error("web: template", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// assetHandler serves the embedded assets.
func assetHandler() http.Handler {
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err)
	}
	return http.FileServerFS(sub)
}

// funcs are the template helpers.
func funcs() template.FuncMap {
	return template.FuncMap{
		"webURL":    isWebURL,
		"snippet":   snippetHTML,
		"date":      formatDate,
		"datetime":  formatDateTime,
		"share":     share,
		"relevancy": relevancyText,
		"usd":       func(f float64) string { return fmt.Sprintf("$%.4f", f) },
		"join":      strings.Join,
		"add":       func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		},
		"listOf": func(l links, items []listItem) cardList { return cardList{L: l, Items: items} },
	}
}

// cardList is what the "cardlist" partial receives.
type cardList struct {
	L     links
	Items []listItem
}

// isWebURL reports whether s is an absolute http(s) URL: only those become
// links; anything else (javascript:, data:, relative) is shown as text.
func isWebURL(s string) bool {
	return schema.CheckWebURL(s) == nil
}

// snippetHTML escapes a search snippet, then turns its match marks into
// <mark> elements; unbalanced marks are closed at the end.
func snippetHTML(s string) template.HTML {
	escaped := template.HTMLEscapeString(schema.DropControls(s, schema.SnippetOpen+schema.SnippetClose))
	var b strings.Builder
	open := false
	for _, r := range escaped {
		switch {
		case string(r) == schema.SnippetOpen && !open:
			b.WriteString("<mark>")
			open = true
		case string(r) == schema.SnippetClose && open:
			b.WriteString("</mark>")
			open = false
		case string(r) == schema.SnippetOpen || string(r) == schema.SnippetClose:
		default:
			b.WriteRune(r)
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// formatDate shows a date as YYYY-MM-DD, or nothing for the zero time.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// formatDateTime shows a time to the minute, in UTC.
func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// share is part/total as a percentage, or "–" when total is 0.
func share(part, total int) string {
	if total <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", part*100/total)
}

// relevancyText shows a relevancy, or nothing when absent.
func relevancyText(r *int) string {
	if r == nil {
		return ""
	}
	return fmt.Sprint(*r)
}

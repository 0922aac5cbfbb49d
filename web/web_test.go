package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// newTestServer serves c with a fixed clock and a log the test can read.
func newTestServer(t testing.TB, c Collection) (http.Handler, *bytes.Buffer) {
	var log bytes.Buffer
	h := New(c, Options{Title: "veille test", Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Now: func() time.Time { return day }})
	return h, &log
}

// get requests path from h.
func get(t testing.TB, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRoutes(t *testing.T) {
	h, _ := newTestServer(t, sampleCollection())
	tests := []struct {
		name, path string
		status     int
		ctype      string
		want, not  []string
	}{
		{"index", "/", 200, "text/html", []string{"Latest cards", "Cards per week", "<svg", "Top themes", "5 cards", `action="/cards"`}, nil},
		{"list", "/cards", 200, "text/html", []string{"Promouvoir une utilisation", "Home batteries", `data-facet="theme"`, "5 cards"}, nil},
		{"list theme", "/cards?theme=energy", 200, "text/html", []string{"Home batteries", "theme: energy ×"}, []string{"Promouvoir une"}},
		{"list two facets", "/cards?theme=gouvernance&category=politics", 200, "text/html", []string{"Promouvoir", "1 cards"}, []string{"Home batteries"}},
		{"list dates", "/cards?since=2026-02-27&until=2026-03-02", 200, "text/html", []string{"Promouvoir", "&lt;script&gt;alert"}, []string{"Home batteries"}},
		{"search", "/cards?q=batteries", 200, "text/html", []string{"Search results for", "<mark>batteries</mark>"}, nil},
		{"search hostile", "/cards?q=script", 200, "text/html", []string{"&lt;<mark>script</mark>&gt;"}, []string{"<script>alert"}},
		{"bad date", "/cards?since=yesterday&until=2026-13-45", 200, "text/html", []string{"is not a date like", "5 cards"}, nil},
		{"bad page and sort", "/cards?page=-3&sort=%3Cscript%3E", 200, "text/html", []string{"Ignored the page number", "unknown sort order"}, []string{"<script>"}},
		{"huge page", "/cards?page=99999999999999999999", 200, "text/html", []string{"Ignored the page number"}, nil},
		{"far page", "/cards?page=9000", 200, "text/html", []string{"No cards."}, nil},
		{"empty range", "/cards?since=2026-03-05&until=2026-03-01", 200, "text/html", []string{"The date range is empty"}, nil},
		{"card", "/cards/" + idAI, 200, "text/html", []string{"Promouvoir une utilisation", "External link", "Page text", `<mark class="ev" data-ev="signals-0">très mal à l&#39;aise avec l&#39;interdiction</mark>`, `href="#ev-signals-0"`, "not found", "gpt-4o-mini", "card-v1", "Related cards", "Home batteries"}, nil},
		{"card version", "/cards/" + idAI + "?v=1", 200, "text/html", []string{"baseline"}, nil},
		{"card bad version", "/cards/" + idAI + "?v=9", 404, "text/html", []string{"Not found"}, nil},
		{"card no text", "/cards/" + idNoText, 200, "text/html", []string{"not in the collection"}, nil},
		{"card big", "/cards/" + idBig, 200, "text/html", []string{"long summary words"}, nil},
		{"unknown card", "/cards/nope", 404, "text/html", []string{"Not found"}, nil},
		{"unknown route", "/nope", 404, "text/html", []string{"Not found"}, nil},
		{"trailing slash", "/cards/", 404, "text/html", nil, nil},
		{"signals", "/signals", 200, "text/html", []string{"Virtual power plants", "Réserves sur", "Download CSV", "concerns"}, nil},
		{"signals filtered", "/signals?table=signals&min=5&order=relevancy", 200, "text/html", []string{"Usage informel"}, []string{"Virtual power plants", "Productivité"}},
		{"signals bad", "/signals?table=x&min=99&order=y&until=bad", 200, "text/html", []string{"is not a date"}, nil},
		{"runs", "/runs", 200, "text/html", []string{"Run 7", "https://down.example.com/b", "503 Service Unavailable &lt;b&gt;", "gpt-4o-mini", "0.610"}, []string{`href="javascript:`}},
		{"feed", "/feed.atom", 200, "application/atom+xml", []string{"<feed", "http://example.com/cards/" + idAI}, nil},
		{"css", "/assets/style.css", 200, "text/css", []string{".card-page"}, nil},
		{"js", "/assets/app.js", 200, "text/javascript", []string{"scrollIntoView"}, nil},
		{"no asset", "/assets/nope.js", 404, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, "GET", tt.path)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body:\n%.2000s", rec.Code, tt.status, body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("body has %q", n)
				}
			}
			checkHeaders(t, rec)
		})
	}
}

// checkHeaders checks the security headers every response carries.
func checkHeaders(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP allows unsafe sources: %q", csp)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Referrer-Policy") == "" {
		t.Errorf("missing nosniff or Referrer-Policy: %v", rec.Header())
	}
}

func TestMethods(t *testing.T) {
	h, _ := newTestServer(t, sampleCollection())
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, path := range []string{"/", "/cards", "/cards/" + idAI, "/nope"} {
			rec := get(t, h, m, path)
			if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q", m, path, rec.Code, rec.Header().Get("Allow"))
			}
		}
	}
	rec := get(t, h, "HEAD", "/cards/"+idAI)
	if rec.Code != 200 {
		t.Errorf("HEAD: %d", rec.Code)
	}
}

// TestHostile checks that nothing a page or a model wrote becomes markup,
// a script or a dangerous link.
func TestHostile(t *testing.T) {
	h, _ := newTestServer(t, sampleCollection())
	for _, path := range []string{"/", "/cards", "/cards/" + idHostile, "/signals", "/cards?q=alert", "/cards?theme=%3Csvg+onload%3Dalert('theme')%3E"} {
		rec := get(t, h, "GET", path)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		checkNoInjection(t, path, rec.Body.String())
	}
	body := get(t, h, "GET", "/cards/"+idHostile).Body.String()
	for _, want := range []string{
		"&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; **bold** [x](javascript:alert(1))",
		`<span class="url-text">javascript:alert(&#39;url&#39;)</span>`,
		"data:text/html,&lt;script&gt;",
		`<mark class="ev" data-ev="signals-0">&lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt;</mark>`,
		`data-ev="concerns-0 concerns-1"`,
		"withnul[2J and",
		`feed <span class="url-text">javascript:alert(&#39;feed&#39;)</span> <span class="meta">tags: &lt;b&gt;digest&lt;/b&gt;</span>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("hostile card lacks %q", want)
		}
	}
}

// checkNoInjection fails when body holds live markup from the hostile card.
func checkNoInjection(t *testing.T, path, body string) {
	t.Helper()
	for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", `href="javascript:`, `href="data:`,
		"\x1b", "\x00", "<b>digest", "<i>kw", "<a href=\"javascript", "\uFFFD"} {
		if strings.Contains(body, bad) {
			i := strings.Index(body, bad)
			t.Errorf("%s: body has %q: …%s…", path, bad, body[max(0, i-80):min(len(body), i+80)])
		}
	}
	if strings.Contains(body, "<script>") {
		t.Errorf("%s: inline script", path)
	}
	if strings.Contains(body, " style=") || strings.Contains(body, " onclick=") {
		t.Errorf("%s: inline style or handler", path)
	}
}

func TestSignalsCSV(t *testing.T) {
	h, _ := newTestServer(t, sampleCollection())
	rec := get(t, h, "GET", "/signals?format=csv&host=&order=name")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("Content-Type %q", ct)
	}
	all := rec.Body.String()
	rows, err := csv.NewReader(strings.NewReader(all)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "table" || len(rows) < 8 {
		t.Fatalf("rows: %q", rows)
	}
	for _, r := range rows[1:] {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("unguarded cell %q", cell)
			}
			if strings.ContainsAny(cell, "\x00\x01\x1b") {
				t.Errorf("control character in %q", cell)
			}
		}
	}
	for _, want := range []string{"'+cmd|", "'=1+1", "'=2+2"} {
		if !strings.Contains(all, want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	one := get(t, h, "GET", "/signals?format=csv&table=behaviors")
	if n := strings.Count(one.Body.String(), "\n"); n != 2 {
		t.Errorf("behaviors only: %d lines:\n%s", n, one.Body.String())
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-1": "'-1", "@x": "'@x",
		"\tx": "'\tx", "\rx": "'\rx", "\x01=x": "'=x", "ok": "ok", "": "", "a\x1bb": "ab"} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFeed(t *testing.T) {
	c := sampleCollection()
	for _, tt := range []struct{ base, host, want string }{
		{"", "veille.local:8080", "http://veille.local:8080/cards/"},
		{"https://veille.example.org/sub/", "ignored", "https://veille.example.org/sub/cards/"},
	} {
		h := New(c, Options{BaseURL: tt.base, Now: func() time.Time { return day }})
		req := httptest.NewRequest("GET", "/feed.atom", nil)
		req.Host = tt.host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var feed atomFeed
		if err := xml.Unmarshal(rec.Body.Bytes(), &feed); err != nil {
			t.Fatalf("not XML: %v\n%s", err, rec.Body.String())
		}
		if feed.XMLName.Space != "http://www.w3.org/2005/Atom" || len(feed.Entries) != 5 || feed.ID == "" || feed.Updated == "" {
			t.Fatalf("feed: %+v", feed)
		}
		for _, e := range feed.Entries {
			if !strings.HasPrefix(e.Links[0].Href, tt.want) || e.ID == "" || e.Updated == "" || e.Title == "" {
				t.Errorf("entry %+v", e)
			}
			for _, l := range e.Links {
				if !strings.HasPrefix(l.Href, "http") {
					t.Errorf("link %q", l.Href)
				}
			}
			if strings.ContainsAny(e.Summary.Body+e.Title, "\x00\x1b") {
				t.Errorf("control characters in %q", e.Title)
			}
		}
	}
}

func TestStoreErrors(t *testing.T) {
	c := sampleCollection()
	c.err = errStore
	h, log := newTestServer(t, c)
	for _, path := range []string{"/", "/cards", "/cards?q=x", "/cards/" + idAI, "/signals", "/signals?format=csv", "/runs", "/feed.atom"} {
		rec := get(t, h, "GET", path)
		body := rec.Body.String()
		if rec.Code != 500 || !strings.Contains(body, "Something went wrong") || strings.Contains(body, "secret") {
			t.Errorf("%s: %d\n%s", path, rec.Code, body)
		}
	}
	if !strings.Contains(log.String(), "database is locked") {
		t.Errorf("the log lacks the error: %s", log.String())
	}
}

type spanT = schema.Span

func TestHighlight(t *testing.T) {
	spans := func(ss ...[2]int) (out []spanT) {
		for i, s := range ss {
			out = append(out, spanT{Section: "signals", Row: i, Start: s[0], End: s[1], Method: "exact"})
		}
		return out
	}
	tests := []struct {
		name  string
		text  string
		spans []spanT
		want  string
	}{
		{"none", "héllo wörld", nil, "[héllo wörld]"},
		{"runes", "héllo wörld", spans([2]int{6, 11}), "[héllo ][wörld|signals-0|ev-signals-0]"},
		{"overlap", "abcdef", spans([2]int{0, 4}, [2]int{2, 6}), "[ab|signals-0|ev-signals-0][cd|signals-0 signals-1|ev-signals-1][ef|signals-1|]"},
		{"same start", "abcdef", spans([2]int{1, 3}, [2]int{1, 3}), "[a][bc|signals-0 signals-1|ev-signals-0 ev-signals-1][def]"},
		{"out of range", "abc", spans([2]int{2, 9}, [2]int{-1, -1}, [2]int{2, 2}), "[abc]"},
		{"ungrounded", "abc", []spanT{{Section: "issues", Start: 0, End: 2, Method: "none"}}, "[abc]"},
		{"invalid utf8", "a\xffb", spans([2]int{2, 3}), "[a\uFFFD][b|signals-0|ev-signals-0]"},
		{"controls", "a\x1bbc", spans([2]int{2, 4}), "[a\x1b→a][bc|signals-0|ev-signals-0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for _, s := range highlight(tt.text, tt.spans) {
				b.WriteString("[" + s.Text)
				if s.Keys != "" {
					b.WriteString("|" + s.Keys + "|" + strings.Join(s.Anchors, " "))
				}
				b.WriteString("]")
			}
			want := tt.want
			if tt.name == "controls" {
				want = "[a][bc|signals-0|ev-signals-0]"
			}
			if b.String() != want {
				t.Errorf("got %s, want %s", b.String(), want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	got := snippetHTML("a <b> \u0002match\u0003 & \u0002open \x1b")
	want := "a &lt;b&gt; <mark>match</mark> &amp; <mark>open </mark>"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSlugFile(t *testing.T) {
	seen := map[string]string{}
	for _, v := range []string{"energy", "intelligence artificielle", "éducation", "a-b", "a b", "../../etc", "", "<svg>", "A B"} {
		name := slugFile(v)
		if strings.ContainsAny(name, "/\\") || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".html") {
			t.Errorf("slugFile(%q) = %q", v, name)
		}
		if other, ok := seen[name]; ok && !strings.EqualFold(other, v) {
			t.Errorf("%q and %q share %q", other, v, name)
		}
		seen[name] = v
	}
	if slugFile("intelligence artificielle") != "intelligence-artificielle.html" {
		t.Errorf("plain slug: %q", slugFile("intelligence artificielle"))
	}
}

// TestGoldenCard compares one card page with testdata/card.golden.html;
// go test ./web -run Golden -update rewrites it.
func TestGoldenCard(t *testing.T) {
	h, _ := newTestServer(t, sampleCollection())
	checkGolden(t, "card.golden.html", get(t, h, "GET", "/cards/"+idAI).Body.Bytes())
}

// checkGolden compares got with testdata/name, which -update rewrites.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the page differs from %s (run with -update if intended); got:\n%s", path, got)
	}
}

// canceledCollection is a collection whose listing reports that the
// request was cancelled, as a store does when the client went away.
type canceledCollection struct{ *fakeCollection }

func (canceledCollection) ListCards(ctx context.Context, _ schema.CardFilter) ([]schema.CardSummary, error) {
	return nil, fmt.Errorf("list cards: %w", ctx.Err())
}

// TestCanceled checks that a request whose client went away gets no error
// page and logs no store error.
func TestCanceled(t *testing.T) {
	h, log := newTestServer(t, canceledCollection{sampleCollection()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/cards", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusInternalServerError || rec.Body.Len() != 0 {
		t.Errorf("cancelled request: status %d, %d bytes written, want nothing", rec.Code, rec.Body.Len())
	}
	if log.Len() != 0 {
		t.Errorf("cancelled request logged %q, want nothing", log.String())
	}
}

func BenchmarkCardsTwoFacets(b *testing.B) {
	h, _ := newTestServer(b, bigCollection(2000))
	for b.Loop() {
		rec := get(b, h, "GET", "/cards?theme=energy&category=technology&page=2")
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

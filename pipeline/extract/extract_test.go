package extract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/veille/veille/schema"
)

func readExtractFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "extract", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExtractHTMLArticle(t *testing.T) {
	ex, err := HTML(readExtractFixture(t, "article.html"), "https://veilleur.example/2025/06/navettes?utm_source=x")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(readExtractFixture(t, "article.golden.txt")))
	if ex.Text != want {
		t.Errorf("text:\n%s\nwant (testdata/extract/article.golden.txt):\n%s", ex.Text, want)
	}
	wantMeta := schema.Metadata{
		Title:        "Les villes testent des navettes autonomes",
		Description:  "Trois villes québécoises lancent des essais de navettes sans chauffeur.",
		SiteName:     "Le Veilleur",
		Lang:         "fr",
		Author:       "Marie Tremblay",
		Published:    "2025-06-15",
		CanonicalURL: "https://veilleur.example/2025/06/navettes",
	}
	if ex.Metadata != wantMeta {
		t.Errorf("metadata = %+v\nwant %+v", ex.Metadata, wantMeta)
	}
	if ex.Method != MethodTrafilaturaReadability {
		t.Errorf("method = %q, want %q", ex.Method, MethodTrafilaturaReadability)
	}
}

func TestExtractHTMLSocialPostFallsBackToDescription(t *testing.T) {
	ex, err := HTML(readExtractFixture(t, "social.html"), "https://www.linkedin.com/posts/jean-dupont_ia-activity-1")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Method != MethodDescription {
		t.Errorf("method = %q, want %q", ex.Method, MethodDescription)
	}
	if !strings.HasPrefix(ex.Text, "L'IA générative entre dans la fonction publique") {
		t.Errorf("text = %q, want the og:description", ex.Text)
	}
	if ex.Metadata.SiteName != "LinkedIn" {
		t.Errorf("site name = %q, want LinkedIn", ex.Metadata.SiteName)
	}
}

func TestExtractHTMLEmptyPageIsAnError(t *testing.T) {
	for _, body := range []string{"", "   ", string(readExtractFixture(t, "empty.html")), "\x00\x01\x02\xff\xfe"} {
		_, err := HTML([]byte(body), "")
		if err == nil {
			t.Errorf("HTML(%.20q) succeeded, want an error", body)
		}
	}
}

func TestRenderLines(t *testing.T) {
	tests := []struct {
		name string
		html string
		want string
	}{
		{"paragraphs", "<p>One  two\nthree.</p><p>Four.</p>", "One two three.\nFour."},
		{"inline markup joins words", "<p>H<b>ello</b> <a href=x>wor</a>ld</p>", "Hello world"},
		{"line break", "<p>first<br>second</p>", "first\nsecond"},
		{"headings and lists", "<h2>Title</h2><ul><li>a</li><li>b</li></ul>", "Title\na\nb"},
		{"table rows", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"pre keeps lines", "<pre>x = 1\ny = 2</pre>", "x = 1\ny = 2"},
		{"scripts skipped", "<p>text<script>alert(1)</script></p><style>p{}</style>", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(tt.html))
			if err != nil {
				t.Fatal(err)
			}
			if got := renderText(doc); got != tt.want {
				t.Errorf("renderText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRenderLinesLinkDensityAndHeadings(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(`<h3>Related</h3><p><a href="/a">All link</a></p><p>Half <a href="/b">link</a></p>`))
	if err != nil {
		t.Fatal(err)
	}
	lines := renderLines(doc)
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %+v", len(lines), lines)
	}
	if !lines[0].Heading || lines[1].Heading {
		t.Errorf("heading flags = %v %v, want true false", lines[0].Heading, lines[1].Heading)
	}
	if d := lines[1].LinkDensity(); d != 1 {
		t.Errorf("link density of %q = %v, want 1", lines[1].Text, d)
	}
	if d := lines[2].LinkDensity(); d != 0.5 {
		t.Errorf("link density of %q = %v, want 0.5", lines[2].Text, d)
	}
}

func TestSameHeadline(t *testing.T) {
	tests := []struct {
		line, title string
		want        bool
	}{
		{"Les villes testent des navettes", "Les villes testent des navettes", true},
		{"Les villes testent des navettes", "Les villes testent des navettes | Le Veilleur", true},
		{"Republicans Are Following Trump", "Opinion | Republicans Are Following Trump", true},
		{"Les villes", "Les villes testent des navettes autonomes cet été", false},
		{"Un tout autre texte", "Les villes testent des navettes", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := sameHeadline(tt.line, tt.title); got != tt.want {
			t.Errorf("sameHeadline(%q, %q) = %v, want %v", tt.line, tt.title, got, tt.want)
		}
	}
}

func TestDropLinkLines(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(`<article>
<p>A paragraph of text that is not a link at all.</p>
<p>Source: <a href="https://example.org/report">https://example.org/report</a></p>
<p>Another paragraph, with <a href="/x">a link</a> inside it.</p>
<p>Read more: <a href="/teaser">Shuttles reach the suburbs at last</a></p>
<ul><li><a href="/a">Related story one</a></li><li><a href="/b">Related story two</a></li></ul>
</article>`))
	if err != nil {
		t.Fatal(err)
	}
	page := newPageLines(doc)
	got := joinLines(dropLinkLines(renderLines(doc), page))
	want := "A paragraph of text that is not a link at all.\n" +
		"Source: https://example.org/report\n" +
		"Another paragraph, with a link inside it."
	if got != want {
		t.Errorf("dropLinkLines =\n%s\nwant\n%s", got, want)
	}
}

func TestConfirmLines(t *testing.T) {
	main := []textLine{
		{Text: "The council voted on Tuesday to extend the shuttle trial."},
		{Text: "Subscribe to our newsletter for more local news every day."},
		{Text: "Short"},
		{Text: "The trial will run until the end of next year, officials said."},
	}
	other := []textLine{
		{Text: "The council voted on Tuesday to extend the shuttle trial."},
		{Text: "Short line here."},
		{Text: "The trial will run until the end of next year, officials said."},
	}
	got, ok := confirmLines(main, other)
	if !ok {
		t.Fatal("confirmLines did not confirm")
	}
	want := "The council voted on Tuesday to extend the shuttle trial.\nShort\nThe trial will run until the end of next year, officials said."
	if joinLines(got) != want {
		t.Errorf("confirmLines =\n%s\nwant\n%s", joinLines(got), want)
	}
	// A reference that shares too little is not trusted.
	unrelated := []textLine{{Text: "Completely different words about another subject entirely."}}
	if got, ok := confirmLines(main, unrelated); ok || len(got) != len(main) {
		t.Errorf("confirmLines with an unrelated reference = %d lines, %v; want all lines, false", len(got), ok)
	}
}

func TestErrEmptyExtractionIsWrapped(t *testing.T) {
	_, err := HTML(readExtractFixture(t, "empty.html"), "")
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, ErrEmpty) && !strings.Contains(err.Error(), "extract main text") {
		t.Errorf("error %q names neither the cause nor the step", err)
	}
}

func TestCompleteFragments(t *testing.T) {
	main := []textLine{
		{Text: "DigiTimes. A preview of the report was shared with subscribers."},
		{Text: "The keyboard should prove far more reliable than before."},
	}
	other := []textLine{
		{Text: "Apple plans a new laptop with a scissor keyboard, according to DigiTimes. A preview of the report was shared with subscribers."},
		{Text: "The keyboard should prove far more reliable than before."},
		{Text: "Short"},
	}
	got := joinLines(completeFragments(main, other))
	want := other[0].Text + "\n" + other[1].Text
	if got != want {
		t.Errorf("completeFragments =\n%s\nwant\n%s", got, want)
	}
	// A paragraph mostly present already is not a completion.
	if got := joinLines(completeFragments(other[:2], main)); got != joinLines(other[:2]) {
		t.Errorf("completeFragments shortened lines:\n%s", got)
	}
}

// TestCanonicalOfAnotherSchemeIsIgnored checks that a page declaring a
// file: or javascript: canonical keeps its own address, instead of the
// canonical resolved against it (http://host/…/file:/etc/passwd).
func TestCanonicalOfAnotherSchemeIsIgnored(t *testing.T) {
	page := string(readExtractFixture(t, "article.html"))
	for _, href := range []string{"file:///etc/passwd", "javascript:alert(1)"} {
		hostile := strings.Replace(page, "https://veilleur.example/2025/06/navettes", href, 1)
		ex, err := HTML([]byte(hostile), "https://veilleur.example/page")
		if err != nil {
			t.Fatal(err)
		}
		if ex.Metadata.CanonicalURL != "https://veilleur.example/page" {
			t.Errorf("canonical %q gave %q, want the page's own address", href, ex.Metadata.CanonicalURL)
		}
	}
}

// TestSiteNameTitleGivesWayToTheHeadline checks that a page whose <title>
// is the site's name alone gets its headline as title: og:title, else <h1>.
func TestSiteNameTitleGivesWayToTheHeadline(t *testing.T) {
	body := strings.Repeat("<p>서울시는 내년부터 모든 공공건물에 태양광 패널을 설치하기로 했다. 시민들의 반응은 엇갈린다.</p>", 8)
	page := func(head string) []byte {
		return []byte(`<html lang="ko"><head><title>조선일보</title><meta property="og:site_name" content="조선일보">` + head +
			`</head><body><article><h1>서울시, 공공건물에 태양광 의무화</h1>` + body + `</article></body></html>`)
	}
	tests := []struct{ name, head, want string }{
		{"h1", "", "서울시, 공공건물에 태양광 의무화"},
		{"og:title", `<meta property="og:title" content="태양광 의무화, 서울시 발표">`, "태양광 의무화, 서울시 발표"},
		{"og:title is the site name too", `<meta property="og:title" content="조선일보">`, "서울시, 공공건물에 태양광 의무화"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := HTML(page(tt.head), "https://news.example.kr/a/1")
			if err != nil {
				t.Fatal(err)
			}
			if ex.Metadata.Title != tt.want {
				t.Errorf("title = %q, want %q", ex.Metadata.Title, tt.want)
			}
		})
	}
}

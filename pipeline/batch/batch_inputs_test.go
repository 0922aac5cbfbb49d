package batch

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/veille/veille/schema"
)

func TestParseListFiles(t *testing.T) {
	tests := []struct {
		file   string
		format ListFormat
		want   []ListItem
	}{
		{"urls.txt", FormatURLList, []ListItem{{URL: "https://example.org/a"}, {URL: "https://example.org/b?utm_source=x"},
			{URL: "http://example.com/c#section"}}},
		{"pocket.csv", FormatPocketCSV, []ListItem{{URL: "https://example.org/a", Tags: []string{"ai", "public"}},
			{URL: "https://example.org/d"}}},
		{"bookmarks.html", FormatBookmarks, []ListItem{{URL: "https://example.org/a", Tags: []string{"Foresight", "ai"}},
			{URL: "https://example.org/e", Tags: []string{"Foresight"}}, {URL: "https://example.org/top"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "batch", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := DetectListFormat(tt.file, data); got != tt.format {
				t.Errorf("DetectListFormat = %q, want %q", got, tt.format)
			}
			// Detection must not depend on the file name alone.
			if got := DetectListFormat("list", data); got != tt.format {
				t.Errorf("DetectListFormat without extension = %q, want %q", got, tt.format)
			}
			got, err := ParseList(tt.format, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseList = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseURLListErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"relative", "https://ok.example/\nnot a url\n", "line 2: not an http(s) URL"},
		{"ftp", "ftp://files.example/x\n", "line 1: not an http(s) URL"},
		{"bad escape", "https://ex.example/%zz\n", "line 1: not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseURLList(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	urls, err := ParseURLList(strings.NewReader("https://a.example/\nnot a url\nhttps://b.example/\nftp://x\n"))
	var bad *BadLinesError
	if !errors.As(err, &bad) || len(bad.Lines) != 2 || bad.Lines[0].Line != 2 || bad.Lines[1].Line != 4 ||
		len(urls) != 2 || !strings.Contains(err.Error(), "and 1 more") {
		t.Errorf("urls %q, err %v; want the two URLs and lines 2 and 4", urls, err)
	}
}

func TestParsePocketCSVWithoutURLColumn(t *testing.T) {
	if _, err := ParsePocketCSV(strings.NewReader("title,link\nx,https://a.example/\n")); err == nil {
		t.Error("accepted a CSV without a url column")
	}
}

// checkParsedURLs fails unless every URL a parser returned is http(s) and
// has a canonical form (the batch queues it under that form).
func checkParsedURLs(t *testing.T, urls []string) {
	t.Helper()
	for _, u := range urls {
		if err := schema.CheckWebURL(u); err != nil {
			t.Errorf("parser returned %q: %v", u, err)
		}
		if _, err := schema.CanonicalURL(u); err != nil {
			t.Errorf("parser returned %q: %v", u, err)
		}
	}
}

// checkParsedItems checks the URLs of list items, and that their tags are
// trimmed, not empty and not repeated.
func checkParsedItems(t *testing.T, items []ListItem) {
	t.Helper()
	urls := make([]string, len(items))
	for i, it := range items {
		urls[i] = it.URL
		for j, tag := range it.Tags {
			if tag == "" || tag != strings.TrimSpace(tag) || slices.Contains(it.Tags[:j], tag) {
				t.Errorf("item %s: tags %q: empty, untrimmed or repeated", it.URL, it.Tags)
			}
		}
	}
	checkParsedURLs(t, urls)
}

func FuzzParseURLList(f *testing.F) {
	f.Add("https://a.example/\n# c\n\nhttp://b.example/x # note\n")
	f.Fuzz(func(t *testing.T, in string) {
		urls, err := ParseURLList(strings.NewReader(in))
		var bad *BadLinesError
		if err == nil || errors.As(err, &bad) {
			checkParsedURLs(t, urls)
		}
	})
}

func FuzzParsePocketCSV(f *testing.F) {
	f.Add("title,url\n\"a, b\",https://a.example/\n")
	f.Fuzz(func(t *testing.T, in string) {
		items, err := ParsePocketCSV(strings.NewReader(in))
		if err == nil {
			checkParsedItems(t, items)
		}
	})
}

func FuzzParseBookmarksHTML(f *testing.F) {
	f.Add(`<DL><DT><A HREF="https://a.example/">a</A></DL>`)
	f.Add(`<DL><DT><H3>Foresight, AI</H3><DL><DT><A HREF="https://a.example/" TAGS="x,,y, x">a</A></DL></DL></DL>`)
	f.Fuzz(func(t *testing.T, in string) {
		items, err := ParseBookmarksHTML(strings.NewReader(in))
		if err == nil {
			checkParsedItems(t, items)
		}
	})
}

func FuzzDetectListFormat(f *testing.F) {
	f.Add("list.txt", "title,url\n")
	f.Fuzz(func(t *testing.T, name, in string) {
		switch DetectListFormat(name, []byte(in)) {
		case FormatURLList, FormatPocketCSV, FormatBookmarks:
		default:
			t.Error("unknown format")
		}
	})
}

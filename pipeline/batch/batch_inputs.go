package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/veille/veille/schema"
	"golang.org/x/net/html"
)

// ListFormat is the layout of a file given to `extract batch`.
type ListFormat string

// The list formats ParseList understands.
const (
	// FormatURLList is one URL a line, # comments and blank lines ignored.
	FormatURLList ListFormat = "urls"
	// FormatPocketCSV is Pocket's CSV export (title,url,time_added,tags,status).
	FormatPocketCSV ListFormat = "pocket-csv"
	// FormatBookmarks is the Netscape bookmark HTML that browsers and
	// read-later services export (Pocket's older HTML export included).
	FormatBookmarks ListFormat = "bookmarks-html"
)

// DetectListFormat guesses the format of a list file from its name and its
// first bytes: HTML that looks like bookmarks, CSV with a "url" column, else
// a plain URL list.
func DetectListFormat(name string, data []byte) ListFormat {
	head := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n"))
	if len(head) > 4096 {
		head = head[:4096]
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(head, []byte("<!doctype netscape-bookmark-file")),
		ext == ".html" || ext == ".htm",
		bytes.HasPrefix(head, []byte("<")) && bytes.Contains(head, []byte("<a ")):
		return FormatBookmarks
	case ext == ".csv" || csvHeaderHasURL(head):
		return FormatPocketCSV
	}
	return FormatURLList
}

// csvHeaderHasURL reports whether the first line of head is a CSV header
// with a "url" column.
func csvHeaderHasURL(head []byte) bool {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if !bytes.Contains(line, []byte(",")) {
		return false
	}
	for _, f := range strings.Split(strings.TrimSpace(string(line)), ",") {
		if strings.Trim(strings.TrimSpace(f), `"`) == "url" {
			return true
		}
	}
	return false
}

// ListItem is one entry of a list file: a URL, and the tags the list gave
// it (Pocket's tags, the folders of a bookmark and its TAGS).
type ListItem struct {
	URL  string
	Tags []string
}

// ParseList reads the entries of a list file in the given format. A
// *[BadLinesError] comes with the entries of the good lines.
func ParseList(format ListFormat, r io.Reader) ([]ListItem, error) {
	switch format {
	case FormatURLList:
		urls, err := ParseURLList(r)
		items := make([]ListItem, len(urls))
		for i, u := range urls {
			items[i] = ListItem{URL: u}
		}
		return items, err
	case FormatPocketCSV:
		return ParsePocketCSV(r)
	case FormatBookmarks:
		return ParseBookmarksHTML(r)
	}
	return nil, fmt.Errorf("unknown list format %q", format)
}

// BadLine is a line of a URL list that holds no http(s) URL.
type BadLine struct {
	Line int
	Err  error
}

// BadLinesError lists the lines of a URL list that hold no URL; the list's
// other URLs are returned with it.
type BadLinesError struct {
	Lines []BadLine
}

func (e *BadLinesError) Error() string {
	msg := fmt.Sprintf("line %d: %v", e.Lines[0].Line, e.Lines[0].Err)
	if n := len(e.Lines) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more lines)", n)
	}
	return msg
}

// ParseURLList reads one URL a line. Blank lines and lines starting with #
// are ignored, as is a comment after a URL (" # ..."). Lines that are not
// absolute http(s) URLs are returned in a *[BadLinesError], with the URLs
// of the other lines.
func ParseURLList(r io.Reader) ([]string, error) {
	var urls []string
	var bad []BadLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := schema.CheckWebURL(line); err != nil {
			bad = append(bad, BadLine{Line: n, Err: err})
			continue
		}
		urls = append(urls, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read URL list: %w", err)
	}
	if len(bad) > 0 {
		return urls, &BadLinesError{Lines: bad}
	}
	return urls, nil
}

// ParsePocketCSV reads the url and tags columns of a Pocket CSV export
// (tags separated by "|"). Rows whose url is empty or not an http(s) URL
// are skipped (Pocket exports notes and app-internal links too).
func ParsePocketCSV(r io.Reader) ([]ListItem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read Pocket CSV header: %w", err)
	}
	col, tagsCol := csvColumn(header, "url"), csvColumn(header, "tags")
	if col < 0 {
		return nil, errors.New("Pocket CSV: no url column in the header")
	}
	var items []ListItem
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read Pocket CSV: %w", err)
		}
		if col >= len(rec) {
			continue
		}
		if u := strings.TrimSpace(rec[col]); schema.CheckWebURL(u) == nil {
			item := ListItem{URL: u}
			if tagsCol >= 0 && tagsCol < len(rec) {
				item.Tags = splitTags(rec[tagsCol], "|")
			}
			items = append(items, item)
		}
	}
}

// csvColumn returns the index of the header's column name, or -1.
func csvColumn(header []string, name string) int {
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), name) {
			return i
		}
	}
	return -1
}

// splitTags splits a list of tags (see [addTags]).
func splitTags(s, sep string) []string {
	return addTags(nil, strings.Split(s, sep)...)
}

// addTags appends tags to list, trimmed, leaving out empty and repeated
// ones.
func addTags(list []string, tags ...string) []string {
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(list, t) {
			list = append(list, t)
		}
	}
	return list
}

// ParseBookmarksHTML reads the http(s) links (<a href>) of a Netscape
// bookmark file, in document order. A link's tags are the folders it sits
// in, outermost first (<h3> headings, each opening a <dl>), then its TAGS
// attribute (comma-separated, as Firefox and Pocket write it).
func ParseBookmarksHTML(r io.Reader) ([]ListItem, error) {
	z := html.NewTokenizer(r)
	var items []ListItem
	var folders []string // one per open <dl>; "" for a list with no heading
	heading, inHeading := "", false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return items, nil
			}
			return nil, fmt.Errorf("read bookmark HTML: %w", z.Err())
		case html.TextToken:
			if inHeading {
				heading += string(z.Text())
			}
		case html.EndTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "h3":
				inHeading = false
			case "dl":
				if len(folders) > 0 {
					folders = folders[:len(folders)-1]
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "h3":
				heading, inHeading = "", true
			case "dl":
				folders = append(folders, strings.TrimSpace(heading))
				heading = ""
			case "a":
				if !hasAttr {
					continue
				}
				href, tags := linkAttrs(z)
				if schema.CheckWebURL(href) == nil {
					items = append(items, ListItem{URL: href, Tags: bookmarkTags(folders, tags)})
				}
			}
		}
	}
}

// linkAttrs returns the href and tags attributes of the tag z is on.
func linkAttrs(z *html.Tokenizer) (href, tags string) {
	for {
		key, val, more := z.TagAttr()
		switch string(key) {
		case "href":
			href = strings.TrimSpace(string(val))
		case "tags":
			tags = string(val)
		}
		if !more {
			return href, tags
		}
	}
}

// bookmarkTags joins a bookmark's folders (outermost first) and its own
// comma-separated tags.
func bookmarkTags(folders []string, tags string) []string {
	return addTags(addTags(nil, folders...), strings.Split(tags, ",")...)
}

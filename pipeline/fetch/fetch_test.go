package fetch

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"unicode/utf8"

	"github.com/veille/veille/pipeline/fetch/fetchtest"
)

// testFetcher is a Fetcher with short limits, so failure cases run fast.
func testFetcher() *Fetcher {
	return New(Config{
		UserAgent:      UserAgent("1.2.3"),
		ConnectTimeout: time.Second,
		Timeout:        500 * time.Millisecond,
		MaxBodyBytes:   1 << 20,
	})
}

func TestFetchDecodesBodies(t *testing.T) {
	site := fetchtest.NewSite(t)
	f := testFetcher()
	tests := []struct {
		path, wantType, wantCharset, wantText string
	}{
		{"/article", "text/html", "utf-8", "Saint-Exemple replaced"},
		{"/gzip", "text/html", "utf-8", "Saint-Exemple replaced"},
		{"/deflate", "text/html", "utf-8", "Saint-Exemple replaced"},
		{"/raw-deflate", "text/html", "utf-8", "Saint-Exemple replaced"},
		{"/br", "text/html", "utf-8", "Saint-Exemple replaced"},
		{"/latin1-header", "text/html", "windows-1252", "Saint-Étienne-Exemple"},
		{"/latin1-meta", "text/html", "windows-1252", "Saint-Étienne-Exemple"},
		{"/no-type", "text/html", "utf-8", "Saint-Exemple replaced"},
		{"/note.md", "text/markdown", "utf-8", "# Field notes"},
		{"/report.pdf", "application/pdf", "", "%PDF-1.4"},
		{"/octet-pdf", "application/pdf", "", "%PDF-1.4"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			page, err := f.Fetch(context.Background(), site.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if page.ContentType != tt.wantType || page.Charset != tt.wantCharset {
				t.Errorf("type %q charset %q, want %q %q", page.ContentType, page.Charset, tt.wantType, tt.wantCharset)
			}
			if !bytes.Contains(page.Body, []byte(tt.wantText)) {
				t.Errorf("body lacks %q", tt.wantText)
			}
			if page.Status != 200 || page.FinalURL != site.URL+tt.path || page.FetchedAt.IsZero() {
				t.Errorf("status %d, final URL %s, fetched at %v", page.Status, page.FinalURL, page.FetchedAt)
			}
		})
	}
	if want := "veille/1.2.3 (+https://github.com/veille/veille)"; site.UserAgent() != want {
		t.Errorf("User-Agent = %q, want %q", site.UserAgent(), want)
	}
}

func TestFetchFollowsRedirects(t *testing.T) {
	site := fetchtest.NewSite(t)
	page, err := testFetcher().Fetch(context.Background(), site.URL+"/hop/9") // 10 redirects
	if err != nil {
		t.Fatal(err)
	}
	if page.URL != site.URL+"/hop/9" || page.FinalURL != site.URL+"/article" {
		t.Errorf("URL %s, final URL %s", page.URL, page.FinalURL)
	}
}

// TestFetchFailures covers the bad inputs at the fetch level: each one is a
// single error naming the URL and the cause.
func TestFetchFailures(t *testing.T) {
	site := fetchtest.NewSite(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/page"
	closed.Close()
	dialFailing := func(err error) *Fetcher {
		return New(Config{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}})
	}
	tests := []struct {
		name    string
		fetcher *Fetcher
		url     string
		wantErr error  // for errors.Is, when set
		want    string // in the message
	}{
		{"DNS failure", dialFailing(&net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}), "http://nowhere.invalid/x", nil, "DNS lookup of nowhere.invalid failed"},
		{"unreachable host", dialFailing(syscall.EHOSTUNREACH), "http://unreachable.example/x", syscall.EHOSTUNREACH, "host unreachable"},
		{"connection refused", testFetcher(), closedURL, syscall.ECONNREFUSED, "connection refused"},
		{"timeout", testFetcher(), site.URL + "/slow", context.DeadlineExceeded, "timed out after 500ms"},
		{"404", testFetcher(), site.URL + "/status/404", nil, "HTTP 404 Not Found"},
		{"500", testFetcher(), site.URL + "/status/500", nil, "HTTP 500 Internal Server Error"},
		{"redirect loop", testFetcher(), site.URL + "/loop/a", ErrRedirectLoop, "redirect loop"},
		{"too many redirects", testFetcher(), site.URL + "/hop/10", ErrTooManyRedirects, "more than 10"},
		{"oversize body", testFetcher(), site.URL + "/big", ErrBodyTooLarge, "over the 1 MB limit"},
		{"oversize chunked body", testFetcher(), site.URL + "/chunked-big", ErrBodyTooLarge, "over the 1 MB limit"},
		{"gzip bomb", testFetcher(), site.URL + "/gzip-bomb", ErrBodyTooLarge, "over the 1 MB limit"},
		{"invalid UTF-8", testFetcher(), site.URL + "/invalid-utf8", ErrInvalidUTF8, "not valid UTF-8"},
		{"empty page", testFetcher(), site.URL + "/empty", ErrEmptyBody, "empty body"},
		{"blank page", testFetcher(), site.URL + "/blank", ErrEmptyBody, "empty body"},
		{"binary served as text/html", testFetcher(), site.URL + "/binary", ErrBinaryBody, "binary"},
		{"unsupported type", testFetcher(), site.URL + "/zip", nil, "unsupported content type application/zip for " + site.URL + "/zip"},
		{"image", testFetcher(), site.URL + "/image", nil, "unsupported content type image/png for"},
		{"not http", testFetcher(), "ftp://example.com/x", nil, "not an http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.fetcher.Fetch(context.Background(), tt.url)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.url) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and %q", msg, tt.url, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
		})
	}
}

func TestFetchErrorRetryable(t *testing.T) {
	site := fetchtest.NewSite(t)
	f := testFetcher()
	for path, want := range map[string]bool{"/status/404": false, "/status/429": true, "/status/503": true, "/slow": true} {
		_, err := f.Fetch(context.Background(), site.URL+path)
		var fe *Error
		if !errors.As(err, &fe) {
			t.Fatalf("%s: %v is not a Error", path, err)
		}
		if fe.Retryable() != want {
			t.Errorf("%s: Retryable() = %v, want %v", path, fe.Retryable(), want)
		}
		if path == "/status/429" && fe.RetryAfter != 30*time.Second {
			t.Errorf("RetryAfter = %v, want 30s", fe.RetryAfter)
		}
	}
}

// TestFetchErrorHugeRetryAfter checks that a Retry-After too large for a
// time.Duration reads as the longest wait, not as an overflowed one.
func TestFetchErrorHugeRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "9223372037") // seconds: just over the largest Duration
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer srv.Close()
	_, err := testFetcher().Fetch(context.Background(), srv.URL+"/x")
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("%v is not a Error", err)
	}
	if fe.RetryAfter < 24*time.Hour {
		t.Errorf("RetryAfter = %v, want the longest wait", fe.RetryAfter)
	}
}

func TestHostKey(t *testing.T) {
	for in, want := range map[string]string{
		"https://WWW.Example.com:443/a?utm_source=x": "www.example.com",
		"http://example.com:8080/":                   "example.com:8080",
	} {
		got, err := HostKey(in)
		if err != nil || got != want {
			t.Errorf("HostKey(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := HostKey("not a url"); err == nil {
		t.Error("HostKey accepted a non-URL")
	}
}

// FuzzDecodeText checks that decoding never panics and that whatever it
// accepts is valid UTF-8 without NUL bytes.
func FuzzDecodeText(f *testing.F) {
	f.Add([]byte("<meta charset=iso-8859-1><p>caf\xe9</p>"), "text/html")
	f.Add([]byte("\xef\xbb\xbfhello"), "text/plain; charset=utf-8")
	f.Add([]byte("\xff\xfeh\x00i\x00"), "text/html")
	f.Add(fetchtest.RandomBytes(64), "text/html; charset=shift_jis")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		text, _, err := decodeText(body, contentType)
		if err != nil {
			return
		}
		if !utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0 {
			t.Fatalf("decodeText(%q, %q) = %q: invalid UTF-8 or NUL", body, contentType, text)
		}
	})
}

// FuzzReadBody checks that decompression never panics and honours the cap.
func FuzzReadBody(f *testing.F) {
	f.Add(fetchtest.Compress(f, "gzip", []byte("hello")), "gzip")
	f.Add(fetchtest.Compress(f, "br", []byte("hello")), "br")
	f.Add(fetchtest.Compress(f, "deflate", []byte("hello")), "deflate")
	f.Add([]byte("plain"), "identity")
	f.Fuzz(func(t *testing.T, body []byte, coding string) {
		data, err := readBody(bytes.NewReader(body), coding, 1024)
		if err == nil && len(data) > 1024 {
			t.Fatalf("readBody returned %d bytes over a 1024 cap", len(data))
		}
	})
}

func TestDecodeText(t *testing.T) {
	longASCII := strings.Repeat("<p>plain ascii words</p>\n", 100) // past the 1024 bytes charset sniffing reads
	tests := []struct {
		name, body, contentType, wantText, wantCharset string
	}{
		{"UTF-8 after the first KB, undeclared", longASCII + "<p>café</p>", "text/html", "café", "utf-8"},
		{"windows-1252 undeclared", longASCII + "<p>caf\xe9</p>", "text/html", "café", "windows-1252"},
		{"stray invalid byte repaired", strings.Repeat("<p>fine text</p>", 20) + "\xff", "text/html; charset=utf-8", "fine text</p>\uFFFD", "utf-8"},
		{"UTF-8 BOM dropped", "\xef\xbb\xbfhello", "text/plain", "hello", "utf-8"},
		{"UTF-16 with BOM", "\xff\xfeh\x00i\x00", "text/plain", "hi", "utf-16le"},
		{"header beats meta", `<meta charset="utf-8"><p>caf` + "\xe9</p>", "text/html; charset=iso-8859-1", "café", "windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, charset, err := decodeText([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(text), tt.wantText) || charset != tt.wantCharset {
				t.Errorf("decoded %q as %s, want %q as %s", text, charset, tt.wantText, tt.wantCharset)
			}
		})
	}
}

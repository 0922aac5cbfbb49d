package fetch

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/veille/veille/pipeline/retry"
	"github.com/veille/veille/schema"
)

// Fetch defaults, used when the Config field is zero.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 60 * time.Second
	DefaultMaxBodyBytes   = 10 << 20 // 10 MB, after decompression
	DefaultMaxRedirects   = 10
)

// Errors a fetch can end with, for errors.Is; the message around them names
// the URL.
var (
	ErrRedirectLoop     = errors.New("redirect loop")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrBodyTooLarge     = errors.New("body too large")
	ErrEmptyBody        = errors.New("empty body")
	ErrBinaryBody       = errors.New("body is binary, not text")
	ErrInvalidUTF8      = errors.New("body is not valid UTF-8")
)

// UserAgent is the User-Agent header veille sends: it names the project and
// its version.
func UserAgent(version string) string {
	return "veille/" + version + " (+https://github.com/veille/veille)"
}

// Config configures a Fetcher. Zero fields take the Default values.
type Config struct {
	// UserAgent is sent with every request (default UserAgent("dev")).
	UserAgent string
	// ConnectTimeout bounds DNS lookup plus TCP and TLS connection set-up.
	ConnectTimeout time.Duration
	// Timeout bounds a whole fetch: connection, redirects and body.
	Timeout time.Duration
	// MaxBodyBytes caps the decompressed body; a larger body is an error.
	MaxBodyBytes int64
	// MaxRedirects is how many redirects a fetch follows.
	MaxRedirects int
	// DialContext opens connections; nil means a net.Dialer with
	// ConnectTimeout. Set it to go through a proxy, or in tests to
	// simulate network failures.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (c Config) withDefaults() Config {
	if c.UserAgent == "" {
		c.UserAgent = UserAgent("dev")
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxRedirects <= 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	return c
}

// Page is a resource as fetched or read from disk, before text extraction.
type Page struct {
	// URL is the address asked for (file://… for a local file).
	URL string
	// FinalURL is where redirects ended (URL when there were none).
	FinalURL string
	// Status is the HTTP status, 0 for a local file.
	Status int
	// ContentType is the media type, without parameters: "text/html",
	// "text/plain", "text/markdown" or "application/pdf".
	ContentType string
	// Charset is the character set the body was decoded from ("" for PDF).
	Charset string
	// Body is the content, decoded to UTF-8 for text types, raw for PDF.
	Body      []byte
	FetchedAt time.Time
}

// Error is a fetch that failed: which URL and why.
type Error struct {
	URL string
	// Status is the HTTP status when the server answered, else 0.
	Status int
	// RetryAfter is the server's Retry-After delay (429, 503), if given.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string { return "fetch " + e.URL + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the same fetch may succeed later: timeouts,
// failed connections, HTTP 408, 429 and 5xx.
func (e *Error) Retryable() bool {
	switch {
	case e.Status == http.StatusRequestTimeout, e.Status == http.StatusTooManyRequests, e.Status >= 500:
		return true
	case e.Status != 0:
		return false
	}
	var netErr net.Error
	return errors.Is(e.Err, context.DeadlineExceeded) || errors.Is(e.Err, syscall.ECONNREFUSED) ||
		errors.Is(e.Err, syscall.ECONNRESET) || (errors.As(e.Err, &netErr) && netErr.Timeout())
}

// UnsupportedTypeError is a resource whose type veille cannot turn
// into text.
type UnsupportedTypeError struct {
	ContentType string
	URL         string
}

func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("unsupported content type %s for %s", e.ContentType, e.URL)
}

// HostKey names the server a URL is fetched from — lower-case host, with
// the port when it is not the scheme's default — so that callers can limit
// requests per host (politeness).
func HostKey(rawURL string) (string, error) {
	canon, err := schema.CanonicalURL(rawURL)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(canon)
	if err != nil {
		return "", err
	}
	return u.Host, nil
}

// Fetcher gets pages over HTTP. It is safe for concurrent use.
type Fetcher struct {
	cfg    Config
	client *http.Client
	// dial opens connections: cfg.DialContext or a net.Dialer.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	publicOnly bool // refuses private addresses (see PublicOnly)
	publicOnce sync.Once
	public     *Fetcher
}

// New returns a Fetcher configured by cfg.
func New(cfg Config) *Fetcher {
	return newFetcher(cfg.withDefaults(), false)
}

// newFetcher returns a Fetcher for cfg, with defaults applied; a public-only
// one also checks, behind a proxy, the host of each request it proxies.
func newFetcher(cfg Config, publicOnly bool) *Fetcher {
	dial := cfg.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: cfg.ConnectTimeout}).DialContext
	}
	proxy := http.ProxyFromEnvironment
	if publicOnly {
		proxy = publicProxy
	}
	transport := &http.Transport{
		Proxy:               proxy,
		DialContext:         dial,
		TLSHandshakeTimeout: cfg.ConnectTimeout,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		// Compression is negotiated and decoded by readBody, which also
		// knows brotli and caps the decompressed size.
		DisableCompression: true,
	}
	f := &Fetcher{cfg: cfg, dial: dial, publicOnly: publicOnly}
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	return f
}

// checkRedirect follows at most MaxRedirects redirects and refuses to visit
// a URL twice.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	next := req.URL.String()
	for _, prev := range via {
		if prev.URL.String() == next {
			return fmt.Errorf("%w: %s leads back to %s", ErrRedirectLoop, via[len(via)-1].URL, next)
		}
	}
	if len(via) > f.cfg.MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, f.cfg.MaxRedirects)
	}
	return nil
}

// Fetch gets rawURL (http or https) and returns its body decoded to UTF-8
// (or raw, for a PDF). It fails on network errors, HTTP statuses other than
// 2xx, redirect loops, bodies over the size cap, empty or binary bodies and
// content types other than HTML, plain text, markdown and PDF.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Page, error) {
	var page Page
	err := f.do(ctx, rawURL, func(resp *http.Response) error {
		header := resp.Header.Get("Content-Type")
		if mt := mediaType(header); !isSniffable(mt) && KindOf(mt) == KindUnsupported {
			return &UnsupportedTypeError{ContentType: mt, URL: rawURL}
		}
		body, err := readBody(resp.Body, resp.Header.Get("Content-Encoding"), f.cfg.MaxBodyBytes)
		if err != nil {
			return err
		}
		if page, err = pageFromBody(body, header, rawURL); err != nil {
			return err
		}
		page.FinalURL, page.Status, page.FetchedAt = resp.Request.URL.String(), resp.StatusCode, time.Now().UTC()
		return nil
	})
	return page, err
}

// FetchRaw gets rawURL like [Fetcher.Fetch], with the same limits on time,
// redirects and size, and returns the body as sent (decompressed), whatever
// its type: a feed, which its parser decodes.
func (f *Fetcher) FetchRaw(ctx context.Context, rawURL string) ([]byte, error) {
	var body []byte
	err := f.do(ctx, rawURL, func(resp *http.Response) (err error) {
		body, err = readBody(resp.Body, resp.Header.Get("Content-Encoding"), f.cfg.MaxBodyBytes)
		return err
	})
	return body, err
}

// do sends a GET for rawURL within the time limit and hands a 2xx response
// of acceptable size to read; every failure is an *Error naming the URL
// (or an *UnsupportedTypeError).
func (f *Fetcher) do(ctx context.Context, rawURL string, read func(*http.Response) error) error {
	if schema.CheckWebURL(rawURL) != nil {
		return &Error{URL: rawURL, Err: errors.New("not an http or https URL")}
	}
	if isPublicOnly(ctx) && !f.publicOnly {
		return f.PublicOnly().do(ctx, rawURL, read)
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	err := f.get(ctx, rawURL, read)
	if err == nil {
		return nil
	}
	var fe *Error
	var ue *UnsupportedTypeError
	if errors.As(err, &ue) || errors.As(err, &fe) {
		return err
	}
	return &Error{URL: rawURL, Err: f.describe(ctx, err)}
}

func (f *Fetcher) get(ctx context.Context, rawURL string, read func(*http.Response) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8,*/*;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	resp, err := f.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &Error{
			URL:        rawURL,
			Status:     resp.StatusCode,
			RetryAfter: retry.ParseAfter(strings.TrimSpace(resp.Header.Get("Retry-After")), time.Now()),
			Err:        fmt.Errorf("HTTP %s", resp.Status),
		}
	}
	if resp.ContentLength > f.cfg.MaxBodyBytes && resp.Header.Get("Content-Encoding") == "" {
		return fmt.Errorf("%w: %d bytes, over the %s limit", ErrBodyTooLarge, resp.ContentLength, byteSize(f.cfg.MaxBodyBytes))
	}
	return read(resp)
}

// describe turns a transport error into a short cause a reader understands.
func (f *Fetcher) describe(ctx context.Context, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("timed out after %s: %w", f.cfg.Timeout, context.DeadlineExceeded)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("DNS lookup of %s failed: %w", dnsErr.Name, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connection refused: %w", err)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("host unreachable: %w", err)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("connection timed out after %s: %w", f.cfg.ConnectTimeout, err)
	}
	return err
}

// mediaType returns the lower-case media type of a Content-Type header
// value, without parameters ("" when absent or unparsable).
func mediaType(header string) string {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		mt, _, _ = strings.Cut(header, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// byteSize renders a byte count for messages: "10 MB", "512 KB", "300 B".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// ReadFile reads a local page with the Fetcher's size cap; see [ReadFile].
func (f *Fetcher) ReadFile(path string) (Page, error) {
	return ReadFile(path, f.cfg.MaxBodyBytes)
}

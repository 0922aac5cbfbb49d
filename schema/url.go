package schema

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// not a page; CanonicalURL removes them. Keys are compared in lower case.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true,
	"msclkid": true, "yclid": true, "igshid": true, "twclid": true,
	"mc_cid": true, "mc_eid": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "rcm": true, "ref": true, "ref_src": true,
	"ref_url": true, "trk": true, "trackingid": true, "lipi": true,
	"isfreemail": true, "triedredirect": true,
}

// isTrackingParam reports whether a query key names a tracking parameter:
// utm_* or one of trackingParams.
func isTrackingParam(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

// CanonicalURL returns the form of raw under which a page is stored and
// identified: scheme and host in lower case, no fragment, no default port
// (:80 for http, :443 for https), tracking parameters (utm_*, fbclid, gclid,
// mc_cid, ref, …) removed and the other parameters kept in order, with their
// original encoding. raw must be an absolute http, https or file URL.
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("canonical URL %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https":
		if u.Hostname() == "" { // "http://:80" has a port but no host
			return "", fmt.Errorf("canonical URL %q: no host", raw)
		}
	case "file":
		if u.Path == "" {
			return "", fmt.Errorf("canonical URL %q: no path", raw)
		}
	case "":
		return "", fmt.Errorf("canonical URL %q: %w", raw, errors.New("not an absolute URL (no scheme)"))
	default:
		return "", fmt.Errorf("canonical URL %q: unsupported scheme %q", raw, u.Scheme)
	}
	u.Host = canonicalHost(u.Scheme, u.Host)
	u.Fragment, u.RawFragment = "", ""
	u.RawQuery = withoutTracking(u.RawQuery)
	u.ForceQuery = false
	return u.String(), nil
}

// canonicalHost lower-cases host and drops the scheme's default port.
func canonicalHost(scheme, host string) string {
	host = strings.ToLower(host)
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		return strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		return strings.TrimSuffix(host, ":443")
	}
	return host
}

// withoutTracking drops the tracking parameters of a raw query string,
// keeping the others in order and as encoded (a raw space becomes %20).
func withoutTracking(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	var kept []string
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if !isTrackingParam(key) {
			kept = append(kept, strings.ReplaceAll(part, " ", "%20"))
		}
	}
	return strings.Join(kept, "&")
}

// DocumentID returns the identifier of the document at canonicalURL: the hex
// MD5 of the URL's Python bytes representation (md5("b'" + url + "'") for a
// plain ASCII URL). This is the original system's file naming, so a page
// whose URL is already canonical keeps the ID of its gold card.
func DocumentID(canonicalURL string) string {
	sum := md5.Sum([]byte(pythonBytesRepr([]byte(canonicalURL))))
	return hex.EncodeToString(sum[:])
}

// pythonBytesRepr renders b as Python's repr(bytes) does: b'…' (or b"…" when
// b holds a single quote and no double quote), with \\, \t, \n, \r and \xNN
// escapes for the quote, the backslash and non-printable or non-ASCII bytes.
func pythonBytesRepr(b []byte) string {
	quote := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteByte('b')
	sb.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}

// CheckWebURL reports why s is not an absolute http or https URL with a
// host; nil means it is one.
func CheckWebURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %q", s)
	}
	// Hostname, not Host: "http://:80/x" has a port but no host.
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Errorf("not an http(s) URL: %q", s)
	}
	return nil
}

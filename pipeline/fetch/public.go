package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
)

// ErrPrivateAddress is the error of a public-only fetch (see
// [Fetcher.PublicOnly]) whose host is, or resolves to, this machine or its
// network.
var ErrPrivateAddress = errors.New("private address refused (--allow-private-hosts allows it)")

// PublicOnly returns a Fetcher like f that refuses to connect to loopback,
// private, link-local and unspecified addresses. The check is made on the
// addresses a host name resolves to, for the first request and for every
// redirect, and the connection goes to the address checked, so a name
// cannot resolve to a public address for the check and a private one for
// the connection. Behind an HTTP proxy, the page's host is resolved and
// checked here, as the proxy's own resolution cannot be seen. The returned
// Fetcher shares f's settings; f itself is unchanged.
func (f *Fetcher) PublicOnly() *Fetcher {
	f.publicOnce.Do(func() {
		cfg := f.cfg
		cfg.DialContext = publicDialer(f.dial, &net.Resolver{}, proxyAddrs())
		f.public = newFetcher(cfg, true)
	})
	return f.public
}

type publicOnlyKey struct{}

// PublicOnlyContext returns a context under which every fetch of any
// Fetcher is made as by its [Fetcher.PublicOnly] sibling: for pages found
// in remote digests and feeds, which must not lead veille to this machine
// or its network.
func PublicOnlyContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, publicOnlyKey{}, true)
}

func isPublicOnly(ctx context.Context) bool {
	on, _ := ctx.Value(publicOnlyKey{}).(bool)
	return on
}

// lookupNetIP resolves a host name to its addresses.
type lookupNetIP interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// publicDialer wraps dial so that it resolves the host itself, refuses
// private addresses, and dials the first public one. The proxies' addresses
// (host:port) are dialled as they are.
func publicDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error), r lookupNetIP, proxies map[string]bool) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if proxies[addr] {
			return dial(ctx, network, addr)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ips, err := publicAddrs(ctx, r, host)
		if err != nil {
			return nil, err
		}
		var firstErr error
		for _, ip := range ips {
			conn, err := dial(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return conn, nil
			}
			firstErr = cmpOr(firstErr, err)
		}
		return nil, firstErr
	}
}

// publicAddrs resolves host (a name or an address literal) and returns its
// addresses, or an error wrapping [ErrPrivateAddress] when any of them is
// private: a name that resolves to both is refused.
func publicAddrs(ctx context.Context, r lookupNetIP, host string) ([]netip.Addr, error) {
	if IsPrivateHost(host) {
		return nil, fmt.Errorf("%s: %w", host, ErrPrivateAddress)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if isPrivateAddr(ip) {
			return nil, fmt.Errorf("%s resolves to %s: %w", host, ip, ErrPrivateAddress)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("%s: no address", host)
	}
	return ips, nil
}

// IsPrivateHost reports whether host (a name or an address, without port)
// names this machine or its network without resolving it: localhost, or a
// loopback, private, link-local or unspecified address.
func IsPrivateHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && isPrivateAddr(ip)
}

func isPrivateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsInterfaceLocalMulticast()
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// publicProxy is http.ProxyFromEnvironment for a public-only Fetcher: when
// a request goes through a proxy, its host is resolved and checked here.
func publicProxy(req *http.Request) (*url.URL, error) {
	proxy, err := http.ProxyFromEnvironment(req)
	if err != nil || proxy == nil {
		return proxy, err
	}
	if _, err := publicAddrs(req.Context(), &net.Resolver{}, req.URL.Hostname()); err != nil {
		return nil, err
	}
	return proxy, nil
}

// proxyAddrs returns the host:port of the proxies the environment
// configures (HTTP_PROXY, HTTPS_PROXY and their lower-case forms).
func proxyAddrs() map[string]bool {
	addrs := map[string]bool{}
	for _, name := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		u, err := url.Parse(os.Getenv(name))
		if err != nil || u.Host == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "socks5": "1080"}[u.Scheme]
		}
		if port == "" {
			port = "80"
		}
		addrs[net.JoinHostPort(u.Hostname(), port)] = true
	}
	return addrs
}

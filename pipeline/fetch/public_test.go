package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// fakeResolver resolves names from a table.
type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return ips, nil
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestPublicOnlyRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("a page on this machine, long enough to be a page of text"))
	}))
	defer srv.Close()
	f := New(Config{})
	if _, err := f.Fetch(t.Context(), srv.URL); err != nil {
		t.Fatalf("plain fetcher: %v", err)
	}
	for _, u := range []string{srv.URL, "http://localhost:1/", "http://[::1]:1/", "http://10.1.2.3:1/", "http://169.254.169.254/latest/meta-data"} {
		_, err := f.PublicOnly().Fetch(t.Context(), u)
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("public-only fetch of %s: err = %v, want ErrPrivateAddress", u, err)
		}
	}
	if f.PublicOnly() != f.PublicOnly() {
		t.Error("PublicOnly made a new Fetcher each time: connections would not be reused")
	}
}

// TestPublicOnlyChecksResolvedAddresses: a name resolving to a private
// address is refused, a redirect from a public page to a private address is
// refused, and a public name is dialled at the address checked.
func TestPublicOnlyChecksResolvedAddresses(t *testing.T) {
	private := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("secret"))
	}))
	defer private.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, private.URL+"/admin", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("a public page with enough words to count as the text of a page"))
	}))
	defer public.Close()
	resolver := fakeResolver{
		"news.example":   addrs("93.184.216.34"),
		"rebind.example": addrs("127.0.0.1"),
		"mixed.example":  addrs("93.184.216.34", "192.168.1.1"),
	}
	var dialled []string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		target := addr
		if addr == "93.184.216.34:80" { // the public address is served by the test server
			target = public.Listener.Addr().String()
		}
		return (&net.Dialer{}).DialContext(ctx, network, target)
	}
	f := newFetcher(Config{DialContext: publicDialer(dial, resolver, nil)}.withDefaults(), true)

	if _, err := f.Fetch(t.Context(), "http://news.example/page"); err != nil {
		t.Fatalf("public page: %v", err)
	}
	if len(dialled) != 1 || dialled[0] != "93.184.216.34:80" {
		t.Errorf("dialled %v, want the checked address 93.184.216.34:80", dialled)
	}
	for _, u := range []string{"http://rebind.example/", "http://mixed.example/", "http://news.example/redirect"} {
		if _, err := f.Fetch(t.Context(), u); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", u, err)
		}
	}
}

func TestPublicOnlyDialsConfiguredProxy(t *testing.T) {
	var dialled []string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		return nil, errors.New("no network in this test")
	}
	d := publicDialer(dial, fakeResolver{}, map[string]bool{"127.0.0.1:3128": true})
	if _, err := d(t.Context(), "tcp", "127.0.0.1:3128"); errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("the configured proxy was refused: %v", err)
	}
	if _, err := d(t.Context(), "tcp", "127.0.0.1:8080"); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("another local address: err = %v, want ErrPrivateAddress", err)
	}
	if len(dialled) != 1 {
		t.Errorf("dialled %v, want the proxy only", dialled)
	}
}

func TestPublicOnlyContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("a page on this machine"))
	}))
	defer srv.Close()
	if _, err := New(Config{}).FetchRaw(PublicOnlyContext(t.Context()), srv.URL); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("fetch under PublicOnlyContext: err = %v, want ErrPrivateAddress", err)
	}
}

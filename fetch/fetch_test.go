package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecard/sharecard/fetch/fetchtest"
	"github.com/sharecard/sharecard/internal/testwait"
)

func TestGetPhoto(t *testing.T) {
	srv := newPhotoServer(t)
	h := newHarness(t, Config{Allow: loopback()}, nil)
	body, err := h.f.Get(context.Background(), srv.URL+"/photo.jpg")
	wantErr(t, err, nil)
	if !bytes.Equal(body, srv.photo) {
		t.Errorf("body is %d bytes, want the %d-byte photo", len(body), len(srv.photo))
	}
	if ua := srv.ua.Load(); ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
	if got, want := h.dl.Dialled(), []string{"127.0.0.1:" + srv.port()}; !slices.Equal(got, want) {
		t.Errorf("dials = %v, want %v", got, want)
	}
	if q := h.res.Questions(); len(q) != 0 {
		t.Errorf("resolver asked %v for an IP-literal URL, want no question", q)
	}
}

// A named host is resolved once by the configured resolver and the dialer
// gets the resolved literal, never the name.
func TestGetNamedHostDialsResolvedLiteral(t *testing.T) {
	srv := newPhotoServer(t)
	h := newHarness(t, Config{Allow: loopback()}, map[string]string{"photos.example": "127.0.0.1"})
	body, err := h.f.Get(context.Background(), "http://photos.example:"+srv.port()+"/photo.jpg")
	wantErr(t, err, nil)
	if len(body) != len(srv.photo) {
		t.Errorf("body is %d bytes, want %d", len(body), len(srv.photo))
	}
	if got, want := h.res.Questions(), []string{"photos.example"}; !slices.Equal(got, want) {
		t.Errorf("resolver questions = %v, want %v", got, want)
	}
	if got, want := h.dl.Dialled(), []string{"127.0.0.1:" + srv.port()}; !slices.Equal(got, want) {
		t.Errorf("dials = %v, want %v", got, want)
	}
}

// Without an allowlist, loopback in any spelling is refused before any
// connection is attempted.
func TestGetRefusesLoopbackWithoutAllow(t *testing.T) {
	srv := newPhotoServer(t)
	p := srv.port()
	for _, u := range []string{
		srv.URL + "/photo.jpg",
		"http://[::1]:" + p + "/photo.jpg",
		"http://[::ffff:127.0.0.1]:" + p + "/photo.jpg",
		"http://2130706433:" + p + "/photo.jpg", // 127.0.0.1 in decimal
		"http://0x7f.1:" + p + "/photo.jpg",
		"http://0177.0.0.1:" + p + "/photo.jpg",
		"http://127.1:" + p + "/photo.jpg",
		"http://127.0.0.1.:" + p + "/photo.jpg",
		"http://localhost:" + p + "/photo.jpg",
		"https://127.0.0.1:" + p + "/photo.jpg",
	} {
		t.Run(u, func(t *testing.T) {
			h := newHarness(t, Config{}, map[string]string{"localhost": "127.0.0.1,::1"})
			_, err := h.f.Get(context.Background(), u)
			wantErr(t, err, ErrForbiddenAddress)
			if d := h.dl.Dialled(); len(d) != 0 {
				t.Errorf("dials = %v, want none", d)
			}
		})
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

// Names that resolve to refused addresses are refused at dial time, even
// with loopback allowed, and nothing is dialled.
func TestGetRefusesResolvedAddresses(t *testing.T) {
	hosts := map[string]string{
		"photos.example": "10.0.0.5",
		"meta.example":   "169.254.169.254",
		"v6.example":     "fd00::1",
		"aws6.example":   "fd00:ec2::254",
		"ali.example":    "100.100.100.200",
		"mapped.example": "::ffff:169.254.169.254",
		"nat64.example":  "64:ff9b::a00:5",
		"ll6.example":    "fe80::1",
		// One good and one refused answer: the host is refused, so the
		// good address is not tried either.
		"mixed.example":  "127.0.0.1,10.0.0.5",
		"mixed6.example": "::1,fd12:3456::1",
		"public.example": "93.184.215.14,192.168.1.10",
	}
	for host, addrs := range hosts {
		t.Run(host, func(t *testing.T) {
			h := newHarness(t, Config{Allow: loopback()}, hosts)
			_, err := h.f.Get(context.Background(), "http://"+host+":8080/photo.jpg")
			wantErr(t, err, ErrForbiddenAddress)
			if d := h.dl.Dialled(); len(d) != 0 {
				t.Errorf("dials = %v, want none", d)
			}
			if q := h.res.Questions(); !slices.Equal(q, []string{host}) {
				t.Errorf("resolver questions = %v, want [%s]", q, host)
			}
			bad := strings.Split(addrs, ",")
			if !strings.Contains(err.Error(), bad[len(bad)-1]) {
				t.Errorf("error %q does not name the refused address %s", err, bad[len(bad)-1])
			}
		})
	}
}

// A network in Allow is reachable although private; the dialer receives
// the resolved literal. The recording dialer refuses it, so nothing leaves
// the machine.
func TestAllowOpensPrivateNetwork(t *testing.T) {
	dl := &fetchtest.Dialer{}
	h := newHarness(t, Config{
		Allow:  []netip.Prefix{netip.MustParsePrefix("::ffff:10.0.0.0/104")}, // the IPv4-mapped form of 10/8
		Dialer: dl,
	}, map[string]string{"photos.example": "10.0.0.5", "other.example": "10.0.0.6,172.16.0.1"})
	_, err := h.f.Get(context.Background(), "http://photos.example:8080/photo.jpg")
	wantErr(t, err, ErrUpstream) // the test dialer refuses non-loopback
	if got, want := dl.Dialled(), []string{"10.0.0.5:8080"}; !slices.Equal(got, want) {
		t.Errorf("dials = %v, want %v", got, want)
	}
	_, err = h.f.Get(context.Background(), "http://other.example:8080/photo.jpg")
	wantErr(t, err, ErrForbiddenAddress) // 172.16.0.1 is not in Allow
	if got := len(dl.Dialled()); got != 1 {
		t.Errorf("dials after a refused host = %v, want only the first", dl.Dialled())
	}
}

func TestRedirectLimit(t *testing.T) {
	srv := newPhotoServer(t)
	for _, tc := range []struct {
		max  int
		path string
		want error
	}{
		{0, "/r/2", nil}, // 3 redirects: /r/2 -> /r/1 -> /r/0 -> /photo.jpg
		{0, "/r/3", ErrTooManyRedirects},
		{3, "/r/2", nil},
		{5, "/r/4", nil},
		{5, "/r/5", ErrTooManyRedirects},
		{-1, "/photo.jpg", nil},
		{-1, "/r/0", ErrTooManyRedirects},
	} {
		t.Run(strconv.Itoa(tc.max)+tc.path, func(t *testing.T) {
			h := newHarness(t, Config{Allow: loopback(), MaxRedirects: tc.max}, nil)
			body, err := h.f.Get(context.Background(), srv.URL+tc.path)
			wantErr(t, err, tc.want)
			if tc.want == nil && !bytes.Equal(body, srv.photo) {
				t.Errorf("body is %d bytes, want the photo", len(body))
			}
			if ref := srv.ref.Load(); tc.want == nil && ref != "" {
				t.Errorf("Referer %q sent after a redirect, want none", ref)
			}
		})
	}
}

// Every hop is checked: redirects to refused addresses or URLs fail, and
// the only connection ever made is the one to the test server.
func TestRedirectChecksEveryHop(t *testing.T) {
	srv := newPhotoServer(t)
	p := srv.port()
	hosts := map[string]string{
		"meta.example":    "169.254.169.254",
		"private.example": "10.1.2.3",
		"photos.example":  "127.0.0.1",
	}
	for _, tc := range []struct {
		to   string
		want error
	}{
		{"http://169.254.169.254/latest/meta-data/", ErrForbiddenAddress},
		{"http://meta.example/latest/meta-data/", ErrForbiddenAddress},
		{"http://[fd00:ec2::254]/latest/meta-data/", ErrForbiddenAddress},
		{"http://[::ffff:169.254.169.254]/latest/meta-data/", ErrForbiddenAddress},
		{"http://2852039166/latest/meta-data/", ErrForbiddenAddress}, // 169.254.169.254
		{"http://private.example:" + p + "/photo.jpg", ErrForbiddenAddress},
		{"ftp://127.0.0.1:" + p + "/photo.jpg", ErrBadURL},
		{"file:///etc/passwd", ErrBadURL},
		{"http://user:pw@127.0.0.1:" + p + "/photo.jpg", ErrBadURL},
		{"http://photos.example:" + p + "/photo.jpg", nil}, // allowed hop, new connection
	} {
		t.Run(tc.to, func(t *testing.T) {
			h := newHarness(t, Config{Allow: loopback()}, hosts)
			_, err := h.f.Get(context.Background(), srv.URL+"/to?u="+url.QueryEscape(tc.to))
			wantErr(t, err, tc.want)
			wantDials := 1
			if tc.want == nil {
				wantDials = 2
			}
			if d := h.dl.Dialled(); len(d) != wantDials {
				t.Errorf("dials = %v, want %d to the test server", d, wantDials)
			}
		})
	}
}

func TestSizeLimit(t *testing.T) {
	srv := newPhotoServer(t)
	const max = 1000
	for _, tc := range []struct {
		path string
		want error
	}{
		// The server announces the size and then stalls: only a client
		// that refuses on Content-Length returns before Timeout, which
		// is as long as the test may run; a client that waited for the
		// body would fail with a timeout instead of ErrTooLarge.
		{"/declared?n=1001", ErrTooLarge},
		{"/photo.jpg", ErrTooLarge}, // 100 KB with Content-Length
		{"/chunked?n=1001", ErrTooLarge},
		{"/chunked?n=50000", ErrTooLarge},
		{"/chunked?n=1000", nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			h := newHarness(t, Config{Allow: loopback(), MaxBytes: max, Timeout: testwait.Patience(t)}, nil)
			body, err := h.f.Get(context.Background(), srv.URL+tc.path)
			wantErr(t, err, tc.want)
			if tc.want == nil && len(body) != max {
				t.Errorf("body is %d bytes, want %d", len(body), max)
			}
		})
	}
}

func TestStatusError(t *testing.T) {
	srv := newPhotoServer(t)
	h := newHarness(t, Config{Allow: loopback()}, nil)
	_, err := h.f.Get(context.Background(), srv.URL+"/missing.jpg?token=secret")
	wantErr(t, err, ErrUpstream)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusNotFound {
		t.Fatalf("error %v: want a *StatusError with code 404", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "404 Not Found") || strings.Contains(msg, "secret") {
		t.Errorf("message %q: want the status and no query", msg)
	}
}

func TestTimeouts(t *testing.T) {
	srv := newPhotoServer(t)
	// Each case stalls one step until the client gives up. The stalled
	// answers last until the client goes away; the stalled dialer and
	// resolver report how long their context had left when they were
	// called, which shows it is the configured ConnectTimeout (and not
	// the 20 s default Timeout) that ends them, however slow the machine.
	dialer, resolver := &blockingDialer{}, &blockingResolver{}
	const connect = 200 * time.Millisecond
	for _, tc := range []struct {
		name   string
		cfg    Config
		url    string
		called *blocked // the stalled dialer or resolver, if any
	}{
		{"stalled headers", Config{Timeout: 300 * time.Millisecond}, srv.URL + "/stall", nil},
		{"stalled body", Config{Timeout: 300 * time.Millisecond}, srv.URL + "/stall-body", nil},
		{"stalled connect", Config{ConnectTimeout: connect, Dialer: dialer}, srv.URL + "/photo.jpg", &dialer.blocked},
		{"stalled resolve", Config{ConnectTimeout: connect, Resolver: resolver}, "http://photos.example/photo.jpg", &resolver.blocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Allow = loopback()
			h := newHarness(t, tc.cfg, nil)
			_, err := h.f.Get(context.Background(), tc.url)
			wantErr(t, err, ErrUpstream)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v: want a timeout", err)
				}
			}
			if tc.called != nil {
				left, ok := tc.called.last()
				if !ok || left > connect {
					t.Errorf("the stalled step had %v left (deadline %v), want at most the ConnectTimeout %v", left, ok, connect)
				}
			}
		})
	}
}

// blocked records, for a stalled dialer or resolver, how long the context
// of its last call had left when it was called.
type blocked struct {
	mu       sync.Mutex
	left     time.Duration
	deadline bool
}

func (b *blocked) wait(ctx context.Context) error {
	d, ok := ctx.Deadline()
	b.mu.Lock()
	b.left, b.deadline = time.Until(d), ok
	b.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

func (b *blocked) last() (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.left, b.deadline
}

// blockingDialer and blockingResolver hang until their context ends.
type blockingDialer struct{ blocked }

func (d *blockingDialer) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	return nil, d.wait(ctx)
}

type blockingResolver struct{ blocked }

func (r *blockingResolver) LookupNetIP(ctx context.Context, _, _ string) ([]netip.Addr, error) {
	return nil, r.wait(ctx)
}

func TestCallerCancel(t *testing.T) {
	srv := newPhotoServer(t)
	h := newHarness(t, Config{Allow: loopback()}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := h.f.Get(ctx, srv.URL+"/stall")
	wantErr(t, err, ErrUpstream)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v: want it to wrap context.DeadlineExceeded", err)
	}
}

func TestBadURL(t *testing.T) {
	long := "http://photos.example/" + strings.Repeat("a", maxURLLen)
	for _, tc := range []struct {
		url string
		cfg Config
	}{
		{url: "ftp://photos.example/a.jpg"},
		{url: "file:///etc/passwd"},
		{url: "gopher://photos.example:70/"},
		{url: "javascript:alert(1)"},
		{url: "photos.example/a.jpg"},
		{url: ""},
		{url: "http:///a.jpg"},
		{url: "http:photos.example/a.jpg"},
		{url: "http://user@photos.example/a.jpg"},
		{url: "https://user:pw@photos.example/a.jpg"},
		{url: "http://photos.example:0/a.jpg"},
		{url: "http://photos.example:99999/a.jpg"},
		{url: "http://134744072/a.jpg"}, // 8.8.8.8 in decimal: ambiguous, refused
		{url: "http://1.2.3.4.5/a.jpg"},
		{url: "http://1.2.3.256/a.jpg"},
		{url: "http://%zz/a.jpg"},
		{url: long},
		{url: "http://photos.example/a.jpg", cfg: Config{HTTPSOnly: true}},
	} {
		t.Run(tc.url[:min(len(tc.url), 40)], func(t *testing.T) {
			h := newHarness(t, tc.cfg, map[string]string{"photos.example": "127.0.0.1"})
			_, err := h.f.Get(context.Background(), tc.url)
			wantErr(t, err, ErrBadURL)
			if d, q := h.dl.Dialled(), h.res.Questions(); len(d)+len(q) != 0 {
				t.Errorf("dials %v and resolver questions %v, want none", d, q)
			}
		})
	}
}

// TLS is verified against the URL's host name although the dialer gets
// the IP literal.
func TestHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			http.Redirect(w, r, "http://example.com/photo.jpg", http.StatusFound)
			return
		}
		w.Write([]byte("jpeg"))
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	cfg := Config{Allow: loopback(), TLSConfig: &tls.Config{RootCAs: roots}, HTTPSOnly: true}
	// httptest's certificate names example.com, not photos.example.
	hosts := map[string]string{"example.com": "127.0.0.1", "photos.example": "127.0.0.1"}
	for _, tc := range []struct {
		url  string
		want error
	}{
		{"https://example.com:" + port + "/photo.jpg", nil},
		{"https://photos.example:" + port + "/photo.jpg", ErrUpstream},
		{"https://example.com:" + port + "/down", ErrBadURL}, // https -> http with HTTPSOnly
	} {
		t.Run(tc.url, func(t *testing.T) {
			h := newHarness(t, cfg, hosts)
			body, err := h.f.Get(context.Background(), tc.url)
			wantErr(t, err, tc.want)
			if tc.want == nil && string(body) != "jpeg" {
				t.Errorf("body = %q, want %q", body, "jpeg")
			}
			if tc.want == ErrUpstream && !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error %q: want a certificate error", err)
			}
			if got, want := h.dl.Dialled(), []string{"127.0.0.1:" + port}; !slices.Equal(got, want) {
				t.Errorf("dials = %v, want %v", got, want)
			}
		})
	}
}

// rebindingResolver answers loopback the first time and the metadata
// address afterwards, as a DNS-rebinding attacker would.
type rebindingResolver struct {
	mu sync.Mutex
	n  int
}

func (r *rebindingResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if r.n == 1 {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
}

// Each new connection uses its own resolution and checks exactly what it
// dials: the second answer of a rebinding name is refused.
func TestRebinding(t *testing.T) {
	srv := newPhotoServer(t)
	h := newHarness(t, Config{Allow: loopback(), Resolver: &rebindingResolver{}}, nil)
	u := "http://rebind.example:" + srv.port() + "/photo.jpg"
	_, err := h.f.Get(context.Background(), u)
	wantErr(t, err, nil)
	h.f.CloseIdleConnections()
	_, err = h.f.Get(context.Background(), u)
	wantErr(t, err, ErrForbiddenAddress)
	if got, want := h.dl.Dialled(), []string{"127.0.0.1:" + srv.port()}; !slices.Equal(got, want) {
		t.Errorf("dials = %v, want %v", got, want)
	}
}

func TestConcurrentGets(t *testing.T) {
	srv := newPhotoServer(t)
	h := newHarness(t, Config{Allow: loopback()}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			path := "/photo.jpg"
			if i%2 == 1 {
				path = "/r/1"
			}
			body, err := h.f.Get(context.Background(), srv.URL+path)
			if err == nil && !bytes.Equal(body, srv.photo) {
				err = errors.New("wrong body")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// The transport must ignore HTTP_PROXY and friends, or a proxy would
// connect on the guard's behalf.
func TestNoProxy(t *testing.T) {
	f := New(Config{})
	if f.transport.Proxy != nil {
		t.Error("Transport.Proxy is set; proxies would bypass the address checks")
	}
	if f.transport.DialTLSContext != nil {
		t.Error("DialTLSContext is set; it would take over https dials from the guarded DialContext")
	}
}

// TestRefusedNamesTheAllowHint: the error for a refused address tells the
// operator how to allow its network, in the terms of the program that
// configured the fetcher.
func TestRefusedNamesTheAllowHint(t *testing.T) {
	hosts := map[string]string{"intranet.example": "10.0.0.5"}
	for _, tc := range []struct{ hint, want string }{
		{"", "add the network to Config.Allow"},
		{"--allow-nets (SHARECARD_ALLOW_NETS)", "add the network to --allow-nets (SHARECARD_ALLOW_NETS)"},
	} {
		h := newHarness(t, Config{Allow: loopback(), AllowHint: tc.hint}, hosts)
		_, err := h.f.Get(context.Background(), "http://intranet.example/photo.jpg")
		wantErr(t, err, ErrForbiddenAddress)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hint %q: error %q does not say %q", tc.hint, err, tc.want)
		}
	}
}

// TestHostWithControlCharacter: a percent-encoded control or invisible
// character in the host is the URL's fault (ErrBadURL, a 422 in the
// server), refused before any resolving, not an upstream failure.
func TestHostWithControlCharacter(t *testing.T) {
	for _, raw := range []string{
		"http://ex%C2%85ample.com/p.jpg",    // NEL, a C1 control
		"http://ex%C2%80ample.com/p.jpg",    // PAD
		"http://ex%E2%80%8Bample.com/p.jpg", // zero-width space
		"http://ex%E2%80%AEample.com/p.jpg", // right-to-left override
		"http://ex%FFample.com/p.jpg",       // not UTF-8
	} {
		h := newHarness(t, Config{Allow: loopback()}, nil)
		_, err := h.f.Get(context.Background(), raw)
		wantErr(t, err, ErrBadURL)
		if q := h.res.Questions(); len(q) != 0 {
			t.Errorf("%s: the resolver was asked %v", raw, q)
		}
	}
}

// Package fetch downloads article photos from URLs that come from outside
// (CMS payloads, query parameters) without letting those URLs reach the
// server's own network: no loopback, private, link-local or cloud-metadata
// addresses, checked on the IP actually dialled for every hop, with a size
// cap, timeouts and a redirect limit.
package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Errors returned by Get wrap exactly one of these sentinels; callers branch
// with errors.Is (a server maps ErrBadURL and ErrForbiddenAddress to 422,
// ErrTooLarge to 413 or 422, ErrUpstream and ErrTooManyRedirects to 502).
var (
	// ErrBadURL: the URL (or a redirect's Location) is not an acceptable
	// http(s) URL: other scheme, no host, user information, bad port,
	// a non-standard numeric host such as 134744072.
	ErrBadURL = errors.New("bad photo URL")
	// ErrForbiddenAddress: the host is, or resolves to, an address that
	// Classify refuses and Config.Allow does not list.
	ErrForbiddenAddress = errors.New("forbidden address")
	// ErrTooLarge: the body is larger than Config.MaxBytes.
	ErrTooLarge = errors.New("photo too large")
	// ErrTooManyRedirects: more than Config.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrUpstream: the photo server failed: a non-2xx status (see
	// StatusError), a timeout, a refused or broken connection, a DNS or
	// TLS failure, or the caller's context ended.
	ErrUpstream = errors.New("photo server error")
)

// Defaults used for the zero fields of Config.
const (
	DefaultMaxBytes       = 40 << 20 // bytes
	DefaultConnectTimeout = 5 * time.Second
	DefaultTimeout        = 20 * time.Second
	DefaultMaxRedirects   = 3
	DefaultUserAgent      = "github.com/sharecard/sharecard/1 (photo fetcher)"
	// DefaultAccept lists the formats the render engine decodes.
	DefaultAccept = "image/webp,image/jpeg,image/png,image/gif;q=0.9,*/*;q=0.1"
)

// Config tunes a Fetcher. The zero value is the safe default: 40 MB, 5 s to
// connect, 20 s in all, 3 redirects, http and https, no private address
// reachable, system DNS and TLS roots.
type Config struct {
	// MaxBytes is the largest body accepted, in bytes (default 40 MB). A
	// larger Content-Length is refused before the body is read; a body
	// without one is cut off at MaxBytes+1 bytes.
	MaxBytes int64
	// ConnectTimeout bounds resolving the host and connecting to it,
	// per connection, and the TLS handshake (default 5 s).
	ConnectTimeout time.Duration
	// Timeout bounds the whole Get: every connection, redirect and the
	// reading of the body (default 20 s).
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed (default 3); a
	// negative value follows none.
	MaxRedirects int
	// Allow lists networks reachable although Classify refuses them, e.g.
	// 127.0.0.0/8 in tests or an internal image host's 10.1.2.0/24. Empty
	// means none. IPv4-mapped prefixes (::ffff:10.0.0.0/104) are taken as
	// their IPv4 form. The slice is copied by New.
	Allow []netip.Prefix
	// AllowHint says, in the error for a refused address, how the
	// operator lists a network in Allow (such as "--allow-nets"); empty
	// names Config.Allow.
	AllowHint string
	// HTTPSOnly refuses plain http URLs, also as redirect targets. The
	// default accepts both, as photo URLs from CMSs still use http; the
	// address checks apply either way.
	HTTPSOnly bool
	// Resolver looks up host names; nil means net.DefaultResolver. It is
	// called once per new connection, and only the addresses it returns
	// are dialled.
	Resolver Resolver
	// Dialer opens TCP connections to IP literals ("1.2.3.4:443",
	// "[2001:db8::1]:80"); nil means a net.Dialer. It never receives a
	// host name. ConnectTimeout applies through its context.
	Dialer Dialer
	// TLSConfig is used for https; nil means the system roots. Tests set
	// RootCAs here to trust an httptest TLS server.
	TLSConfig *tls.Config
	// UserAgent is sent with every request (default DefaultUserAgent).
	UserAgent string
	// Accept is the Accept header (default DefaultAccept).
	Accept string
}

// Resolver looks up the IP addresses of a host; *net.Resolver implements it.
// network is "ip".
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Dialer connects to an address; *net.Dialer implements it. Fetcher passes
// IP literals only.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Fetcher downloads photos under the guard of its Config. It keeps idle
// connections for reuse; it is safe for concurrent use.
type Fetcher struct {
	guard     *guard
	client    *http.Client
	transport *http.Transport
	maxBytes  int64
	userAgent string
	accept    string
}

// New returns a Fetcher for cfg, with defaults for its zero fields.
func New(cfg Config) *Fetcher {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRedirects == 0:
		cfg.MaxRedirects = DefaultMaxRedirects
	case cfg.MaxRedirects < 0:
		cfg.MaxRedirects = 0
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{Timeout: cfg.ConnectTimeout}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Accept == "" {
		cfg.Accept = DefaultAccept
	}
	allow := make([]netip.Prefix, 0, len(cfg.Allow))
	for _, p := range cfg.Allow {
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		allow = append(allow, p.Masked())
	}
	hint := cfg.AllowHint
	if hint == "" {
		hint = "Config.Allow"
	}
	g := &guard{
		allow:          allow,
		allowHint:      hint,
		httpsOnly:      cfg.HTTPSOnly,
		maxRedirects:   cfg.MaxRedirects,
		resolver:       cfg.Resolver,
		dialer:         cfg.Dialer,
		connectTimeout: cfg.ConnectTimeout,
	}
	var tlsConfig *tls.Config
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	t := &http.Transport{
		// No proxy: HTTP_PROXY and friends must not route around the guard.
		Proxy:                  nil,
		DialContext:            g.dial,
		TLSClientConfig:        tlsConfig,
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ForceAttemptHTTP2:      true,
		DisableCompression:     true, // photos are compressed; keeps Content-Length meaningful
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        60 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	f := &Fetcher{
		guard:     g,
		transport: t,
		maxBytes:  cfg.MaxBytes,
		userAgent: cfg.UserAgent,
		accept:    cfg.Accept,
	}
	f.client = &http.Client{
		Transport:     t,
		Timeout:       cfg.Timeout,
		CheckRedirect: g.checkRedirect,
	}
	return f
}

// checkRedirect applies the redirect limit and the URL checks to each hop;
// the address checks of a named host happen when it is dialled.
func (g *guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > g.maxRedirects {
		return fmt.Errorf("stopped after %d redirects (Config.MaxRedirects is %d): %w", len(via)-1, g.maxRedirects, ErrTooManyRedirects)
	}
	if err := g.checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect to %s: %w", shortURL(req.URL), err)
	}
	// The previous URL may carry a signed query; do not hand it on.
	req.Header.Del("Referer")
	return nil
}

// Get downloads rawURL and returns the body. It follows up to
// Config.MaxRedirects redirects, checking each URL and every address it
// connects to. The error names the URL (without its query) and wraps one of
// ErrBadURL, ErrForbiddenAddress, ErrTooLarge, ErrTooManyRedirects or
// ErrUpstream; a non-2xx status is a *StatusError.
func (f *Fetcher) Get(ctx context.Context, rawURL string) ([]byte, error) {
	if len(rawURL) > maxURLLen {
		return nil, fmt.Errorf("fetch photo: URL is %d bytes, longer than %d: %w", len(rawURL), maxURLLen, ErrBadURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch photo: cannot parse URL: %w: %w", ErrBadURL, err)
	}
	where := shortURL(u)
	if err := f.guard.checkURL(u); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", where, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w: %w", where, ErrBadURL, err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", f.accept)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.doError(where, err)
	}
	defer resp.Body.Close()
	if resp.Request != nil && resp.Request.URL != nil {
		where = shortURL(resp.Request.URL)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{URL: where, StatusCode: resp.StatusCode, Status: resp.Status}
	}
	if resp.ContentLength > f.maxBytes {
		return nil, fmt.Errorf("fetch %s: Content-Length is %d bytes, over the limit of %d (Config.MaxBytes): %w",
			where, resp.ContentLength, f.maxBytes, ErrTooLarge)
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(min(resp.ContentLength, 4<<20)))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, f.maxBytes+1))
	if n > f.maxBytes {
		return nil, fmt.Errorf("fetch %s: body is over the limit of %d bytes (Config.MaxBytes): %w", where, f.maxBytes, ErrTooLarge)
	}
	if err != nil {
		return nil, f.doError(where, fmt.Errorf("reading body after %d bytes: %w", n, err))
	}
	return buf.Bytes(), nil
}

// doError wraps an error of the HTTP client: the guard's own errors keep
// their sentinel, everything else is ErrUpstream.
func (f *Fetcher) doError(where string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // its text repeats the full URL, query included
	}
	for _, s := range []error{ErrBadURL, ErrForbiddenAddress, ErrTooManyRedirects} {
		if errors.Is(err, s) {
			return fmt.Errorf("fetch %s: %w", where, err)
		}
	}
	hint := ""
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		hint = fmt.Sprintf(" (timed out; limits are %s to connect and %s in all)", f.guard.connectTimeout, f.client.Timeout)
	}
	return fmt.Errorf("fetch %s: %w%s: %w", where, ErrUpstream, hint, err)
}

// CloseIdleConnections closes kept-alive connections that are not in use,
// e.g. at shutdown.
func (f *Fetcher) CloseIdleConnections() {
	f.transport.CloseIdleConnections()
}

// StatusError is the error for a response whose status is not 2xx. It
// wraps ErrUpstream.
type StatusError struct {
	URL        string // the URL that answered, without its query
	StatusCode int    // e.g. 404
	Status     string // e.g. "404 Not Found"
}

// Error names the URL and the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("fetch %s: %s: status %s", e.URL, ErrUpstream, e.Status)
}

// Unwrap returns ErrUpstream.
func (e *StatusError) Unwrap() error { return ErrUpstream }

// shortURL renders u for messages: scheme, host and path, with any query
// replaced by "?…" (signed photo URLs carry secrets there) and the whole
// cut to 200 bytes.
func shortURL(u *url.URL) string {
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	s := v.String()
	if u.RawQuery != "" {
		s += "?…"
	}
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

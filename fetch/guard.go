package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxURLLen bounds the length of a photo URL, in bytes.
const maxURLLen = 8 << 10

// guard holds what the URL and address checks need; it is read-only after
// New and so safe for concurrent use.
type guard struct {
	allow          []netip.Prefix
	allowHint      string // how an operator lists a network in allow, for messages
	httpsOnly      bool
	maxRedirects   int
	resolver       Resolver
	dialer         Dialer
	connectTimeout time.Duration
}

// checkAddr refuses addr unless it is outside every refused range or inside
// a network of Config.Allow. host is the name that led to addr, for the
// message.
func (g *guard) checkAddr(host string, addr netip.Addr) error {
	name, bad := Classify(addr)
	if !bad || g.allowed(addr) {
		return nil
	}
	what := "is"
	if host != addr.String() {
		what = "resolves to " + addr.String() + ", which is"
	}
	return fmt.Errorf("host %s %s refused as %s; add the network to %s if the server must reach it: %w",
		host, what, name, g.allowHint, ErrForbiddenAddress)
}

// allowed reports whether addr lies in one of the networks of Config.Allow.
func (g *guard) allowed(addr netip.Addr) bool {
	a := addr.WithZone("").Unmap()
	for _, p := range g.allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// checkURL validates one hop's URL: scheme, host, no userinfo, and, for an
// IP literal or a numeric host, the address itself. Hostnames are checked
// later, at dial time, on the addresses they resolve to.
func (g *guard) checkURL(u *url.URL) error {
	switch u.Scheme {
	case "https":
	case "http":
		if g.httpsOnly {
			return fmt.Errorf("scheme http is not allowed (Config.HTTPSOnly is set); use an https URL: %w", ErrBadURL)
		}
	case "":
		return fmt.Errorf("URL has no scheme; write it as https://host/path: %w", ErrBadURL)
	default:
		return fmt.Errorf("scheme %q is not allowed; only http and https URLs can be fetched: %w", u.Scheme, ErrBadURL)
	}
	if u.User != nil {
		return fmt.Errorf("URL carries user information (user@host); remove it, credentials are not sent: %w", ErrBadURL)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("URL has no host; write it as %s://host/path: %w", u.Scheme, ErrBadURL)
	}
	if !utf8.ValidString(host) {
		return fmt.Errorf("host %q is not valid UTF-8: %w", host, ErrBadURL)
	}
	for _, r := range host {
		// Percent-encoded, these pass url.Parse; no host name holds them.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			return fmt.Errorf("host %q holds the invisible character %U; no host name can: %w", host, r, ErrBadURL)
		}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return fmt.Errorf("port %q is not a number from 1 to 65535: %w", p, ErrBadURL)
		}
	}
	addr, literal, err := literalHost(host)
	if err != nil {
		return err
	}
	if literal {
		return g.checkAddr(host, addr)
	}
	return nil
}

// literalHost reports whether host is an IP address rather than a name.
// Canonical literals (1.2.3.4, ::1, fe80::1%eth0) are returned as such. A
// host that ends in a number but is not canonical dotted-quad IPv4
// (2130706433, 0x7f.1, 0177.0.0.1, 127.1, "1.2.3.4.") is read the way
// browsers and C resolvers read it; because C resolvers would send it to
// that address, it is never handed to a resolver: if it reads as a refused
// address the error wraps ErrForbiddenAddress, otherwise ErrBadURL (write
// the address as a dotted quad).
func literalHost(host string) (addr netip.Addr, literal bool, err error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true, nil
	}
	if !endsInNumber(host) {
		return netip.Addr{}, false, nil
	}
	a, ok := parseLegacyIPv4(host)
	if !ok {
		return netip.Addr{}, false, fmt.Errorf("host %q looks like an IPv4 address but is not one; write it as four decimal numbers a.b.c.d: %w", host, ErrBadURL)
	}
	if name, bad := Classify(a); bad {
		return netip.Addr{}, false, fmt.Errorf("host %s is a numeric form of %s, which is refused as %s: %w",
			host, a, name, ErrForbiddenAddress)
	}
	return netip.Addr{}, false, fmt.Errorf("host %s is a non-standard numeric form of %s; write the address as a dotted quad: %w", host, a, ErrBadURL)
}

// endsInNumber reports whether the last dot-separated label of host (after
// at most one trailing dot) is a decimal number or 0x followed by hex
// digits, as in the WHATWG URL standard. Such hosts are IPv4 addresses to a
// browser and to inet_aton, never DNS names.
func endsInNumber(host string) bool {
	h := strings.TrimSuffix(host, ".")
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(last), "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// parseLegacyIPv4 reads host as the WHATWG URL standard's IPv4 parser does:
// one to four parts, each decimal, octal (leading 0) or hex (0x); the last
// part fills the remaining bytes.
func parseLegacyIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		base, digits := 10, p
		switch {
		case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
			base, digits = 16, p[2:]
		case len(p) >= 2 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		if digits == "" {
			if p == "" {
				return netip.Addr{}, false
			}
			nums[i] = 0 // "0x" alone is zero
			continue
		}
		n, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// dial is the Transport's DialContext. It resolves the host once with the
// configured Resolver, refuses the whole host if any answer is in a refused
// range, and dials allowed IP literals only, so the address connected to is
// the address checked (a DNS answer cannot change in between).
func (g *guard) dial(ctx context.Context, network, address string) (net.Conn, error) {
	// The connect timeout covers resolving and every connection attempt,
	// whatever Dialer is configured.
	ctx, cancel := context.WithTimeout(ctx, g.connectTimeout)
	defer cancel()
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial address %q: %w: %w", address, ErrBadURL, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial address %q: port is not a number from 0 to 65535: %w", address, ErrBadURL)
	}
	var addrs []netip.Addr
	addr, literal, err := literalHost(host)
	switch {
	case err != nil:
		return nil, err
	case literal:
		addrs = []netip.Addr{addr}
	default:
		addrs, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("resolve host %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve host %s: no addresses", host)
		}
	}
	// Every answer must pass: an attacker who controls the DNS of a name
	// must not get one private address tried among public ones.
	for _, a := range addrs {
		if err := g.checkAddr(host, a); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, a := range addrs {
		conn, err := g.dialer.DialContext(ctx, network, netip.AddrPortFrom(a, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

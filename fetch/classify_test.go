package fetch

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want string // substring of the range name; "" = allowed
	}{
		// Public addresses, including the neighbours of refused ranges.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"9.255.255.255", ""},
		{"11.0.0.0", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"126.255.255.255", ""},
		{"128.0.0.0", ""},
		{"169.253.255.255", ""},
		{"169.255.0.0", ""},
		{"172.15.255.255", ""},
		{"172.32.0.0", ""},
		{"192.0.1.1", ""},
		{"192.167.255.255", ""},
		{"192.169.0.0", ""},
		{"198.17.255.255", ""},
		{"198.20.0.0", ""},
		{"223.255.255.255", ""},
		{"2606:4700:4700::1111", ""},
		{"2a00:1450:4001::1", ""},
		{"2001:4860::8888", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", ""},  // 6to4 of 8.8.8.8
		{"2001:200::1", ""},      // just past 2001::/23
		{"3fff:1000::1", ""},     // just past 3fff::/20
		{"2001:db9::1", ""},      // just past 2001:db8::/32
		{"fe80::1%eth0", "link"}, // zone ignored
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "this network"},
		{"10.0.0.0", "private"},
		{"10.255.255.255", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.0.1", "private"},
		{"100.64.0.1", "carrier-grade"},
		{"100.127.255.255", "carrier-grade"},
		{"100.100.100.200", "metadata"},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"169.254.0.1", "link-local"},
		{"169.254.169.254", "metadata"},
		{"168.63.129.16", "cloud platform"},
		{"192.0.0.8", "IETF"},
		{"192.0.2.1", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"192.88.99.1", "6to4 relay"},
		{"198.18.0.1", "benchmarking"},
		{"198.19.255.255", "benchmarking"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "broadcast"},
		// IPv4-mapped and other IPv6 forms of IPv4.
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.1.2.3", "private"},
		{"::ffff:169.254.169.254", "metadata"},
		{"::ffff:0.0.0.0", "unspecified"},
		{"::127.0.0.1", "not global"}, // IPv4-compatible (deprecated)
		{"64:ff9b::7f00:1", "NAT64"},
		{"64:ff9b::a9fe:a9fe", "metadata"},
		{"64:ff9b:1::808:808", "local-use NAT64"},
		{"2002:a00:1::1", "6to4"},
		{"2002:a9fe:a9fe::", "metadata"},
		// IPv6 ranges.
		{"::", "unspecified"},
		{"::1", "loopback"},
		{"fc00::1", "unique local"},
		{"fd00::1", "unique local"},
		{"fdff:ffff::1", "unique local"},
		{"fd00:ec2::254", "metadata"},
		{"fe80::1", "link-local"},
		{"febf:ffff::1", "link-local"},
		{"fec0::1", "site-local"},
		{"ff02::1", "multicast"},
		{"ff05::1:3", "multicast"},
		{"100::1", "not global"},
		{"2001::1", "Teredo"},
		{"2001:2::1", "IETF"},
		{"2001:1ff::1", "IETF"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"4000::1", "not global"},
		{"5f00::1", "not global"},
		{"e000::1", "not global"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			name, bad := Classify(netip.MustParseAddr(tc.addr))
			switch {
			case tc.want == "" && bad:
				t.Errorf("Classify(%s) = %q, refused; want allowed", tc.addr, name)
			case tc.want != "" && !bad:
				t.Errorf("Classify(%s) allowed; want refused as %s", tc.addr, tc.want)
			case tc.want != "" && !strings.Contains(name, tc.want):
				t.Errorf("Classify(%s) = %q; want a name containing %q", tc.addr, name, tc.want)
			}
		})
	}
	if _, bad := Classify(netip.Addr{}); !bad {
		t.Error("Classify(zero Addr) allowed; want refused")
	}
}

func TestAllowList(t *testing.T) {
	g := New(Config{Allow: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::ffff:10.1.0.0/112"), // IPv4-mapped form of 10.1.0.0/16
		netip.MustParsePrefix("fd00:1::7/64"),        // not masked
	}}).guard
	for _, tc := range []struct {
		addr    string
		allowed bool
	}{
		{"127.0.0.1", true},
		{"::ffff:127.0.0.1", true},
		{"::1", false}, // IPv6 loopback is another network
		{"10.1.2.3", true},
		{"::ffff:10.1.2.3", true},
		{"10.2.0.1", false},
		{"fd00:1::99", true},
		{"fd00:1:0:1::1", false},
		{"169.254.169.254", false},
		{"8.8.8.8", true}, // public: not refused in the first place
	} {
		err := g.checkAddr("h", netip.MustParseAddr(tc.addr))
		if tc.allowed != (err == nil) {
			t.Errorf("checkAddr(%s) = %v; want allowed=%v", tc.addr, err, tc.allowed)
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("checkAddr(%s) = %v; want ErrForbiddenAddress", tc.addr, err)
		}
	}
}

func TestLiteralHost(t *testing.T) {
	for _, tc := range []struct {
		host    string
		literal string // the address if the host is a canonical literal
		err     error
	}{
		{host: "photos.example"},
		{host: "cdn-1.example.com"},
		{host: "1x.example"},
		{host: "example.0x", err: ErrBadURL}, // ends in a number (0x is zero) but is no address
		{host: "8.8.8.8", literal: "8.8.8.8"},
		{host: "::1", literal: "::1"},
		{host: "fe80::1%eth0", literal: "fe80::1%eth0"},
		{host: "2130706433", err: ErrForbiddenAddress},    // 127.0.0.1
		{host: "017700000001", err: ErrForbiddenAddress},  // octal 127.0.0.1
		{host: "0x7f000001", err: ErrForbiddenAddress},    // hex 127.0.0.1
		{host: "0x7f.1", err: ErrForbiddenAddress},        // 127.0.0.1
		{host: "127.1", err: ErrForbiddenAddress},         // 127.0.0.1
		{host: "10.1", err: ErrForbiddenAddress},          // 10.0.0.1
		{host: "169.254.43518", err: ErrForbiddenAddress}, // 169.254.169.254
		{host: "0251.0376.0251.0376", err: ErrForbiddenAddress},
		{host: "127.0.0.1.", err: ErrForbiddenAddress}, // trailing dot
		{host: "0", err: ErrForbiddenAddress},          // 0.0.0.0
		{host: "134744072", err: ErrBadURL},            // 8.8.8.8, not dotted
		{host: "08.8.8.8", err: ErrBadURL},             // 8 is no octal digit
		{host: "1.2.3.4.5", err: ErrBadURL},
		{host: "1.2.3.256", err: ErrBadURL},
		{host: "256.1.1.1", err: ErrBadURL},
		{host: "4294967296", err: ErrBadURL},
		{host: "1..2", err: ErrBadURL},
		{host: "a.b.0x1g"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			addr, literal, err := literalHost(tc.host)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("literalHost(%q) error = %v, want %v", tc.host, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("literalHost(%q) error = %v", tc.host, err)
			}
			if literal != (tc.literal != "") || (literal && addr.String() != tc.literal) {
				t.Errorf("literalHost(%q) = %v, %v; want literal %q", tc.host, addr, literal, tc.literal)
			}
		})
	}
}

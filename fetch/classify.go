package fetch

import (
	"net/netip"
)

// Classify reports whether addr lies in a range that a Fetcher refuses unless
// the range is listed in Config.Allow, and names that range (with its prefix)
// for error messages. The refused ranges are:
//
//   - IPv4: 0.0.0.0/8 (unspecified, "this network"), 10.0.0.0/8,
//     172.16.0.0/12 and 192.168.0.0/16 (private, RFC 1918), 100.64.0.0/10
//     (CGNAT, which also holds Alibaba Cloud's metadata 100.100.100.200),
//     127.0.0.0/8 (loopback), 169.254.0.0/16 (link-local, which holds the
//     metadata service 169.254.169.254 of AWS, GCP, Azure and others),
//     168.63.129.16 (Azure's platform endpoint), 192.0.0.0/24 (IETF protocol
//     assignments), 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24
//     (documentation), 192.88.99.0/24 (6to4 relays), 198.18.0.0/15
//     (benchmarking), 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved,
//     including the broadcast address 255.255.255.255).
//   - IPv6: everything outside global unicast 2000::/3 (this covers ::,
//     ::1, IPv4-compatible ::a.b.c.d, 100::/64, fc00::/7 unique local with
//     AWS's metadata fd00:ec2::254, fe80::/10 link-local, fec0::/10
//     site-local and ff00::/8 multicast), and inside it 2001::/23 (IETF
//     protocol assignments, including Teredo and benchmarking),
//     2001:db8::/32 and 3fff::/20 (documentation).
//   - IPv6 forms that embed an IPv4 address are judged by that address:
//     IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002::/16.
//     The local-use NAT64 prefix 64:ff9b:1::/48 is refused outright.
//
// A zone (fe80::1%eth0) is ignored. The invalid zero Addr is refused.
// Classify is a pure function, safe for concurrent use.
func Classify(addr netip.Addr) (rangeName string, forbidden bool) {
	a := addr.WithZone("")
	if !a.IsValid() {
		return "invalid address", true
	}
	if a.Is4In6() {
		return classify4(a.Unmap())
	}
	if a.Is4() {
		return classify4(a)
	}
	return classify6(a)
}

// classify4 names the refused IPv4 range holding a, if any.
func classify4(a netip.Addr) (string, bool) {
	b := a.As4()
	switch {
	case b == [4]byte{169, 254, 169, 254}:
		return "cloud metadata service (169.254.169.254)", true
	case b == [4]byte{100, 100, 100, 200}:
		return "cloud metadata service (100.100.100.200)", true
	case b == [4]byte{168, 63, 129, 16}:
		return "cloud platform endpoint (168.63.129.16)", true
	case b == [4]byte{255, 255, 255, 255}:
		return "broadcast (255.255.255.255)", true
	case b == [4]byte{0, 0, 0, 0}:
		return "unspecified (0.0.0.0)", true
	case b[0] == 0:
		return "this network (0.0.0.0/8)", true
	case b[0] == 10:
		return "private (10.0.0.0/8)", true
	case b[0] == 100 && b[1]&0xc0 == 64:
		return "carrier-grade NAT (100.64.0.0/10)", true
	case b[0] == 127:
		return "loopback (127.0.0.0/8)", true
	case b[0] == 169 && b[1] == 254:
		return "link-local (169.254.0.0/16)", true
	case b[0] == 172 && b[1]&0xf0 == 16:
		return "private (172.16.0.0/12)", true
	case b[0] == 192 && b[1] == 0 && b[2] == 0:
		return "IETF protocol assignments (192.0.0.0/24)", true
	case b[0] == 192 && b[1] == 0 && b[2] == 2:
		return "documentation (192.0.2.0/24)", true
	case b[0] == 192 && b[1] == 88 && b[2] == 99:
		return "6to4 relay anycast (192.88.99.0/24)", true
	case b[0] == 192 && b[1] == 168:
		return "private (192.168.0.0/16)", true
	case b[0] == 198 && b[1]&0xfe == 18:
		return "benchmarking (198.18.0.0/15)", true
	case b[0] == 198 && b[1] == 51 && b[2] == 100:
		return "documentation (198.51.100.0/24)", true
	case b[0] == 203 && b[1] == 0 && b[2] == 113:
		return "documentation (203.0.113.0/24)", true
	case b[0]&0xf0 == 224:
		return "multicast (224.0.0.0/4)", true
	case b[0]&0xf0 == 240:
		return "reserved (240.0.0.0/4)", true
	}
	return "", false
}

// classify6 names the refused IPv6 range holding a (not IPv4-mapped), if any.
func classify6(a netip.Addr) (string, bool) {
	b := a.As16()
	switch {
	case a.IsUnspecified():
		return "unspecified (::)", true
	case a.IsLoopback():
		return "loopback (::1)", true
	case b[0] == 0xff:
		return "multicast (ff00::/8)", true
	case a == netip.AddrFrom16([16]byte{0xfd, 0x00, 0x0e, 0xc2, 14: 0x02, 15: 0x54}):
		return "cloud metadata service (fd00:ec2::254)", true
	case b[0]&0xfe == 0xfc:
		return "unique local (fc00::/7)", true
	case b[0] == 0xfe && b[1]&0xc0 == 0x80:
		return "link-local (fe80::/10)", true
	case b[0] == 0xfe && b[1]&0xc0 == 0xc0:
		return "site-local (fec0::/10)", true
	case [12]byte(b[:12]) == [12]byte{0x00, 0x64, 0xff, 0x9b}:
		// NAT64 well-known prefix: the gateway would connect to the
		// embedded IPv4 address, so that address decides.
		if name, bad := classify4(netip.AddrFrom4([4]byte(b[12:16]))); bad {
			return "NAT64 (64:ff9b::/96) of " + name, true
		}
		return "", false
	case [6]byte(b[:6]) == [6]byte{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}:
		return "local-use NAT64 (64:ff9b:1::/48)", true
	case b[0] == 0x20 && b[1] == 0x02:
		// 6to4: bits 16-47 are the IPv4 address of the tunnel end.
		if name, bad := classify4(netip.AddrFrom4([4]byte(b[2:6]))); bad {
			return "6to4 (2002::/16) of " + name, true
		}
		return "", false
	case b[0] == 0x20 && b[1] == 0x01 && b[2]&0xfe == 0:
		return "IETF protocol assignments, Teredo (2001::/23)", true
	case b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8:
		return "documentation (2001:db8::/32)", true
	case b[0] == 0x3f && b[1] == 0xff && b[2]&0xf0 == 0:
		return "documentation (3fff::/20)", true
	case b[0]&0xe0 != 0x20:
		return "not global unicast (outside 2000::/3)", true
	}
	return "", false
}

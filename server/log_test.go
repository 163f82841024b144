package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		err      string
	}{
		{name: "Empty", in: ""},
		{name: "CIDRs", in: "10.0.0.0/8, 192.168.1.0/24", want: []string{"10.0.0.0/8", "192.168.1.0/24"}},
		{name: "MaskedHostBits", in: "10.1.2.3/8", want: []string{"10.0.0.0/8"}},
		{name: "SingleAddresses", in: "127.0.0.1,::1", want: []string{"127.0.0.1/32", "::1/128"}},
		{name: "MappedIPv4", in: "::ffff:10.0.0.1", want: []string{"10.0.0.1/32"}},
		{name: "Garbage", in: "10.0.0.0/8,proxy.example", err: `"proxy.example" is neither a CIDR`},
		{name: "BadBits", in: "10.0.0.0/33", err: `"10.0.0.0/33"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTrustedProxies(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i].String() != tc.want[i] {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{name: "NoHeader", peer: "203.0.113.9:4000", want: "203.0.113.9"},
		{name: "UntrustedPeerHeaderIgnored", peer: "203.0.113.9:4000", xff: []string{"198.51.100.1"}, want: "203.0.113.9"},
		{name: "TrustedPeer", peer: "10.0.0.5:4000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "TrustedPeerNoHeader", peer: "10.0.0.5:4000", want: "10.0.0.5"},
		{name: "SpoofedLeftmostIgnored", peer: "10.0.0.5:4000", xff: []string{"1.2.3.4, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "ChainOfTrustedProxies", peer: "10.0.0.5:4000", xff: []string{"198.51.100.1, 10.9.9.9", "10.1.1.1"}, want: "198.51.100.1"},
		{name: "AllTrusted", peer: "10.0.0.5:4000", xff: []string{"10.3.3.3, 10.2.2.2"}, want: "10.3.3.3"},
		{name: "GarbageStopsWalk", peer: "10.0.0.5:4000", xff: []string{"198.51.100.1, nonsense, 10.2.2.2"}, want: "10.2.2.2"},
		{name: "HopWithPort", peer: "10.0.0.5:4000", xff: []string{"198.51.100.1:5555"}, want: "198.51.100.1"},
		{name: "IPv6Peer", peer: "[2001:db8::1]:4000", xff: []string{"[2001:db9::7]:80"}, want: "2001:db9::7"},
		{name: "MappedPeer", peer: "[::ffff:10.0.0.5]:4000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "UnparsablePeer", peer: "pipe", xff: []string{"198.51.100.1"}, want: "pipe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientIP(r, trusted); got != tc.want {
				t.Errorf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzClientIP: never panics, and the answer is the peer, an address from
// the header, or (for an unparsable peer) the raw peer.
func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.5:4000", "198.51.100.1, 10.2.2.2")
	f.Add("[::1]:1", "[::1]:80,,, x")
	f.Add("", "")
	f.Add("10.0.0.1:1", "fe80::1%eth0")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", xff)
		got := clientIP(r, trusted)
		if got == peer {
			return
		}
		if _, err := netip.ParseAddr(got); err != nil {
			t.Fatalf("clientIP(%q, %q) = %q: not an address", peer, xff, got)
		}
	})
}

func FuzzParseTrustedProxies(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "::1, 127.0.0.1", "x", "1.2.3.4/99", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseTrustedProxies(s)
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.IsValid() {
				t.Fatalf("%q gave invalid prefix %v", s, p)
			}
		}
	})
}

// TestRequestLog checks the request log line: milliseconds, the client IP
// (behind a trusted proxy) and the user agent.
func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	trusted, _ := ParseTrustedProxies("192.0.2.0/24")
	srv, _ := newTestServer(t, Config{TrustedProxies: trusted})
	srv.log = slog.New(slog.NewJSONHandler(&buf, nil))
	r := httptest.NewRequest("GET", "/healthz", nil)
	r.RemoteAddr = "192.0.2.10:1234"
	r.Header.Set("X-Forwarded-For", "198.51.100.77")
	r.Header.Set("User-Agent", "facebookexternalhit/1.1")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	if _, ok := line["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms missing or not a number: %v", line)
	}
	if _, ok := line["duration"]; ok {
		t.Errorf("duration (nanoseconds) still logged: %v", line)
	}
	if line["client_ip"] != "198.51.100.77" {
		t.Errorf("client_ip %v, want 198.51.100.77", line["client_ip"])
	}
	if line["user_agent"] != "facebookexternalhit/1.1" {
		t.Errorf("user_agent %v", line["user_agent"])
	}
}

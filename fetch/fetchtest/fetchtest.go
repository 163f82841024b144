// Package fetchtest holds a table-driven resolver and a loopback-only
// dialer for tests of code that fetches through a fetch.Fetcher: with them a
// test asks no real DNS and sends no packet off the machine, even if the
// address guard under test were broken.
package fetchtest

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Resolver answers host names from a fixed table and records every
// question; it never asks real DNS. It is safe for concurrent use.
type Resolver struct {
	hosts map[string][]netip.Addr

	mu    sync.Mutex
	asked []string
}

// NewResolver returns a Resolver for hosts, which maps a host name to its
// addresses, comma-separated (e.g. "10.0.0.1,fd00::1"). It panics on an
// address that does not parse: the table is the test's own constant.
func NewResolver(hosts map[string]string) *Resolver {
	r := &Resolver{hosts: map[string][]netip.Addr{}}
	for h, list := range hosts {
		for _, a := range strings.Split(list, ",") {
			r.hosts[h] = append(r.hosts[h], netip.MustParseAddr(a))
		}
	}
	return r
}

// LookupNetIP answers host from the table, or with a not-found DNS error.
// It refuses any network but "ip", the one the fetcher asks for.
func (r *Resolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	r.asked = append(r.asked, host)
	r.mu.Unlock()
	if network != "ip" {
		return nil, fmt.Errorf("fake resolver: network %q, want ip", network)
	}
	if addrs, ok := r.hosts[host]; ok {
		return append([]netip.Addr(nil), addrs...), nil
	}
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
}

// Questions returns the host names asked so far, in order.
func (r *Resolver) Questions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.asked...)
}

// Dialer records every dial and connects only to loopback IP literals;
// anything else is refused with an error. It is safe for concurrent use;
// the zero value is ready.
type Dialer struct {
	mu    sync.Mutex
	dials []string
}

// DialContext records address and connects to it if it is a loopback IP
// literal with a port.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.dials = append(d.dials, address)
	d.mu.Unlock()
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return nil, fmt.Errorf("test dialer: %q is not an IP literal: refused", address)
	}
	if !ap.Addr().Unmap().IsLoopback() {
		return nil, fmt.Errorf("test dialer: %s is not loopback: refused", address)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, address)
}

// Dialled returns every address dialled so far, in order.
func (d *Dialer) Dialled() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.dials...)
}

// NotLoopback returns the dialled addresses that were not loopback IP
// literals: a guard that works leaves it empty.
func (d *Dialer) NotLoopback() []string {
	var bad []string
	for _, a := range d.Dialled() {
		ap, err := netip.ParseAddrPort(a)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			bad = append(bad, a)
		}
	}
	return bad
}

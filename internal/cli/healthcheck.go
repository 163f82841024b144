package cli

// `sharecard healthcheck` asks a sharecard server on the same host whether
// it is alive, for a container's HEALTHCHECK (the distroless image has no
// shell and no curl): it GETs /healthz on the port of SHARECARD_ADDR (the
// address `sharecard serve` listens on, :8080 by default) and exits 0 on a
// 200, 1 otherwise, saying why on stderr.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// healthcheck is `sharecard healthcheck`: args are its arguments and addr
// the value of SHARECARD_ADDR. It returns the exit status.
func healthcheck(args []string, addr string, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "", "`URL` to GET (default: /healthz on the port of SHARECARD_ADDR, else :8080)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this `long`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	u := *rawURL
	if u == "" {
		var err error
		if u, err = healthURL(addr); err != nil {
			fmt.Fprintf(stderr, "healthcheck: %v\n", err)
			return 2
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := probe(ctx, http.DefaultClient, u); err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return 1
	}
	return 0
}

// healthURL is the /healthz URL of a server listening on addr, a listen
// address such as ":8080", "0.0.0.0:8080" or "[::1]:9000" ("" is ":8080").
// A wildcard or empty host is asked on the IPv4 loopback.
func healthURL(addr string) (string, error) {
	if strings.TrimSpace(addr) == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("SHARECARD_ADDR=%q is not a listen address such as :8080 or 127.0.0.1:8080: %v", addr, err)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return "", fmt.Errorf("SHARECARD_ADDR=%q has no usable port (want 1 to 65535); set it like :8080", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	u := "http://" + net.JoinHostPort(host, port) + "/healthz"
	if p, err := url.Parse(u); err != nil || strings.ContainsAny(host, "/?#@") || p.Path != "/healthz" {
		return "", fmt.Errorf("SHARECARD_ADDR=%q has an unusable host %q; set it like 127.0.0.1:8080", addr, host)
	}
	return u, nil
}

// probe GETs u and reports an error unless the answer is 200 OK.
func probe(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("bad -url %q: %v", u, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("GET %s: no answer in time", u)
		}
		return fmt.Errorf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

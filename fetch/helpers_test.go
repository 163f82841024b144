package fetch

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sharecard/sharecard/fetch/fetchtest"
)

// loopback returns the allowlist the tests use to reach their own servers.
func loopback() []netip.Prefix {
	return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// harness is a Fetcher wired to a fake resolver and a recording dialer.
type harness struct {
	f   *Fetcher
	res *fetchtest.Resolver
	dl  *fetchtest.Dialer
}

// newHarness completes cfg with the test resolver and dialer (the hosts
// table feeds the resolver) and checks at cleanup that nothing but
// loopback was ever dialled.
func newHarness(t *testing.T, cfg Config, hosts map[string]string) *harness {
	t.Helper()
	h := &harness{res: fetchtest.NewResolver(hosts), dl: &fetchtest.Dialer{}}
	if cfg.Resolver == nil {
		cfg.Resolver = h.res
	}
	if cfg.Dialer == nil {
		cfg.Dialer = h.dl
	}
	h.f = New(cfg)
	t.Cleanup(func() {
		h.f.CloseIdleConnections()
		if bad := h.dl.NotLoopback(); len(bad) > 0 {
			t.Errorf("dialer was asked for addresses other than loopback literals: %v", bad)
		}
	})
	return h
}

// photoServer is a loopback HTTP server with the routes the tests need.
type photoServer struct {
	*httptest.Server
	photo []byte
	hits  atomic.Int64
	ua    atomic.Value  // last User-Agent
	ref   atomic.Value  // last Referer
	quit  chan struct{} // closed when the test ends: stalled answers return
}

func newPhotoServer(t *testing.T) *photoServer {
	t.Helper()
	s := &photoServer{photo: make([]byte, 100<<10), quit: make(chan struct{})}
	stall := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-s.quit:
		}
	}
	for i := range s.photo {
		s.photo[i] = byte(i * 7)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/photo.jpg", func(w http.ResponseWriter, r *http.Request) {
		s.ua.Store(r.Header.Get("User-Agent"))
		s.ref.Store(r.Header.Get("Referer"))
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(s.photo)
	})
	// /r/N redirects N times before serving the photo.
	mux.HandleFunc("/r/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n <= 0 {
			http.Redirect(w, r, "/photo.jpg", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/r/"+strconv.Itoa(n-1), http.StatusFound)
	})
	// /to?u=URL redirects to URL.
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", r.URL.Query().Get("u"))
		w.WriteHeader(http.StatusFound)
	})
	// Answers that stall do so until the client goes away (or the test
	// ends): only a timeout or a refusal of the client ends them.
	//
	// /declared?n=N announces an N-byte body, then sends nothing.
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", r.URL.Query().Get("n"))
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		stall(r)
	})
	// /chunked?n=N sends N bytes without a Content-Length.
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		chunk := make([]byte, 4096)
		for n > 0 {
			k := min(n, len(chunk))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			n -= k
		}
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) { stall(r) })
	mux.HandleFunc("/stall-body", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		stall(r)
	})
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		mux.ServeHTTP(w, r)
	})
	s.Server = httptest.NewServer(counted)
	t.Cleanup(func() {
		close(s.quit) // Close waits for the answers in progress
		s.Close()
	})
	return s
}

// port returns the server's port as a string.
func (s *photoServer) port() string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// wantErr fails t unless err wraps want (nil means success expected).
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("Get: unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("Get error = %v, want one wrapping %q", err, want)
	}
}

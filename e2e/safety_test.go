package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/fetch/fetchtest"
	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
	"github.com/sharecard/sharecard/server"
	"github.com/sharecard/sharecard/store"
)

// TestSSRF_Loopback runs the server without --allow-nets and gives it photo
// URLs that point at a photo server on loopback, spelt in several ways:
// every one is refused with 422 naming the photo field, and the photo
// server receives nothing.
func TestSSRF_Loopback(t *testing.T) {
	srv := startServe(t, "no-allowlist", nil, "--data", t.TempDir())
	photos := newPhotoServer(t, readFile(t, smallPhoto), false)
	port := photos.Listener.Addr().(*net.TCPAddr).Port
	for _, u := range []string{
		photos.URL + "/p.jpg",
		fmt.Sprintf("http://localhost:%d/p.jpg", port),
		fmt.Sprintf("http://127.1:%d/p.jpg", port),
		fmt.Sprintf("http://2130706433:%d/p.jpg", port), // 127.0.0.1 as a number
		fmt.Sprintf("http://0.0.0.0:%d/p.jpg", port),
		fmt.Sprintf("http://[::1]:%d/p.jpg", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/p.jpg", port),
	} {
		body, _ := json.Marshal(map[string]any{"headline": "SSRF", "photo": u})
		expectProblem(t, "render with photo "+u, do(t, http.MethodPost, srv.url+"/v1/render?preset=og", "application/json", body), http.StatusUnprocessableEntity, "photo")
		card := server.SignCardURL([]byte(signKey), srv.url, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"SSRF"}, "photo": {u}})
		expectProblem(t, "card with photo "+u, get(t, card), http.StatusUnprocessableEntity, "photo")
	}
	// A webhook's job goes through the same guard: its first attempt fails
	// with the refusal (it is retried later, then marked failed).
	body := ghostPayload(t, photos.URL+"/hook.jpg", "SSRF by webhook")
	id := accepted(t, hook(t, srv, body, server.SignHook([]byte(hookSecret), body, time.Now())))
	var st jobStatus
	testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
		st = jobState(t, srv, id)
		return st.Attempts > 0 && st.Error != "", fmt.Sprintf("job %s: no failed attempt yet: %+v", id, st)
	})
	if st.State == "done" || !strings.Contains(st.Error, "forbidden address") {
		t.Errorf("job with a loopback photo: state %s, error %q; want a refused photo address", st.State, st.Error)
	}
	if n := photos.requests.Load(); n != 0 {
		t.Errorf("the loopback photo server received %d requests from a server without an allowlist", n)
	}
}

// TestSSRF_Resolved runs the server in-process (a subprocess cannot take an
// injected resolver) with loopback allowed, host names answered by a test
// resolver, and a dialer that refuses anything but loopback. Names that
// resolve to private, unique-local or metadata addresses, and redirects
// from the allowed loopback photo server to such addresses, are refused
// through every route with 422 naming the photo field.
func TestSSRF_Resolved(t *testing.T) {
	fset, err := text.LoadFonts(fonts.FS)
	if err != nil {
		t.Fatal(err)
	}
	lays, err := layout.Load(layouts.FS, "layouts", fset)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res := fetchtest.NewResolver(map[string]string{
		"intranet.example": "10.20.30.40",
		"meta.example":     "169.254.169.254",
		"ula.example":      "fd00::7",
		"cgnat.example":    "100.64.1.2",
		"cdn.example":      "127.0.0.1", // the allowed loopback photo server
	})
	dialer := &fetchtest.Dialer{}
	srv, err := server.New(server.Config{SignKey: []byte(signKey)}, server.Deps{
		Engine: &render.Engine{Fonts: fset}, Layouts: func() map[string]*layout.Layout { return lays }, Store: st,
		Fetcher: fetch.New(fetch.Config{
			Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Resolver: res, Dialer: dialer,
		}),
		Registry: prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	// The allowed photo server answers with something that is not a photo:
	// enough to tell a refused URL from one that was fetched.
	photos := newPhotoServer(t, []byte("this is not an image"), false)
	cdn := "http://cdn.example:" + strconv.Itoa(photos.Listener.Addr().(*net.TCPAddr).Port)
	redirect := func(to string) string { return cdn + "/redirect?to=" + url.QueryEscape(to) }

	tests := []struct {
		name, photo string
		viaCDN      bool // the first hop reaches the loopback photo server
	}{
		{"name resolving to a private address", "http://intranet.example/p.jpg", false},
		{"name resolving to the metadata address", "http://meta.example/latest/meta-data/", false},
		{"name resolving to a unique-local IPv6 address", "http://ula.example/p.jpg", false},
		{"name resolving to carrier-grade NAT", "http://cgnat.example/p.jpg", false},
		{"redirect to the metadata address", redirect("http://169.254.169.254/latest/meta-data/iam/"), true},
		{"redirect to a name of the metadata address", redirect("http://meta.example/latest/meta-data/"), true},
		{"redirect to a private name", redirect("http://intranet.example:8080/admin"), true},
		{"redirect to a private address", redirect("http://192.168.1.1/"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := photos.requests.Load()
			body, _ := json.Marshal(map[string]any{"headline": "SSRF", "photo": tc.photo})
			r := do(t, http.MethodPost, ts.URL+"/v1/render?preset=og", "application/json", body)
			p := expectProblem(t, "render", r, http.StatusUnprocessableEntity, "photo")
			if p.Title != "Photo URL refused" {
				t.Errorf("render: problem title %q, want Photo URL refused (%+v)", p.Title, p)
			}
			card := server.SignCardURL([]byte(signKey), ts.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"SSRF card"}, "photo": {tc.photo}})
			expectProblem(t, "card", get(t, card), http.StatusUnprocessableEntity, "photo")
			// A webhook's job goes through the same guard.
			article, _ := json.Marshal(map[string]any{"headline": "SSRF job", "photo": tc.photo})
			job, _ := json.Marshal(map[string]any{"source": "ghost", "article": json.RawMessage(article)})
			if _, err := srv.HandleJob(context.Background(), "ssrf-job", job); !errors.Is(err, fetch.ErrForbiddenAddress) && !errors.Is(err, fetch.ErrBadURL) {
				t.Errorf("job: error %v, want a refused photo address", err)
			}
			if got, want := photos.requests.Load()-before, map[bool]int64{true: 3, false: 0}[tc.viaCDN]; got != want {
				t.Errorf("the loopback photo server got %d requests, want %d (one redirect per route)", got, want)
			}
		})
	}

	// Control: the same set-up fetches an allowed name (and the engine
	// then refuses the bytes), so the refusals above are the guard's.
	body, _ := json.Marshal(map[string]any{"headline": "control", "photo": cdn + "/photo.jpg"})
	p := expectProblem(t, "control", do(t, http.MethodPost, ts.URL+"/v1/render?preset=og", "application/json", body), http.StatusUnprocessableEntity, "photo")
	if p.Title != "Unusable photo" {
		t.Errorf("control: problem %+v, want the fetched bytes refused as an unusable photo", p)
	}
	for _, name := range []string{"intranet.example", "meta.example", "ula.example", "cdn.example"} {
		if !slices.Contains(res.Questions(), name) {
			t.Errorf("the resolver was never asked for %s: the test did not exercise name resolution", name)
		}
	}
	if len(dialer.Dialled()) == 0 {
		t.Error("the dialer was never used")
	}
	for _, a := range dialer.NotLoopback() {
		t.Errorf("the fetcher dialled %s: the guard let a non-loopback address through", a)
	}
}

// TestOverload starts the server with one render worker (and so a wait
// queue of 4) and sends 12 uncached renders of a big photo at once: the
// ones beyond the queue get 503 with Retry-After at once; none time out or
// fail otherwise.
//
// "At once" is shown by the order of the answers, not by their duration:
// a 503 is given while the 5 admitted renders are pending, and with one
// worker the last of those is rendered after the other 4, so every 503
// must come before the last 200. Each render is of one preset (og), so
// that 5 in a row stay far within the server's own 60 s request deadline
// on a loaded machine; decoding the big photo still takes long enough
// that the 12 uploads are all in before the first render ends.
func TestOverload(t *testing.T) {
	skipSlow(t)
	srv := startServe(t, "overload", nil, "--data", t.TempDir(), "--workers", "1")
	big := readFile(t, bigPhoto)
	const n = 12
	type answer struct {
		status     int
		retryAfter string
		ctype      string
		order      int64 // 1 for the first answer to arrive, 2 for the next...
		err        error
	}
	answers := make([]answer, n)
	var arrived atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ctype, body := multipartBody(t, fmt.Sprintf("headline: Overload story %d\n", i), big)
		wg.Go(func() {
			<-start
			req, _ := http.NewRequestWithContext(testCtx(t), http.MethodPost, srv.url+"/v1/render?preset=og", bytes.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			resp, err := client.Do(req)
			if err != nil {
				answers[i] = answer{err: err, order: arrived.Add(1)}
				return
			}
			order := arrived.Add(1) // the status line and headers are in
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answers[i] = answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), ctype: resp.Header.Get("Content-Type"), order: order}
		})
	}
	close(start)
	wg.Wait()
	var ok, busy int
	var lastOK int64
	for _, a := range answers {
		if a.err == nil && a.status == http.StatusOK {
			lastOK = max(lastOK, a.order)
		}
	}
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("request %d failed (answer %d of %d): %v", i, a.order, n, a.err)
		case a.status == http.StatusOK:
			ok++
		case a.status == http.StatusServiceUnavailable:
			busy++
			if secs, err := strconv.Atoi(a.retryAfter); err != nil || secs <= 0 {
				t.Errorf("request %d: 503 with Retry-After %q, want a number of seconds", i, a.retryAfter)
			}
			if a.ctype != "application/problem+json" {
				t.Errorf("request %d: 503 with Content-Type %q", i, a.ctype)
			}
			if a.order > lastOK {
				t.Errorf("request %d: the 503 was answer %d of %d, after the last 200 (answer %d); it should come at once, while the admitted renders wait", i, a.order, n, lastOK)
			}
		default:
			t.Errorf("request %d: status %d, want 200 or 503", i, a.status)
		}
	}
	if busy == 0 || ok == 0 || ok > 5 {
		t.Errorf("%d answered 200 and %d answered 503; want some of each, at most 5 (1 worker + 4 waiting) rendered", ok, busy)
	}
	if got := srv.metric(t, "sharecard_http_requests_total", "route=render", "code=503"); int(got) != busy {
		t.Errorf("metrics count %v render 503s, the client saw %d", got, busy)
	}
	// Once the burst is over, renders are taken again.
	ctype, body := multipartBody(t, "headline: After the burst\n", readFile(t, smallPhoto))
	if r := do(t, http.MethodPost, srv.url+"/v1/render?preset=og", ctype, body); r.status != http.StatusOK {
		t.Errorf("after the burst: %s", r)
	}
	t.Logf("%d rendered, %d refused with 503", ok, busy)
}

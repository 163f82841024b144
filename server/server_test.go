package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/render/text"
	"github.com/sharecard/sharecard/store"
)

var (
	baseOnce sync.Once
	baseEng  *render.Engine
	baseLays map[string]*layout.Layout
	baseErr  error
)

// newTestServer starts a server on loopback with a fresh store. Photo URLs
// may point at loopback only (the test servers); nothing leaves the machine.
func newTestServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	return newTestServerStore(t, cfg, nil)
}

// newTestServerStore is newTestServer with the store wrapped by wrap (when
// not nil), for tests of store faults.
func newTestServerStore(t *testing.T, cfg Config, wrap func(store.Store) store.Store) (*Server, *httptest.Server) {
	t.Helper()
	baseOnce.Do(func() {
		var fset *text.FontSet
		if fset, baseErr = text.LoadFonts(fonts.FS); baseErr != nil {
			return
		}
		var finder *photo.Finder
		if finder, baseErr = photo.NewFinder(); baseErr != nil {
			return
		}
		baseLays, baseErr = layout.Load(layouts.FS, "layouts", fset)
		baseEng = &render.Engine{Fonts: fset, Finder: finder}
	})
	if baseErr != nil {
		t.Fatal(baseErr)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SignKey == nil {
		cfg.SignKey = []byte("test-key")
	}
	var s store.Store = st
	if wrap != nil {
		s = wrap(st)
	}
	srv, err := New(cfg, testDeps(t, s, nil))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts
}

// testDeps are the Deps of a test server: the shared engine and layouts
// (newTestServer loads them), st and q, a fetcher that may reach loopback
// only, and a registry of its own.
func testDeps(t *testing.T, st store.Store, q Queue) Deps {
	return Deps{
		Engine: baseEng, Layouts: func() map[string]*layout.Layout { return baseLays }, Store: st, Queue: q,
		Fetcher:  fetch.New(fetch.Config{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Dialer: loopbackOnly{t}}),
		Registry: prometheus.NewRegistry(),
	}
}

// loopbackOnly is the fetcher's dialer in tests: it connects to loopback
// and fails the test on any other address, so no packet leaves the
// machine even if the address guard were broken.
type loopbackOnly struct{ t *testing.T }

func (d loopbackOnly) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !ap.Addr().IsLoopback() {
		d.t.Errorf("the fetcher tried to dial %s: only loopback is allowed in tests", address)
		return nil, fmt.Errorf("test dialer refuses %s", address)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, address)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func renders(s *Server) float64 { return testutil.ToFloat64(s.metrics.renders.WithLabelValues("ok")) }

func post(t *testing.T, url, ctype string, body []byte) *http.Response {
	t.Helper()
	resp, err := http.Post(url, ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func decodeProblem(t *testing.T, resp *http.Response) Problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRender_Upload renders by multipart upload, then fetches an image by
// the manifest's URL with the caching features a CDN relies on.
func TestRender_Upload(t *testing.T) {
	srv, ts := newTestServer(t, Config{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	aw, _ := mw.CreateFormField("article")
	io.WriteString(aw, "headline: Upload works\nsection: Test\n")
	pw, _ := mw.CreateFormFile("photo", "photo.jpg")
	pw.Write(readFile(t, "../samples/long-headline/photo.jpg"))
	mw.Close()
	resp := post(t, ts.URL+"/v1/render?presets=og,thumb-square", mw.FormDataContentType(), body.Bytes())
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, decodeProblem(t, resp))
	}
	var m publish.Manifest
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if len(m.Images) != 2 || !strings.HasPrefix(m.Images[0].URL, "/v1/images/") {
		t.Fatalf("manifest images: %+v", m.Images)
	}
	img, err := http.Get(ts.URL + m.Images[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(img.Body)
	img.Body.Close()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if img.StatusCode != 200 || err != nil || cfg.Width != 1200 || cfg.Height != 630 {
		t.Fatalf("image: %d %v %dx%d", img.StatusCode, err, cfg.Width, cfg.Height)
	}
	etag := img.Header.Get("ETag")
	if etag == "" || !strings.Contains(img.Header.Get("Cache-Control"), "immutable") || img.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("headers: %v", img.Header)
	}
	req, _ := http.NewRequest("GET", ts.URL+m.Images[0].URL, nil)
	req.Header.Set("If-None-Match", etag)
	if r2, err := http.DefaultClient.Do(req); err != nil || r2.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %v %v", err, r2.StatusCode)
	}
	req.Header.Del("If-None-Match")
	req.Header.Set("Range", "bytes=0-99")
	if r3, err := http.DefaultClient.Do(req); err != nil || r3.StatusCode != http.StatusPartialContent || r3.ContentLength != 100 {
		t.Errorf("Range: %v %v %d", err, r3.StatusCode, r3.ContentLength)
	}
	if r4, err := http.Head(ts.URL + m.Images[0].URL); err != nil || r4.StatusCode != 200 || r4.ContentLength != int64(len(data)) {
		t.Errorf("HEAD: %v %+v", err, r4)
	}
	// The same content again is a cache hit: no second render.
	before := renders(srv)
	resp2 := post(t, ts.URL+"/v1/render?presets=og,thumb-square", mw.FormDataContentType(), body.Bytes())
	if resp2.StatusCode != 200 || renders(srv) != before {
		t.Errorf("second request: status %d, renders %v -> %v", resp2.StatusCode, before, renders(srv))
	}
}

// TestRender_ByURLAndBase64 renders a single preset with the photo given as
// a URL (a loopback server) and as base64; both give the image itself.
func TestRender_ByURLAndBase64(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	photo := readFile(t, "../samples/long-headline/photo.jpg")
	photoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(photo) }))
	defer photoSrv.Close()
	for name, ref := range map[string]string{
		"url":    photoSrv.URL + "/photo.jpg",
		"base64": "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(photo),
	} {
		t.Run(name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"headline": "Photo by " + name, "photo": ref})
			resp := post(t, ts.URL+"/v1/render?preset=instagram-story", "application/json", body)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %+v", resp.StatusCode, decodeProblem(t, resp))
			}
			data, _ := io.ReadAll(resp.Body)
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil || cfg.Width != 1080 || cfg.Height != 1920 {
				t.Fatalf("image %v %dx%d", err, cfg.Width, cfg.Height)
			}
			if resp.Header.Get("Content-Type") != "image/jpeg" || resp.ContentLength != int64(len(data)) || resp.Header.Get("ETag") == "" {
				t.Errorf("headers: %v", resp.Header)
			}
		})
	}
}

// TestRender_Errors checks that bad requests get a problem+json answer
// naming the field at fault, with the right status.
func TestRender_Errors(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	bomb := readFile(t, "../render/testdata/tricky/decompression-bomb-50000x50000.png")
	tests := []struct {
		name, ctype, query string
		body               string
		status             int
		field, detail      string
	}{
		{"misspelt key", "application/json", "", `{"headlne": "x"}`, 422, "headline", `did you mean "headline"`},
		{"wrong type", "application/json", "", `{"headline": "x", "focus": {"x": "left", "y": 0.5}}`, 422, "focus.x", ""},
		{"malformed JSON", "application/json", "", `{"headline": "x",,}`, 422, "body", "body:1:18"},
		{"trailing comma", "application/json", "", "{\"headline\": \"x\",\n}", 422, "body", "body:2:"},
		{"bomb as base64", "application/json", "", `{"headline": "x", "photo": "data:image/png;base64,` + base64.StdEncoding.EncodeToString(bomb) + `"}`, 413, "photo", "megapixels"},
		{"bad base64", "application/json", "", `{"headline": "x", "photo": "data:image/png;base64,@@@"}`, 422, "photo", "base64"},
		{"private photo URL", "application/json", "", `{"headline": "x", "photo": "http://10.1.2.3/p.jpg"}`, 422, "photo", ""},
		{"unknown preset", "application/json", "preset=ogg", `{"headline": "x"}`, 422, "preset", `did you mean "og"`},
		{"unknown layout", "application/json", "layout=nope", `{"headline": "x"}`, 422, "layout", "standard"},
		{"unsupported body", "text/html", "", `<p>x</p>`, 415, "", "application/json"},
		{"headline over its cap", "application/json", "", `{"headline": "` + strings.Repeat("x", 1001) + `"}`, 422, "headline", "over the limit of 1,000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, ts.URL+"/v1/render?"+tc.query, tc.ctype, []byte(tc.body))
			p := decodeProblem(t, resp)
			if resp.StatusCode != tc.status || p.Status != tc.status || p.Field != tc.field || !strings.Contains(p.Detail+strings.Join(p.Errors, " "), tc.detail) {
				t.Errorf("got %d %+v; want %d field %q detail containing %q", resp.StatusCode, p, tc.status, tc.field, tc.detail)
			}
		})
	}
}

// TestCard_Signature checks signed card URLs: good, tampered, missing; and
// that a second request is served from the store without rendering.
func TestCard_Signature(t *testing.T) {
	srv, ts := newTestServer(t, Config{})
	good := SignCardURL([]byte("test-key"), ts.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"Signed card"}, "section": {"News"}})
	get := func(u string) *http.Response {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	r1 := get(good)
	if r1.StatusCode != 200 || r1.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("good signature: %d", r1.StatusCode)
	}
	first, _ := io.ReadAll(r1.Body)
	before := renders(srv)
	r2 := get(good)
	second, _ := io.ReadAll(r2.Body)
	if !bytes.Equal(first, second) || renders(srv) != before {
		t.Errorf("second request rendered again (renders %v -> %v) or gave other bytes", before, renders(srv))
	}
	if hits := testutil.ToFloat64(srv.metrics.cache.WithLabelValues("card", "hit")); hits != 1 {
		t.Errorf("card cache hits = %v, want 1", hits)
	}
	for name, u := range map[string]string{
		"tampered headline": strings.Replace(good, "Signed+card", "Signed+cart", 1),
		"missing sig":       good[:strings.Index(good, "&sig=")],
		"other preset":      strings.Replace(good, "/og.jpg", "/x-summary.jpg", 1),
	} {
		if r := get(u); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, r.StatusCode)
		}
	}
}

// acquire takes a place in the pool and waits for a worker, as a render
// does; release must be called when the "render" ends.
func (p *pool) acquire(ctx context.Context) (release func(), err error) {
	t, err := p.reserve(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.wait(ctx, 0); err != nil {
		t.release()
		return nil, err
	}
	return t.release, nil
}

// TestOverload fills the render pool and its queue and checks the next
// render is refused at once with 503 and Retry-After.
func TestOverload(t *testing.T) {
	srv, ts := newTestServer(t, Config{Workers: 1, QueueDepth: 1})
	release1, err := srv.pool.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The second slot waits in the queue.
	queued := make(chan func(), 1)
	go func() {
		rel, err := srv.pool.acquire(context.Background())
		if err == nil {
			queued <- rel
		}
	}()
	for srv.pool.waiting.Load() == 0 {
		runtime.Gosched()
	}
	resp := post(t, ts.URL+"/v1/render?preset=og", "application/json", []byte(`{"headline": "one too many"}`))
	p := decodeProblem(t, resp)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || p.Status != 503 {
		t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	release1()
	(<-queued)()
	// After the burst the pool takes renders again.
	if resp := post(t, ts.URL+"/v1/render?preset=thumb-square", "application/json", []byte(`{"headline": "room again"}`)); resp.StatusCode != 200 {
		t.Errorf("after release: status %d", resp.StatusCode)
	}
}

func TestRoutes_Health(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/openapi.json": 200, "/nope": 404, "/v1/images/zzz/og.jpg": 404} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// TestOpenAPI_MatchesRoutes checks the OpenAPI document lists exactly the
// routes the server serves, with the same methods.
func TestOpenAPI_MatchesRoutes(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	served := map[string]bool{"GET /metrics": true}
	for _, rt := range srv.routeTable() {
		served[rt.pattern] = true
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for r := range served {
		if !documented[r] {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for r := range documented {
		if !served[r] {
			t.Errorf("openapi.json documents %s, which the server does not serve", r)
		}
	}
}

// TestRender_ImmutableURLs renders one preset, then the whole set of the
// same article: the manifest keeps (and describes) the image stored first,
// so an image URL never changes its bytes.
func TestRender_ImmutableURLs(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	photo := "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(readFile(t, "../render/testdata/photos/grace-hopper.jpg"))
	body, _ := json.Marshal(map[string]any{"headline": "Immutable", "photo": photo})
	first := post(t, ts.URL+"/v1/render?preset=og", "application/json", body)
	og, _ := io.ReadAll(first.Body)
	resp := post(t, ts.URL+"/v1/render?presets=og,x-summary,instagram-story", "application/json", body)
	var m publish.Manifest
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || len(m.Images) != 3 {
		t.Fatalf("manifest: %v %+v", err, m)
	}
	if m.Article.Photo != "" {
		t.Errorf("manifest echoes the uploaded photo (%d bytes)", len(m.Article.Photo))
	}
	got, err := http.Get(ts.URL + m.Images[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(got.Body)
	got.Body.Close()
	sum := sha256.Sum256(og)
	if !bytes.Equal(stored, og) || m.Images[0].SHA256 != hex.EncodeToString(sum[:]) || m.Images[0].Bytes != len(og) {
		t.Errorf("og changed after the full render, or the manifest does not describe the stored bytes")
	}
}

// TestRender_TruncatedBody sends JSON and YAML bodies that end before their
// Content-Length: the client's mistake answers 400 problem+json, as a
// truncated multipart body does, not 500.
func TestRender_TruncatedBody(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	for _, ctype := range []string{"application/json", "application/yaml"} {
		t.Run(ctype, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := `{"headline": "cut off in the mid`
			fmt.Fprintf(conn, "POST /v1/render?preset=og HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", ctype, len(body)+100, body)
			conn.(*net.TCPConn).CloseWrite()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("status %d, Content-Type %q; want 400 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		})
	}
}

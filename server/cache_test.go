package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/store"
)

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, c *http.Client, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// together makes n requests with do at once and returns each one's status
// and body.
func together(t *testing.T, n int, do func() (*http.Response, error)) (status []int, got [][]byte) {
	status, got = make([]int, n), make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := do()
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			status[i] = resp.StatusCode
			got[i], _ = io.ReadAll(resp.Body)
		})
	}
	wg.Wait()
	return status, got
}

// TestCard_RedirectsToImmutable: a card URL answers 302 to the
// content-addressed image, itself cached briefly (with stale-while-
// revalidate and stale-if-error), never as immutable; the image is
// immutable. Both carry Surrogate-Key and Cache-Tag for CDN purges. Before,
// the card URL answered the image as immutable for a year, though a layout
// change changes its bytes.
func TestCard_RedirectsToImmutable(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	u := SignCardURL([]byte("test-key"), ts.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"Redirected card"}})
	for i := range 2 { // a miss, then a hit: the same answer
		resp, _ := get(t, noRedirect, u)
		loc := resp.Header.Get("Location")
		cc := resp.Header.Get("Cache-Control")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/v1/images/") || !strings.HasSuffix(loc, "/og.jpg") {
			t.Fatalf("request %d: %d Location %q; want 302 to /v1/images/<key>/og.jpg", i, resp.StatusCode, loc)
		}
		if strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=300") || !strings.Contains(cc, "stale-while-revalidate=") || !strings.Contains(cc, "stale-if-error=") {
			t.Errorf("card Cache-Control %q", cc)
		}
		key := strings.Split(loc, "/")[3]
		if sk := resp.Header.Get("Surrogate-Key"); sk != key+" layout-standard" || resp.Header.Get("Cache-Tag") != key+",layout-standard" {
			t.Errorf("card tags: Surrogate-Key %q, Cache-Tag %q", sk, resp.Header.Get("Cache-Tag"))
		}
		img, data := get(t, noRedirect, ts.URL+loc)
		if _, _, err := image.DecodeConfig(bytes.NewReader(data)); img.StatusCode != 200 || err != nil {
			t.Fatalf("image: %d %v", img.StatusCode, err)
		}
		if !strings.Contains(img.Header.Get("Cache-Control"), "immutable") || img.Header.Get("Surrogate-Key") != key || img.Header.Get("Cache-Tag") != key {
			t.Errorf("image headers: %v", img.Header)
		}
	}
}

// barrierPhoto is a loopback photo server whose answer waits until n
// requests have arrived at the service (counted by arrive), so that they
// are all in flight before any render can complete.
type barrierPhoto struct {
	n       int64
	arrived atomic.Int64
	all     chan struct{}
	once    sync.Once
	fetches atomic.Int64
	photo   []byte
	giveUp  <-chan struct{}
}

func (b *barrierPhoto) arrive() {
	if b.arrived.Add(1) == b.n {
		b.once.Do(func() { close(b.all) })
	}
}

func (b *barrierPhoto) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.fetches.Add(1)
	select {
	case <-b.all:
	case <-b.giveUp:
	}
	w.Write(b.photo)
}

// newBarrier starts the photo server; arrivals are counted by the handler
// returned, which wraps the service.
func newBarrier(t *testing.T, srv *Server, n int64, route string) (*barrierPhoto, *httptest.Server, *httptest.Server) {
	giveUp := make(chan struct{})
	stop := testwait.GiveUp(t)
	go func() {
		<-stop
		close(giveUp)
	}()
	b := &barrierPhoto{n: n, all: make(chan struct{}), photo: readFile(t, "../samples/long-headline/photo.jpg"), giveUp: giveUp}
	photoSrv := httptest.NewServer(b)
	t.Cleanup(photoSrv.Close)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, route) {
			b.arrive()
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return b, photoSrv, front
}

// TestCard_CoalescedMisses: 8 simultaneous requests for one new card (the
// crawlers of a shared story) make exactly one render, and all 8 get the
// image. The photo download waits until all 8 have arrived, so they are in
// flight together. Before, each request rendered (or got 503).
func TestCard_CoalescedMisses(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	b, photoSrv, front := newBarrier(t, srv, 8, "/v1/card/")
	u := SignCardURL([]byte("test-key"), front.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"Shared at once"}, "photo": {photoSrv.URL + "/p.jpg"}})
	before := renders(srv)
	status, got := together(t, 8, func() (*http.Response, error) { return http.Get(u) })
	for i := range 8 {
		if status[i] != 200 || !bytes.Equal(got[i], got[0]) || len(got[0]) == 0 {
			t.Errorf("request %d: status %d, %d bytes (first: %d)", i, status[i], len(got[i]), len(got[0]))
		}
	}
	if n := renders(srv) - before; n != 1 || b.fetches.Load() != 1 {
		t.Errorf("%v renders and %d photo downloads for 8 identical requests; want 1 and 1", n, b.fetches.Load())
	}
}

// TestRender_CoalescedMisses: 8 identical POST /v1/render?preset= requests
// in flight together make one render.
func TestRender_CoalescedMisses(t *testing.T) {
	srv, _ := newTestServer(t, Config{Workers: 2, QueueDepth: 8})
	b, photoSrv, front := newBarrier(t, srv, 8, "/v1/render")
	body, _ := json.Marshal(map[string]any{"headline": "Posted at once", "photo": photoSrv.URL + "/p.jpg"})
	before := renders(srv)
	status, got := together(t, 8, func() (*http.Response, error) {
		return http.Post(front.URL+"/v1/render?preset=og", "application/json", bytes.NewReader(body))
	})
	for i := range 8 {
		if status[i] != 200 || !bytes.Equal(got[i], got[0]) {
			t.Errorf("request %d: status %d, %d bytes (first: %d)", i, status[i], len(got[i]), len(got[0]))
		}
	}
	if n := renders(srv) - before; n != 1 {
		t.Errorf("%v renders for 8 identical requests; want 1 (%d photo downloads)", n, b.fetches.Load())
	}
}

// TestOlderVersion_NotServed: the keys of cards and rendered images hash
// render.Version, so an image an older engine stored is never served for
// the same request now: it is rendered anew under a new key.
func TestOlderVersion_NotServed(t *testing.T) {
	srv, ts := newTestServer(t, Config{})
	const old = "sharecard-render/0"
	junk := []byte("an image rendered by an older engine")
	ctx := context.Background()

	l := baseLays["standard"]
	params := url.Values{"headline": {"Versioned"}}
	canon := canonicalQuery(params)
	oldCard := cardKey(old, l.Digest, "og.jpg", canon)
	if oldCard == cardKey(render.Version, l.Digest, "og.jpg", canon) {
		t.Fatal("the card key does not depend on the engine version")
	}
	if err := srv.store.Put(ctx, oldCard+"/og.jpg", junk, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	resp, data := get(t, http.DefaultClient, SignCardURL([]byte("test-key"), ts.URL, "standard", "og", preset.FormatJPEG, params))
	if _, _, err := image.DecodeConfig(bytes.NewReader(data)); resp.StatusCode != 200 || err != nil || strings.Contains(resp.Request.URL.Path, oldCard) {
		t.Errorf("card: %d %v from %s; want a new render, not the older engine's image", resp.StatusCode, err, resp.Request.URL.Path)
	}

	body := []byte(`{"headline": "Versioned"}`)
	req, err := srv.readRenderRequest(httptest.NewRequest("POST", "/v1/render", bytes.NewReader(body)), &bodyReader{r: bytes.NewReader(body), limit: 1 << 20, rc: http.NewResponseController(httptest.NewRecorder())}, bodyArticle)
	if err != nil {
		t.Fatal(err)
	}
	oldKey := versionedKey(old, req.article, nil, req.layout, "")
	if oldKey == contentKey(req.article, nil, req.layout, "") {
		t.Fatal("the content key does not depend on the engine version")
	}
	if err := srv.store.Put(ctx, oldKey+"/og.jpg", junk, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	r2 := post(t, ts.URL+"/v1/render?preset=og", "application/json", body)
	data, _ = io.ReadAll(r2.Body)
	if _, _, err := image.DecodeConfig(bytes.NewReader(data)); r2.StatusCode != 200 || err != nil {
		t.Errorf("render: %d %v; want a new render, not the older engine's image", r2.StatusCode, err)
	}
}

// faultStore is a store whose reads fail, once fail is set, with that
// error (as an unreachable S3 would), while writes go through.
type faultStore struct {
	store.Store
	fail atomic.Pointer[error]
}

func (f *faultStore) Open(ctx context.Context, key string) (*store.Object, error) {
	if err := f.fail.Load(); err != nil {
		return nil, *err
	}
	return f.Store.Open(ctx, key)
}

func (f *faultStore) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := f.fail.Load(); err != nil {
		return store.Info{}, *err
	}
	return f.Store.Stat(ctx, key)
}

// TestStoreErrors_NotAMiss: a store read error other than not found (the
// sentinel, or any other error) answers 503 with Retry-After, without
// rendering, on every route that reads the store. Before, an image answered
// 404 and renders rendered in full and then failed (500) or answered.
func TestStoreErrors_NotAMiss(t *testing.T) {
	for name, storeErr := range map[string]error{
		"unavailable": store.ErrUnavailable,
		"other":       errors.New("dial tcp 127.0.0.1:9: connect: connection refused"),
	} {
		t.Run(name, func(t *testing.T) {
			fs := &faultStore{}
			srv, ts := newTestServerStore(t, Config{}, func(st store.Store) store.Store { fs.Store = st; return fs })
			photo := "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(readFile(t, "../samples/long-headline/photo.jpg"))
			body, _ := json.Marshal(map[string]any{"headline": "Store down", "photo": photo})
			// An image that exists, stored before the outage.
			r := post(t, ts.URL+"/v1/render?preset=og", "application/json", body)
			if r.StatusCode != 200 {
				t.Fatalf("render before the outage: %d", r.StatusCode)
			}
			resp, _ := get(t, noRedirect, SignCardURL([]byte("test-key"), ts.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"Stored card"}}))
			imageURL := resp.Header.Get("Location")
			fs.fail.Store(&storeErr)
			before := renders(srv)
			for _, tc := range []struct {
				name string
				do   func() *http.Response
			}{
				{"image", func() *http.Response { r, _ := get(t, noRedirect, ts.URL+imageURL); return r }},
				{"render one", func() *http.Response { return post(t, ts.URL+"/v1/render?preset=og", "application/json", body) }},
				{"render all", func() *http.Response { return post(t, ts.URL+"/v1/render?presets=og", "application/json", body) }},
				{"card", func() *http.Response {
					r, _ := get(t, noRedirect, SignCardURL([]byte("test-key"), ts.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {"New card"}}))
					return r
				}},
			} {
				resp := tc.do()
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
					t.Errorf("%s: status %d, Retry-After %q; want 503 with Retry-After", tc.name, resp.StatusCode, resp.Header.Get("Retry-After"))
				}
			}
			if n := renders(srv) - before; n != 0 {
				t.Errorf("%v renders while the store was down; want none", n)
			}
		})
	}
}

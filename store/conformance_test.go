package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// payload returns n deterministic pseudo-random bytes for seed.
func payload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// conformance sets how hard testConformance pushes a store.
type conformance struct {
	readers, readLoops, writes int // the concurrent replacement test
}

// testConformance checks the behaviour every Store promises, against s.
// Keys are prefixed with base so that several runs can share one store.
func testConformance(t *testing.T, s Store, base string, c conformance) {
	ctx := context.Background()
	k := func(rest string) string { return base + "/" + rest }

	t.Run("round trip", func(t *testing.T) {
		cases := []struct {
			name, key, ct, wantCT string
			data                  []byte
		}{
			{"jpeg", k("3f9ac2/og.jpg"), "image/jpeg", "image/jpeg", payload(1, 70_000)},
			{"json manifest", k("3f9ac2/manifest.json"), "application/json", "application/json", []byte(`{"engine":"1"}`)},
			{"deep key", k("a/b/c/d/e.webp"), "image/webp", "image/webp", payload(2, 1000)},
			{"empty body", k("empty.bin"), "application/octet-stream", "application/octet-stream", nil},
			{"default content type", k("noct"), "", "application/octet-stream", []byte("x")},
			{"content type with params", k("t.txt"), "text/plain; charset=utf-8", "text/plain; charset=utf-8", []byte("héllo")},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := time.Now().Add(-2 * time.Second)
				if err := s.Put(ctx, tc.key, tc.data, tc.ct); err != nil {
					t.Fatalf("Put: %v", err)
				}
				want := Info{Key: tc.key, Size: int64(len(tc.data)), ContentType: tc.wantCT, ETag: ETag(tc.data)}
				st, err := s.Stat(ctx, tc.key)
				if err != nil {
					t.Fatalf("Stat: %v", err)
				}
				checkInfo(t, "Stat", st, want, before)
				obj, err := s.Open(ctx, tc.key)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer obj.Body.Close()
				checkInfo(t, "Open", obj.Info, want, before)
				got, err := io.ReadAll(obj.Body)
				if err != nil {
					t.Fatalf("read body: %v", err)
				}
				if !bytes.Equal(got, tc.data) {
					t.Errorf("body: got %d bytes, want the %d bytes put", len(got), len(tc.data))
				}
			})
		}
	})

	t.Run("etag follows content", func(t *testing.T) {
		a, b := payload(3, 5000), payload(4, 5000)
		puts := []struct {
			key  string
			data []byte
		}{{k("etag/a1"), a}, {k("etag/a2"), a}, {k("etag/b"), b}}
		tags := map[string]string{}
		for _, p := range puts {
			if err := s.Put(ctx, p.key, p.data, "image/png"); err != nil {
				t.Fatal(err)
			}
			st, err := s.Stat(ctx, p.key)
			if err != nil {
				t.Fatal(err)
			}
			tags[p.key] = st.ETag
		}
		if tags[k("etag/a1")] != tags[k("etag/a2")] {
			t.Errorf("same bytes, different ETags: %s vs %s", tags[k("etag/a1")], tags[k("etag/a2")])
		}
		if tags[k("etag/a1")] == tags[k("etag/b")] {
			t.Errorf("different bytes, same ETag %s", tags[k("etag/b")])
		}
		if !validETag(tags[k("etag/b")]) {
			t.Errorf("ETag %s is not a quoted 32-digit hex tag", tags[k("etag/b")])
		}
	})

	t.Run("missing keys", func(t *testing.T) {
		if err := s.Put(ctx, k("dir/obj"), []byte("x"), "text/plain"); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{k("nope/og.jpg"), k("dir"), k("dir/obj/below")} {
			if _, err := s.Open(ctx, key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Stat(%q) = %v, want ErrNotFound", key, err)
			}
		}
	})

	t.Run("bad keys refused", func(t *testing.T) {
		for _, key := range []string{"", "/abs", "../up", k("a/../b"), k("UPPER"), k("sp ace"), k("trail/")} {
			if err := s.Put(ctx, key, []byte("x"), "text/plain"); !errors.Is(err, ErrBadKey) {
				t.Errorf("Put(%q) = %v, want ErrBadKey", key, err)
			}
			if _, err := s.Open(ctx, key); !errors.Is(err, ErrBadKey) {
				t.Errorf("Open(%q) = %v, want ErrBadKey", key, err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, ErrBadKey) {
				t.Errorf("Stat(%q) = %v, want ErrBadKey", key, err)
			}
		}
	})

	t.Run("bad content type refused", func(t *testing.T) {
		for _, ct := range []string{"image/jpeg\nX-Evil: 1", "not a type", "image/jpeg; q"} {
			if err := s.Put(ctx, k("ct/bad"), []byte("x"), ct); err == nil {
				t.Errorf("Put with content type %q succeeded", ct)
			}
		}
		if _, err := s.Stat(ctx, k("ct/bad")); !errors.Is(err, ErrNotFound) {
			t.Errorf("a refused Put left an object: Stat = %v", err)
		}
	})

	t.Run("canceled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Put(cctx, k("canceled"), []byte("x"), "text/plain"); !errors.Is(err, context.Canceled) {
			t.Errorf("Put with a canceled context = %v, want context.Canceled", err)
		}
	})

	t.Run("replace", func(t *testing.T) {
		key := k("replace/og.jpg")
		a, b := payload(5, 3000), payload(6, 1000)
		if err := s.Put(ctx, key, a, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(ctx, key, b, "image/png"); err != nil {
			t.Fatal(err)
		}
		obj, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Body.Close()
		got, _ := io.ReadAll(obj.Body)
		if !bytes.Equal(got, b) || obj.ETag != ETag(b) || obj.ContentType != "image/png" || obj.Size != int64(len(b)) {
			t.Errorf("after replacing: %d bytes, ETag %s, type %s; want %d bytes, ETag %s, image/png",
				len(got), obj.ETag, obj.ContentType, len(b), ETag(b))
		}
	})

	t.Run("http.ServeContent", func(t *testing.T) {
		testServeContent(t, s, k("serve/og.jpg"), payload(7, 50_000))
	})

	t.Run("concurrent replace is atomic", func(t *testing.T) {
		testAtomicReplace(t, s, k("atomic/og.jpg"), c)
	})
}

// checkInfo compares metadata, allowing ModTime to be any recent time.
func checkInfo(t *testing.T, what string, got, want Info, after time.Time) {
	t.Helper()
	mod := got.ModTime
	got.ModTime = time.Time{}
	if got != want {
		t.Errorf("%s info = %+v, want %+v", what, got, want)
	}
	if mod.Before(after) || mod.After(time.Now().Add(2*time.Second)) {
		t.Errorf("%s ModTime %v is not the time of the Put (after %v)", what, mod, after)
	}
}

// testServeContent serves the object at key through http.ServeContent on a
// loopback server and checks full, ranged and conditional GETs.
func testServeContent(t *testing.T, s Store, key string, data []byte) {
	if err := s.Put(context.Background(), key, data, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj, err := s.Open(r.Context(), key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer obj.Body.Close()
		w.Header().Set("ETag", obj.ETag)
		w.Header().Set("Content-Type", obj.ContentType)
		http.ServeContent(w, r, "", obj.ModTime, obj.Body)
	}))
	defer srv.Close()
	n := len(data)
	cases := []struct {
		name, rangeHdr, ifNoneMatch string
		status                      int
		body                        []byte
		contentRange                string
	}{
		{"full", "", "", 200, data, ""},
		{"middle range", "bytes=100-199", "", 206, data[100:200], fmt.Sprintf("bytes 100-199/%d", n)},
		{"suffix range", "bytes=-10", "", 206, data[n-10:], fmt.Sprintf("bytes %d-%d/%d", n-10, n-1, n)},
		{"open range", fmt.Sprintf("bytes=%d-", n-5), "", 206, data[n-5:], fmt.Sprintf("bytes %d-%d/%d", n-5, n-1, n)},
		{"unsatisfiable", fmt.Sprintf("bytes=%d-", n+10), "", 416, nil, ""},
		{"if-none-match hit", "", ETag(data), 304, nil, ""},
		{"if-none-match miss", "", `"0000"`, 200, data, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			if tc.rangeHdr != "" {
				req.Header.Set("Range", tc.rangeHdr)
			}
			if tc.ifNoneMatch != "" {
				req.Header.Set("If-None-Match", tc.ifNoneMatch)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (body %.100q)", resp.StatusCode, tc.status, body)
			}
			if tc.body != nil && !bytes.Equal(body, tc.body) {
				t.Errorf("body: got %d bytes, want %d", len(body), len(tc.body))
			}
			if got := resp.Header.Get("Content-Range"); tc.contentRange != "" && got != tc.contentRange {
				t.Errorf("Content-Range %q, want %q", got, tc.contentRange)
			}
			if tc.status != 416 && resp.Header.Get("ETag") != ETag(data) {
				t.Errorf("ETag header %q, want %q", resp.Header.Get("ETag"), ETag(data))
			}
		})
	}
}

// testAtomicReplace has one writer flip key between two contents of
// different sizes while readers open and read it; every read must be one
// whole version with its own metadata.
func testAtomicReplace(t *testing.T, s Store, key string, c conformance) {
	ctx := context.Background()
	versions := [][]byte{payload(8, 40_000), payload(9, 90_000)}
	if err := s.Put(ctx, key, versions[0], "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range c.writes {
			if err := s.Put(ctx, key, versions[(i+1)%2], "image/jpeg"); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
		}
	}()
	var mu sync.Mutex
	seen := map[int]int{}
	for r := range c.readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range c.readLoops {
				obj, err := s.Open(ctx, key)
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				body, err := io.ReadAll(obj.Body)
				obj.Body.Close()
				if err != nil {
					t.Errorf("reader %d: read: %v", r, err)
					return
				}
				v := -1
				for i, want := range versions {
					if bytes.Equal(body, want) {
						v = i
					}
				}
				if v < 0 {
					t.Errorf("reader %d: read %d bytes that are neither version (a partial or mixed object)", r, len(body))
					return
				}
				if obj.ETag != ETag(body) || obj.Size != int64(len(body)) {
					t.Errorf("reader %d: metadata (ETag %s, size %d) does not match the body read (ETag %s, size %d)",
						r, obj.ETag, obj.Size, ETag(body), len(body))
					return
				}
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("reads per version: %v", seen)
	if len(seen) == 0 {
		t.Error("no read completed")
	}
}

package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/store"
)

// TestCard_PreparedPhotoCache: two card URLs of the same photo with
// different headlines (an editor's two drafts, or two platforms of one
// size) decode the photo once; /metrics says so, with the cache's hit,
// its size and its bound.
func TestCard_PreparedPhotoCache(t *testing.T) {
	newTestServer(t, Config{}) // loads the shared fonts and finder
	eng := &render.Engine{Fonts: baseEng.Fonts, Finder: baseEng.Finder, Photos: render.NewPhotoCache(64 << 20)}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	deps := testDeps(t, st, nil)
	deps.Engine = eng
	srv, err := New(Config{SignKey: []byte("test-key")}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	photo := readFile(t, "../samples/long-headline/photo.jpg")
	photoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(photo) }))
	t.Cleanup(photoSrv.Close)

	for i, headline := range []string{"First card of the photo", "Second card, the same photo"} {
		u := SignCardURL([]byte("test-key"), ts.URL, "standard", "og", preset.FormatJPEG, url.Values{"headline": {headline}, "photo": {photoSrv.URL + "/p.jpg"}})
		if resp, body := get(t, noRedirect, u); resp.StatusCode != http.StatusFound {
			t.Fatalf("card %d: %d %s", i, resp.StatusCode, body)
		}
		_, m := get(t, http.DefaultClient, ts.URL+"/metrics")
		for _, want := range []string{
			"sharecard_photos_decoded_total 1\n",
			fmt.Sprintf("sharecard_photo_cache_total{result=\"hit\"} %d\n", i),
			"sharecard_photo_cache_total{result=\"miss\"} 1\n",
			"sharecard_photo_cache_photos 1\n",
			"sharecard_photo_cache_bytes{kind=\"limit\"} 6.7108864e+07\n",
		} {
			if !strings.Contains(string(m), want) {
				t.Errorf("after card %d, /metrics lacks %q", i, want)
			}
		}
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/fetch/fetchtest"
	"github.com/sharecard/sharecard/render/publish"
)

// feedJPEG is a 900×600 gradient photo.
func feedJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for y := range 600 {
		for x := range 900 {
			img.Set(x, y, color.RGBA{uint8(x / 4), uint8(y / 3), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newsSite serves /feed (doc, with %[1]s the site's base URL), story
// pages whose og:image is /og.jpg, and photos.
func newsSite(t *testing.T, doc string) (base string, hosts map[string]string) {
	t.Helper()
	photo := feedJPEG(t)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/feed":
			fmt.Fprintf(w, doc, "http://news.example:"+srv.URL[strings.LastIndexByte(srv.URL, ':')+1:])
		case strings.HasPrefix(r.URL.Path, "/story/"):
			fmt.Fprint(w, `<!doctype html><html><head><meta property="og:image" content="/og.jpg"></head><body></body></html>`)
		case strings.HasSuffix(r.URL.Path, ".jpg"):
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(photo)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	return fmt.Sprintf("http://news.example:%d", port), map[string]string{"news.example": "127.0.0.1"}
}

// loopbackFetch is a fetch.Config that resolves names from hosts only and
// dials only loopback; allow lists loopback as reachable.
func loopbackFetch(hosts map[string]string, allow bool) (fetch.Config, *fetchtest.Dialer) {
	d := &fetchtest.Dialer{}
	cfg := fetch.Config{Resolver: fetchtest.NewResolver(hosts), Dialer: d}
	if allow {
		cfg.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	return cfg, d
}

const cliRSS = `<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Gazette</title><link>%[1]s/</link>
<item><title>Storm closes the coast road</title><link>%[1]s/story/storm</link><category>Weather</category>
<media:thumbnail url="%[1]s/thumb.jpg" width="90" height="60"/>
<media:content url="%[1]s/storm.jpg" medium="image" width="900" height="600"/></item>
<item><title>Ferry timetable changes</title><link>%[1]s/story/ferry</link></item>
<item><description>No title here</description></item>
</channel></rss>`

// TestRenderFeed_URL: render --feed with a feed on loopback renders each
// titled item, its photo from media:content or, with --feed-og-image, its
// page's og:image; an untitled item is skipped with a warning.
func TestRenderFeed_URL(t *testing.T) {
	base, hosts := newsSite(t, cliRSS)
	cfg, dialer := loopbackFetch(hosts, true)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	f := renderFlags{out: out, presets: "og", feed: base + "/feed", feedOG: true, maxMP: 100}
	if err := renderFeed(context.Background(), f, "", cfg, &stdout, &stderr); err != nil {
		t.Fatalf("%v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "line 7: warning: skipped") {
		t.Errorf("stderr does not warn about the untitled item:\n%s", stderr.String())
	}
	want := map[string]string{
		"storm": base + "/storm.jpg", // the slug is the URL's last segment
		"ferry": base + "/og.jpg",
	}
	for slug, photo := range want {
		data, err := os.ReadFile(filepath.Join(out, slug, "manifest.json"))
		if err != nil {
			t.Fatalf("%v\nstdout: %s", err, stdout.String())
		}
		var m publish.Manifest
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if m.Article.Photo != photo || len(m.Images) != 1 || m.Photo == nil {
			t.Errorf("%s: photo %q (want %q), %d images, photo meta %v", slug, m.Article.Photo, photo, len(m.Images), m.Photo)
		}
	}
	if bad := dialer.NotLoopback(); len(bad) > 0 {
		t.Errorf("dialled %v", bad)
	}
}

// TestRenderFeed_Guard: a feed URL whose host resolves to a private or
// loopback address (not allowed) is refused before any connection.
func TestRenderFeed_Guard(t *testing.T) {
	tests := []struct{ name, host, addr string }{
		{"private", "intranet.example", "10.1.2.3"},
		{"loopback", "news.example", "127.0.0.1"},
		{"metadata", "meta.example", "169.254.169.254"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, dialer := loopbackFetch(map[string]string{tc.host: tc.addr}, false)
			f := renderFlags{out: t.TempDir(), presets: "og", feed: "http://" + tc.host + "/feed", maxMP: 100}
			var stdout, stderr bytes.Buffer
			err := renderFeed(context.Background(), f, "", cfg, &stdout, &stderr)
			if !errors.Is(err, fetch.ErrForbiddenAddress) || !strings.Contains(err.Error(), "--allow-nets") {
				t.Fatalf("err = %v, want ErrForbiddenAddress naming --allow-nets", err)
			}
			if d := dialer.Dialled(); len(d) != 0 {
				t.Errorf("dialled %v", d)
			}
		})
	}
}

// TestRenderFeed_Command: the --feed flag through the command line, with
// a feed file whose items have no photo; and its errors.
func TestRenderFeed_Command(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "feed.json")
	os.WriteFile(good, []byte(`{"version": "https://jsonfeed.org/version/1.1", "items": [
		{"id": "1", "title": "Council approves the new library", "url": "https://news.example/library", "tags": ["Local"]}]}`), 0o644)
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte("<rss>\n<channel>\n<item><title>x</titel>\n</channel></rss>"), 0o644)
	untitled := filepath.Join(dir, "untitled.xml")
	os.WriteFile(untitled, []byte("<rss><channel><item><description>x</description></item></channel></rss>"), 0o644)
	out := t.TempDir()

	code, stdout, stderr := runCLI(t, "render", "--out", out, "--preset", "og", "--feed", good)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "library", "manifest.json")); err != nil {
		t.Errorf("%v\nstdout: %s", err, stdout)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad xml", []string{"--feed", bad}, 1, "bad.xml: RSS 2.0 feed: line 3"},
		{"missing", []string{"--feed", filepath.Join(dir, "nope.xml")}, 1, "nope.xml"},
		{"no titles", []string{"--feed", untitled}, 1, "no item has a title"},
		{"feed and files", []string{"--feed", good, "samples/k1-air-base/article.yaml"}, 2, "either --feed or article files"},
		{"bad cidr", []string{"--feed", good, "--allow-nets", "10.0.0.0"}, 2, "--allow-nets"},
		{"bad scheme", []string{"--feed", "ftp://news.example/feed"}, 1, "only http and https"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"render", "--out", t.TempDir(), "--preset", "og"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}

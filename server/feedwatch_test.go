package server

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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/fetch/fetchtest"
	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/render/article"
)

// recordingQueue is a job queue that keeps every job by id, like the real
// one deduplicating by id.
type recordingQueue struct {
	mu   sync.Mutex
	jobs map[string][]byte
	adds int
}

func (q *recordingQueue) Enqueue(ctx context.Context, id string, payload []byte) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.jobs == nil {
		q.jobs = map[string][]byte{}
	}
	if _, ok := q.jobs[id]; ok {
		return false, nil
	}
	q.jobs[id] = payload
	q.adds++
	return true, nil
}
func (q *recordingQueue) Status(context.Context, string) (jobs.Status, error) {
	return jobs.Status{}, jobs.ErrNotFound
}
func (q *recordingQueue) Stats(context.Context) (int, int, int, error) { return 0, 0, 0, nil }
func (q *recordingQueue) Ready() bool                                  { return true }

// article returns the article of job id.
func (q *recordingQueue) article(t *testing.T, id string) *article.Article {
	t.Helper()
	q.mu.Lock()
	payload := q.jobs[id]
	q.mu.Unlock()
	var job hookJob
	if err := json.Unmarshal(payload, &job); err != nil {
		t.Fatalf("job %s: %v", id, err)
	}
	if job.Source != FeedSource {
		t.Errorf("job source %q, want %q", job.Source, FeedSource)
	}
	a, err := article.ParseRemote("job", job.Article)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// feedServer serves one feed document that a test can change, with an
// ETag, answering 304 to a matching If-None-Match; and item pages.
type feedServer struct {
	*httptest.Server
	mu          sync.Mutex
	doc         string
	contentType string
	gets        int // feed requests
	notModified int // of which answered 304
}

func newFeedServer(t *testing.T, contentType string) *feedServer {
	fs := &feedServer{contentType: contentType}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		switch {
		case r.URL.Path == "/feed":
			fs.gets++
			etag := fmt.Sprintf("%q", fmt.Sprintf("%x", len(fs.doc))+fmt.Sprint(strings.Count(fs.doc, "v2")))
			if r.Header.Get("If-None-Match") == etag {
				fs.notModified++
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
			w.Header().Set("Content-Type", fs.contentType)
			fmt.Fprint(w, fs.doc)
		case strings.HasPrefix(r.URL.Path, "/story/"):
			fmt.Fprintf(w, `<html><head><meta property="og:image" content="/img%s.jpg"></head><body>story</body></html>`, strings.TrimPrefix(r.URL.Path, "/story"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(doc string) {
	fs.mu.Lock()
	fs.doc = doc
	fs.mu.Unlock()
}

func (fs *feedServer) counts() (gets, notModified int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.gets, fs.notModified
}

// feedFetcher returns a guarded fetcher whose resolver maps names to
// addresses (never real DNS) and whose dialer reaches only loopback;
// allowLoopback lists 127.0.0.0/8 in Config.Allow.
func feedFetcher(hosts map[string]string, allowLoopback bool) (*fetch.Fetcher, *fetchtest.Dialer) {
	d := &fetchtest.Dialer{}
	cfg := fetch.Config{Resolver: fetchtest.NewResolver(hosts), Dialer: d, MaxRedirects: -1}
	if allowLoopback {
		cfg.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	return fetch.New(cfg), d
}

// feedDocs are the same two stories in each format; %[1]s is the base URL
// of the test server and %[2]s the first story's version ("v1", "v2").
var feedDocs = []struct {
	name, contentType, doc string
}{
	{"rss", "application/rss+xml", `<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><link>%[1]s/</link>
<item><title>Storm closes the coast road (%[2]s)</title><link>%[1]s/story/1</link><guid>s1</guid><category>Weather</category>
<media:content url="%[1]s/img/1.jpg" medium="image" width="1200" height="800"/></item>
<item><title>Ferry timetable changes</title><link>%[1]s/story/2</link><guid>s2</guid></item>
<item><description>no title</description><guid>s3</guid></item>
</channel></rss>`},
	{"atom", "application/atom+xml", `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><link href="%[1]s/"/>
<entry><id>s1</id><title>Storm closes the coast road (%[2]s)</title><link href="%[1]s/story/1"/><category term="Weather"/>
<link rel="enclosure" type="image/jpeg" href="%[1]s/img/1.jpg"/></entry>
<entry><id>s2</id><title>Ferry timetable changes</title><link href="%[1]s/story/2"/></entry>
<entry><id>s3</id><summary>no title</summary></entry>
</feed>`},
	{"json", "application/feed+json", `{"version": "https://jsonfeed.org/version/1.1", "title": "T", "home_page_url": "%[1]s/",
"items": [
 {"id": "s1", "title": "Storm closes the coast road (%[2]s)", "url": "%[1]s/story/1", "tags": ["Weather"], "image": "%[1]s/img/1.jpg"},
 {"id": "s2", "title": "Ferry timetable changes", "url": "%[1]s/story/2"},
 {"id": "s3", "content_text": "no title"}]}`},
}

// TestFeedWatcher_NewAndChanged: for RSS, Atom and JSON Feed on loopback,
// the first poll makes a job per titled item (og:image read for the item
// without an image, the untitled one skipped); an unchanged feed answers
// 304 and makes no job; a changed item makes one new job and the
// unchanged one none; a restarted watcher makes no job for items the
// queue already has.
func TestFeedWatcher_NewAndChanged(t *testing.T) {
	for _, tc := range feedDocs {
		t.Run(tc.name, func(t *testing.T) {
			q := &recordingQueue{}
			srv, _ := newHookServerWith(t, Config{}, q)
			fs := newFeedServer(t, tc.contentType)
			port := fs.Listener.Addr().(*net.TCPAddr).Port
			base := fmt.Sprintf("http://news.example:%d", port)
			fs.set(fmt.Sprintf(tc.doc, base, "v1"))
			f, dialer := feedFetcher(map[string]string{"news.example": "127.0.0.1"}, true)
			defer f.CloseIdleConnections()
			feedURL := base + "/feed"
			cfg := FeedWatchConfig{URLs: []string{feedURL}, Fetcher: f, Pages: f}
			w, err := srv.NewFeedWatcher(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()

			p, err := w.Poll(ctx, feedURL)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Enqueued) != 2 || len(p.Skipped) != 1 || !strings.Contains(p.Skipped[0], "no title") {
				t.Fatalf("first poll: %+v", p)
			}
			a1, a2 := q.article(t, p.Enqueued[0]), q.article(t, p.Enqueued[1])
			if a1.Headline != "Storm closes the coast road (v1)" || a1.Section != "Weather" || a1.Photo != base+"/img/1.jpg" || a1.URL != base+"/story/1" {
				t.Errorf("first item: %+v", a1)
			}
			if a2.Photo != base+"/img/2.jpg" {
				t.Errorf("second item's photo %q, want its page's og:image", a2.Photo)
			}

			p, err = w.Poll(ctx, feedURL)
			if err != nil || !p.NotModified || len(p.Enqueued) != 0 {
				t.Fatalf("unchanged poll: %+v, %v", p, err)
			}
			if gets, nm := fs.counts(); gets != 2 || nm != 1 {
				t.Errorf("feed GETs %d, 304s %d; want 2 and 1", gets, nm)
			}

			fs.set(fmt.Sprintf(tc.doc, base, "v2"))
			p, err = w.Poll(ctx, feedURL)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Enqueued) != 1 || p.Unchanged != 2 || p.Duplicates != 0 || len(p.Skipped) != 0 {
				t.Fatalf("changed poll: %+v", p)
			}
			if a := q.article(t, p.Enqueued[0]); a.Headline != "Storm closes the coast road (v2)" {
				t.Errorf("changed item: %q", a.Headline)
			}

			// A new watcher (a restart) remembers nothing but the queue
			// does: no new job.
			w2, err := srv.NewFeedWatcher(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if p, err = w2.Poll(ctx, feedURL); err != nil || len(p.Enqueued) != 0 || p.Duplicates != 2 {
				t.Fatalf("restarted poll: %+v, %v", p, err)
			}
			if q.adds != 3 {
				t.Errorf("%d jobs in all, want 3", q.adds)
			}
			if bad := dialer.NotLoopback(); len(bad) > 0 {
				t.Errorf("dialled %v", bad)
			}
		})
	}
}

// TestFeedWatcher_Guard: a feed whose host resolves to a private address,
// or to loopback when loopback is not allowed, is refused by the fetch
// guard before any connection; so is a page for og:image.
func TestFeedWatcher_Guard(t *testing.T) {
	q := &recordingQueue{}
	srv, _ := newHookServerWith(t, Config{}, q)
	fs := newFeedServer(t, "application/rss+xml")
	port := fs.Listener.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name, host, addr string
	}{
		{"private", "intranet.example", "10.0.0.5"},
		{"metadata", "meta.example", "169.254.169.254"},
		{"loopback not allowed", "news.example", "127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, dialer := feedFetcher(map[string]string{tc.host: tc.addr}, false)
			feedURL := fmt.Sprintf("http://%s:%d/feed", tc.host, port)
			w, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{feedURL}, Fetcher: f})
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.Poll(context.Background(), feedURL)
			if !errors.Is(err, fetch.ErrForbiddenAddress) {
				t.Fatalf("err = %v, want ErrForbiddenAddress", err)
			}
			if d := dialer.Dialled(); len(d) != 0 {
				t.Errorf("dialled %v", d)
			}
		})
	}
	if gets, _ := fs.counts(); gets != 0 || q.adds != 0 {
		t.Errorf("%d feed GETs, %d jobs; want none", gets, q.adds)
	}
}

// TestFeedWatcher_BadFeed: a feed that does not parse is an error naming
// the feed and the line; a watched URL must be http(s).
func TestFeedWatcher_BadFeed(t *testing.T) {
	q := &recordingQueue{}
	srv, _ := newHookServerWith(t, Config{}, q)
	fs := newFeedServer(t, "application/rss+xml")
	fs.set("<rss>\n<channel>\n<item><title>x</titel></item>\n</channel></rss>")
	f, _ := feedFetcher(map[string]string{"news.example": "127.0.0.1"}, true)
	feedURL := fmt.Sprintf("http://news.example:%d/feed", fs.Listener.Addr().(*net.TCPAddr).Port)
	w, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{feedURL}, Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Poll(context.Background(), feedURL)
	if err == nil || !strings.Contains(err.Error(), feedURL) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("err = %v, want the feed URL and line 3", err)
	}
	for _, u := range []string{"ftp://x.example/feed", "/feed", "https://"} {
		if _, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{u}, Fetcher: f}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if _, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{feedURL, feedURL}, Fetcher: f}); err == nil {
		t.Error("a URL given twice accepted")
	}
}

// TestFeedWatcher_RunStops: Run polls at once and returns when its
// context ends.
func TestFeedWatcher_RunStops(t *testing.T) {
	q := &recordingQueue{}
	srv, _ := newHookServerWith(t, Config{}, q)
	fs := newFeedServer(t, "application/rss+xml")
	fs.set(`<rss><channel><item><title>One</title><guid>1</guid></item></channel></rss>`)
	f, _ := feedFetcher(map[string]string{"news.example": "127.0.0.1"}, true)
	feedURL := fmt.Sprintf("http://news.example:%d/feed", fs.Listener.Addr().(*net.TCPAddr).Port)
	w, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{feedURL}, Fetcher: f, Every: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	testwait.Until(t, time.Millisecond, func() (bool, string) {
		gets, _ := fs.counts()
		return gets > 0, "Run never polled"
	})
	cancel()
	<-done
}

// TestFeedWatcher_RealQueue: with the NATS job queue and its runner, a
// feed item's job is rendered (its photo fetched from loopback), and
// polling the unchanged item again makes no new job.
func TestFeedWatcher_RealQueue(t *testing.T) {
	srv, _, q := newHookServer(t)
	photos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(feedTestJPEG(t))
	}))
	defer photos.Close()
	fs := newFeedServer(t, "application/rss+xml")
	fs.set(fmt.Sprintf(`<rss version="2.0"><channel><item><title>Storm closes the coast road</title><guid>s1</guid>
<enclosure url="%s/p.jpg" type="image/jpeg" length="1"/></item></channel></rss>`, photos.URL))
	f, _ := feedFetcher(map[string]string{"news.example": "127.0.0.1"}, true)
	feedURL := fmt.Sprintf("http://news.example:%d/feed", fs.Listener.Addr().(*net.TCPAddr).Port)
	w, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{feedURL}, Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := w.Poll(ctx, feedURL)
	if err != nil || len(p.Enqueued) != 1 {
		t.Fatalf("poll: %+v, %v", p, err)
	}
	id := p.Enqueued[0]
	var st jobs.Status
	testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
		st, err = q.Status(ctx, id)
		return err == nil && (st.State == jobs.StateDone || st.State == jobs.StateFailed), fmt.Sprintf("job %s not finished: %+v %v", id, st, err)
	})
	if st.State != jobs.StateDone {
		t.Fatalf("job %s: %+v", id, st)
	}
	w2, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{feedURL}, Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = w2.Poll(ctx, feedURL); err != nil || len(p.Enqueued) != 0 || p.Duplicates != 1 {
		t.Fatalf("second poll: %+v, %v", p, err)
	}
}

// feedTestJPEG is a small 400×300 gradient photo.
func feedTestJPEG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := range 300 {
		for x := range 400 {
			img.Set(x, y, color.RGBA{uint8(x / 2), uint8(y / 2), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFeedWatcher_PageMissing: with og:image asked, an item whose page is
// gone (404) is still enqueued, without a photo, with a note.
func TestFeedWatcher_PageMissing(t *testing.T) {
	q := &recordingQueue{}
	srv, _ := newHookServerWith(t, Config{}, q)
	fs := newFeedServer(t, "application/rss+xml")
	base := fmt.Sprintf("http://news.example:%d", fs.Listener.Addr().(*net.TCPAddr).Port)
	fs.set(`<rss><channel><item><title>Gone page</title><link>` + base + `/missing/1</link></item></channel></rss>`)
	f, _ := feedFetcher(map[string]string{"news.example": "127.0.0.1"}, true)
	w, err := srv.NewFeedWatcher(FeedWatchConfig{URLs: []string{base + "/feed"}, Fetcher: f, Pages: f})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.Poll(context.Background(), base+"/feed")
	if err != nil || len(p.Enqueued) != 1 || len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "404") {
		t.Fatalf("poll: %+v, %v", p, err)
	}
	if a := q.article(t, p.Enqueued[0]); a.Photo != "" {
		t.Errorf("photo %q, want none", a.Photo)
	}
}

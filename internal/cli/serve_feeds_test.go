package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/syncbuf"
	"github.com/sharecard/sharecard/internal/testwait"
)

// TestServe_WatchFeed: serve --watch-feed polls a feed on loopback at
// start, makes a job of its item (counted in /metrics), and stops polling
// when shutdown starts.
func TestServe_WatchFeed(t *testing.T) {
	var gets atomic.Int64
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><item><title>Council approves the new library</title><guid>lib-1</guid></item></channel></rss>`)
	}))
	defer feedSrv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncbuf.Buffer{}
	base, done := startServeInProcess(t, ctx, logs, "--data", t.TempDir(), "--layouts", t.TempDir()+"/none",
		"--allow-nets", "127.0.0.0/8", "--drain-delay", "0", "--drain-timeout", "1m",
		"--watch-feed", feedSrv.URL+"/feed", "--every", "1h")
	testwait.Until(t, 20*time.Millisecond, func() (bool, string) {
		return strings.Contains(logs.String(), `"msg":"feed polled"`), "no poll logged:\n" + logs.String()
	})
	if !strings.Contains(logs.String(), `"jobs":1`) {
		t.Errorf("the poll made no job:\n%s", logs.String())
	}
	_, metrics := getStatus(t, base+"/metrics")
	if !strings.Contains(metrics, `sharecard_feed_items_total{result="enqueued"} 1`) {
		t.Errorf("/metrics has no enqueued feed item")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := gets.Load(); n != 1 {
		t.Errorf("%d feed requests, want 1 (--every 1h)", n)
	}
}

// TestServe_WatchFeedFlags: bad feed flags are usage errors (exit 2).
func TestServe_WatchFeedFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not http", []string{"--watch-feed", "ftp://news.example/feed"}, "want an http or https URL"},
		{"relative", []string{"--watch-feed", "/feed.xml"}, "want an http or https URL"},
		{"twice", []string{"--watch-feed", "https://a.example/f", "--watch-feed", "https://a.example/f"}, "given twice"},
		{"too often", []string{"--watch-feed", "https://a.example/f", "--every", "5s"}, "at most every 30s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"serve", "--data", t.TempDir()}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
	t.Run("bad env", func(t *testing.T) {
		t.Setenv("SHARECARD_FEED_EVERY", "soon")
		code, _, stderr := runCLI(t, "serve", "--data", t.TempDir())
		if code != 2 || !strings.Contains(stderr, "SHARECARD_FEED_EVERY") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/server"
)

// minFeedEvery is the shortest --every: polling a feed more often than
// this only loads the CMS (feeds are usually cached for minutes anyway).
const minFeedEvery = 30 * time.Second

// serveFeedFlags are the feed-watching settings of `sharecard serve`.
type serveFeedFlags struct {
	urls  feedURLs
	every time.Duration
	og    bool
}

// feedURLs is the repeatable --watch-feed flag.
type feedURLs []string

func (l *feedURLs) String() string { return strings.Join(*l, ",") }

func (l *feedURLs) Set(v string) error {
	*l = append(*l, strings.TrimSpace(v))
	return nil
}

// addFeedFlags registers --watch-feed, --every and --feed-og-image, with
// their defaults from SHARECARD_WATCH_FEEDS (comma-separated),
// SHARECARD_FEED_EVERY and SHARECARD_FEED_OG_IMAGE. A flag given on the
// command line replaces the variable's list.
func addFeedFlags(fs *flag.FlagSet, f *serveFeedFlags) error {
	every, err := envDuration("SHARECARD_FEED_EVERY", server.DefaultFeedEvery)
	if err != nil {
		return usageError{err.Error()}
	}
	f.every, f.og = every, envBool("SHARECARD_FEED_OG_IMAGE")
	for _, u := range strings.Split(envOr("SHARECARD_WATCH_FEEDS", ""), ",") {
		if u = strings.TrimSpace(u); u != "" {
			f.urls = append(f.urls, u)
		}
	}
	fromEnv := len(f.urls)
	fs.Func("watch-feed", "poll the RSS, Atom or JSON Feed at `URL` and render its new and changed items as jobs; repeat for several (SHARECARD_WATCH_FEEDS, comma-separated)", func(v string) error {
		if fromEnv > 0 {
			f.urls, fromEnv = nil, 0
		}
		return f.urls.Set(v)
	})
	fs.DurationVar(&f.every, "every", f.every, "with --watch-feed, poll each feed this `often` (SHARECARD_FEED_EVERY)")
	fs.BoolVar(&f.og, "feed-og-image", f.og, "with --watch-feed, read the og:image of an item's page when the feed has no image for it (SHARECARD_FEED_OG_IMAGE=1)")
	return nil
}

// check validates the parsed feed flags.
func (f *serveFeedFlags) check() error {
	if len(f.urls) == 0 {
		return nil
	}
	if f.every < minFeedEvery {
		return usageError{fmt.Sprintf("--every %s: poll feeds at most every %s", f.every, minFeedEvery)}
	}
	seen := map[string]bool{}
	for _, u := range f.urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return usageError{fmt.Sprintf("--watch-feed %q: want an http or https URL such as https://example.com/feed.xml", u)}
		}
		if seen[u] {
			return usageError{fmt.Sprintf("--watch-feed %s is given twice", u)}
		}
		seen[u] = true
	}
	return nil
}

// startFeedWatch starts polling the feeds of f in the background, until
// ctx ends or the returned stop is called; stop waits for the poller to
// return and may be called more than once.
func startFeedWatch(ctx context.Context, srv *server.Server, f serveFlags, reg prometheus.Registerer, log *slog.Logger) (stop func()) {
	if len(f.feeds.urls) == 0 {
		return func() {}
	}
	allow, _ := parseCIDRs("--allow-nets", f.allow) // checked by buildServer
	base := fetch.Config{Allow: allow, AllowHint: "--allow-nets (SHARECARD_ALLOW_NETS)"}
	ff := newFeedFetchers(base)
	cfg := server.FeedWatchConfig{URLs: f.feeds.urls, Every: f.feeds.every, Fetcher: ff.feed, Registerer: reg}
	if f.feeds.og {
		cfg.Pages = ff.pages
	}
	w, err := srv.NewFeedWatcher(cfg)
	if err != nil {
		log.Error("feeds are not watched", "err", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ff.close()
		w.Run(ctx)
	}()
	log.Info("watching feeds", "feeds", f.feeds.urls, "every", f.feeds.every.String(), "og_image", f.feeds.og)
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

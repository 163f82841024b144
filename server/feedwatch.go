package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharecard/sharecard/feed"
	"github.com/sharecard/sharecard/fetch"
)

// FeedSource is the job source of items found by a FeedWatcher: their jobs
// carry it as hookJob.Source, and a hooks source of this name (with a
// callback URL) gets their manifests.
const FeedSource = "feed"

// DefaultFeedEvery is how often a feed is polled when FeedWatchConfig.Every
// is zero.
const DefaultFeedEvery = 5 * time.Minute

// maxNewPerPoll bounds the jobs one poll of one feed makes; the rest wait
// for the next poll (a first poll of a long feed, or a CMS that touched
// every item at once, does not flood the queue).
const maxNewPerPoll = 100

// FeedWatchConfig configures a FeedWatcher.
type FeedWatchConfig struct {
	// URLs are the feeds (RSS 2.0, Atom, JSON Feed) to poll.
	URLs []string
	// Every is the time between two polls of a feed (default
	// DefaultFeedEvery).
	Every time.Duration
	// Fetcher downloads the feeds, with If-None-Match/If-Modified-Since;
	// it must be a guarded fetch.Fetcher (no private addresses).
	Fetcher *fetch.Fetcher
	// Pages, when set, downloads an item's page to read its og:image for
	// items whose feed entry has no image; nil leaves such items without
	// a photo.
	Pages feed.Getter
	// Registerer, when set, gets the sharecard_feed_* metrics.
	Registerer prometheus.Registerer
}

// FeedWatcher polls feeds and turns their new and changed items into
// render jobs on the server's job queue, the queue webhooks use: a job's
// id is a hash of the article mapped from the item, so an item polled
// again unchanged makes no new job, here or after a restart. It is safe
// for concurrent use.
type FeedWatcher struct {
	s     *Server
	cfg   FeedWatchConfig
	polls *prometheus.CounterVec
	items *prometheus.CounterVec

	mu    sync.Mutex
	feeds map[string]*feedState
}

// feedState is what a watcher remembers of one feed between polls.
type feedState struct {
	validators fetch.Validators
	// seen maps an item's ID to the hash of what was last enqueued (or
	// skipped) for it; only the items of the latest poll are kept.
	seen map[string]string
}

// FeedPoll is the outcome of one poll of one feed.
type FeedPoll struct {
	URL         string
	NotModified bool     // the server answered 304
	Enqueued    []string // ids of jobs made by this poll
	Duplicates  int      // items whose job the queue already had
	Unchanged   int      // items as they were at the last poll
	Skipped     []string // items left out, with why
	Deferred    int      // changed items left for the next poll (maxNewPerPoll)
	Notes       []string // items enqueued with a problem, such as no photo
}

// NewFeedWatcher checks cfg and returns a watcher; the server needs a
// job queue.
func (s *Server) NewFeedWatcher(cfg FeedWatchConfig) (*FeedWatcher, error) {
	if s.hooks == nil {
		return nil, errors.New("watching feeds needs a job queue")
	}
	if cfg.Fetcher == nil {
		return nil, errors.New("watching feeds needs a fetcher")
	}
	if cfg.Every <= 0 {
		cfg.Every = DefaultFeedEvery
	}
	seen := map[string]bool{}
	for _, u := range cfg.URLs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("feed URL %q: want an absolute http or https URL such as https://example.com/feed.xml", u)
		}
		if seen[u] {
			return nil, fmt.Errorf("feed URL %s is given twice", u)
		}
		seen[u] = true
	}
	w := &FeedWatcher{s: s, cfg: cfg, feeds: map[string]*feedState{},
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharecard_feed_polls_total",
			Help: "Polls of watched feeds, by outcome: changed, not_modified or error."}, []string{"result"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharecard_feed_items_total",
			Help: "Items of watched feeds, by outcome: enqueued, duplicate (the queue had the job), skipped or failed."}, []string{"result"}),
	}
	if cfg.Registerer != nil {
		for _, c := range []*prometheus.CounterVec{w.polls, w.items} {
			if err := cfg.Registerer.Register(c); err != nil {
				var are prometheus.AlreadyRegisteredError
				if !errors.As(err, &are) {
					return nil, fmt.Errorf("feed metrics: %w", err)
				}
			}
		}
	}
	for _, u := range cfg.URLs {
		w.feeds[u] = &feedState{seen: map[string]string{}}
	}
	return w, nil
}

// Run polls every feed at once and then every cfg.Every, until ctx ends;
// a poll in progress is cancelled with it. Problems are logged.
func (w *FeedWatcher) Run(ctx context.Context) {
	t := time.NewTicker(w.cfg.Every)
	defer t.Stop()
	for {
		w.PollAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PollAll polls each feed once, one after another, and logs the outcome.
func (w *FeedWatcher) PollAll(ctx context.Context) {
	for _, u := range w.cfg.URLs {
		if ctx.Err() != nil {
			return
		}
		p, err := w.Poll(ctx, u)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			w.s.log.Warn("feed poll failed; trying again at the next poll", "feed", u, "err", err)
		case p.NotModified:
			w.s.log.Debug("feed not modified", "feed", u)
		default:
			for _, sk := range p.Skipped {
				w.s.log.Warn("feed item skipped", "feed", u, "item", sk)
			}
			for _, n := range p.Notes {
				w.s.log.Warn("feed item", "feed", u, "note", n)
			}
			w.s.log.Info("feed polled", "feed", u, "jobs", len(p.Enqueued), "duplicates", p.Duplicates,
				"unchanged", p.Unchanged, "skipped", len(p.Skipped), "deferred", p.Deferred)
		}
	}
}

// Poll fetches the feed at feedURL (one of cfg.URLs) once and enqueues a
// job for each new or changed item. An error means the feed could not be
// read or parsed; problems with single items are in FeedPoll.Skipped.
func (w *FeedWatcher) Poll(ctx context.Context, feedURL string) (*FeedPoll, error) {
	w.mu.Lock()
	st, ok := w.feeds[feedURL]
	var prevSeen map[string]string
	var prev fetch.Validators
	if ok {
		prevSeen, prev = st.seen, st.validators
	}
	w.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("feed %s is not watched", feedURL)
	}
	res := &FeedPoll{URL: feedURL}
	body, next, notModified, err := w.cfg.Fetcher.GetIfChanged(ctx, feedURL, prev)
	if err != nil {
		w.polls.WithLabelValues("error").Inc()
		return nil, err
	}
	if notModified {
		w.polls.WithLabelValues("not_modified").Inc()
		res.NotModified = true
		return res, nil
	}
	f, err := feed.Parse(body)
	if err != nil {
		w.polls.WithLabelValues("error").Inc()
		return nil, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	w.polls.WithLabelValues("changed").Inc()
	res.Skipped = append(res.Skipped, f.Warnings...)
	seen := make(map[string]string, len(f.Items))
	complete := true
	for i := range f.Items {
		it := &f.Items[i]
		key := it.ID
		if key == "" {
			key = it.Pos
		}
		// The item as the feed gives it, before any page is fetched:
		// unchanged, nothing more is done.
		sum := itemHash(it)
		if old, ok := prevSeen[key]; ok && old == sum {
			seen[key] = sum
			res.Unchanged++
			continue
		}
		if len(res.Enqueued)+res.Duplicates >= maxNewPerPoll {
			res.Deferred++
			complete = false
			continue
		}
		id, created, note, err := w.enqueueItem(ctx, it)
		if note != "" {
			res.Notes = append(res.Notes, note)
		}
		switch {
		case errors.Is(err, feed.ErrNoHeadline) || isItemProblem(err):
			w.items.WithLabelValues("skipped").Inc()
			res.Skipped = append(res.Skipped, itemMessage(it, key, err))
			seen[key] = sum // said once, not at every poll
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// Not remembered: tried again at the next poll.
			w.items.WithLabelValues("failed").Inc()
			res.Skipped = append(res.Skipped, itemMessage(it, key, err))
			complete = false
		case created:
			w.items.WithLabelValues("enqueued").Inc()
			res.Enqueued = append(res.Enqueued, id)
			seen[key] = sum
		default:
			w.items.WithLabelValues("duplicate").Inc()
			res.Duplicates++
			seen[key] = sum
		}
	}
	w.mu.Lock()
	st.seen = seen
	// Validators are kept only when every item was handled, so items
	// left for later are not hidden behind a 304.
	if complete {
		st.validators = next
	} else {
		st.validators = fetch.Validators{}
	}
	w.mu.Unlock()
	return res, nil
}

// itemProblem is an item that cannot become an article; skipping it is
// final until the item changes.
type itemProblem struct{ err error }

func (e itemProblem) Error() string { return e.err.Error() }
func (e itemProblem) Unwrap() error { return e.err }

func isItemProblem(err error) bool {
	var p itemProblem
	return errors.As(err, &p)
}

// enqueueItem maps an item to an article (reading its page's og:image if
// asked and the item has no image) and enqueues its job, with the id and
// payload a webhook's job would have.
func (w *FeedWatcher) enqueueItem(ctx context.Context, it *feed.Item) (id string, created bool, note string, err error) {
	if it.Title == "" {
		_, err := it.Article("")
		return "", false, "", itemProblem{err}
	}
	photo := it.Photo()
	if photo == "" && w.cfg.Pages != nil && it.Link != "" {
		og, err := feed.OGImage(ctx, w.cfg.Pages, it.Link)
		var se *fetch.StatusError
		switch {
		case err == nil:
			photo = og
		case errors.As(err, &se) && se.StatusCode < 500, errors.Is(err, fetch.ErrBadURL),
			errors.Is(err, fetch.ErrForbiddenAddress), errors.Is(err, fetch.ErrTooLarge):
			// The page will not be readable next time either: the
			// card goes without a photo.
			note = fmt.Sprintf("%s: no photo: %v", it.Pos, err)
		default:
			// The page's server failed; try again at the next poll.
			return "", false, "", err
		}
	}
	a, err := it.Article(photo)
	if err != nil {
		return "", false, "", itemProblem{err}
	}
	aj, _ := json.Marshal(a)
	sum := sha256.Sum256(append([]byte(FeedSource+"\x00"), aj...))
	id = hex.EncodeToString(sum[:16])
	payload, _ := json.Marshal(hookJob{Source: FeedSource, Article: aj})
	if limit := w.s.hooks.payloadLimit(); int64(len(payload)) > limit {
		return "", false, "", itemProblem{fmt.Errorf("its job would have %d bytes, over the job queue's limit of %d", len(payload), limit)}
	}
	created, err = w.s.hooks.queue.Enqueue(ctx, id, payload)
	if err != nil {
		return "", false, "", fmt.Errorf("enqueue job: %w", err)
	}
	return id, created, note, nil
}

// itemHash identifies the content of an item as the feed gives it; not
// where it is in the feed, which moves as new items come in.
func itemHash(it *feed.Item) string {
	c := *it
	c.Pos, c.Warnings = "", nil
	data, _ := json.Marshal(c)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// itemMessage names the item of err by its place and id.
func itemMessage(it *feed.Item, key string, err error) string {
	msg := strings.TrimPrefix(err.Error(), it.Pos+": ")
	return fmt.Sprintf("%s (%s): %s", it.Pos, clipID(key), msg)
}

func clipID(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

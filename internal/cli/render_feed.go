package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sharecard/sharecard/feed"
	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
)

// Limits and headers of the downloads of render --feed and serve
// --watch-feed.
const (
	// maxFeedBytes is the largest feed read: big news feeds with full
	// text run to a few MB.
	maxFeedBytes = 16 << 20
	// maxPageBytes is the largest item page read for its og:image.
	maxPageBytes = 4 << 20
	feedAccept   = "application/rss+xml,application/atom+xml,application/feed+json,application/json;q=0.9,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
	pageAccept   = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
)

// feedFetchers are the guarded fetchers of the feed, of item pages and of
// photos: the same address rules, each with its own size cap and Accept.
type feedFetchers struct {
	feed, pages, photos *fetch.Fetcher
}

func newFeedFetchers(base fetch.Config) feedFetchers {
	fc, pc, ph := base, base, base
	fc.MaxBytes, fc.Accept = maxFeedBytes, feedAccept
	pc.MaxBytes, pc.Accept = maxPageBytes, pageAccept
	ph.MaxBytes = photo.DefaultMaxBytes
	return feedFetchers{feed: fetch.New(fc), pages: fetch.New(pc), photos: fetch.New(ph)}
}

func (ff feedFetchers) close() {
	ff.feed.CloseIdleConnections()
	ff.pages.CloseIdleConnections()
	ff.photos.CloseIdleConnections()
}

// parseCIDRs reads a comma-separated list of networks.
func parseCIDRs(flagName, list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, usageError{fmt.Sprintf("%s: %q is not a CIDR such as 10.1.2.0/24", flagName, s)}
		}
		out = append(out, p)
	}
	return out, nil
}

// cmdRenderFeed is render --feed.
func cmdRenderFeed(ctx context.Context, f renderFlags, format preset.Format, stdout, stderr io.Writer) error {
	allow, err := parseCIDRs("--allow-nets", f.allowNets)
	if err != nil {
		return err
	}
	return renderFeed(ctx, f, format, fetch.Config{Allow: allow, AllowHint: "--allow-nets"}, stdout, stderr)
}

// renderFeed renders every item of the feed f.feed, downloading the feed,
// pages and photos through fetchers made from base (tests give it a
// resolver and dialer of their own).
func renderFeed(ctx context.Context, f renderFlags, format preset.Format, base fetch.Config, stdout, stderr io.Writer) error {
	if base.AllowHint == "" {
		base.AllowHint = "--allow-nets"
	}
	ff := newFeedFetchers(base)
	defer ff.close()
	data, err := readFeed(ctx, ff.feed, f.feed)
	if err != nil {
		return err
	}
	fd, err := feed.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", f.feed, err)
	}
	for _, w := range fd.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", f.feed, w)
	}
	if len(fd.Items) == 0 {
		return fmt.Errorf("%s: the %s feed has no items", f.feed, fd.Format)
	}
	eng, lays, err := startRun(f, stderr)
	if err != nil {
		return err
	}

	var (
		mu              sync.Mutex
		failed, skipped int
		slugs           publish.Slugs
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, runtime.GOMAXPROCS(0)/2))
	for i := range fd.Items {
		it := &fd.Items[i]
		name := f.feed + " " + it.Pos
		g.Go(func() error {
			res, warnings, err := renderFeedItem(gctx, eng, lays, ff, it, name, f, format, &slugs)
			mu.Lock()
			defer mu.Unlock()
			for _, w := range warnings {
				fmt.Fprintf(stderr, "%s: warning: %s\n", name, w)
			}
			switch {
			case errors.Is(err, feed.ErrNoHeadline):
				skipped++
				fmt.Fprintf(stderr, "%s: warning: skipped: %s\n", name, strings.TrimPrefix(err.Error(), it.Pos+": "))
			case err != nil:
				failed++
				fmt.Fprintf(stderr, "%s: %s\n", name, strings.TrimPrefix(err.Error(), it.Pos+": "))
			default:
				fmt.Fprintf(stdout, "%s -> %s (%d images)\n", name, res.dir, res.images)
				if res.sheet != "" {
					fmt.Fprintf(stdout, "%s -> %s\n", name, res.sheet)
				}
			}
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "sharecard: %d of %d feed items failed\n", failed, len(fd.Items))
		return errReported
	}
	if skipped == len(fd.Items) {
		return fmt.Errorf("%s: no item has a title to use as the headline; nothing rendered", f.feed)
	}
	return nil
}

// readFeed reads src: an http(s) URL through the guarded fetcher, else a
// file, capped at maxFeedBytes either way.
func readFeed(ctx context.Context, g *fetch.Fetcher, src string) ([]byte, error) {
	if u, err := url.Parse(src); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		data, err := g.Get(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		return data, nil
	}
	if scheme, _, ok := strings.Cut(src, "://"); ok && !strings.ContainsAny(scheme, `/\.`) {
		return nil, fmt.Errorf("feed %s: only http and https URLs (or a file) can be read", src)
	}
	file, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("feed %w", unwrapPath(err))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxFeedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", src, err)
	}
	if len(data) > maxFeedBytes {
		return nil, fmt.Errorf("feed %s is larger than %d MB; is it a feed?", src, maxFeedBytes>>20)
	}
	return data, nil
}

// renderFeedItem maps one item to an article, downloads its photo and
// renders it as renderArticle renders an article file.
func renderFeedItem(ctx context.Context, eng *render.Engine, lays map[string]*layout.Layout, ff feedFetchers, it *feed.Item, name string, f renderFlags, format preset.Format, slugs *publish.Slugs) (*articleResult, []string, error) {
	warnings := append([]string(nil), it.Warnings...)
	if it.Title == "" {
		_, err := it.Article("")
		return nil, warnings, err
	}
	photoURL := it.Photo()
	if photoURL == "" && f.feedOG && it.Link != "" {
		og, err := feed.OGImage(ctx, ff.pages, it.Link)
		switch {
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("no photo: %v", err))
		case og == "":
			warnings = append(warnings, fmt.Sprintf("no photo: the page %s has no og:image", it.Link))
		}
		photoURL = og
	}
	a, err := it.Article(photoURL)
	if err != nil {
		return nil, warnings, err
	}
	var ph []byte
	if a.Photo != "" {
		if ph, err = ff.photos.Get(ctx, a.Photo); err != nil {
			return nil, warnings, fmt.Errorf("photo: %w", err)
		}
	}
	res, err := renderMapped(ctx, eng, lays, a, ph, name, f, format, slugs)
	if err != nil {
		return nil, warnings, err
	}
	return res, append(warnings, res.warnings...), nil
}

// renderMapped renders an article that is already loaded, with its photo,
// into f.out/<slug>/ (name, the article's file or feed item, settles slug
// clashes): renderArticle and the feed path both end here.
func renderMapped(ctx context.Context, eng *render.Engine, lays map[string]*layout.Layout, a *article.Article, ph []byte, name string, f renderFlags, format preset.Format, slugs *publish.Slugs) (*articleResult, error) {
	lname := cmp.Or(f.layout, a.Layout, "standard")
	lay, ok := lays[lname]
	if !ok {
		return nil, fmt.Errorf("unknown layout %q (available: %s)", lname, strings.Join(layout.Names(lays), ", "))
	}
	presets, err := preset.Select(f.presets, lay.Presets)
	if err != nil {
		return nil, err
	}
	res, err := eng.Render(ctx, render.Job{Article: a, Photo: ph, Layout: lay, Presets: presets, Format: format, AllowMissingGlyphs: f.allowTofu})
	if err != nil {
		if a.Photo != "" && !errors.Is(err, context.Canceled) && !errors.Is(err, render.ErrMissingGlyphs) {
			return nil, fmt.Errorf("photo %s: %w", a.Photo, err)
		}
		return nil, err
	}
	folder := slugs.Claim(a.Slug(), name)
	dir := filepath.Join(f.out, folder)
	base := ""
	if f.baseURL != "" {
		base = strings.TrimSuffix(f.baseURL, "/") + "/" + url.PathEscape(folder) + "/"
	}
	files := publish.Files(a, lay.Name, res, base)
	ar := &articleResult{dir: dir, images: len(res.Outputs), timings: res.Timings, warnings: publish.GroupWarnings(res.Outputs)}
	if f.sheet {
		png, err := publish.ArticleContactSheet(a, lay.Name, res.Outputs, eng.Fonts)
		if err != nil {
			return nil, err
		}
		files[contactSheetName] = png
		ar.sheet = filepath.Join(dir, contactSheetName)
	}
	if err := publish.WriteDir(dir, files); err != nil {
		return nil, err
	}
	return ar, nil
}

package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"
)

// coalescer runs one render for identical concurrent misses: when a story
// is shared, the crawlers of X, Facebook, LinkedIn, Slack and iMessage ask
// for the same new card at once, and one render serves them all.
type coalescer struct{ g singleflight.Group }

// do runs fn once for all concurrent callers with the same key and gives
// each its result. fn runs in its own goroutine under a context that no
// single caller's cancellation ends (the others still want the result),
// bounded by timeout; a caller whose own context ends stops waiting.
func (c *coalescer) do(ctx context.Context, timeout time.Duration, key string, fn func(context.Context) (any, error)) (any, error) {
	ch := c.g.DoChan(key, func() (v any, err error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		defer func() {
			// A panic here would end the process: this goroutine is not
			// a handler's, which net/http would recover.
			if p := recover(); p != nil {
				v, err = nil, fmt.Errorf("render panicked: %v", p)
			}
		}()
		return fn(fctx)
	})
	select {
	case res := <-ch:
		return res.Val, res.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// setTags labels an answer for CDN purges: Surrogate-Key (Fastly, space-
// separated) and Cache-Tag (Cloudflare, comma-separated) carry the same
// tags, such as an image key and "layout-standard".
func setTags(w http.ResponseWriter, tags ...string) {
	clean := tags[:0:0]
	for _, t := range tags {
		if t = tagText(t); t != "" {
			clean = append(clean, t)
		}
	}
	if len(clean) == 0 {
		return
	}
	w.Header().Set("Surrogate-Key", strings.Join(clean, " "))
	w.Header().Set("Cache-Tag", strings.Join(clean, ","))
}

// tagText keeps the characters both CDNs take in a tag: lower-case
// letters, digits, '-', '_' and '.'.
func tagText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return -1
	}, s)
}

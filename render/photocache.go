package render

import (
	"container/list"
	"context"
	"crypto/sha256"
	"image"
	"sync"

	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
)

// PhotoCache keeps prepared photos ([photo.Prepared]: decoded, shrunk,
// their pyramid built and their subjects found) by the photo's content
// and the working size the presets ask for, so that the second card of
// the same photo skips decoding and the subject search entirely. It is
// bounded in bytes (each photo counted by [photo.Prepared.Bytes], the
// resized regions it keeps included), dropping the least recently used;
// a photo larger than the whole bound is prepared and used but not kept.
// Concurrent asks for the same photo wait for one preparation.
//
// The cards are the same, byte for byte, with or without the cache: the
// key holds everything preparing depends on (see [WorkingSize]), and a
// cached photo always has its subjects, which an article's focus point
// then overrides exactly as when they were never searched for.
//
// Set it as [Engine.Photos]; it is safe for concurrent use.
type PhotoCache struct {
	maxBytes int64

	mu      sync.Mutex
	entries map[photoKey]*list.Element // of *cachedPhoto
	lru     list.List                  // most recently used first
	bytes   int64
	stats   PhotoCacheStats
}

// photoKey is a photo's content and the working size it is prepared for.
type photoKey struct {
	sum  [sha256.Size]byte
	size image.Point
}

// cachedPhoto is an entry: ready is closed when prep or err is set.
type cachedPhoto struct {
	key   photoKey
	ready chan struct{}
	prep  *photo.Prepared
	err   error
	bytes int64
}

// PhotoCacheStats counts what a [PhotoCache] did since it was made.
type PhotoCacheStats struct {
	// Hits are asks answered with a photo prepared before (or being
	// prepared by another ask); Misses are asks that prepared it.
	Hits, Misses int64
	// Evictions are photos dropped to keep within the bound.
	Evictions int64
	// Photos and Bytes are what the cache holds now; MaxBytes its bound.
	Photos          int
	Bytes, MaxBytes int64
}

// NewPhotoCache returns a cache of prepared photos that holds at most
// maxBytes (see [photo.Prepared.Bytes]).
func NewPhotoCache(maxBytes int64) *PhotoCache {
	return &PhotoCache{maxBytes: maxBytes, entries: map[photoKey]*list.Element{}}
}

// Stats returns the counters and the current size.
func (c *PhotoCache) Stats() PhotoCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Photos, s.Bytes, s.MaxBytes = c.lru.Len(), c.bytes, c.maxBytes
	return s
}

// keepBytes bounds the resized regions one cached photo keeps: an eighth
// of the cache, at most 32 MB (a 1200×630 crop is 3 MB).
func (c *PhotoCache) keepBytes() int64 {
	return max(1<<20, min(32<<20, c.maxBytes/8))
}

// get returns the prepared photo of data for presets, from the cache
// (hit set) or made with prepare (and then kept, within the bound).
func (c *PhotoCache) get(ctx context.Context, data []byte, presets []preset.Preset, prepare func(keepBytes int64) (*photo.Prepared, error)) (prep *photo.Prepared, hit bool, err error) {
	key := photoKey{sum: sha256.Sum256(data), size: WorkingSize(presets)}
	for {
		c.mu.Lock()
		if el, ok := c.entries[key]; ok {
			e := el.Value.(*cachedPhoto)
			c.lru.MoveToFront(el)
			c.stats.Hits++
			c.mu.Unlock()
			select {
			case <-e.ready:
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
			if e.err == nil {
				return e.prep, true, nil
			}
			// The one preparing it failed (its error was its own, such
			// as its context ending, and the entry is gone): try again.
			c.mu.Lock()
			c.stats.Hits--
			c.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
			continue
		}
		e := &cachedPhoto{key: key, ready: make(chan struct{})}
		el := c.lru.PushFront(e)
		c.entries[key] = el
		c.stats.Misses++
		c.mu.Unlock()

		e.prep, e.err = prepare(c.keepBytes())
		c.mu.Lock()
		if e.err != nil {
			c.remove(el)
		} else {
			e.bytes = e.prep.Bytes()
			c.bytes += e.bytes
			if e.bytes > c.maxBytes {
				c.remove(el) // used by this ask (and those waiting), never kept
			}
			c.evict()
		}
		c.mu.Unlock()
		close(e.ready)
		return e.prep, false, e.err
	}
}

// remove drops an entry; c.mu is held.
func (c *PhotoCache) remove(el *list.Element) {
	e := el.Value.(*cachedPhoto)
	if cur, ok := c.entries[e.key]; ok && cur == el {
		delete(c.entries, e.key)
	}
	c.lru.Remove(el)
	c.bytes -= e.bytes
}

// evict drops the least recently used photos that are ready until the
// cache is within its bound; c.mu is held.
func (c *PhotoCache) evict() {
	for el := c.lru.Back(); el != nil && c.bytes > c.maxBytes; {
		prev := el.Prev()
		if el.Value.(*cachedPhoto).bytes > 0 {
			c.remove(el)
			c.stats.Evictions++
		}
		el = prev
	}
}

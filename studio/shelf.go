package studio

import (
	"context"
	"crypto/sha256"
	"slices"
	"sync"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/preset"
)

// keepPhotos is how many samples' photos stay prepared, each with up to
// keepPrepared prepared versions: the one shown and the one before, so
// switching back and forth does not prepare again.
const keepPhotos = 2

// photoShelf holds the prepared photos of the samples shown last, by the
// photo's content (two samples may share a photo). It is safe for
// concurrent use.
type photoShelf struct {
	ctx    context.Context
	engine *render.Engine
	logf   func(format string, args ...any)
	// presets are every preset the studio may show: a photo is first
	// prepared for them, at the largest working size any render needs.
	presets []preset.Preset

	mu      sync.Mutex
	entries []shelfEntry // most recently used last
}

type shelfEntry struct {
	sum   [sha256.Size]byte
	cache *photoCache
}

// get returns the photo cache of an encoded photo, preparing it on first
// use; nil for no photo.
func (s *photoShelf) get(data []byte) (*photoCache, error) {
	if data == nil {
		return nil, nil
	}
	sum := sha256.Sum256(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.entries {
		if e.sum == sum {
			s.entries = append(append(s.entries[:i:i], s.entries[i+1:]...), e)
			return e.cache, nil
		}
	}
	c, err := newPhotoCache(s.ctx, data, s.engine, s.presets, s.logf)
	if err != nil {
		return nil, err
	}
	if len(s.entries) == keepPhotos {
		s.entries = slices.Delete(s.entries, 0, 1)
	}
	s.entries = append(s.entries, shelfEntry{sum: sum, cache: c})
	return c, nil
}

package studio

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"
	"sync"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/encode"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
)

// photoCache holds the sample photo ready for previews. The engine would
// decode the photo and look for faces in it at every render, and a
// camera's 16-megapixel JPEG takes half a second to decode, so the photo
// is prepared once for each set of presets (the working size depends on
// the largest preset) and every generation renders from that: the images
// are the very ones rendering the photo's bytes with those presets gives.
// It is safe for concurrent use.
type photoCache struct {
	original []byte
	engine   *render.Engine
	ctx      context.Context // ends preparations when the studio stops
	logf     func(format string, args ...any)
	thumb    []byte // small JPEG for the focus picker

	mu       sync.Mutex // held while preparing: a second caller waits for the first
	prepared []preparedEntry
}

// preparedEntry is the photo prepared for presets of one
// [render.WorkingSize].
type preparedEntry struct {
	key  image.Point
	prep *photo.Prepared
}

// keepPrepared is how many prepared photos are kept: the standard set and
// all presets, and one more for a layout with presets of its own. Each
// holds the decoded photo and up to 256 MB of resized crops.
const keepPrepared = 3

// thumbLong is the longer side of the photo shown in the page, in pixels.
const thumbLong = 480

// newPhotoCache prepares the photo for presets (every preset the studio
// may show, so its working size is the largest any render needs), which
// checks it, and makes the page's thumbnail from that prepared photo.
func newPhotoCache(ctx context.Context, data []byte, eng *render.Engine, presets []preset.Preset, logf func(string, ...any)) (*photoCache, error) {
	c := &photoCache{original: data, engine: eng, ctx: ctx, logf: logf}
	prep, err := c.forPresets(presets)
	if err != nil {
		return nil, err
	}
	if c.thumb, err = thumbnail(prep); err != nil {
		return nil, fmt.Errorf("make the photo's thumbnail: %w", err)
	}
	return c, nil
}

// thumbnail encodes the prepared photo at thumbLong pixels on its longer
// side (as the photo was sent, at most its own size), resampled from the
// nearest level of its pyramid.
func thumbnail(prep *photo.Prepared) ([]byte, error) {
	size := prep.Source
	s := min(float64(thumbLong)/float64(max(size.X, size.Y)), 1)
	dst := image.Pt(max(1, int(math.Ceil(float64(size.X)*s))), max(1, int(math.Ceil(float64(size.Y)*s))))
	pyr := prep.Pyramid
	f := preset.FormatJPEG
	if !pyr.Opaque() {
		f = preset.FormatPNG
	}
	enc, err := encode.Encode(pyr.Scaled(pyr.Bounds(), dst), f, encode.Options{Quality: 95})
	if err != nil {
		return nil, err
	}
	return enc.Data, nil
}

// forPresets returns the photo prepared for rendering presets, preparing
// it on first use. Preparing is not cut short when one generation is
// superseded: the next one needs the same photo.
func (c *photoCache) forPresets(presets []preset.Preset) (*photo.Prepared, error) {
	key := render.WorkingSize(presets)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.prepared {
		if e.key == key {
			// Most recently used last.
			c.prepared = append(append(c.prepared[:i:i], c.prepared[i+1:]...), e)
			return e.prep, nil
		}
	}
	prep, err := c.engine.Prepare(c.ctx, c.original, presets)
	if err != nil {
		return nil, fmt.Errorf("prepare the photo: %w", err)
	}
	if c.logf != nil {
		c.logf("studio: photo prepared for %d presets (decode %v, resample %v, detect %v)", len(presets), ms(prep.Decode), ms(prep.Resample), ms(prep.Detect))
	}
	if len(c.prepared) == keepPrepared {
		c.prepared = slices.Delete(c.prepared, 0, 1)
	}
	c.prepared = append(c.prepared, preparedEntry{key: key, prep: prep})
	return prep, nil
}

package studio

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"sync"

	"sharecard/render"
)

// photoCache holds the sample photo ready for previews: the engine decodes
// the photo it is given at every render, and a camera's 16-megapixel JPEG
// takes half a second to decode, so each set of presets gets a copy scaled
// down once to the largest size those presets need. It is safe for
// concurrent use.
type photoCache struct {
	original []byte
	limits   render.Limits
	size     image.Point // upright size of the original

	mu     sync.Mutex
	scaled map[image.Point][]byte // encoded copies by size
	thumb  []byte                 // small JPEG for the focus picker
}

// thumbLong is the longer side of the photo shown in the page, in pixels.
const thumbLong = 480

// newPhotoCache decodes the photo once to learn its size and make the
// page's thumbnail.
func newPhotoCache(data []byte, lim render.Limits) (*photoCache, error) {
	ph, err := render.DecodePhoto(bytes.NewReader(data), lim)
	if err != nil {
		return nil, err
	}
	c := &photoCache{original: data, limits: lim, size: ph.Image.Bounds().Size(), scaled: map[image.Point][]byte{}}
	pyr := render.NewPyramid(ph.Image)
	s := float64(thumbLong) / float64(max(c.size.X, c.size.Y))
	c.thumb, err = encodeScaled(pyr, c.size, min(s, 1))
	if err != nil {
		return nil, err
	}
	return c, nil
}

// forPresets returns the photo encoded at the smallest size that still
// serves every preset at full resolution (the original when they need it
// all).
func (c *photoCache) forPresets(presets []render.Preset) ([]byte, error) {
	need := 0.0
	for _, p := range presets {
		need = math.Max(need, math.Max(float64(p.Width)/float64(c.size.X), float64(p.Height)/float64(c.size.Y)))
	}
	if need >= 0.9 {
		return c.original, nil
	}
	// A little margin keeps the engine's own resampling in charge of the
	// final size.
	need = min(need*1.05, 1)
	size := image.Pt(max(1, int(math.Ceil(float64(c.size.X)*need))), max(1, int(math.Ceil(float64(c.size.Y)*need))))
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.scaled[size]; ok {
		return b, nil
	}
	ph, err := render.DecodePhoto(bytes.NewReader(c.original), c.limits)
	if err != nil {
		return nil, err
	}
	b, err := encodeScaled(render.NewPyramid(ph.Image), c.size, need)
	if err != nil {
		return nil, err
	}
	c.scaled[size] = b
	return b, nil
}

// encodeScaled encodes the photo scaled by s as a high-quality JPEG (or a
// PNG when it has transparency).
func encodeScaled(pyr *render.Pyramid, size image.Point, s float64) ([]byte, error) {
	dst := image.Pt(max(1, int(math.Ceil(float64(size.X)*s))), max(1, int(math.Ceil(float64(size.Y)*s))))
	img := pyr.Scaled(pyr.Bounds(), dst)
	f := render.FormatJPEG
	if !pyr.Opaque() {
		f = render.FormatPNG
	}
	enc, err := render.Encode(img, f, render.EncodeOptions{Quality: 95})
	if err != nil {
		return nil, fmt.Errorf("prepare the photo: %w", err)
	}
	return enc.Data, nil
}

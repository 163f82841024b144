package photo

import (
	"image"
	"math"
	"sync"
)

// Pyramid is a photo kept at several resolutions, each half the size of the
// one before, so every preset resamples from a level close to its own size:
// a 150×150 thumbnail does not filter a 4K photo. It is built once per job,
// is read-only afterwards and is safe for concurrent use.
type Pyramid struct {
	levels []*image.NRGBA // levels[0] is the full working photo
	opaque bool           // no pixel has alpha below 255

	mu     sync.Mutex
	scaled map[scaleKey]*scaledPhoto // photo regions resized, by region and size
	// keepAll keeps every region resized, not only the whole photo: a
	// prepared photo renders the same crops again and again.
	keepAll bool
	keepMax int    // the bound on kept, see maxKeptBytes
	kept    int    // bytes of pixels in scaled
	tick    uint64 // counts uses, for the least recently used
}

// scaleKey is a region of the full level resized to a size.
type scaleKey struct {
	src  image.Rectangle
	size image.Point
}

// The pixels a pyramid keeps resampled are bounded: past the bound, the
// least recently used are dropped (and made again, identically, if asked
// for again). Images already handed out stay valid: they are only no
// longer shared with later callers. A prepared photo (keepAll) keeps the
// crops it draws, since it renders the same crops again and again; other
// pyramids keep only what [Pyramid.Scaled] returns (small backdrops and
// previews), and draw their crops straight into the canvas.
const (
	maxKeptBytes    = 64 << 20
	maxKeptAllBytes = 256 << 20
)

// scaledPhoto is a region of the photo resized to one size, made once and
// shared by every preset that draws it at that scale.
type scaledPhoto struct {
	once  sync.Once
	img   *image.RGBA
	bytes int
	used  uint64 // the pyramid's tick at the last use
}

// minLevelSide is the shortest side below which no smaller level is made.
const minLevelSide = 96

// NewPyramid builds the levels of img (which it keeps, not copies).
func NewPyramid(img *image.NRGBA) *Pyramid { return newPyramid(img, img.Opaque()) }

// newPyramid is NewPyramid for an img known to be opaque, or not.
func newPyramid(img *image.NRGBA, opaque bool) *Pyramid {
	p := &Pyramid{levels: []*image.NRGBA{img}, scaled: map[scaleKey]*scaledPhoto{}, opaque: opaque, keepMax: maxKeptBytes}
	for {
		last := p.levels[len(p.levels)-1]
		w, h := last.Bounds().Dx()/2, last.Bounds().Dy()/2
		if min(w, h) < minLevelSide {
			return p
		}
		p.levels = append(p.levels, halve(last, p.opaque))
	}
}

// Bounds returns the bounds of the full-resolution level.
func (p *Pyramid) Bounds() image.Rectangle { return p.levels[0].Bounds() }

// Image returns the full-resolution level.
func (p *Pyramid) Image() *image.NRGBA { return p.levels[0] }

// Scaled returns the region src of the full-resolution photo resampled to
// size (see [Pyramid.Draw] for how). The result may be shared with later
// callers: do not modify it.
func (p *Pyramid) Scaled(src image.Rectangle, size image.Point) *image.NRGBA {
	if src.Empty() || size.X <= 0 || size.Y <= 0 {
		return image.NewNRGBA(image.Rectangle{Max: size})
	}
	img := p.once(src, size)
	if p.opaque {
		// Opaque premultiplied pixels are their straight values.
		return &image.NRGBA{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
	}
	out := image.NewNRGBA(img.Rect)
	for i := 0; i < len(img.Pix); i += 4 {
		a := uint32(img.Pix[i+3])
		if a == 0 {
			continue
		}
		for c := range 3 {
			out.Pix[i+c] = uint8(min(255, (uint32(img.Pix[i+c])*255+a/2)/a))
		}
		out.Pix[i+3] = uint8(a)
	}
	return out
}

// Draw paints the region src of the full-resolution photo, resampled to
// fill r, over dst. It reads the smallest level still at least as large
// as r, with a Catmull-Rom filter that also reads the photo just outside
// src, as a crop of the whole photo shows it. An opaque photo replaces
// what was under it. The pixels are the same whether or not the pyramid
// keeps the resampled region (keepAll): a kept one is copied, else the
// rows are resampled straight into dst, with no image of the whole result
// in between.
func (p *Pyramid) Draw(dst *image.RGBA, r image.Rectangle, src image.Rectangle) {
	clip := r.Intersect(dst.Bounds())
	if clip.Empty() || src.Empty() {
		return
	}
	emit := func(y int, row []uint8) {
		if y+r.Min.Y < clip.Min.Y || y+r.Min.Y >= clip.Max.Y {
			return
		}
		row = row[(clip.Min.X-r.Min.X)*4 : (clip.Max.X-r.Min.X)*4]
		at := dst.Pix[dst.PixOffset(clip.Min.X, r.Min.Y+y):]
		if p.opaque {
			copy(at, row) // every resampled pixel of an opaque photo is opaque
			return
		}
		over(at, row)
	}
	if p.keepAll {
		img := p.once(src, r.Size())
		for y := range r.Dy() {
			emit(y, img.Pix[y*img.Stride:y*img.Stride+r.Dx()*4])
		}
		return
	}
	p.scale(src, r.Size(), emit)
}

// once returns region src resampled to size, premultiplied, computing it
// only once until it is evicted (see maxKeptBytes).
func (p *Pyramid) once(src image.Rectangle, size image.Point) *image.RGBA {
	k := scaleKey{src, size}
	p.mu.Lock()
	p.tick++
	e, ok := p.scaled[k]
	if !ok {
		e = &scaledPhoto{bytes: size.X * size.Y * 4}
		p.evict(e.bytes)
		p.scaled[k] = e
		p.kept += e.bytes
	}
	e.used = p.tick
	p.mu.Unlock()
	e.once.Do(func() {
		img := image.NewRGBA(image.Rectangle{Max: size})
		p.scale(src, size, func(y int, row []uint8) {
			copy(img.Pix[y*img.Stride:], row)
		})
		e.img = img
	})
	return e.img
}

// evict drops the least recently used resampled regions until n more
// bytes fit the bound. p.mu is held.
func (p *Pyramid) evict(n int) {
	for p.kept+n > p.keepMax && len(p.scaled) > 0 {
		var oldest scaleKey
		var at uint64 = math.MaxUint64
		for k, e := range p.scaled {
			if e.used < at {
				oldest, at = k, e.used
			}
		}
		p.kept -= p.scaled[oldest].bytes
		delete(p.scaled, oldest)
	}
}

// scale resamples region src of the full level to size from the smallest
// level at least that large, handing emit each row (see scaleRows).
func (p *Pyramid) scale(src image.Rectangle, size image.Point, emit func(y int, row []uint8)) {
	k := 0
	for k+1 < len(p.levels) && src.Dx()>>(k+1) >= size.X && src.Dy()>>(k+1) >= size.Y {
		k++
	}
	full, lvl := p.levels[0].Bounds(), p.levels[k]
	fx := float64(lvl.Bounds().Dx()) / float64(full.Dx())
	fy := float64(lvl.Bounds().Dy()) / float64(full.Dy())
	b := lvl.Bounds()
	region := [4]float64{
		float64(b.Min.X) + float64(src.Min.X-full.Min.X)*fx,
		float64(b.Min.Y) + float64(src.Min.Y-full.Min.Y)*fy,
		float64(b.Min.X) + float64(src.Max.X-full.Min.X)*fx,
		float64(b.Min.Y) + float64(src.Max.Y-full.Min.Y)*fy,
	}
	scaleRows(lvl, region, size.X, size.Y, p.opaque, emit)
}

// keep makes the pyramid keep every region it resizes (for a prepared
// photo that renders the same crops again), within maxBytes of pixels
// (0: maxKeptAllBytes).
func (p *Pyramid) keep(maxBytes int64) {
	p.keepAll = true
	p.keepMax = maxKeptAllBytes
	if maxBytes > 0 {
		p.keepMax = int(min(maxBytes, math.MaxInt32))
	}
}

// Bytes is the memory the pyramid can hold at most: its levels and the
// bound on the resized regions it keeps.
func (p *Pyramid) Bytes() int64 {
	var n int64
	for _, l := range p.levels {
		n += int64(len(l.Pix))
	}
	return n + int64(p.keepMax)
}

// Opaque reports whether every pixel of the photo is fully opaque.
func (p *Pyramid) Opaque() bool { return p.opaque }

// Level returns the smallest level whose longer side is at least minLong
// pixels (or the full level), and the factor that maps its coordinates to
// the full level's.
func (p *Pyramid) Level(minLong int) (*image.NRGBA, float64) {
	k := 0
	for k+1 < len(p.levels) && max(p.levels[k+1].Bounds().Dx(), p.levels[k+1].Bounds().Dy()) >= minLong {
		k++
	}
	return p.levels[k], float64(p.levels[0].Bounds().Dx()) / float64(p.levels[k].Bounds().Dx())
}

package photo

import (
	"image"
	"math"
	"sync"

	"github.com/disintegration/imaging"
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
	kept    int // bytes of pixels in scaled, counted when keepAll
}

// scaleKey is a region of the full level resized to a size.
type scaleKey struct {
	src  image.Rectangle
	size image.Point
}

// maxKeptBytes bounds the pixels a pyramid with keepAll holds: past it,
// the resized regions kept so far are dropped and made again when asked.
const maxKeptBytes = 256 << 20

// scaledPhoto is the whole photo resized to one size, made once and shared
// by every preset that draws the photo at that scale.
type scaledPhoto struct {
	once sync.Once
	img  *image.NRGBA
}

// minLevelSide is the shortest side below which no smaller level is made.
const minLevelSide = 96

// NewPyramid builds the levels of img (which it keeps, not copies).
func NewPyramid(img *image.NRGBA) *Pyramid {
	p := &Pyramid{levels: []*image.NRGBA{img}, scaled: map[scaleKey]*scaledPhoto{}, opaque: img.Opaque()}
	for {
		last := p.levels[len(p.levels)-1]
		w, h := last.Bounds().Dx()/2, last.Bounds().Dy()/2
		if min(w, h) < minLevelSide {
			return p
		}
		p.levels = append(p.levels, imaging.Resize(last, w, h, imaging.Box))
	}
}

// Bounds returns the bounds of the full-resolution level.
func (p *Pyramid) Bounds() image.Rectangle { return p.levels[0].Bounds() }

// Image returns the full-resolution level.
func (p *Pyramid) Image() *image.NRGBA { return p.levels[0] }

// Scaled returns the region src of the full-resolution photo resampled to
// size, read from the smallest level that is still at least as large. The
// result may share pixels with the pyramid: callers must not modify it. When
// src covers most of the photo, the whole photo is resized once per scale
// and shared, since many presets draw it at the same scale (every 1200-wide
// landscape card, every 1080 square); the result is the same either way.
func (p *Pyramid) Scaled(src image.Rectangle, size image.Point) *image.NRGBA {
	full := p.levels[0].Bounds()
	if src.Empty() || size.X <= 0 || size.Y <= 0 {
		return image.NewNRGBA(image.Rectangle{Max: size})
	}
	s := float64(size.X) / float64(src.Dx())
	sameScale := math.Abs(float64(size.Y)/float64(src.Dy())-s) < 0.002
	if sameScale && src.Dx()*src.Dy()*10 >= full.Dx()*full.Dy()*6 {
		fs := image.Pt(int(math.Round(float64(full.Dx())*s)), int(math.Round(float64(full.Dy())*s)))
		x0, y0 := int(math.Round(float64(src.Min.X-full.Min.X)*s)), int(math.Round(float64(src.Min.Y-full.Min.Y)*s))
		r := image.Rectangle{Min: image.Pt(x0, y0), Max: image.Pt(x0+size.X, y0+size.Y)}
		if r.In(image.Rectangle{Max: fs}) {
			whole := p.once(full, fs)
			return whole.SubImage(r.Add(whole.Bounds().Min)).(*image.NRGBA)
		}
	}
	if p.keepAll {
		return p.once(src, size)
	}
	return p.resize(src, size)
}

// once returns region src resized to size, computing it only once (until
// a pyramid with keepAll drops what it kept).
func (p *Pyramid) once(src image.Rectangle, size image.Point) *image.NRGBA {
	k := scaleKey{src, size}
	p.mu.Lock()
	e, ok := p.scaled[k]
	if !ok {
		if p.keepAll {
			n := size.X * size.Y * 4
			if p.kept+n > maxKeptBytes {
				// Images already handed out stay valid: they are only
				// no longer shared with later callers.
				p.scaled, p.kept = map[scaleKey]*scaledPhoto{}, 0
			}
			p.kept += n
		}
		e = &scaledPhoto{}
		p.scaled[k] = e
	}
	p.mu.Unlock()
	e.once.Do(func() { e.img = p.resize(src, size) })
	return e.img
}

// resize resamples region src of the full level to size from the best level.
func (p *Pyramid) resize(src image.Rectangle, size image.Point) *image.NRGBA {
	k := 0
	for k+1 < len(p.levels) && src.Dx()>>(k+1) >= size.X && src.Dy()>>(k+1) >= size.Y {
		k++
	}
	lvl := p.levels[k]
	r := image.Rect(src.Min.X>>k, src.Min.Y>>k, src.Max.X>>k, src.Max.Y>>k).Intersect(lvl.Bounds())
	if r.Empty() {
		return image.NewNRGBA(image.Rectangle{Max: size})
	}
	sub := lvl.SubImage(r).(*image.NRGBA)
	if r.Size() == size {
		return sub
	}
	return imaging.Resize(sub, size.X, size.Y, imaging.CatmullRom)
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

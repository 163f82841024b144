package paint

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/disintegration/imaging"
)

// LogoContrastTarget is the contrast a logo needs against what is behind
// it: WCAG 2's 3:1 for graphical objects (1.4.11). Logotypes are exempt
// from WCAG, but a logo that vanishes on a bright sky is no logo.
const LogoContrastTarget = 3.0

// logoPercentile is the share of the measured pixels of a logo that may
// read worse than the measured ratio (anti-aliased edges, a stray pixel).
const logoPercentile = 0.1

// scaleLogo returns logo resized to r's size, as drawImage draws it. A
// layout's picture is resized once per size and the result shared (see
// scaledLogos): callers must not modify it.
func scaleLogo(logo image.Image, r image.Rectangle) *image.NRGBA {
	switch logo.(type) {
	case *image.NRGBA, *image.RGBA, *image.Paletted, *image.NRGBA64, *image.RGBA64, *image.Gray:
	default: // possibly not comparable: no cache
		return resizeLogo(logo, r.Size())
	}
	return scaled.get(logo, r.Size())
}

func resizeLogo(logo image.Image, size image.Point) *image.NRGBA {
	return imaging.Resize(logo, size.X, size.Y, imaging.CatmullRom)
}

// scaledLogos keeps layouts' pictures resized to the sizes canvases draw
// them at: a set of cards draws the same logo at a handful of sizes, and
// ChooseLogo and drawImage both need it. Like inks, it relies on layouts
// never changing their pictures. It holds at most maxScaledBytes of
// pixels, and starts afresh when full.
type scaledLogos struct {
	mu    sync.Mutex
	m     map[scaledKey]*scaledLogo
	bytes int
}

type scaledKey struct {
	img  image.Image
	size image.Point
}

type scaledLogo struct {
	once sync.Once
	img  *image.NRGBA
}

const maxScaledBytes = 32 << 20

var scaled scaledLogos

func (c *scaledLogos) get(logo image.Image, size image.Point) *image.NRGBA {
	n := size.X * size.Y * 4
	if n > maxScaledBytes/4 {
		return resizeLogo(logo, size)
	}
	k := scaledKey{logo, size}
	c.mu.Lock()
	e, ok := c.m[k]
	if !ok {
		if c.m == nil || c.bytes+n > maxScaledBytes {
			c.m, c.bytes = map[scaledKey]*scaledLogo{}, 0
		}
		e = &scaledLogo{}
		c.m[k] = e
		c.bytes += n
	}
	c.mu.Unlock()
	e.once.Do(func() { e.img = resizeLogo(logo, size) })
	return e.img
}

// LogoContrast returns the contrast ratio of a logo drawn into r against
// bg, the canvas as it is before the logo. It is measured on the logo's
// main ink where it meets the background: the pixels the logo covers at
// least half with a pixel it covers less than half (or the edge of r)
// within two pixels across or down, whose colour is of the main ink. The
// main ink is the luminance with the most such outline pixels at the
// logo's own size: the wordmark, whose letters have more outline than an
// emblem, so a white wordmark on a bright sky fails even beside a red
// emblem that stands out, and a red emblem on a navy bar does not fail a
// white wordmark. Of the ratios of the ink's colour to the canvas's under
// it, the 10th percentile from the worst is returned; 21 when the logo
// covers nothing in r (nothing to read).
func LogoContrast(bg image.Image, r image.Rectangle, logo image.Image) float64 {
	r = r.Intersect(bg.Bounds())
	if logo == nil || r.Empty() {
		return 21
	}
	return logoContrastScaled(bg, r, scaleLogo(logo, r), mainInk(logo))
}

// outline calls f for every outline pixel of img (see LogoContrast), in
// img's coordinates.
func outline(img *image.NRGBA, f func(x, y int, c color.NRGBA)) {
	b := img.Bounds()
	opaque := func(x, y int) bool {
		return image.Pt(x, y).In(b) && img.Pix[img.PixOffset(x, y)+3] >= 128
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !opaque(x, y) {
				continue
			}
			edge := false
			for d := 1; d <= 2 && !edge; d++ {
				edge = !opaque(x-d, y) || !opaque(x+d, y) || !opaque(x, y-d) || !opaque(x, y+d)
			}
			if edge {
				f(x, y, img.NRGBAAt(x, y))
			}
		}
	}
}

// inkBins is how many luminance bins mainInk sorts outline pixels into,
// evenly spaced in contrast (log(L+0.05)), so one bin spans a ratio of
// about 1.2.
const inkBins = 16

func inkBin(l float64) int {
	t := math.Log((l+0.05)/0.05) / math.Log(21)
	return min(inkBins-1, max(0, int(t*inkBins)))
}

// mainInk returns the relative luminance of the logo's main ink: the
// luminance bin with the most outline pixels at the logo's own size (at
// most 1024 px wide, sampled down when larger), as its mean.
func mainInk(logo image.Image) float64 {
	switch logo.(type) {
	case *image.NRGBA, *image.RGBA, *image.Paletted, *image.NRGBA64, *image.RGBA64, *image.Gray:
	default: // possibly not comparable: no cache
		return measureInk(logo)
	}
	if v, ok := inks.Load(logo); ok {
		return v.(float64)
	}
	ink := measureInk(logo)
	if inks.Count() < 256 { // layouts' pictures: a handful per process
		inks.Store(logo, ink)
	}
	return ink
}

// inks caches mainInk by picture: layouts keep their pictures for the life
// of the process and never change them.
var inks counted

// counted is a sync.Map that knows its size.
type counted struct {
	m sync.Map
	n atomic.Int64
}

func (c *counted) Load(k image.Image) (any, bool) { return c.m.Load(k) }
func (c *counted) Count() int64                   { return c.n.Load() }
func (c *counted) Store(k image.Image, v float64) {
	if _, loaded := c.m.LoadOrStore(k, v); !loaded {
		c.n.Add(1)
	}
}

func measureInk(logo image.Image) float64 {
	b := logo.Bounds()
	var img *image.NRGBA
	if b.Dx() > 1024 {
		img = imaging.Resize(logo, 1024, 0, imaging.Linear)
	} else {
		img = imaging.Clone(logo)
	}
	var count [inkBins]int
	var sum [inkBins]float64
	outline(img, func(_, _ int, c color.NRGBA) {
		l := Luminance(c)
		i := inkBin(l)
		count[i]++
		sum[i] += l
	})
	best := -1
	for i := range count {
		if count[i] > 0 && (best < 0 || count[i] > count[best]) {
			best = i
		}
	}
	if best < 0 {
		return 1
	}
	return sum[best] / float64(count[best])
}

// logoContrastScaled measures sc, the logo drawn into r, whose main ink
// has luminance ink: outline pixels within a ratio of 1.5 of the ink
// (all outline pixels when none is).
func logoContrastScaled(bg image.Image, r image.Rectangle, sc *image.NRGBA, ink float64) float64 {
	var ratios, others []float64
	at := nrgbaAt(bg)
	outline(sc, func(x, y int, c color.NRGBA) {
		b := at(r.Min.X+x, r.Min.Y+y)
		l := Luminance(c)
		ratio := ContrastRatio(l, Luminance(b))
		if ContrastRatio(l, ink) <= 1.5 {
			ratios = append(ratios, ratio)
		} else {
			others = append(others, ratio)
		}
	})
	if len(ratios) == 0 {
		ratios = others
	}
	if len(ratios) == 0 {
		return 21
	}
	sort.Float64s(ratios)
	return ratios[int(float64(len(ratios))*logoPercentile)]
}

// nrgbaAt returns a function giving the straight colour of img at a
// point, reading an opaque *image.RGBA (the canvas) or a uniform colour
// without the interface calls and conversions of At.
func nrgbaAt(img image.Image) func(x, y int) color.NRGBA {
	switch m := img.(type) {
	case *image.Uniform:
		c := color.NRGBAModel.Convert(m.C).(color.NRGBA)
		return func(int, int) color.NRGBA { return c }
	case *image.RGBA:
		return func(x, y int) color.NRGBA {
			if !image.Pt(x, y).In(m.Rect) {
				return color.NRGBA{}
			}
			i := m.PixOffset(x, y)
			px := m.Pix[i : i+4 : i+4]
			if px[3] != 255 {
				return color.NRGBAModel.Convert(m.RGBAAt(x, y)).(color.NRGBA)
			}
			return color.NRGBA{px[0], px[1], px[2], 255}
		}
	}
	return func(x, y int) color.NRGBA { return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA) }
}

// LogoChoice is how a logo with `contrast: auto` is drawn, decided on the
// pixels behind it.
type LogoChoice struct {
	// Alt is set when the alternative logo (the one for light
	// backgrounds) is drawn instead of the main one.
	Alt bool
	// Plate, when not empty, is the rounded plate drawn behind the logo in
	// PlateColor; Scrim says it is a feathered scrim instead (no plate
	// colour was given and no logo reached the target on the photo).
	Plate      image.Rectangle
	PlateColor color.NRGBA
	Scrim      bool
	// Ratio is the contrast of the drawn logo against what is behind it,
	// the plate or scrim included.
	Ratio float64
}

// ChooseLogo decides how to draw logo into r over bg (the canvas before
// the logo) so it reaches [LogoContrastTarget]: the logo as it is when it
// does; else alt (the logo for light backgrounds, drawn into altR; may be
// nil) when that does; else a plate of plate's colour (when plate.A > 0)
// under whichever logo reads better on it; else a dark (or, for a dark
// logo, light) scrim feathered at its edges, as strong as needed under the
// main logo. The plate and scrim reach pad = 20% of the logo's height
// beyond it, clipped to bg.
func ChooseLogo(bg *image.RGBA, r image.Rectangle, logo image.Image, altR image.Rectangle, alt image.Image, plate color.NRGBA) LogoChoice {
	r = r.Intersect(bg.Bounds())
	altR = altR.Intersect(bg.Bounds())
	if logo == nil || r.Empty() {
		return LogoChoice{Ratio: 21}
	}
	main, mainK := scaleLogo(logo, r), mainInk(logo)
	best := LogoChoice{Ratio: logoContrastScaled(bg, r, main, mainK)}
	if best.Ratio >= LogoContrastTarget {
		return best
	}
	var second *image.NRGBA
	var secondK float64
	if alt != nil && !altR.Empty() {
		second, secondK = scaleLogo(alt, altR), mainInk(alt)
		if ra := logoContrastScaled(bg, altR, second, secondK); ra > best.Ratio {
			best = LogoChoice{Alt: true, Ratio: ra}
			if ra >= LogoContrastTarget {
				return best
			}
		}
	}
	// The plate or scrim goes around the logo's ink, not the transparent
	// margins of its file.
	plateFor := func(r image.Rectangle, sc *image.NRGBA) image.Rectangle {
		if b := inkBounds(sc); !b.Empty() {
			r = b.Add(r.Min)
		}
		pad := max(2, int(math.Round(float64(r.Dy())*0.2)))
		return r.Inset(-pad).Intersect(bg.Bounds())
	}
	if plate.A > 0 {
		plate.A = 255
		on := image.NewUniform(plate)
		c := LogoChoice{Plate: plateFor(r, main), PlateColor: plate, Ratio: logoContrastScaled(on, r, main, mainK)}
		if second != nil {
			if ra := logoContrastScaled(on, altR, second, secondK); ra > c.Ratio {
				c.Alt, c.Ratio, c.Plate = true, ra, plateFor(altR, second)
			}
		}
		return c
	}
	// A scrim under the main logo: dark for a light logo, light for a dark.
	cover := color.NRGBA{0, 0, 0, 255}
	if mainK < 0.4 {
		cover = color.NRGBA{255, 255, 255, 255}
	}
	tmp := image.NewRGBA(r)
	ratioWith := func(a float64) float64 {
		cover.A = uint8(math.Ceil(a * 255))
		draw.Draw(tmp, r, bg, r.Min, draw.Src)
		draw.Draw(tmp, r, image.NewUniform(cover), image.Point{}, draw.Over)
		return logoContrastScaled(tmp, r, main, mainK)
	}
	lo, hi := 0.0, 0.92
	for range 10 {
		mid := (lo + hi) / 2
		if ratioWith(mid) >= LogoContrastTarget {
			hi = mid
		} else {
			lo = mid
		}
	}
	ratio := ratioWith(hi)
	cover.A = uint8(math.Ceil(hi * 255))
	return LogoChoice{Plate: plateFor(r, main), PlateColor: cover, Scrim: true, Ratio: ratio}
}

// inkBounds is the smallest rectangle holding every pixel of img with an
// alpha of at least 16, in img's coordinates; empty when there is none.
func inkBounds(img *image.NRGBA) image.Rectangle {
	b := img.Bounds()
	out := image.Rectangle{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.Pix[img.PixOffset(x, y)+3] >= 16 {
				out = out.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return out
}

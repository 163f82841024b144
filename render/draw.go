package render

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"

	"github.com/disintegration/imaging"
	"github.com/fogleman/gg"
)

// Draw paints a plan. photo holds the upright photo whose pixel coordinates
// the plan's crops refer to (nil when the article has no photo). It returns the
// opaque canvas and warnings about what it could not achieve (such as a
// contrast target). Draw reads only the plan and the photo.
func Draw(p *Plan, photo *Pyramid) (*image.NRGBA, []string) {
	return paint(p, photo, nil)
}

// paint is Draw with an optional pause before each text layer's glyphs
// (see DrawLayers): with beforeGlyphs nil, text layers are drawn in one go.
func paint(p *Plan, photo *Pyramid, beforeGlyphs func(i int, canvas *image.NRGBA)) (*image.NRGBA, []string) {
	dc := gg.NewContext(p.Width, p.Height)
	bg := p.Background
	bg.A = 255 // the canvas is opaque; see rgbaToNRGBA
	fillOver(dc.Image().(*image.RGBA), image.Rect(0, 0, p.Width, p.Height), bg)
	var warns []string
	for i := range p.Layers {
		pld := &p.Layers[i]
		ly := pld.Spec
		switch pld.Kind {
		case LayerPhoto:
			drawPhoto(dc, pld, photo, p.Background)
		case LayerGradient:
			drawGradient(dc, pld.Box, ly.From, ly.To, ly.Dir)
		case LayerBox:
			r := ly.Radius.Px(float64(min(pld.Box.Dx(), pld.Box.Dy())), float64(min(p.Width, p.Height)))
			drawRect(dc, pld.Box, r, ly.Color)
		case LayerImage:
			drawImage(dc, pld.Box, ly.Image, ly.Align, p.RTL)
		case LayerText, LayerBadge:
			draw := drawText
			if beforeGlyphs != nil {
				draw = func(dc *gg.Context, pld *PlannedLayer) string { return drawTextPaused(dc, i, pld, beforeGlyphs) }
			}
			if w := draw(dc, pld); w != "" {
				warns = append(warns, w)
			}
		}
	}
	return rgbaToNRGBA(dc.Image().(*image.RGBA)), warns
}

// drawRect fills r with the context's colour c; square corners go through
// image/draw's fast uniform fill, rounded ones through gg's path filler.
func drawRect(dc *gg.Context, r image.Rectangle, radius float64, c color.NRGBA) {
	if radius > 0 {
		dc.SetColor(c)
		dc.DrawRoundedRectangle(float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy()), radius)
		dc.Fill()
		return
	}
	fillOver(dc.Image().(*image.RGBA), r, c)
}

func fillOver(img *image.RGBA, r image.Rectangle, c color.NRGBA) {
	if c.A == 0 {
		return
	}
	op := draw.Over
	if c.A == 255 {
		op = draw.Src
	}
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, op)
}

// drawPhoto paints the crop into the layer box; where the crop does not
// cover the box (a small photo), a blurred, darkened copy or a brand colour
// fills the rest.
func drawPhoto(dc *gg.Context, pld *PlannedLayer, photo *Pyramid, bg color.NRGBA) {
	cr := pld.Crop
	canvas := dc.Image().(*image.RGBA)
	if photo == nil || cr == nil || cr.Src.Empty() || cr.Dst.Empty() {
		fillOver(canvas, pld.Box, bg)
		return
	}
	box := pld.Box
	if cr.Fill {
		if pld.Spec.Backdrop == BackdropColor {
			fillOver(canvas, box, pld.Spec.BackdropColor)
		} else {
			draw.Draw(canvas, box, backdrop(photo, box.Size()), image.Point{}, draw.Over)
		}
	}
	scaled := photo.Scaled(cr.Src, cr.Dst.Size())
	dst := cr.Dst.Add(box.Min)
	if photo.Opaque() {
		blit(canvas, dst, scaled)
	} else {
		draw.Draw(canvas, dst, scaled, scaled.Bounds().Min, draw.Over)
	}
}

// backdrop is the photo stretched over size, blurred and darkened: the
// fill behind a photo too small for its box.
func backdrop(photo *Pyramid, size image.Point) *image.NRGBA {
	// Blur at low resolution: cheap, and the result is soft anyway.
	b := photo.Bounds()
	sw, sh := max(size.X/16, 8), max(size.Y/16, 8)
	s := max(float64(sw)/float64(b.Dx()), float64(sh)/float64(b.Dy()))
	cw, ch := min(b.Dx(), int(float64(sw)/s)), min(b.Dy(), int(float64(sh)/s))
	x0, y0 := b.Min.X+(b.Dx()-cw)/2, b.Min.Y+(b.Dy()-ch)/2
	small := photo.Scaled(image.Rect(x0, y0, x0+cw, y0+ch), image.Pt(sw, sh))
	small = imaging.Blur(small, 2)
	small = imaging.AdjustBrightness(small, -35)
	return imaging.Resize(small, size.X, size.Y, imaging.Linear)
}

// drawGradient fills r with a linear gradient from "from" to "to" in
// direction dir, eased through a middle stop so a scrim does not read as a
// hard band. Each row (or column) is one uniform fill: fast at 4K.
func drawGradient(dc *gg.Context, r image.Rectangle, from, to color.NRGBA, dir Direction) {
	img := dc.Image().(*image.RGBA)
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return
	}
	at := func(t float64) color.NRGBA {
		mid := mix(from, to, 0.6)
		if t < 0.5 {
			return mix(from, mid, t*2)
		}
		return mix(mid, to, (t-0.5)*2)
	}
	vertical := dir == DirDown || dir == DirUp
	n := r.Dx()
	if vertical {
		n = r.Dy()
	}
	for i := range n {
		t := (float64(i) + 0.5) / float64(n)
		if dir == DirUp || dir == DirLeft {
			t = 1 - t
		}
		line := image.Rect(r.Min.X+i, r.Min.Y, r.Min.X+i+1, r.Max.Y)
		if vertical {
			line = image.Rect(r.Min.X, r.Min.Y+i, r.Max.X, r.Min.Y+i+1)
		}
		fillOver(img, line, at(t))
	}
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.NRGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), f(a.A, b.A)}
}

// drawImage paints img contained in box (aspect kept), aligned per align;
// start and end follow the article's direction.
func drawImage(dc *gg.Context, box image.Rectangle, img image.Image, align Align, rtl bool) {
	if img == nil || box.Empty() {
		return
	}
	b := img.Bounds()
	s := math.Min(float64(box.Dx())/float64(b.Dx()), float64(box.Dy())/float64(b.Dy()))
	w, h := max(1, int(float64(b.Dx())*s)), max(1, int(float64(b.Dy())*s))
	scaled := imaging.Resize(img, w, h, imaging.CatmullRom)
	x := box.Min.X
	switch {
	case align == AlignCenter:
		x += (box.Dx() - w) / 2
	case align == AlignRight, align == AlignEnd && !rtl, align == AlignStart && rtl:
		x = box.Max.X - w
	}
	y := box.Min.Y + (box.Dy()-h)/2
	draw.Draw(dc.Image().(*image.RGBA), image.Rect(x, y, x+w, y+h), scaled, image.Point{}, draw.Over)
}

// drawText paints a text layer: the contrast scrim when asked for, the pill
// and the glyphs.
func drawText(dc *gg.Context, pld *PlannedLayer) string {
	ly, tb := pld.Spec, pld.Text
	if tb == nil {
		return ""
	}
	var warn string
	if ly.Contrast {
		warn = ensureContrast(dc, pld)
	}
	if ly.Pill != nil {
		padX, padY := ly.Pill.PadX.Px(tb.Size, 0), ly.Pill.PadY.Px(tb.Size, 0)
		rad := ly.Pill.Radius.Px(tb.Size, 0)
		r := pld.TextRect()
		if len(tb.Lines) == 1 {
			drawRect(dc, r, rad, ly.Pill.Color)
		} else {
			dc.SetColor(ly.Pill.Color)
			pitch := tb.Height / float64(len(tb.Lines))
			for i, ln := range tb.Lines {
				x := pld.TextX + ln.X - padX
				y := pld.TextY + float64(i)*pitch - padY
				dc.DrawRoundedRectangle(x, y, ln.Width+2*padX, pitch+2*padY, rad)
				dc.Fill()
			}
		}
	}
	tb.Draw(dc.Image().(*image.RGBA), pld.TextX, pld.TextY, ly.Color)
	return warn
}

// WCAG 2 AA contrast ratios.
const (
	contrastNormal = 4.5
	contrastLarge  = 3.0
)

// ensureContrast darkens (or, for dark text, lightens) what lies behind the
// text just enough that the brightest (darkest) 2 % of those pixels reach
// the WCAG AA ratio against the text colour.
func ensureContrast(dc *gg.Context, pld *PlannedLayer) string {
	target := contrastNormal
	if pld.Large {
		target = contrastLarge
	}
	r := pld.TextRect().Intersect(image.Rect(0, 0, dc.Width(), dc.Height()))
	if r.Empty() {
		return ""
	}
	fg := Luminance(pld.Spec.Color)
	dark := fg > 0.4 // light text needs a darker background
	cover := color.NRGBA{0, 0, 0, 255}
	if !dark {
		cover = color.NRGBA{255, 255, 255, 255}
	}
	worst := worstPixel(dc.Image().(*image.RGBA), r, dark)
	ratioWith := func(a float64) float64 {
		c := mix(worst, cover, a)
		return ContrastRatio(fg, Luminance(c))
	}
	if ratioWith(0) >= target {
		return ""
	}
	lo, hi := 0.0, 0.92
	for range 12 {
		mid := (lo + hi) / 2
		if ratioWith(mid) >= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	pad := int(math.Ceil(pld.Text.Size * 0.45))
	scrim := r.Inset(-pad).Intersect(image.Rect(0, 0, dc.Width(), dc.Height()))
	cover.A = uint8(math.Ceil(hi * 255))
	// Soft edges above and below so the scrim does not read as a box.
	feather := float64(pad)
	top := float64(scrim.Min.Y)
	fade := cover
	fade.A = 0
	drawGradient(dc, image.Rect(scrim.Min.X, int(top-feather), scrim.Max.X, scrim.Min.Y), fade, cover, DirDown)
	drawGradient(dc, image.Rect(scrim.Min.X, scrim.Max.Y, scrim.Max.X, scrim.Max.Y+int(feather)), cover, fade, DirDown)
	drawRect(dc, scrim, 0, cover)
	if ratioWith(hi) < target {
		return fmt.Sprintf("text contrast stays below WCAG AA %.1f:1 even with a %.0f%% scrim", target, hi*100)
	}
	return ""
}

// worstPixel returns the colour of the pixel behind r that is hardest to
// read against: the 98th percentile by luminance (brightest for light text).
func worstPixel(img *image.RGBA, r image.Rectangle, brightest bool) color.NRGBA {
	step := max(1, int(math.Sqrt(float64(r.Dx()*r.Dy())/20000)))
	type sample struct {
		l float64
		c color.NRGBA
	}
	var s []sample
	for y := r.Min.Y; y < r.Max.Y; y += step {
		for x := r.Min.X; x < r.Max.X; x += step {
			c := img.RGBAAt(x, y)
			n := color.NRGBA{c.R, c.G, c.B, 255}
			s = append(s, sample{Luminance(n), n})
		}
	}
	if len(s) == 0 {
		return color.NRGBA{A: 255}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].l < s[j].l })
	i := len(s) * 98 / 100
	if !brightest {
		i = len(s) * 2 / 100
	}
	return s[min(i, len(s)-1)].c
}

// Luminance returns the WCAG 2 relative luminance of c, 0 (black) to 1
// (white); alpha is ignored.
func Luminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// ContrastRatio returns the WCAG 2 contrast ratio, 1 to 21, of two relative
// luminances in either order.
func ContrastRatio(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return (a + 0.05) / (b + 0.05)
}

// rgbaToNRGBA reinterprets the canvas as non-premultiplied pixels. The
// canvas starts opaque and everything is drawn over it, so every alpha is
// 255 and premultiplied and straight values are the same bytes.
func rgbaToNRGBA(img *image.RGBA) *image.NRGBA {
	return &image.NRGBA{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
}

// blit copies an opaque src onto dst at r row by row: for opaque pixels
// straight and premultiplied bytes are the same, so no per-pixel maths.
func blit(dst *image.RGBA, r image.Rectangle, src *image.NRGBA) {
	clip := r.Intersect(dst.Bounds())
	if clip.Empty() {
		return
	}
	sp := src.Bounds().Min.Add(clip.Min.Sub(r.Min))
	n := clip.Dx() * 4
	for y := 0; y < clip.Dy(); y++ {
		d := dst.PixOffset(clip.Min.X, clip.Min.Y+y)
		s := src.PixOffset(sp.X, sp.Y+y)
		copy(dst.Pix[d:d+n], src.Pix[s:s+n])
	}
}

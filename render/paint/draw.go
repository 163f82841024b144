package paint

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/text"

	"github.com/disintegration/imaging"
	"github.com/fogleman/gg"
)

// Pixels are what a plan is drawn from besides the plan itself.
type Pixels struct {
	// Photo holds the upright photo whose pixel coordinates the plan's
	// crops refer to; nil when the article has no photo.
	Photo *photo.Pyramid
	// Images are the pictures image layers name (a layout's Images).
	Images map[string]image.Image
	// Fonts hold the glyph outlines of the plan's text.
	Fonts *text.FontSet
}

// Draw paints a plan and returns the opaque canvas and warnings about what
// it could not achieve (such as a contrast target). Draw reads only the
// plan and px.
func Draw(p *plan.Plan, px Pixels) (*image.NRGBA, []string) {
	c := NewCanvas(p, px)
	for i := range p.Layers {
		c.Layer(i)
	}
	c.Finish()
	return c.Image(), c.Warnings()
}

// Canvas paints a plan one layer at a time, for callers that look at the
// canvas between layers (lint measures what lies behind each text). Its
// layers must be painted in order, each once; painting every layer with
// [Canvas.Layer] gives Draw's pixels.
type Canvas struct {
	p     *plan.Plan
	px    Pixels
	img   *image.RGBA
	dc    *gg.Context // made when a rounded shape needs it; see ctx
	bg    bool        // the background colour is still to be painted
	warns []string
	logos map[int]LogoChoice // the choices of image layers with contrast auto
}

// NewCanvas starts a canvas for p: the background colour, nothing else.
// The colour is painted when something first reads or paints the canvas,
// and not where the first layer is an opaque photo, which replaces those
// pixels: one full-canvas pass fewer for a full-bleed photo.
func NewCanvas(p *plan.Plan, px Pixels) *Canvas {
	return &Canvas{p: p, px: px, img: image.NewRGBA(image.Rect(0, 0, p.Width, p.Height)), bg: true}
}

// canvas returns the canvas's pixels with the background painted.
func (c *Canvas) canvas() *image.RGBA {
	if c.bg {
		c.background(image.Rectangle{})
	}
	return c.img
}

// ctx returns a gg context drawing on the canvas, for rounded shapes.
func (c *Canvas) ctx() *gg.Context {
	img := c.canvas()
	if c.dc == nil {
		c.dc = gg.NewContextForRGBA(img)
	}
	return c.dc
}

// replaced returns the part of the canvas photo layer pld replaces
// outright: where an opaque photo (see [photo.Pyramid.Draw]) is drawn
// with no backdrop under it. It is empty for any other layer.
func (c *Canvas) replaced(pld *plan.PlannedLayer) image.Rectangle {
	pyr, cr := c.px.Photo, pld.Crop
	if pld.Kind != plan.KindPhoto || pyr == nil || !pyr.Opaque() || cr == nil || cr.Fill ||
		cr.Src.Empty() || cr.Dst.Empty() {
		return image.Rectangle{}
	}
	return cr.Dst.Add(pld.Box.Min).Intersect(c.img.Rect)
}

// background paints the background colour on the canvas except over
// skip, which the next layer replaces.
func (c *Canvas) background(skip image.Rectangle) {
	c.bg = false
	bg := c.p.Background
	bg.A = 255 // the canvas is opaque; see rgbaToNRGBA
	b := c.img.Rect
	if skip.Empty() {
		fillOver(c.img, b, bg)
		return
	}
	fillOver(c.img, image.Rect(b.Min.X, b.Min.Y, b.Max.X, skip.Min.Y), bg)
	fillOver(c.img, image.Rect(b.Min.X, skip.Max.Y, b.Max.X, b.Max.Y), bg)
	fillOver(c.img, image.Rect(b.Min.X, skip.Min.Y, skip.Min.X, skip.Max.Y), bg)
	fillOver(c.img, image.Rect(skip.Max.X, skip.Min.Y, b.Max.X, skip.Max.Y), bg)
}

// Image returns the canvas as painted so far. It shares the canvas's
// pixels: later layers change it.
func (c *Canvas) Image() *image.NRGBA { return rgbaToNRGBA(c.canvas()) }

// Warnings returns what painting could not achieve so far.
func (c *Canvas) Warnings() []string { return c.warns }

// Finish applies what follows the last layer: light output sharpening on
// canvases under 400 px a side (see [OutputSharpening]). Call it once,
// after every layer; Draw does.
func (c *Canvas) Finish() {
	Sharpen(c.canvas(), image.Rect(0, 0, c.p.Width, c.p.Height), OutputSharpening(c.p.Width, c.p.Height))
}

// Layer paints layer i of the plan.
func (c *Canvas) Layer(i int) {
	pld := &c.p.Layers[i]
	if c.bg {
		c.background(c.replaced(pld)) // not under a photo that replaces it
	}
	switch pld.Kind {
	case plan.KindPhoto:
		drawPhoto(c.canvas(), pld, c.px.Photo, c.p.Background)
	case plan.KindGradient:
		drawGradient(c.canvas(), pld.Box, pld.From, pld.To, pld.Dir)
	case plan.KindBox:
		c.drawRect(pld.Box, pld.Radius, pld.Color)
	case plan.KindImage:
		c.ImageBacking(i)
		c.ImagePicture(i)
	case plan.KindText, plan.KindBadge:
		c.TextBacking(i)
		c.TextGlyphs(i)
	}
}

// ImageBacking decides, for image layer i with `contrast: auto`, how its
// picture reaches [LogoContrastTarget] on what is painted so far (see
// [ChooseLogo]) and paints the plate or scrim that needs. Follow it with
// ImagePicture(i); together they are Layer(i).
func (c *Canvas) ImageBacking(i int) {
	pld := &c.p.Layers[i]
	auto, alt, altR, plate := logoOptions(pld, c.px.Images)
	logo := c.px.Images[pld.Image]
	if !auto || logo == nil || pld.ImageRect.Empty() {
		return
	}
	canvas := c.canvas()
	ch := ChooseLogo(canvas, pld.ImageRect, logo, altR, alt, plate)
	if c.logos == nil {
		c.logos = map[int]LogoChoice{}
	}
	c.logos[i] = ch
	switch {
	case ch.Scrim:
		drawFeathered(canvas, ch.Plate, max(2, ch.Plate.Dy()/2), ch.PlateColor)
	case !ch.Plate.Empty():
		c.drawRect(ch.Plate, float64(ch.Plate.Dy())*0.18, ch.PlateColor)
	}
	if ch.Ratio < LogoContrastTarget {
		c.warns = append(c.warns, fmt.Sprintf("logo contrast stays below %.0f:1 (%.1f:1) even with its plate", LogoContrastTarget, ch.Ratio))
	}
}

// Picture returns the picture image layer i draws and where: the layer's
// own, or the alternative its contrast pass chose (once ImageBacking(i)
// has run).
func (c *Canvas) Picture(i int) (image.Image, image.Rectangle) {
	pld := &c.p.Layers[i]
	if ch, ok := c.logos[i]; ok && ch.Alt {
		_, alt, altR, _ := logoOptions(pld, c.px.Images)
		return alt, altR
	}
	return c.px.Images[pld.Image], pld.ImageRect
}

// ImagePicture paints the picture of image layer i.
func (c *Canvas) ImagePicture(i int) {
	img, r := c.Picture(i)
	drawImage(c.canvas(), r, img)
}

// TextBacking paints what goes under the glyphs of text layer i: the
// contrast scrim, when the layer asks for one, and the pill. Follow it
// with TextGlyphs(i); together they are Layer(i).
func (c *Canvas) TextBacking(i int) {
	if w := c.drawTextBacking(&c.p.Layers[i]); w != "" {
		c.warns = append(c.warns, w)
	}
}

// TextGlyphs paints the glyphs of text layer i.
func (c *Canvas) TextGlyphs(i int) {
	pld := &c.p.Layers[i]
	if pld.Text == nil || c.px.Fonts == nil {
		return
	}
	if err := c.px.Fonts.Draw(pld.Text, c.canvas(), pld.TextX, pld.TextY, pld.Color); err != nil {
		c.warns = append(c.warns, err.Error())
	}
}

// drawRect fills r with colour c; square corners go through the fast
// uniform fill, rounded ones through gg's path filler.
func (cv *Canvas) drawRect(r image.Rectangle, radius float64, c color.NRGBA) {
	if radius > 0 {
		dc := cv.ctx()
		dc.SetColor(c)
		dc.DrawRoundedRectangle(float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy()), radius)
		dc.Fill()
		return
	}
	fillOver(cv.canvas(), r, c)
}

// fillOver lays c over r of img: the pixels draw.Draw with a uniform
// source and draw.Over gives (draw.Src when c is opaque), without its
// per-call interface conversions. A translucent fill over a wide area goes
// through a lookup table per channel, built with the same formula.
func fillOver(img *image.RGBA, r image.Rectangle, c color.NRGBA) {
	r = r.Intersect(img.Rect)
	if c.A == 0 || r.Empty() {
		return
	}
	o := newOverColour(c)
	w := r.Dx() * 4
	first := img.Pix[img.PixOffset(r.Min.X, r.Min.Y):]
	first = first[:w:w]
	if o.src {
		for i := 0; i < w; i += 4 {
			copy(first[i:i+4], o.px[:])
		}
		for y := r.Min.Y + 1; y < r.Max.Y; y++ {
			copy(img.Pix[img.PixOffset(r.Min.X, y):], first)
		}
		return
	}
	if r.Dx()*r.Dy() < 1024 {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			o := o
			i := img.PixOffset(r.Min.X, y)
			row := img.Pix[i : i+w : i+w]
			for x := 0; x < w; x += 4 {
				o.blend(row[x : x+4 : x+4])
			}
		}
		return
	}
	var lut [4][256]uint8
	for v := range uint32(256) {
		lut[0][v] = uint8((v*o.keep/0xffff + o.r) >> 8)
		lut[1][v] = uint8((v*o.keep/0xffff + o.g) >> 8)
		lut[2][v] = uint8((v*o.keep/0xffff + o.b) >> 8)
		lut[3][v] = uint8((v*o.keep/0xffff + o.a) >> 8)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		i := img.PixOffset(r.Min.X, y)
		row := img.Pix[i : i+w : i+w]
		for x := 0; x+3 < len(row); x += 4 {
			px := row[x : x+4 : x+4]
			px[0] = lut[0][px[0]]
			px[1] = lut[1][px[1]]
			px[2] = lut[2][px[2]]
			px[3] = lut[3][px[3]]
		}
	}
}

// drawPhoto paints the crop into the layer box; where the crop does not
// cover the box (a small photo), a blurred, darkened copy or a brand colour
// fills the rest.
func drawPhoto(canvas *image.RGBA, pld *plan.PlannedLayer, pyr *photo.Pyramid, bg color.NRGBA) {
	cr := pld.Crop
	if pyr == nil || cr == nil || cr.Src.Empty() || cr.Dst.Empty() {
		fillOver(canvas, pld.Box, bg)
		return
	}
	box := pld.Box
	if cr.Fill {
		if pld.Backdrop == "color" {
			fillOver(canvas, box, pld.BackdropColor)
		} else {
			draw.Draw(canvas, box, backdrop(pyr, box.Size()), image.Point{}, draw.Over)
		}
	}
	dst := cr.Dst.Add(box.Min)
	pyr.Draw(canvas, dst, cr.Src)
	// An enlarged photo is soft: sharpen it lightly, in proportion.
	Sharpen(canvas, dst.Intersect(box), EnlargeSharpening(cr.Scale))
}

// backdrop is the photo stretched over size, blurred and darkened: the
// fill behind a photo too small for its box.
func backdrop(pyr *photo.Pyramid, size image.Point) *image.NRGBA {
	// Blur at low resolution: cheap, and the result is soft anyway.
	b := pyr.Bounds()
	sw, sh := max(size.X/16, 8), max(size.Y/16, 8)
	s := max(float64(sw)/float64(b.Dx()), float64(sh)/float64(b.Dy()))
	cw, ch := min(b.Dx(), int(float64(sw)/s)), min(b.Dy(), int(float64(sh)/s))
	x0, y0 := b.Min.X+(b.Dx()-cw)/2, b.Min.Y+(b.Dy()-ch)/2
	small := pyr.Scaled(image.Rect(x0, y0, x0+cw, y0+ch), image.Pt(sw, sh))
	small = imaging.Blur(small, 2)
	small = imaging.AdjustBrightness(small, -35)
	return imaging.Resize(small, size.X, size.Y, imaging.Linear)
}

// drawGradient fills r with a linear gradient from "from" to "to" in
// direction dir, eased through a middle stop so a scrim does not read as a
// hard band. Each row (or column) is one uniform colour laid over the
// canvas, row by row in memory order.
func drawGradient(img *image.RGBA, r image.Rectangle, from, to color.NRGBA, dir string) {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return
	}
	mid := mix(from, to, 0.6)
	at := func(t float64) color.NRGBA {
		if t < 0.5 {
			return mix(from, mid, t*2)
		}
		return mix(mid, to, (t-0.5)*2)
	}
	vertical := dir == "down" || dir == "up"
	n := r.Dx()
	if vertical {
		n = r.Dy()
	}
	line := make([]color.NRGBA, n)
	for i := range line {
		t := (float64(i) + 0.5) / float64(n)
		if dir == "up" || dir == "left" {
			t = 1 - t
		}
		line[i] = at(t)
	}
	if vertical {
		for i, c := range line {
			fillOver(img, image.Rect(r.Min.X, r.Min.Y+i, r.Max.X, r.Min.Y+i+1), c)
		}
		return
	}
	// Columns: the colour changes along each row, so each pixel takes its
	// column's colour by image/draw's over formula (or is replaced where
	// the colour is opaque).
	cols := make([]overColour, n)
	for i, c := range line {
		cols[i] = newOverColour(c)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := img.PixOffset(r.Min.X, y)
		row := img.Pix[o : o+4*n : o+4*n]
		for i := range cols {
			cols[i].blend(row[4*i : 4*i+4 : 4*i+4])
		}
	}
}

// overColour is a colour ready to be laid over RGBA pixels: its
// premultiplied 16-bit channels and what remains of the pixel under it,
// as image/draw computes them for a uniform source.
type overColour struct {
	r, g, b, a, keep uint32
	src, skip        bool // opaque: replace; transparent: leave alone
	px               [4]uint8
}

func newOverColour(c color.NRGBA) overColour {
	sr, sg, sb, sa := c.RGBA()
	return overColour{r: sr, g: sg, b: sb, a: sa, keep: (0xffff - sa) * 0x101,
		src: sa == 0xffff, skip: sa == 0, px: [4]uint8{uint8(sr >> 8), uint8(sg >> 8), uint8(sb >> 8), uint8(sa >> 8)}}
}

// blend lays the colour over one pixel, exactly as draw.Draw with
// draw.Over and a uniform source does.
func (o *overColour) blend(px []uint8) {
	switch {
	case o.skip:
	case o.src:
		copy(px, o.px[:])
	default:
		px[0] = uint8((uint32(px[0])*o.keep/0xffff + o.r) >> 8)
		px[1] = uint8((uint32(px[1])*o.keep/0xffff + o.g) >> 8)
		px[2] = uint8((uint32(px[2])*o.keep/0xffff + o.b) >> 8)
		px[3] = uint8((uint32(px[3])*o.keep/0xffff + o.a) >> 8)
	}
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.NRGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), f(a.A, b.A)}
}

// drawImage paints img resized to fill r (the plan's ImageRect, which
// keeps its aspect).
func drawImage(canvas *image.RGBA, r image.Rectangle, img image.Image) {
	if img == nil || r.Empty() {
		return
	}
	draw.Draw(canvas, r, scaleLogo(img, r), image.Point{}, draw.Over)
}

// drawTextBacking paints what lies under a text layer's glyphs: the
// contrast scrim when asked for, and the pill.
func (c *Canvas) drawTextBacking(pld *plan.PlannedLayer) string {
	tb := pld.Text
	if tb == nil {
		return ""
	}
	var warn string
	if pld.Contrast {
		warn = ensureContrast(c.canvas(), pld)
	}
	if pl := pld.Pill; pl != nil {
		r := pld.TextRect()
		if len(tb.Lines) == 1 {
			c.drawRect(r, pl.Radius, pl.Color)
		} else {
			dc := c.ctx()
			dc.SetColor(pl.Color)
			pitch := tb.Height / float64(len(tb.Lines))
			for i, ln := range tb.Lines {
				x := pld.TextX + ln.X - pl.PadX
				y := pld.TextY + float64(i)*pitch - pl.PadY
				dc.DrawRoundedRectangle(x, y, ln.Width+2*pl.PadX, pitch+2*pl.PadY, pl.Radius)
				dc.Fill()
			}
		}
	}
	return warn
}

// ContrastAA is the WCAG 2 AA contrast ratio text needs against what is
// behind it: 3:1 for large text (see plan.PlannedLayer.Large), else 4.5:1.
func ContrastAA(large bool) float64 {
	if large {
		return 3.0
	}
	return 4.5
}

// ensureContrast darkens (or, for dark text, lightens) what lies behind the
// text just enough that the brightest (darkest) 2 % of those pixels reach
// the WCAG AA ratio against the text colour.
func ensureContrast(img *image.RGBA, pld *plan.PlannedLayer) string {
	target := ContrastAA(pld.Large)
	r := pld.TextRect().Intersect(img.Rect)
	if r.Empty() {
		return ""
	}
	fg := Luminance(pld.Color)
	dark := fg > 0.4 // light text needs a darker background
	cover := color.NRGBA{0, 0, 0, 255}
	if !dark {
		cover = color.NRGBA{255, 255, 255, 255}
	}
	worst := worstPixel(img, r, dark)
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
	scrim := r.Inset(-pad).Intersect(img.Rect)
	cover.A = uint8(math.Ceil(hi * 255))
	// Soft edges all round so the scrim does not read as a box: full
	// strength over the text and its padding, fading out over twice that.
	drawFeathered(img, scrim, 2*pad, cover)
	if ratioWith(hi) < target {
		return fmt.Sprintf("text contrast stays below WCAG AA %.1f:1 even with a %.0f%% scrim", target, hi*100)
	}
	return ""
}

// worstPixel returns the colour of the pixel behind r that is hardest to
// read against: the 98th percentile by luminance (brightest for light text)
// of a grid of about 20000 samples, ties broken by colour.
func worstPixel(img *image.RGBA, r image.Rectangle, brightest bool) color.NRGBA {
	step := max(1, int(math.Sqrt(float64(r.Dx()*r.Dy())/20000)))
	s := make([]lumSample, 0, ((r.Dx()+step-1)/step)*((r.Dy()+step-1)/step))
	for y := r.Min.Y; y < r.Max.Y; y += step {
		row := img.Pix[img.PixOffset(r.Min.X, y):]
		for x := 0; x < r.Dx(); x += step {
			px := row[4*x : 4*x+3 : 4*x+3]
			rr, g, b := px[0], px[1], px[2]
			s = append(s, lumSample{0.2126*linear[rr] + 0.7152*linear[g] + 0.0722*linear[b], uint32(rr)<<16 | uint32(g)<<8 | uint32(b)})
		}
	}
	if len(s) == 0 {
		return color.NRGBA{A: 255}
	}
	i := len(s) * 98 / 100
	if !brightest {
		i = len(s) * 2 / 100
	}
	w := nth(s, min(i, len(s)-1))
	return color.NRGBA{uint8(w.rgb >> 16), uint8(w.rgb >> 8), uint8(w.rgb), 255}
}

// lumSample is a sampled pixel: its relative luminance and its colour
// packed as 0xRRGGBB.
type lumSample struct {
	l   float64
	rgb uint32
}

func (a lumSample) less(b lumSample) bool {
	return a.l < b.l || a.l == b.l && a.rgb < b.rgb
}

// nth returns the element that would be at index k were s sorted by
// luminance, then colour, reordering s: a quickselect, linear on average,
// with a median-of-three pivot.
func nth(s []lumSample, k int) lumSample {
	lo, hi := 0, len(s)-1
	for lo < hi {
		m := lo + (hi-lo)/2
		if s[m].less(s[lo]) {
			s[m], s[lo] = s[lo], s[m]
		}
		if s[hi].less(s[lo]) {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if s[hi].less(s[m]) {
			s[hi], s[m] = s[m], s[hi]
		}
		p := s[m]
		i, j := lo, hi
		for i <= j { // Hoare partition around p
			for s[i].less(p) {
				i++
			}
			for p.less(s[j]) {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}

// linear maps an sRGB channel value to its linear light, as WCAG 2
// defines it.
var linear = func() (t [256]float64) {
	for v := range t {
		x := float64(v) / 255
		if x <= 0.04045 {
			t[v] = x / 12.92
		} else {
			t[v] = math.Pow((x+0.055)/1.055, 2.4)
		}
	}
	return t
}()

// Luminance returns the WCAG 2 relative luminance of c, 0 (black) to 1
// (white); alpha is ignored.
func Luminance(c color.NRGBA) float64 {
	return 0.2126*linear[c.R] + 0.7152*linear[c.G] + 0.0722*linear[c.B]
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

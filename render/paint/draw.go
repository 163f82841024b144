package paint

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"

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
	dc    *gg.Context
	warns []string
	logos map[int]LogoChoice // the choices of image layers with contrast auto
}

// NewCanvas starts a canvas for p: the background colour, nothing else.
func NewCanvas(p *plan.Plan, px Pixels) *Canvas {
	dc := gg.NewContext(p.Width, p.Height)
	bg := p.Background
	bg.A = 255 // the canvas is opaque; see rgbaToNRGBA
	fillOver(dc.Image().(*image.RGBA), image.Rect(0, 0, p.Width, p.Height), bg)
	return &Canvas{p: p, px: px, dc: dc}
}

// Image returns the canvas as painted so far. It shares the canvas's
// pixels: later layers change it.
func (c *Canvas) Image() *image.NRGBA { return rgbaToNRGBA(c.dc.Image().(*image.RGBA)) }

// Warnings returns what painting could not achieve so far.
func (c *Canvas) Warnings() []string { return c.warns }

// Finish applies what follows the last layer: light output sharpening on
// canvases under 400 px a side (see [OutputSharpening]). Call it once,
// after every layer; Draw does.
func (c *Canvas) Finish() {
	Sharpen(c.dc.Image().(*image.RGBA), image.Rect(0, 0, c.p.Width, c.p.Height), OutputSharpening(c.p.Width, c.p.Height))
}

// Layer paints layer i of the plan.
func (c *Canvas) Layer(i int) {
	pld := &c.p.Layers[i]
	switch pld.Kind {
	case plan.KindPhoto:
		drawPhoto(c.dc, pld, c.px.Photo, c.p.Background)
	case plan.KindGradient:
		drawGradient(c.dc, pld.Box, pld.From, pld.To, pld.Dir)
	case plan.KindBox:
		drawRect(c.dc, pld.Box, pld.Radius, pld.Color)
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
	canvas := c.dc.Image().(*image.RGBA)
	ch := ChooseLogo(canvas, pld.ImageRect, logo, altR, alt, plate)
	if c.logos == nil {
		c.logos = map[int]LogoChoice{}
	}
	c.logos[i] = ch
	switch {
	case ch.Scrim:
		drawFeathered(canvas, ch.Plate, max(2, ch.Plate.Dy()/2), ch.PlateColor)
	case !ch.Plate.Empty():
		drawRect(c.dc, ch.Plate, float64(ch.Plate.Dy())*0.18, ch.PlateColor)
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
	drawImage(c.dc, r, img)
}

// TextBacking paints what goes under the glyphs of text layer i: the
// contrast scrim, when the layer asks for one, and the pill. Follow it
// with TextGlyphs(i); together they are Layer(i).
func (c *Canvas) TextBacking(i int) {
	if w := drawTextBacking(c.dc, &c.p.Layers[i]); w != "" {
		c.warns = append(c.warns, w)
	}
}

// TextGlyphs paints the glyphs of text layer i.
func (c *Canvas) TextGlyphs(i int) {
	pld := &c.p.Layers[i]
	if pld.Text == nil || c.px.Fonts == nil {
		return
	}
	if err := c.px.Fonts.Draw(pld.Text, c.dc.Image().(*image.RGBA), pld.TextX, pld.TextY, pld.Color); err != nil {
		c.warns = append(c.warns, err.Error())
	}
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
func drawPhoto(dc *gg.Context, pld *plan.PlannedLayer, pyr *photo.Pyramid, bg color.NRGBA) {
	cr := pld.Crop
	canvas := dc.Image().(*image.RGBA)
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
// hard band. Each row (or column) is one uniform fill: fast at 4K.
func drawGradient(dc *gg.Context, r image.Rectangle, from, to color.NRGBA, dir string) {
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
	vertical := dir == "down" || dir == "up"
	n := r.Dx()
	if vertical {
		n = r.Dy()
	}
	for i := range n {
		t := (float64(i) + 0.5) / float64(n)
		if dir == "up" || dir == "left" {
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

// drawImage paints img resized to fill r (the plan's ImageRect, which
// keeps its aspect).
func drawImage(dc *gg.Context, r image.Rectangle, img image.Image) {
	if img == nil || r.Empty() {
		return
	}
	scaled := imaging.Resize(img, r.Dx(), r.Dy(), imaging.CatmullRom)
	draw.Draw(dc.Image().(*image.RGBA), r, scaled, image.Point{}, draw.Over)
}

// drawTextBacking paints what lies under a text layer's glyphs: the
// contrast scrim when asked for, and the pill.
func drawTextBacking(dc *gg.Context, pld *plan.PlannedLayer) string {
	tb := pld.Text
	if tb == nil {
		return ""
	}
	var warn string
	if pld.Contrast {
		warn = ensureContrast(dc, pld)
	}
	if pl := pld.Pill; pl != nil {
		r := pld.TextRect()
		if len(tb.Lines) == 1 {
			drawRect(dc, r, pl.Radius, pl.Color)
		} else {
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
func ensureContrast(dc *gg.Context, pld *plan.PlannedLayer) string {
	target := ContrastAA(pld.Large)
	r := pld.TextRect().Intersect(image.Rect(0, 0, dc.Width(), dc.Height()))
	if r.Empty() {
		return ""
	}
	fg := Luminance(pld.Color)
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
	// Soft edges all round so the scrim does not read as a box: full
	// strength over the text and its padding, fading out over twice that.
	drawFeathered(dc.Image().(*image.RGBA), scrim, 2*pad, cover)
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

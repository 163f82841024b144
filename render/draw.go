package render

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"

	"github.com/disintegration/imaging"
	"github.com/fogleman/gg"
)

// Draw paints a plan. photo is the upright photo whose pixel coordinates the
// plan's crops refer to (nil when the article has no photo). It returns the
// opaque canvas and warnings about what it could not achieve (such as a
// contrast target). Draw reads only the plan and the photo.
func Draw(p *Plan, photo *image.NRGBA) (*image.NRGBA, []string) {
	dc := gg.NewContext(p.Width, p.Height)
	dc.SetColor(p.Background)
	dc.Clear()
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
			dc.SetColor(ly.Color)
			r := ly.Radius.Px(float64(min(pld.Box.Dx(), pld.Box.Dy())), float64(min(p.Width, p.Height)))
			drawRect(dc, pld.Box, r)
		case LayerImage:
			drawImage(dc, pld.Box, ly.Image, ly.Align, p.RTL)
		case LayerText, LayerBadge:
			if w := drawText(dc, pld); w != "" {
				warns = append(warns, w)
			}
		}
	}
	return rgbaToNRGBA(dc.Image().(*image.RGBA)), warns
}

func drawRect(dc *gg.Context, r image.Rectangle, radius float64) {
	if radius > 0 {
		dc.DrawRoundedRectangle(float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy()), radius)
	} else {
		dc.DrawRectangle(float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy()))
	}
	dc.Fill()
}

// drawPhoto paints the crop into the layer box; where the crop does not
// cover the box (a small photo), a blurred, darkened copy or a brand colour
// fills the rest.
func drawPhoto(dc *gg.Context, pld *PlannedLayer, photo *image.NRGBA, bg color.NRGBA) {
	cr := pld.Crop
	if photo == nil || cr == nil || cr.Src.Empty() || cr.Dst.Empty() {
		dc.SetColor(bg)
		drawRect(dc, pld.Box, 0)
		return
	}
	box := pld.Box
	if cr.Fill {
		if pld.Spec.Backdrop == "blur" || pld.Spec.Backdrop == "" {
			dc.DrawImage(backdrop(photo, box.Size()), box.Min.X, box.Min.Y)
		} else {
			dc.SetColor(bg)
			if c, ok := namedOrHex(pld.Spec.Backdrop); ok {
				dc.SetColor(c)
			}
			drawRect(dc, box, 0)
		}
	}
	src := imaging.Crop(photo, cr.Src)
	var scaled *image.NRGBA
	if src.Bounds().Size() == cr.Dst.Size() {
		scaled = src
	} else {
		scaled = imaging.Resize(src, cr.Dst.Dx(), cr.Dst.Dy(), imaging.CatmullRom)
	}
	dc.DrawImage(scaled, box.Min.X+cr.Dst.Min.X, box.Min.Y+cr.Dst.Min.Y)
}

// backdrop is the photo stretched over size, blurred and darkened: the
// fill behind a photo too small for its box.
func backdrop(photo *image.NRGBA, size image.Point) *image.NRGBA {
	// Blur at low resolution: cheap, and the result is soft anyway.
	small := imaging.Fill(photo, max(size.X/16, 8), max(size.Y/16, 8), imaging.Center, imaging.Box)
	small = imaging.Blur(small, 2)
	small = imaging.AdjustBrightness(small, -35)
	return imaging.Resize(small, size.X, size.Y, imaging.Linear)
}

func namedOrHex(s string) (color.NRGBA, bool) {
	c, err := parseHexColor(s)
	return c, err == nil
}

func drawGradient(dc *gg.Context, r image.Rectangle, from, to color.NRGBA, dir Direction) {
	x0, y0, x1, y1 := float64(r.Min.X), float64(r.Min.Y), float64(r.Min.X), float64(r.Max.Y)
	switch dir {
	case DirUp:
		y0, y1 = y1, y0
	case DirRight:
		x1, y1 = float64(r.Max.X), y0
	case DirLeft:
		x0, x1, y1 = float64(r.Max.X), x0, y0
	}
	g := gg.NewLinearGradient(x0, y0, x1, y1)
	g.AddColorStop(0, from)
	// An eased middle stop keeps the scrim from looking like a hard band.
	g.AddColorStop(0.5, mix(from, to, 0.6))
	g.AddColorStop(1, to)
	dc.SetFillStyle(g)
	drawRect(dc, r, 0)
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
	dc.DrawImage(scaled, x, box.Min.Y+(box.Dy()-h)/2)
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
		dc.SetColor(ly.Pill.Color)
		padX, padY := ly.Pill.PadX.Px(tb.Size, 0), ly.Pill.PadY.Px(tb.Size, 0)
		rad := ly.Pill.Radius.Px(tb.Size, 0)
		r := pld.TextRect()
		if len(tb.Lines) == 1 {
			drawRect(dc, r, rad)
		} else {
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
	fg := luminance(pld.Spec.Color)
	dark := fg > 0.4 // light text needs a darker background
	cover := color.NRGBA{0, 0, 0, 255}
	if !dark {
		cover = color.NRGBA{255, 255, 255, 255}
	}
	worst := worstPixel(dc.Image().(*image.RGBA), r, dark)
	ratioWith := func(a float64) float64 {
		c := mix(worst, cover, a)
		return contrastRatio(fg, luminance(c))
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
	dc.SetColor(cover)
	drawRect(dc, scrim, 0)
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
			s = append(s, sample{luminance(n), n})
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

// luminance is the WCAG relative luminance of an sRGB colour.
func luminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

func contrastRatio(a, b float64) float64 {
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

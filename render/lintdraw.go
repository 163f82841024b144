package render

import (
	"image"
	"math"

	"github.com/fogleman/gg"
)

// This file holds the small hooks the layout linter (package lint) needs
// to look inside a drawing; the engine itself does not use them.

// DrawLayers paints a plan exactly as [Draw] does and, for every text and
// badge layer, calls beforeGlyphs with the layer's index in p.Layers and the
// canvas as it is just before that layer's glyphs are painted: everything
// below the text, its contrast scrim and its pill are drawn. The canvas
// passed to beforeGlyphs is only valid during the call and must not be
// modified. beforeGlyphs may be nil. It returns the finished canvas.
func DrawLayers(p *Plan, photo *Pyramid, beforeGlyphs func(i int, canvas *image.NRGBA)) *image.NRGBA {
	if beforeGlyphs == nil {
		beforeGlyphs = func(int, *image.NRGBA) {}
	}
	img, _ := paint(p, photo, beforeGlyphs)
	return img
}

// drawTextPaused draws a text layer in two steps: its scrim and pill, then,
// after beforeGlyphs has seen the canvas, its glyphs. The pixels are the
// same as drawText's.
func drawTextPaused(dc *gg.Context, i int, pld *PlannedLayer, beforeGlyphs func(i int, canvas *image.NRGBA)) string {
	if pld.Text == nil {
		return ""
	}
	// Scrim and pill only: the same layer with invisible glyphs
	// (luminance, which the scrim is computed from, ignores alpha).
	spec := *pld.Spec
	spec.Color.A = 0
	bare := *pld
	bare.Spec = &spec
	warn := drawText(dc, &bare)
	canvas := dc.Image().(*image.RGBA)
	beforeGlyphs(i, rgbaToNRGBA(canvas))
	pld.Text.Draw(canvas, pld.TextX, pld.TextY, pld.Spec.Color)
	return warn
}

// DeclaredBox returns the box layer ly asks for on the plan's canvas, in
// canvas pixels: its box resolved against the canvas or the safe area
// (mirrored for right-to-left articles), before it is clipped to the canvas
// or, for text, to the safe area, and without bleed.
func DeclaredBox(p *Plan, ly *Layer) image.Rectangle {
	ref := image.Rect(0, 0, p.Width, p.Height)
	if ly.In == RefSafe {
		ref = p.Safe
	}
	spec := ly.Box
	if p.RTL {
		spec.Left, spec.Right = spec.Right, spec.Left
	}
	return spec.resolve(ref, float64(min(p.Width, p.Height)))
}

// ImageRect returns where an image layer's picture lands on the canvas, in
// canvas pixels: contained in its box with the aspect kept, aligned as the
// layer says. It is empty for other layers and for a layer without image.
func ImageRect(p *Plan, pld *PlannedLayer) image.Rectangle {
	if pld.Kind != LayerImage || pld.Spec == nil || pld.Spec.Image == nil || pld.Box.Empty() {
		return image.Rectangle{}
	}
	box, b := pld.Box, pld.Spec.Image.Bounds()
	s := math.Min(float64(box.Dx())/float64(b.Dx()), float64(box.Dy())/float64(b.Dy()))
	w, h := max(1, int(float64(b.Dx())*s)), max(1, int(float64(b.Dy())*s))
	x := box.Min.X
	switch align := pld.Spec.Align; {
	case align == AlignCenter:
		x += (box.Dx() - w) / 2
	case align == AlignRight, align == AlignEnd && !p.RTL, align == AlignStart && p.RTL:
		x = box.Max.X - w
	}
	y := box.Min.Y + (box.Dy()-h)/2
	return image.Rect(x, y, x+w, y+h)
}

// FaceCore returns the face itself inside a face subject's rectangle (see
// [Subject]): without the margins added for hair and sides, keeping the chin.
func FaceCore(r image.Rectangle) image.Rectangle { return faceCore(r) }

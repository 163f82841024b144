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
	dc := gg.NewContext(p.Width, p.Height)
	bg := p.Background
	bg.A = 255
	canvas := dc.Image().(*image.RGBA)
	fillOver(canvas, image.Rect(0, 0, p.Width, p.Height), bg)
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
			if pld.Text == nil {
				continue
			}
			// Scrim and pill only: the same layer with invisible glyphs
			// (luminance, which the scrim is computed from, ignores alpha).
			spec := *ly
			spec.Color.A = 0
			bare := *pld
			bare.Spec = &spec
			drawText(dc, &bare)
			if beforeGlyphs != nil {
				beforeGlyphs(i, rgbaToNRGBA(canvas))
			}
			pld.Text.Draw(canvas, pld.TextX, pld.TextY, ly.Color)
		}
	}
	return rgbaToNRGBA(canvas)
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

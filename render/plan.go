package render

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
)

// PhotoInfo is what planning needs to know about the photo; it holds no
// pixels, so plans can be made and tested without decoding anything.
type PhotoInfo struct {
	Size     image.Point // upright size in pixels; zero when there is no photo
	Subjects []Subject   // faces and details to keep visible
	Focus    *FocusPoint // editor's focus point, overrides Subjects
}

// Plan is everything Draw needs for one image: plain data, printable as JSON.
type Plan struct {
	Preset     string          `json:"preset"`
	Layout     string          `json:"layout"`
	Variant    string          `json:"variant"`
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Safe       image.Rectangle `json:"safe"`
	Background color.NRGBA     `json:"background"`
	// RTL is set for right-to-left articles: the layout is mirrored, so
	// what a designer put on the left goes on the right.
	RTL    bool           `json:"rtl,omitempty"`
	Layers []PlannedLayer `json:"layers"`
	// Crop is the crop of the first photo layer, in photo pixels.
	Crop     *CropResult `json:"crop,omitempty"`
	Warnings []string    `json:"warnings,omitempty"`
}

// PlannedLayer is one layer with its geometry resolved to canvas pixels.
type PlannedLayer struct {
	Kind LayerKind       `json:"kind"`
	Box  image.Rectangle `json:"box"`
	// Crop is set for photo layers.
	Crop *CropResult `json:"crop,omitempty"`
	// Text is set for text and badge layers; TextX/TextY is the top-left of
	// the text block on the canvas.
	Text  *TextBlock `json:"text,omitempty"`
	TextX float64    `json:"text_x,omitempty"`
	TextY float64    `json:"text_y,omitempty"`
	// Large is true when the text counts as large for WCAG (≥ 24 px, or
	// ≥ 18.66 px bold), which lowers the contrast needed from 4.5 to 3.
	Large bool `json:"large,omitempty"`
	// Spec is the layer as the layout file wrote it (colours, pill, image).
	Spec *Layer `json:"-"`
}

// maxUpscale is the largest factor a photo is enlarged by; beyond it the
// photo turns soft, so the rest of the box is filled instead.
const maxUpscale = 1.5

// PlanCard decides, for one preset, where every layer goes, how the text
// breaks and which part of the photo is shown. It touches no pixels.
func PlanCard(a *Article, l *Layout, p Preset, photo PhotoInfo, fonts *FontSet) (*Plan, error) {
	v, err := l.VariantFor(p.Width, p.Height)
	if err != nil {
		return nil, err
	}
	pl := &Plan{
		Preset: p.ID, Layout: l.Name, Variant: v.Name,
		Width: p.Width, Height: p.Height, Background: v.Background, RTL: a.RTL(),
		Safe: image.Rect(p.Safe.Left, p.Safe.Top, p.Width-p.Safe.Right, p.Height-p.Safe.Bottom),
	}
	canvas := image.Rect(0, 0, p.Width, p.Height)
	if pl.Safe.Empty() {
		return nil, fmt.Errorf("preset %s: safe-area insets %+v leave no room on a %dx%d canvas", p.ID, p.Safe, p.Width, p.Height)
	}
	short := float64(min(p.Width, p.Height))

	// Phase 1: resolve boxes and lay out text, so the crop can keep faces
	// out from under it.
	pl.Layers = make([]PlannedLayer, 0, len(v.Layers))
	for i := range v.Layers {
		ly := &v.Layers[i]
		if !LayerApplies(ly, a, short) {
			continue
		}
		ref := canvas
		if ly.In == RefSafe {
			ref = pl.Safe
		}
		spec := ly.Box
		if pl.RTL {
			spec.Left, spec.Right = spec.Right, spec.Left
		}
		box := spec.resolve(ref, short)
		if ly.Bleed && ly.In == RefSafe {
			box = bleed(box, pl.Safe, canvas)
		}
		pld := PlannedLayer{Kind: ly.Kind, Box: box.Intersect(canvas), Spec: ly}
		if ly.Kind == LayerText || ly.Kind == LayerBadge {
			ok, err := planText(&pld, ly, a, pl, fonts, short)
			if err != nil {
				return nil, fmt.Errorf("layout %s, layer at line %d: %w", l.Name, ly.Line, err)
			}
			if !ok {
				continue
			}
		}
		if pld.Box.Empty() {
			continue
		}
		pl.Layers = append(pl.Layers, pld)
	}

	// Phase 2: crop each photo layer around the subjects, away from text.
	for i := range pl.Layers {
		pld := &pl.Layers[i]
		if pld.Kind != LayerPhoto || photo.Size.X == 0 || photo.Size.Y == 0 {
			continue
		}
		avoid := textRectsAbove(pl.Layers[i+1:], pld.Box)
		cr := ChooseCrop(CropInput{
			Photo: photo.Size, Box: pld.Box.Size(), MaxUpscale: maxUpscale,
			Focus: photo.Focus, Subjects: photo.Subjects, Avoid: avoid,
		})
		pld.Crop = &cr
		if pl.Crop == nil {
			pl.Crop = &cr
			if cr.Fill {
				pl.Warnings = append(pl.Warnings, cr.Note)
			}
		}
	}
	return pl, nil
}

// bleed extends the edges of r that lie on the safe area's edges out to the
// canvas edges, so a bar placed in the safe area still reaches the border.
func bleed(r, safe, canvas image.Rectangle) image.Rectangle {
	if r.Min.X <= safe.Min.X {
		r.Min.X = canvas.Min.X
	}
	if r.Min.Y <= safe.Min.Y {
		r.Min.Y = canvas.Min.Y
	}
	if r.Max.X >= safe.Max.X {
		r.Max.X = canvas.Max.X
	}
	if r.Max.Y >= safe.Max.Y {
		r.Max.Y = canvas.Max.Y
	}
	return r
}

// LayerApplies reports whether ly is drawn for article a on a canvas whose
// shorter side is short pixels: its min_short_side and its when condition.
// A text layer whose field is empty is still left out later, when planned.
func LayerApplies(ly *Layer, a *Article, short float64) bool {
	if ly.MinShortSide > 0 && short < float64(ly.MinShortSide) {
		return false
	}
	switch ly.When {
	case "":
		return true
	case whenBreaking:
		return a.Breaking
	}
	s, _ := a.Field(ly.When)
	return s != ""
}

// planText fits a text layer into its box (clipped to the safe area) and
// records warnings. It returns false when there is nothing to draw.
func planText(pld *PlannedLayer, ly *Layer, a *Article, pl *Plan, fonts *FontSet, short float64) (bool, error) {
	txt := ly.Text
	if ly.Field != "" {
		txt, _ = a.Field(ly.Field)
	}
	txt = strings.TrimSpace(txt)
	if txt == "" {
		return false, nil
	}
	box := pld.Box.Intersect(pl.Safe)
	maxSize := ly.MaxSize.Px(short, short)
	minSize := math.Min(ly.MinSize.Px(short, short), maxSize)
	padX, padY := 0.0, 0.0
	if ly.Pill != nil {
		padX = ly.Pill.PadX.Px(maxSize, short)
		padY = ly.Pill.PadY.Px(maxSize, short)
	}
	w := float64(box.Dx()) - 2*padX
	h := float64(box.Dy()) - 2*padY
	if w < 4 || h < 4 || maxSize < 1 {
		return false, nil
	}
	st := TextStyle{
		Family: ly.Font.Family, Weight: ly.Font.Weight,
		MaxSize: maxSize, MinSize: minSize, MaxLines: ly.MaxLines,
		LineHeight: ly.LineHeight, Align: ly.Align, Upper: ly.Upper,
		Tracking: ly.Tracking, Lang: a.Lang,
	}
	tb, err := fonts.Fit(txt, st, w, h)
	if err != nil {
		return false, err
	}
	// Even one line at the minimum size can be taller than a short box
	// (Arabic fonts have tall ascenders). Text must never leave its box, so
	// go below the minimum, and say so.
	belowMin := false
	for try := 0; try < 4 && len(tb.Lines) > 0 && (tb.Height > h || tb.Width > w); try++ {
		f := 0.98 * math.Min(h/tb.Height, w/tb.Width)
		st.MaxSize = tb.Size * f
		st.MinSize = st.MaxSize
		if st.MaxSize < 4 {
			return false, nil
		}
		if tb, err = fonts.Fit(txt, st, w, h); err != nil {
			return false, err
		}
		belowMin = true
	}
	if len(tb.Lines) == 0 || tb.Height > h || tb.Width > w {
		return false, nil
	}
	// Some glyphs (a final "f", an italic) paint past their advance width,
	// which fitting measures: set the text a little narrower, centred in the
	// box, so the ink stays inside it too.
	inset := 0.0
	for try := 0; try < 3; try++ {
		x0, _, x1, _ := tb.Bounds()
		over := math.Max(-inset-x0, x1+inset-w) // ink outside the box, px
		if over <= 0.5 {
			break
		}
		next := inset + math.Ceil(over) + 1
		tb2, err := fonts.Fit(txt, st, w-2*next, h)
		if err != nil || len(tb2.Lines) == 0 || tb2.Height > h {
			break
		}
		tb, inset = tb2, next
	}
	name := nameOf(ly)
	if belowMin {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s set at %.0f px, below its minimum of %.0f px, to stay inside its box", nameOf(ly), tb.Size, minSize))
	}
	if tb.Truncated {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s cut with an ellipsis: it does not fit in %d lines even at %.0f px", name, ly.MaxLines, minSize))
	} else if tb.AtMinSize {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s shrunk to its minimum size (%.0f px) to fit", name, minSize))
	}
	if len(tb.Fallback) > 0 {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s: some glyphs are not in %q and were drawn from %s", name, ly.Font.Family, strings.Join(tb.Fallback, ", ")))
	}
	if len(tb.Missing) > 0 {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s: no font has the characters %q; they show as boxes", name, string(tb.Missing)))
	}
	pld.Text = &tb
	pld.Box = box
	pld.TextX = float64(box.Min.X) + padX + inset
	switch ly.VAlign {
	case VAlignTop:
		pld.TextY = float64(box.Min.Y) + padY
	case VAlignCenter:
		pld.TextY = float64(box.Min.Y) + (float64(box.Dy())-tb.Height)/2
	case VAlignBottom:
		pld.TextY = float64(box.Max.Y) - padY - tb.Height
	}
	pld.Large = tb.Size >= 24 || (tb.Size >= 18.66 && ly.Font.Weight >= 700)
	return true, nil
}

// nameOf names a text layer in warnings: its article field, or its kind.
func nameOf(ly *Layer) string {
	if ly.Field != "" {
		return ly.Field
	}
	return fmt.Sprintf("%s text", ly.Kind)
}

// TextRect returns the canvas rectangle covered by a text layer's lines,
// including its pill padding.
func (pld *PlannedLayer) TextRect() image.Rectangle {
	if pld.Text == nil || len(pld.Text.Lines) == 0 {
		return image.Rectangle{}
	}
	x0, y0, x1, y1 := math.Inf(1), pld.TextY, math.Inf(-1), pld.TextY+pld.Text.Height
	for _, ln := range pld.Text.Lines {
		x0 = math.Min(x0, pld.TextX+ln.X)
		x1 = math.Max(x1, pld.TextX+ln.X+ln.Width)
	}
	if ly := pld.Spec; ly != nil && ly.Pill != nil {
		px := ly.Pill.PadX.Px(pld.Text.Size, 0)
		py := ly.Pill.PadY.Px(pld.Text.Size, 0)
		x0, x1, y0, y1 = x0-px, x1+px, y0-py, y1+py
	}
	return image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1)))
}

// textRectsAbove returns the text rectangles of layers that overlap box, in
// box coordinates.
func textRectsAbove(layers []PlannedLayer, box image.Rectangle) []image.Rectangle {
	var out []image.Rectangle
	for i := range layers {
		r := layers[i].TextRect().Intersect(box)
		if !r.Empty() {
			out = append(out, r.Sub(box.Min))
		}
	}
	return out
}

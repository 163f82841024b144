package plan

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sharecard/render/article"
	"sharecard/render/layout"
	"sharecard/render/photo"
	"sharecard/render/preset"
	"sharecard/render/text"
	"strconv"
	"strings"
	"unicode"
)

// PhotoInfo is what planning needs to know about the photo; it holds no
// pixels, so plans can be made and tested without decoding anything.
type PhotoInfo struct {
	Size     image.Point         // upright size in pixels; zero when there is no photo
	Subjects []photo.Subject     // faces and details to keep visible
	Focus    *article.FocusPoint // editor's focus point, overrides Subjects
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
	// Missing lists, by text, the characters no font has: they are
	// drawn as boxes. Rendering refuses such a plan unless missing glyphs
	// are allowed (see render.MissingGlyphsError).
	Missing []MissingGlyphs `json:"missing,omitempty"`
}

// MissingGlyphs is the characters of one text that no font of the set has.
type MissingGlyphs struct {
	// Field is the article field the text comes from ("headline",
	// "card_headline", "caption", ...), or "<kind> text" for text written
	// in the layout.
	Field string `json:"field"`
	// Runes are the characters, each once, in the order of the text.
	Runes []rune `json:"runes"`
}

// Describe lists the characters as "U+1F9CC (🧌), U+0378 (\u0378)":
// each code point with the character, or its escape when it is not
// printable.
func (m MissingGlyphs) Describe() string {
	parts := make([]string, len(m.Runes))
	for i, r := range m.Runes {
		ch := string(r)
		if !unicode.IsPrint(r) || unicode.Is(unicode.Mn, r) {
			ch = strconv.QuoteToASCII(ch)
			ch = ch[1 : len(ch)-1]
		}
		parts[i] = fmt.Sprintf("%U (%s)", r, ch)
	}
	return strings.Join(parts, ", ")
}

// PlannedLayer is one layer with everything resolved: geometry in canvas
// pixels, colours, the pill, the picture and its place, the text set in
// lines of glyphs. Drawing reads only this, never the layout.
type PlannedLayer struct {
	Kind layout.LayerKind `json:"kind"`
	// Source is where the layer is written, "file:line:col" in the layout.
	Source string `json:"source"`
	// Box is the layer's box on the canvas: as declared, with bleed,
	// clipped to the canvas (and, for text, to the safe area).
	Box image.Rectangle `json:"box"`
	// Declared is the box the layout asks for, resolved against the canvas
	// or the safe area (mirrored for right-to-left articles), before bleed
	// and clipping.
	Declared image.Rectangle `json:"declared"`

	// Crop is set for photo layers. Backdrop says what fills the part of
	// the box the photo does not cover: "blur" (a blurred, darkened copy
	// of the photo) or "color" (BackdropColor).
	Crop          *CropResult `json:"crop,omitempty"`
	Backdrop      string      `json:"backdrop,omitempty"`
	BackdropColor color.NRGBA `json:"backdrop_color,omitzero"`

	// Gradient layers run From → To towards Dir ("down", "up", "left",
	// "right").
	From color.NRGBA `json:"from,omitzero"`
	To   color.NRGBA `json:"to,omitzero"`
	Dir  string      `json:"dir,omitempty"`

	// Color fills a box layer (with corners of Radius px) and colours the
	// glyphs of a text layer.
	Color  color.NRGBA `json:"color,omitzero"`
	Radius float64     `json:"radius,omitempty"`

	// Image names the picture of an image layer (a key of the layout's
	// Images) and ImageRect is where it lands: contained in Box, aspect
	// kept, aligned as the layer says.
	Image     string          `json:"image,omitempty"`
	ImageRect image.Rectangle `json:"image_rect,omitzero"`

	// Text is set for text and badge layers; TextX/TextY is the top-left of
	// the text block on the canvas.
	Text  *text.Block `json:"text,omitempty"`
	TextX float64     `json:"text_x,omitempty"`
	TextY float64     `json:"text_y,omitempty"`
	// Large is true when the text counts as large for WCAG (≥ 24 px, or
	// ≥ 18.66 px bold), which lowers the contrast needed from 4.5 to 3.
	Large bool `json:"large,omitempty"`
	// Contrast asks for a scrim behind the text, measured on the pixels
	// when drawing, until the text meets WCAG AA.
	Contrast bool `json:"contrast,omitempty"`
	// Pill is drawn behind each line (or the badge).
	Pill *Pill `json:"pill,omitempty"`
}

// The kinds of planned layers, the layout's layer kinds under the names
// drawing uses, so paint needs nothing from the layout package.
const (
	KindPhoto    = layout.LayerPhoto
	KindGradient = layout.LayerGradient
	KindBox      = layout.LayerBox
	KindText     = layout.LayerText
	KindImage    = layout.LayerImage
	KindBadge    = layout.LayerBadge
)

// Pill is the rounded background of a text layer, in pixels.
type Pill struct {
	Color  color.NRGBA `json:"color"`
	PadX   float64     `json:"pad_x"`
	PadY   float64     `json:"pad_y"`
	Radius float64     `json:"radius"`
}

// maxUpscale is the largest factor a photo is enlarged by; beyond it the
// photo turns soft, so the rest of the box is filled instead.
const maxUpscale = 1.5

// Card decides, for one preset, where every layer goes, how the text
// breaks and which part of the photo is shown. It touches no pixels.
//
// The text of a layer bound to the headline is the article's card
// headline when it has one. Straight quotes in the text are set as the
// article language's quotation marks (text.SmartQuotes) unless the layout
// keeps them (Typography.StraightQuotes). The layout's own fonts
// (layout.Layout.Fonts), when it has some, are used instead of fonts.
func Card(a *article.Article, l *layout.Layout, p preset.Preset, photo PhotoInfo, fonts *text.FontSet) (*Plan, error) {
	if l.Fonts != nil {
		fonts = l.Fonts
	}
	v, err := l.VariantFor(p.Width, p.Height)
	if err != nil {
		return nil, err
	}
	pl := &Plan{
		Preset: p.ID, Layout: l.Name, Variant: v.Name,
		Width: p.Width, Height: p.Height, Background: v.Background, RTL: text.IsRTL(a.Lang, cardHeadline(a)),
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
		if !ly.Applies(a, short) {
			continue
		}
		ref := canvas
		if ly.In == layout.RefSafe {
			ref = pl.Safe
		}
		spec := ly.Box
		if pl.RTL {
			spec.Left, spec.Right = spec.Right, spec.Left
		}
		declared := spec.Resolve(ref, short)
		box := declared
		if ly.Bleed && ly.In == layout.RefSafe {
			box = bleed(box, pl.Safe, canvas)
		}
		pld := PlannedLayer{Kind: ly.Kind, Box: box.Intersect(canvas), Declared: declared,
			Source: fmt.Sprintf("%s:%d:%d", l.File, ly.Line, ly.Col)}
		switch ly.Kind {
		case layout.LayerPhoto:
			pld.Backdrop = "blur"
			if ly.Backdrop == layout.BackdropColor {
				pld.Backdrop, pld.BackdropColor = "color", ly.BackdropColor
			}
		case layout.LayerGradient:
			pld.From, pld.To, pld.Dir = ly.From, ly.To, ly.Dir.String()
		case layout.LayerBox:
			pld.Color = ly.Color
			pld.Radius = ly.Radius.Px(float64(min(pld.Box.Dx(), pld.Box.Dy())), short)
		case layout.LayerImage:
			if ly.Image != nil {
				pld.Image = ly.ImageName
				pld.ImageRect = imageRect(pld.Box, ly.Image.Bounds().Size(), ly.Align, pl.RTL)
			}
		}
		if ly.Kind == layout.LayerText || ly.Kind == layout.LayerBadge {
			ok, err := planText(&pld, ly, a, pl, fonts, short, l.Typography)
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
		if pld.Kind != layout.LayerPhoto || photo.Size.X == 0 || photo.Size.Y == 0 {
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

// cardHeadline is the headline the cards show.
func cardHeadline(a *article.Article) string {
	s, _, _ := a.CardText("headline")
	return s
}

// planText fits a text layer into its box (clipped to the safe area) and
// records warnings. It returns false when there is nothing to draw.
func planText(pld *PlannedLayer, ly *layout.Layer, a *article.Article, pl *Plan, fonts *text.FontSet, short float64, typo layout.Typography) (bool, error) {
	txt, source := ly.Text, nameOf(ly)
	if ly.Field != "" {
		txt, source, _ = a.CardText(ly.Field)
	}
	if !typo.StraightQuotes {
		txt = text.SmartQuotes(txt, a.Lang)
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
	st := text.Style{
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
	// A script without a face of the requested style (no serif face for
	// Devanagari, say) is said once per text. Block.Fallback holds only
	// last-resort faces, never a script's own face, so the two notices do
	// not name the same family for the same reason.
	for _, note := range tb.FontNotes {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s: %s", name, note))
	}
	if len(tb.Fallback) > 0 {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s: some glyphs are not in %q and were drawn from %s", name, ly.Font.Family, strings.Join(tb.Fallback, ", ")))
	}
	if len(tb.Missing) > 0 {
		m := MissingGlyphs{Field: source, Runes: tb.Missing} // distinct, in order
		pl.Missing = append(pl.Missing, m)
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s: no font has %s; drawn as boxes", source, m.Describe()))
	}
	pld.Text = &tb
	pld.Box = box
	pld.TextX = float64(box.Min.X) + padX + inset
	switch ly.VAlign {
	case layout.VAlignTop:
		pld.TextY = float64(box.Min.Y) + padY
	case layout.VAlignCenter:
		pld.TextY = float64(box.Min.Y) + (float64(box.Dy())-tb.Height)/2
	case layout.VAlignBottom:
		pld.TextY = float64(box.Max.Y) - padY - tb.Height
	}
	pld.Large = tb.Size >= 24 || (tb.Size >= 18.66 && ly.Font.Weight >= 700)
	pld.Color, pld.Contrast = ly.Color, ly.Contrast
	if ly.Pill != nil {
		pld.Pill = &Pill{Color: ly.Pill.Color, PadX: ly.Pill.PadX.Px(tb.Size, 0), PadY: ly.Pill.PadY.Px(tb.Size, 0), Radius: ly.Pill.Radius.Px(tb.Size, 0)}
	}
	return true, nil
}

// imageRect returns where a picture of size b lands in box: contained,
// aspect kept, aligned as align says (start and end follow the article's
// direction) and centred vertically.
func imageRect(box image.Rectangle, b image.Point, align text.Align, rtl bool) image.Rectangle {
	if box.Empty() || b.X <= 0 || b.Y <= 0 {
		return image.Rectangle{}
	}
	s := math.Min(float64(box.Dx())/float64(b.X), float64(box.Dy())/float64(b.Y))
	w, h := max(1, int(float64(b.X)*s)), max(1, int(float64(b.Y)*s))
	x := box.Min.X
	switch {
	case align == text.AlignCenter:
		x += (box.Dx() - w) / 2
	case align == text.AlignRight, align == text.AlignEnd && !rtl, align == text.AlignStart && rtl:
		x = box.Max.X - w
	}
	y := box.Min.Y + (box.Dy()-h)/2
	return image.Rect(x, y, x+w, y+h)
}

// nameOf names a text layer in warnings: its article field, or its kind.
func nameOf(ly *layout.Layer) string {
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
	if pl := pld.Pill; pl != nil {
		x0, x1, y0, y1 = x0-pl.PadX, x1+pl.PadX, y0-pl.PadY, y1+pl.PadY
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

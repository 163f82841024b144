package plan

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
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
	// Purpose is the preset's purpose the variant was chosen for: card,
	// clean or identity (empty is card).
	Purpose string `json:"purpose,omitempty"`
	// Crop is the crop of the first photo layer, in photo pixels.
	Crop     *CropResult `json:"crop,omitempty"`
	Warnings []string    `json:"warnings,omitempty"`
	// Fallbacks says, for people, each way the plan departs from what the
	// layout asks for first: a small-photo variant, a photo enlarged past
	// 1.5× or left out, a backdrop of brand colour or side pillars, a
	// layer moved to another placement or left out so as not to cover a
	// subject, a box shrunk out of a keep-out zone. (The manifest lists
	// them.)
	Fallbacks []string `json:"fallbacks,omitempty"`
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
	// With Contrast set on an image layer (contrast: auto), paint measures
	// what lies behind ImageRect and, when the image would not stand out,
	// draws ImageOnLight (a key of the layout's Images, at ImageOnLightRect)
	// instead on a light background, or else a plate of colour Plate
	// behind it (Plate zero: paint picks a plate that contrasts with the
	// image).
	ImageOnLight     string          `json:"image_on_light,omitempty"`
	ImageOnLightRect image.Rectangle `json:"image_on_light_rect,omitzero"`
	Plate            color.NRGBA     `json:"plate,omitzero"`

	// Placement is the box the layer uses: 0 for its box, k for the
	// layout's placements[k-1]; PlacementName names where that box is on
	// the canvas ("bottom-left", "top", ...). Both are set only for layers
	// with placements.
	Placement     int    `json:"placement,omitempty"`
	PlacementName string `json:"placement_name,omitempty"`

	// Text is set for text and badge layers; TextX/TextY is the top-left of
	// the text block on the canvas.
	Text  *text.Block `json:"text,omitempty"`
	TextX float64     `json:"text_x,omitempty"`
	TextY float64     `json:"text_y,omitempty"`
	// Large is true when the text counts as large for WCAG (≥ 24 px, or
	// ≥ 18.66 px bold), which lowers the contrast needed from 4.5 to 3.
	Large bool `json:"large,omitempty"`
	// Contrast asks for a scrim behind the text, measured on the pixels
	// when drawing, until the text meets WCAG AA; on an image layer, for
	// the choice of ImageOnLight or Plate (see there).
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

// Card decides, for one preset, where every layer goes, how the text
// breaks and which part of the photo is shown. It touches no pixels.
//
// The text of a layer bound to the headline is the article's card
// headline when it has one. Straight quotes in the text are set as the
// article language's quotation marks (text.SmartQuotes) unless the layout
// keeps them (Typography.StraightQuotes). The layout's own fonts
// (layout.Layout.Fonts), when it has some, are used instead of fonts.
//
// Composition, in order (each step is recorded in Plan.Fallbacks when it
// departs from the layout's first choice):
//
//  1. Variant: layout.Layout.Choose for the preset's size and purpose. When
//     the photo is too small for the chosen variant's photo box (it would
//     need enlarging past MaxUpscaleFor the canvas, and more than side
//     pillars of at most 10% of the width per side would be left) or there
//     is no photo, the layout's small_photo variant is used, when it has one;
//     but a photo alone in its slot that, so enlarged, still covers at
//     least 40% of it (insetMin) is drawn there as an inset instead.
//  2. Keep-out: text, badge and image layers stay out of the preset's
//     KeepOut zones: a placement that overlaps none is taken, else the box
//     is shrunk away from the zone (with a warning when that leaves nothing).
//  3. Subjects: the first photo is cropped (ChooseCrop) away from what is
//     drawn over it (text, badges, logos and opaque boxes). Then each layer
//     with placements that still covers a primary subject (see Primary)
//     tries them in order, and keeps the first that covers none (else the
//     least covered); layers with the same `when` (or none), the same
//     number of placements and overlapping boxes move together. An
//     optional layer (one with `when`) that would still cover more than 5%
//     of a primary subject is left out, with the layers of its group
//     (without placements, optional layers with the same `when` and
//     overlapping boxes form a group). Any other layer still over more
//     than 5% of a primary subject gets a warning, and when the layers
//     together still cover more than 5% of one, the layout's small_photo
//     variant is planned too (the photo in a slot of its own): it is
//     taken when it shows the photo, covers less of the subject and cuts
//     no more of a head.
//  4. Small photos without a small_photo variant: a blurred backdrop is kept
//     only as side pillars of at most 10% of the box width per side;
//     otherwise the box is filled with brand colour (the layer's backdrop
//     colour, else the variant's background). A photo alone in its slot
//     (no headline over it, nor other text over a quarter of it) is an
//     inset; one under text that covers less than 70% of its box is left
//     out (a typographic card from the same variant). A layout that has a small_photo variant gets that variant
//     instead, also when the photo covered its box at first but the crop
//     had to zoom out to keep its subjects whole.
func Card(a *article.Article, l *layout.Layout, p preset.Preset, ph PhotoInfo, fonts *text.FontSet) (*Plan, error) {
	pl, st, err := card(a, l, p, ph, fonts, "")
	if err != nil {
		return pl, err
	}
	switch {
	case st.leftOut:
		alt, ast, err := card(a, l, p, ph, fonts, "small photo: the crop zoomed out to keep its subjects whole")
		if err == nil && alt.Variant != pl.Variant && ast.forced {
			return alt, nil
		}
	case (st.cover > subjectCoverMax || st.headCut > 0) && !st.small:
		// The text cannot stay off the subject, or the crop cuts a head to
		// stay clear of it: the layout's small-photo variant (the photo in
		// a slot of its own, beside or above the text) is taken when it
		// shows the photo and does better.
		why := fmt.Sprintf("the text would cover %.0f%% of the photo's subject", 100*st.cover)
		if st.cover <= subjectCoverMax {
			why = "the crop would cut a head to keep it clear of the text"
		}
		alt, ast, err := card(a, l, p, ph, fonts, why)
		if err == nil && ast.forced && !ast.leftOut && alt.Crop != nil && ast.better(st) {
			return alt, nil
		}
	}
	return pl, nil
}

// better reports whether a card in state a keeps the photo's subjects
// better than one in state b: less of a head cut, with no more than the
// tolerated cover (or b's); or no more cut and less covered.
func (a cardState) better(b cardState) bool {
	if a.headCut < b.headCut {
		return a.cover <= max(b.cover, subjectCoverMax)
	}
	return a.headCut <= b.headCut && a.cover < b.cover && a.cut <= b.cut
}

// cardState is what Card weighs of a planned card: whether its variant is
// a small-photo one (forced: because Card asked for it), whether the photo
// was left out, the largest part of one primary subject covered by what
// is drawn over the photo, and the canvas pixels the crop cuts of the
// heads with their headroom (cut) and of the heads alone (headCut).
type cardState struct {
	small, forced, leftOut bool
	cover                  float64
	cut, headCut           int64
}

// card plans one card. A non-empty force asks for the layout's small-photo
// variant, for that reason (recorded in Fallbacks).
func card(a *article.Article, l *layout.Layout, p preset.Preset, ph PhotoInfo, fonts *text.FontSet, force string) (*Plan, cardState, error) {
	var st cardState
	if l.Fonts != nil {
		fonts = l.Fonts
	}
	want := layout.Want{Width: p.Width, Height: p.Height, Purpose: p.Purpose}
	v, err := l.Choose(want)
	if err != nil {
		return nil, st, err
	}
	pl := &Plan{
		Preset: p.ID, Layout: l.Name, Purpose: p.Purpose,
		Width: p.Width, Height: p.Height, RTL: text.IsRTL(a.Lang, cardHeadline(a)),
		Safe: image.Rect(p.Safe.Left, p.Safe.Top, p.Width-p.Safe.Right, p.Height-p.Safe.Bottom),
	}
	if pl.Safe.Empty() {
		return nil, st, fmt.Errorf("preset %s: safe-area insets %+v leave no room on a %dx%d canvas", p.ID, p.Safe, p.Width, p.Height)
	}
	c := &carder{a: a, l: l, p: p, ph: ph, fonts: fonts, pl: pl,
		canvas: image.Rect(0, 0, p.Width, p.Height), short: float64(min(p.Width, p.Height)),
		maxUp: MaxUpscaleFor(p.Width, p.Height)}
	why := c.tooSmall(v)
	if why == "" {
		why = force
	}
	if why != "" && l.HasSmallPhoto(want) {
		want.SmallPhoto = true
		if sv, err := l.Choose(want); err == nil && sv != v {
			v = sv
			st.forced = why == force
			pl.Fallbacks = append(pl.Fallbacks, fmt.Sprintf("%s: small-photo variant %q", why, v.Name))
		}
	}
	st.small = v.SmallPhoto
	pl.Variant, pl.Background = v.Name, v.Background
	c.v = v
	if err := c.layers(); err != nil {
		return nil, st, err
	}
	c.keepOut()
	e := c.compose()
	c.finish()
	st.leftOut = c.main >= 0 && pl.Crop == nil && c.ph.Size.X > 0
	st.cover, st.cut, st.headCut = e.worst, e.cut, e.headCut
	return pl, st, nil
}

// MaxUpscaleFor is the largest factor a photo is enlarged by on a w×h
// canvas: 1.5 (DefaultMaxUpscale); 2 on landscape TV-sized canvases (at
// least 1920×1080: full-HD heroes and backgrounds, viewed from afar); 2.5
// when both sides are at least 2000 px (UHD, TV posters, podcast covers),
// which are shown scaled down. Phone-sized canvases (stories are 1080×1920)
// keep 1.5. Past it a photo turns soft, so the plan falls back instead
// (see Card).
func MaxUpscaleFor(w, h int) float64 {
	switch {
	case min(w, h) >= 2000:
		return 2.5
	case w >= 1920 && h >= 1080:
		return 2
	}
	return DefaultMaxUpscale
}

// pillarMax is the widest side pillar a blurred backdrop may fill, as a
// fraction of the box width per side.
const pillarMax = 0.1

// stampMin is the smallest part of its box a small photo under text must
// cover to be kept when the layout has no small-photo variant.
const stampMin = 0.7

// subjectCoverMax is the largest part of a primary subject (a head, a
// person, an object: see Primary) an optional layer may cover before it
// is left out, and the text of a card may cover before Card tries the
// layout's small-photo variant.
const subjectCoverMax = 0.05

// notes are the warnings and missing glyphs of one planned layer, kept
// apart until the layer's placement is chosen.
type notes struct {
	warnings []string
	missing  []MissingGlyphs
}

// option is one placement of a layer, planned.
type option struct {
	pld   PlannedLayer
	ok    bool // something to draw
	notes notes
}

// slot is one layer of the variant that applies, with its placements.
type slot struct {
	ly      *layout.Layer
	specs   []layout.BoxSpec // the box, then the placements
	opts    []*option        // planned lazily, by index of specs
	allowed []bool           // clear of keep-out zones
	cur     int
	group   int
	dropped bool
}

// carder plans one card.
type carder struct {
	a      *article.Article
	l      *layout.Layout
	v      *layout.Variant
	p      preset.Preset
	ph     PhotoInfo
	fonts  *text.FontSet
	pl     *Plan
	canvas image.Rectangle
	short  float64
	maxUp  float64
	slots  []*slot
	groups [][]int // slot indices
	main   int     // slot of the first photo layer with a photo, -1 if none
}

// resolve returns the declared box of a layer for spec and the box it
// covers (with bleed, clipped to the canvas).
func (c *carder) resolve(ly *layout.Layer, spec layout.BoxSpec) (declared, box image.Rectangle) {
	ref := c.canvas
	if ly.In == layout.RefSafe {
		ref = c.pl.Safe
	}
	if c.pl.RTL {
		spec.Left, spec.Right = spec.Right, spec.Left
	}
	declared = spec.Resolve(ref, c.short)
	box = declared
	if ly.Bleed && ly.In == layout.RefSafe {
		box = bleed(box, c.pl.Safe, c.canvas)
	}
	return declared, box.Intersect(c.canvas)
}

// tooSmall says why the photo is too small for v's first photo layer
// ("no photo", "small photo WxH"), or "" when it fits (or v has no photo
// layer).
func (c *carder) tooSmall(v *layout.Variant) string {
	for i := range v.Layers {
		ly := &v.Layers[i]
		if ly.Kind != layout.LayerPhoto || !ly.Applies(c.a, c.short) {
			continue
		}
		_, box := c.resolve(ly, ly.Box)
		if box.Empty() {
			continue
		}
		P := c.ph.Size
		if P.X <= 0 || P.Y <= 0 {
			return "no photo"
		}
		if smallFor(P, box.Size(), c.maxUp) && !c.insetFits(v, i, P, box) {
			return fmt.Sprintf("small photo %dx%d (a %dx%d box needs %.2g×, more than %.2g×)", P.X, P.Y, box.Dx(), box.Dy(),
				math.Max(float64(box.Dx())/float64(P.X), float64(box.Dy())/float64(P.Y)), c.maxUp)
		}
		return ""
	}
	return ""
}

// smallFor reports whether a photo of size P, enlarged maxUp times at
// most, leaves more of a box of size B uncovered than side pillars of
// pillarMax of its width.
// insetMin is the least part of its box a small photo alone in its slot
// must cover to be drawn there as an inset rather than give way to the
// layout's small-photo variant.
const insetMin = 0.4

// insetFits reports whether the photo layer k of v, in box, is alone in
// its slot (no headline, nor much other text, over the inset: see over)
// and the photo,
// enlarged as far as allowed, covers insetMin of it: an inset there beats
// the small-photo variant.
func (c *carder) insetFits(v *layout.Variant, k int, P image.Point, box image.Rectangle) bool {
	sc := math.Min(c.maxUp, math.Min(float64(box.Dx())/float64(P.X), float64(box.Dy())/float64(P.Y)))
	w, h := int(float64(P.X)*sc), int(float64(P.Y)*sc)
	if float64(w*h) < insetMin*float64(box.Dx())*float64(box.Dy()) {
		return false
	}
	// Where the inset lands: centred in the box.
	dst := image.Rect(0, 0, w, h).Add(box.Min).Add(image.Pt((box.Dx()-w)/2, (box.Dy()-h)/2))
	for i := range v.Layers {
		ly := &v.Layers[i]
		if i == k || (ly.Kind != layout.LayerText && ly.Kind != layout.LayerBadge) || !ly.Applies(c.a, c.short) {
			continue
		}
		if _, r := c.resolve(ly, ly.Box); over(ly, r, dst) {
			return false
		}
	}
	return true
}

// over reports whether the text of layer ly, in r, lies over a photo
// drawn in dst: a headline that touches it, or other text (a credit, a
// strap's label) that hides more than a quarter of it.
func over(ly *layout.Layer, r, dst image.Rectangle) bool {
	if ly.Field == "headline" {
		return r.Overlaps(dst)
	}
	return 4*Area(r.Intersect(dst)) > Area(dst)
}

func smallFor(P, B image.Point, maxUp float64) bool {
	w, h := float64(P.X)*maxUp, float64(P.Y)*maxUp
	if w >= float64(B.X)-0.5 && h >= float64(B.Y)-0.5 {
		return false
	}
	// Covering the height, the photo may leave pillars at the sides.
	return !(h >= float64(B.Y)-0.5 && w >= (1-2*pillarMax)*float64(B.X)-0.5)
}

// layers makes a slot for each layer that applies and plans its box.
func (c *carder) layers() error {
	c.main = -1
	for i := range c.v.Layers {
		ly := &c.v.Layers[i]
		if !ly.Applies(c.a, c.short) {
			continue
		}
		s := &slot{ly: ly, specs: append([]layout.BoxSpec{ly.Box}, ly.Placements...)}
		s.opts = make([]*option, len(s.specs))
		s.allowed = make([]bool, len(s.specs))
		for k := range s.allowed {
			s.allowed[k] = true
		}
		o, err := c.option(s, 0)
		if err != nil {
			return err
		}
		if !o.ok && len(s.specs) == 1 {
			continue
		}
		if ly.Kind == layout.LayerPhoto && c.main < 0 && c.ph.Size.X > 0 && c.ph.Size.Y > 0 && o.ok {
			c.main = len(c.slots)
		}
		c.slots = append(c.slots, s)
	}
	// Groups: layers with the same `when` (or none), the same number of
	// placements and overlapping boxes move (and drop) together; without
	// placements, only optional layers (with a `when`) group.
	for i, s := range c.slots {
		s.group = -1
		if s.ly.When != "" || len(s.specs) > 1 {
			for g, members := range c.groups {
				f := c.slots[members[0]]
				if f.ly.When == s.ly.When && len(f.specs) == len(s.specs) && c.opt(f, 0).pld.Declared.Overlaps(c.opt(s, 0).pld.Declared) {
					s.group = g
					c.groups[g] = append(c.groups[g], i)
					break
				}
			}
		}
		if s.group < 0 {
			s.group = len(c.groups)
			c.groups = append(c.groups, []int{i})
		}
	}
	return nil
}

// option plans slot s at placement k (once).
func (c *carder) option(s *slot, k int) (*option, error) {
	if o := s.opts[k]; o != nil {
		return o, nil
	}
	declared, box := c.resolve(s.ly, s.specs[k])
	o, err := c.planAt(s.ly, declared, box)
	if err != nil {
		return nil, err
	}
	if len(s.specs) > 1 {
		o.pld.Placement, o.pld.PlacementName = k, placementName(declared, c.canvas)
	}
	s.opts[k] = o
	return o, nil
}

// opt is option for a placement already planned without error.
func (c *carder) opt(s *slot, k int) *option {
	o, err := c.option(s, k)
	if err != nil || o == nil {
		return &option{}
	}
	return o
}

// planAt plans layer ly in the given boxes.
func (c *carder) planAt(ly *layout.Layer, declared, box image.Rectangle) (*option, error) {
	pl := c.pl
	o := &option{}
	pld := PlannedLayer{Kind: ly.Kind, Box: box, Declared: declared,
		Source: fmt.Sprintf("%s:%d:%d", c.l.File, ly.Line, ly.Col)}
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
		pld.Radius = ly.Radius.Px(float64(min(pld.Box.Dx(), pld.Box.Dy())), c.short)
	case layout.LayerImage:
		if ly.Image != nil {
			pld.Image = ly.ImageName
			pld.ImageRect = imageRect(pld.Box, ly.Image.Bounds().Size(), ly.Align, pl.RTL)
		}
		if ly.Contrast {
			pld.Contrast = true
			pld.Plate = ly.Plate
			if ly.SrcOnLight != nil {
				pld.ImageOnLight = ly.SrcOnLightName
				pld.ImageOnLightRect = imageRect(pld.Box, ly.SrcOnLight.Bounds().Size(), ly.Align, pl.RTL)
			}
		}
	}
	if ly.Kind == layout.LayerText || ly.Kind == layout.LayerBadge {
		ok, err := planText(&pld, ly, c.a, pl.Safe, c.fonts, c.short, c.l.Typography, &o.notes)
		if err != nil {
			return nil, fmt.Errorf("layout %s, layer at line %d: %w", c.l.Name, ly.Line, err)
		}
		if !ok {
			return o, nil
		}
	}
	o.pld, o.ok = pld, !pld.Box.Empty()
	return o, nil
}

// placementName names where r lies on the canvas: "top-left", "bottom",
// "center" ...
func placementName(r, canvas image.Rectangle) string {
	third := func(lo, hi, size int, a, b, m string) string {
		mid := (lo + hi) / 2
		switch {
		case hi-lo >= size*4/5:
			return ""
		case mid < size/3:
			return a
		case mid > size*2/3:
			return b
		}
		return m
	}
	v := third(r.Min.Y, r.Max.Y, canvas.Dy(), "top", "bottom", "middle")
	h := third(r.Min.X, r.Max.X, canvas.Dx(), "left", "right", "center")
	switch {
	case v == "" && h == "":
		return "full"
	case v == "":
		return h
	case h == "":
		return v
	}
	return v + "-" + h
}

// occupied is the part of the canvas a planned layer hides: the text and
// its pill, the picture, or an opaque box (alpha of at least one half).
func occupied(pld *PlannedLayer) image.Rectangle {
	switch pld.Kind {
	case KindText, KindBadge:
		return pld.TextRect()
	case KindImage:
		return pld.ImageRect
	case KindBox:
		if pld.Color.A >= 128 {
			return pld.Box
		}
	}
	return image.Rectangle{}
}

// keepOutRect is what of a layer must stay out of keep-out zones: text,
// badges and images (logos, the credit).
func keepOutRect(pld *PlannedLayer) image.Rectangle {
	if pld.Kind == KindText || pld.Kind == KindBadge || pld.Kind == KindImage {
		return occupied(pld)
	}
	return image.Rectangle{}
}

func overlapsAny(r image.Rectangle, zones []image.Rectangle) bool {
	for _, z := range zones {
		if r.Overlaps(z) {
			return true
		}
	}
	return false
}

// keepOut keeps text, badges and images out of the preset's keep-out
// zones: another placement when one is clear, else a box shrunk away from
// the zones.
func (c *carder) keepOut() {
	zones := c.p.KeepOut
	if len(zones) == 0 {
		return
	}
	for _, s := range c.slots {
		if !overlapsAny(keepOutRect(&c.opt(s, 0).pld), zones) {
			continue
		}
		clear := -1
		for k := range s.specs {
			o := c.opt(s, k)
			s.allowed[k] = o.ok && !overlapsAny(keepOutRect(&o.pld), zones)
			if s.allowed[k] && clear < 0 {
				clear = k
			}
		}
		name := layerName(s.ly)
		if clear >= 0 {
			s.cur = clear
			c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("%s: placement %d (%s), clear of the platform's keep-out zone", name, clear, c.opt(s, clear).pld.PlacementName))
			continue
		}
		// Shrink the box away from each zone it meets, keeping the larger
		// remaining part, and plan the layer again.
		o := c.opt(s, 0)
		box := o.pld.Box
		for _, z := range zones {
			if keepOutRect(&o.pld).Overlaps(z) {
				box = awayFrom(box, z)
			}
		}
		decl := o.pld.Declared.Intersect(box)
		no, err := c.planAt(s.ly, decl, box)
		if err == nil && no.ok && !overlapsAny(keepOutRect(&no.pld), zones) {
			no.pld.Placement, no.pld.PlacementName = o.pld.Placement, o.pld.PlacementName
			for k := range s.opts {
				s.opts[k], s.allowed[k] = no, k == 0
			}
			c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("%s: box shrunk to %v to stay out of the platform's keep-out zone", name, box))
			continue
		}
		c.pl.Warnings = append(c.pl.Warnings, fmt.Sprintf("%s lies in the platform's keep-out zone and cannot be moved out of it: give it placements clear of %v", name, zones))
	}
}

// awayFrom returns the largest part of box on one side of zone z.
func awayFrom(box, z image.Rectangle) image.Rectangle {
	best := image.Rectangle{}
	for _, r := range []image.Rectangle{
		{box.Min, image.Pt(box.Max.X, min(box.Max.Y, z.Min.Y))},
		{image.Pt(box.Min.X, max(box.Min.Y, z.Max.Y)), box.Max},
		{box.Min, image.Pt(min(box.Max.X, z.Min.X), box.Max.Y)},
		{image.Pt(max(box.Min.X, z.Max.X), box.Min.Y), box.Max},
	} {
		if !r.Empty() && Area(r) > Area(best) {
			best = r
		}
	}
	return best
}

// layerName names a layer in fallbacks: its field or text and its source.
func layerName(ly *layout.Layer) string {
	what := ly.Field
	if what == "" && ly.Text != "" {
		what = strconv.Quote(ly.Text)
	}
	if what == "" {
		what = ly.ImageName
	}
	if what == "" {
		return fmt.Sprintf("%s (line %d)", ly.Kind, ly.Line)
	}
	return fmt.Sprintf("%s %s (line %d)", ly.Kind, what, ly.Line)
}

// groupName names the layers of group g in fallbacks.
func (c *carder) groupName(g int) string {
	names := make([]string, len(c.groups[g]))
	for j, i := range c.groups[g] {
		names[j] = layerName(c.slots[i].ly)
	}
	return strings.Join(names, ", ")
}

// eval is the state of one arrangement of the layers: the main crop, and
// the area of primary subjects (canvas pixels) each slot covers, and of
// heads as a fraction of each head.
type eval struct {
	crop      CropResult
	cover     []int64   // by slot
	headCover []float64 // by slot: the largest fraction of one head covered
	subCover  []float64 // by slot: the largest fraction of one primary subject covered
	// worst is the largest fraction of one primary subject covered by all
	// the layers over it together.
	worst float64
	// cut is the box pixels of heads (with their headroom) the crop
	// leaves out to keep them clear of the layers: a placement that lets
	// the crop keep a head whole is better.
	cut int64
	// headCut is the part of cut inside the heads themselves, headroom
	// aside.
	headCut int64
	total   int64
}

// avoidFor returns, in box coordinates, what the layers drawn after slot i
// hide of its box.
func (c *carder) avoidFor(i int, box image.Rectangle) []image.Rectangle {
	var out []image.Rectangle
	for _, s := range c.slots[i+1:] {
		if s.dropped {
			continue
		}
		o := c.opt(s, s.cur)
		if !o.ok {
			continue
		}
		if r := occupied(&o.pld).Intersect(box); !r.Empty() {
			out = append(out, r.Sub(box.Min))
		}
	}
	return out
}

// cropFor crops the photo for slot i as the layers stand.
func (c *carder) cropFor(i int) CropResult {
	box := c.opt(c.slots[i], 0).pld.Box
	return ChooseCrop(CropInput{
		Photo: c.ph.Size, Box: box.Size(), MaxUpscale: c.maxUp,
		Focus: c.ph.Focus, Subjects: c.ph.Subjects, Avoid: c.avoidFor(i, box),
	})
}

// toCanvas maps a photo rectangle through a crop into a box on the canvas.
func toCanvas(r image.Rectangle, cr CropResult, box image.Rectangle) image.Rectangle {
	if cr.Src.Empty() {
		return image.Rectangle{}
	}
	sx := float64(cr.Dst.Dx()) / float64(cr.Src.Dx())
	sy := float64(cr.Dst.Dy()) / float64(cr.Src.Dy())
	r = r.Intersect(cr.Src)
	if r.Empty() {
		return image.Rectangle{}
	}
	o := box.Min.Add(cr.Dst.Min)
	return image.Rect(
		o.X+int(math.Floor(float64(r.Min.X-cr.Src.Min.X)*sx)),
		o.Y+int(math.Floor(float64(r.Min.Y-cr.Src.Min.Y)*sy)),
		o.X+int(math.Ceil(float64(r.Max.X-cr.Src.Min.X)*sx)),
		o.Y+int(math.Ceil(float64(r.Max.Y-cr.Src.Min.Y)*sy)),
	).Intersect(box)
}

// evaluate crops the main photo for the layers as they stand and measures
// what they cover of its primary subjects.
func (c *carder) evaluate() eval {
	e := eval{cover: make([]int64, len(c.slots)), headCover: make([]float64, len(c.slots)), subCover: make([]float64, len(c.slots))}
	if c.main < 0 {
		return e
	}
	e.crop = c.cropFor(c.main)
	box := c.opt(c.slots[c.main], 0).pld.Box
	var over []image.Rectangle
	for _, sub := range c.ph.Subjects {
		if !Primary(sub) || c.ph.Focus != nil {
			continue
		}
		m := toCanvas(sub.Rect, e.crop, box)
		if m.Empty() {
			continue
		}
		head := HeadKind(sub.Kind)
		if head && e.crop.Src.Dx() > 0 {
			whole := sub.Rect
			whole.Min.Y = max(0, whole.Min.Y-int(headroom*float64(whole.Dy())))
			out := Area(whole) - Area(whole.Intersect(e.crop.Src))
			cut := int64(float64(out) * e.crop.Scale * e.crop.Scale)
			e.cut += cut
			e.total += cut
			in := Area(sub.Rect) - Area(sub.Rect.Intersect(e.crop.Src))
			e.headCut += int64(float64(in) * e.crop.Scale * e.crop.Scale)
		}
		over = over[:0]
		for j, s := range c.slots[c.main+1:] {
			j += c.main + 1
			if s.dropped {
				continue
			}
			o := c.opt(s, s.cur)
			if !o.ok {
				continue
			}
			r := occupied(&o.pld).Intersect(m)
			a := Area(r)
			if a == 0 {
				continue
			}
			over = append(over, r)
			e.cover[j] += a
			e.total += a
			f := float64(a) / float64(Area(m))
			e.subCover[j] = math.Max(e.subCover[j], f)
			if head {
				e.headCover[j] = math.Max(e.headCover[j], f)
			}
		}
		e.worst = math.Max(e.worst, float64(unionArea(over))/float64(Area(m)))
	}
	return e
}

// unionArea is the area of the union of rs: exact, by the distinct x
// edges (rs are few, a handful of layers).
func unionArea(rs []image.Rectangle) int64 {
	switch len(rs) {
	case 0:
		return 0
	case 1:
		return Area(rs[0])
	}
	xs := make([]int, 0, 2*len(rs))
	for _, r := range rs {
		xs = append(xs, r.Min.X, r.Max.X)
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	var total int64
	type span struct{ lo, hi int }
	var ys []span
	for i := 0; i+1 < len(xs); i++ {
		x0, x1 := xs[i], xs[i+1]
		ys = ys[:0]
		for _, r := range rs {
			if r.Min.X <= x0 && r.Max.X >= x1 {
				ys = append(ys, span{r.Min.Y, r.Max.Y})
			}
		}
		slices.SortFunc(ys, func(a, b span) int { return a.lo - b.lo })
		covered, end := 0, math.MinInt
		for _, y := range ys {
			lo := max(y.lo, end)
			if y.hi > lo {
				covered += y.hi - lo
			}
			end = max(end, y.hi)
		}
		total += int64(covered) * int64(x1-x0)
	}
	return total
}

// groupCover is what the layers of group g cover of the photo's primary
// subjects: pixels in all, and the largest fraction of one subject.
func (c *carder) groupCover(e eval, g int) (area int64, sub float64) {
	for _, i := range c.groups[g] {
		area += e.cover[i]
		sub = math.Max(sub, e.subCover[i])
	}
	return area, sub
}

func (c *carder) setGroup(g, k int) {
	for _, i := range c.groups[g] {
		c.slots[i].cur = k
	}
}

// compose moves layers with placements off the photo's subjects, and
// leaves out optional layers that would still cover a head.
func (c *carder) compose() eval {
	if c.main < 0 || c.ph.Focus != nil {
		return eval{}
	}
	// A photo that will be left out moves nothing.
	if cr := c.cropFor(c.main); cr.Fill {
		if fate, _ := c.photoFate(c.main, c.opt(c.slots[c.main], 0).pld.Box, cr); fate == fateLeftOut {
			return eval{}
		}
	}
	primary := false
	for _, s := range c.ph.Subjects {
		primary = primary || Primary(s)
	}
	if !primary {
		return eval{}
	}
	for g, members := range c.groups {
		first := c.slots[members[0]]
		if members[0] <= c.main || len(first.specs) < 2 {
			continue
		}
		base := c.evaluate()
		if a, _ := c.groupCover(base, g); a == 0 && base.cut == 0 {
			continue
		}
		start := first.cur
		bestK, best := start, base.total
		for k := range first.specs {
			if k == start || !c.groupAllowed(g, k) {
				continue
			}
			c.setGroup(g, k)
			if e := c.evaluate(); e.total < best {
				bestK, best = k, e.total
				if best == 0 {
					break
				}
			}
		}
		c.setGroup(g, bestK)
		if bestK != start {
			o := c.opt(first, bestK)
			c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("%s: placement %d (%s), clear of the photo's subject", c.groupName(g), bestK, o.pld.PlacementName))
		}
	}
	// Optional layers still over a primary subject are left out, a group
	// at a time.
	for range c.groups {
		e := c.evaluate()
		drop := -1
		for g, members := range c.groups {
			first := c.slots[members[0]]
			if first.ly.When == "" || first.dropped || members[0] <= c.main {
				continue
			}
			if _, h := c.groupCover(e, g); h > subjectCoverMax {
				drop = g
				c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("%s left out: it would cover %.0f%% of the photo's subject", c.groupName(g), 100*h))
				break
			}
		}
		if drop < 0 && e.headCut > 0 {
			// The crop cuts a head to keep clear of the layers: an optional
			// group whose absence lets it keep more of the head goes.
			drop = c.dropForHead(e.headCut)
		}
		if drop < 0 {
			break
		}
		for _, i := range c.groups[drop] {
			c.slots[i].dropped = true
		}
	}
	// What still covers a subject is said, for the manifest and lint.
	e := c.evaluate()
	for i, h := range e.subCover {
		switch {
		case e.headCover[i] > subjectCoverMax:
			c.pl.Warnings = append(c.pl.Warnings, fmt.Sprintf("%s covers %.0f%% of a face in the photo", layerName(c.slots[i].ly), 100*e.headCover[i]))
		case h > subjectCoverMax:
			c.pl.Warnings = append(c.pl.Warnings, fmt.Sprintf("%s covers %.0f%% of the photo's subject", layerName(c.slots[i].ly), 100*h))
		}
	}
	return e
}

// dropForHead returns the first optional group whose absence lets the
// crop cut less of the heads than cut (eval.headCut; recording it), or -1.
func (c *carder) dropForHead(cut int64) int {
	for g, members := range c.groups {
		first := c.slots[members[0]]
		if first.ly.When == "" || first.dropped || members[0] <= c.main {
			continue
		}
		for _, i := range members {
			c.slots[i].dropped = true
		}
		e := c.evaluate()
		for _, i := range members {
			c.slots[i].dropped = false
		}
		if e.headCut < cut {
			c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("%s left out: the crop would cut a head to keep clear of it", c.groupName(g)))
			return g
		}
	}
	return -1
}

func (c *carder) groupAllowed(g, k int) bool {
	for _, i := range c.groups[g] {
		s := c.slots[i]
		if !s.allowed[k] || !c.opt(s, k).ok {
			return false
		}
	}
	return true
}

// finish crops every photo layer, settles backdrops and small photos, and
// writes the layers and their notes into the plan.
func (c *carder) finish() {
	pl := c.pl
	var layers []PlannedLayer
	for i, s := range c.slots {
		if s.dropped {
			continue
		}
		o := c.opt(s, s.cur)
		if !o.ok {
			continue
		}
		pld := o.pld
		pl.Warnings = append(pl.Warnings, o.notes.warnings...)
		pl.Missing = append(pl.Missing, o.notes.missing...)
		if pld.Kind == KindPhoto && c.ph.Size.X > 0 && c.ph.Size.Y > 0 {
			cr := c.cropFor(i)
			if !c.settlePhoto(i, &pld, &cr) {
				continue // a small photo under text: left out
			}
			pld.Crop = &cr
			if pl.Crop == nil {
				pl.Crop = &cr
				if cr.Fill {
					pl.Warnings = append(pl.Warnings, cr.Note)
				}
			}
		}
		layers = append(layers, pld)
	}
	if layers == nil {
		layers = []PlannedLayer{}
	}
	pl.Layers = layers
}

// settlePhoto decides the backdrop of a photo layer whose crop does not
// cover its box, and whether a small photo is drawn at all; it records
// the fallbacks and returns false when the photo is left out.
func (c *carder) settlePhoto(i int, pld *PlannedLayer, cr *CropResult) bool {
	first := c.pl.Crop == nil
	if cr.Scale > DefaultMaxUpscale+1e-9 && first {
		c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("photo enlarged %.2g× (at most %.2g× on a %dx%d canvas)", cr.Scale, c.maxUp, c.p.Width, c.p.Height))
	}
	if !cr.Fill {
		return true
	}
	box := pld.Box
	W := box.Dx()
	fate, frac := c.photoFate(i, box, *cr)
	if fate == fatePillars {
		if pld.Backdrop == "blur" && first {
			c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("side pillars of %d and %d px (blurred)", cr.Dst.Min.X, W-cr.Dst.Max.X))
		}
		return true
	}
	if pld.Backdrop == "blur" {
		pld.Backdrop, pld.BackdropColor = "color", c.v.Background
		pld.BackdropColor.A = 255
	}
	switch fate {
	case fateInset:
		c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("photo inset in its slot at %.2g× over brand colour (%.0f%% of the box)", cr.Scale, 100*frac))
	case fateOver:
		c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("photo at %.2g× over brand colour (%.0f%% of the box)", cr.Scale, 100*frac))
	default:
		c.pl.Fallbacks = append(c.pl.Fallbacks, fmt.Sprintf("small photo left out: a typographic card (it would cover %.0f%% of its box under the text; give the layout a small_photo variant)", 100*frac))
		return false
	}
	return true
}

// What becomes of a photo that does not cover its box (see photoFate).
const (
	fatePillars = iota // side pillars of at most pillarMax: any backdrop
	fateInset          // alone in its slot: an inset over brand colour
	fateOver           // under text but covering stampMin of its box
	fateLeftOut        // a stamp under text: left out
)

// photoFate decides what becomes of the photo of slot i, in box, cropped
// as cr when cr.Fill is set, and the part of the box it covers.
func (c *carder) photoFate(i int, box image.Rectangle, cr CropResult) (int, float64) {
	W := box.Dx()
	frac := float64(Area(cr.Dst)) / float64(Area(image.Rect(0, 0, box.Dx(), box.Dy())))
	if cr.Dst.Min.Y <= 0 && cr.Dst.Max.Y >= box.Dy() &&
		float64(cr.Dst.Min.X) <= pillarMax*float64(W)+0.5 && float64(W-cr.Dst.Max.X) <= pillarMax*float64(W)+0.5 {
		return fatePillars, frac
	}
	under := false
	for _, s := range c.slots[i+1:] {
		if s.dropped {
			continue
		}
		if o := c.opt(s, s.cur); o.ok && (o.pld.Kind == KindText || o.pld.Kind == KindBadge) && over(s.ly, o.pld.TextRect(), cr.Dst.Add(box.Min)) {
			under = true
		}
	}
	switch {
	case !under:
		return fateInset, frac
	case frac >= stampMin:
		return fateOver, frac
	}
	return fateLeftOut, frac
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
// records warnings in nt. It returns false when there is nothing to draw.
func planText(pld *PlannedLayer, ly *layout.Layer, a *article.Article, safe image.Rectangle, fonts *text.FontSet, short float64, typo layout.Typography, nt *notes) (bool, error) {
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
	box := pld.Box.Intersect(safe)
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
		nt.warnings = append(nt.warnings, fmt.Sprintf("%s set at %.0f px, below its minimum of %.0f px, to stay inside its box", nameOf(ly), tb.Size, minSize))
	}
	if tb.Truncated {
		nt.warnings = append(nt.warnings, fmt.Sprintf("%s cut with an ellipsis: it does not fit in %d lines even at %.0f px", name, ly.MaxLines, minSize))
	} else if tb.AtMinSize {
		nt.warnings = append(nt.warnings, fmt.Sprintf("%s shrunk to its minimum size (%.0f px) to fit", name, minSize))
	}
	// A script without a face of the requested style (no serif face for
	// Devanagari, say) is said once per text. Block.Fallback holds only
	// last-resort faces, never a script's own face, so the two notices do
	// not name the same family for the same reason.
	for _, note := range tb.FontNotes {
		nt.warnings = append(nt.warnings, fmt.Sprintf("%s: %s", name, note))
	}
	if len(tb.Fallback) > 0 {
		nt.warnings = append(nt.warnings, fmt.Sprintf("%s: some glyphs are not in %q and were drawn from %s", name, ly.Font.Family, strings.Join(tb.Fallback, ", ")))
	}
	if len(tb.Missing) > 0 {
		m := MissingGlyphs{Field: source, Runes: tb.Missing} // distinct, in order
		nt.missing = append(nt.missing, m)
		nt.warnings = append(nt.warnings, fmt.Sprintf("%s: no font has %s; drawn as boxes", source, m.Describe()))
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

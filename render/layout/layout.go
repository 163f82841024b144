package layout

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"path"
	"sort"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// Layout is a compiled layout file: a brand and the variants that place
// photo, scrims, text and logo on a canvas. Designers write layouts as YAML
// (see the Layouts section of README.md); [Parse] compiles and validates them once,
// and the render stages only ever see this typed form. A Layout is
// immutable after parsing and safe for concurrent use.
type Layout struct {
	Name        string
	Description string
	File        string // file name it was parsed from, for messages
	Digest      string // SHA-256 of the file and the assets it uses, for cache keys
	Brand       Brand
	Variants    []Variant
	Presets     []preset.Preset // extra presets the layout adds
	// Images are the pictures the layout's layers draw, by file name
	// relative to the layout's folder; plans refer to them by that name.
	Images map[string]image.Image
	// Typography holds the layout's typographic switches.
	Typography Typography
	// Output holds how the layout's cards are encoded.
	Output Output
	// FontFiles are the font files the layout names (brand.fonts roles
	// with a file, and brand.script_fonts), read from beside it in the
	// layouts folder. Their names are "layouts/<path in the folder>".
	FontFiles []text.FontFile
	// Fonts is the font set the layout's text is set and drawn in: the
	// font set given to Parse with FontFiles layered over it (see
	// text.FontSet.With). It is nil when the layout names no font file or
	// was parsed without a font set; the engine's fonts are used then.
	Fonts *text.FontSet
}

// Typography holds a layout's typographic switches (the typography key of
// a layout file). The zero value is the default: typographic quotes on,
// and a character no font has is an error.
type Typography struct {
	// StraightQuotes keeps the straight quotes " and ' of article text as
	// written (typography.quotes: false) instead of setting the language's
	// quotation marks and apostrophes (text.SmartQuotes).
	StraightQuotes bool
	// AllowMissingGlyphs renders text with characters no font has, drawn
	// as boxes, with a warning, instead of failing
	// (typography.allow_missing_glyphs: true).
	AllowMissingGlyphs bool
}

// Output says how a layout's cards are encoded (the output key of a
// layout file). The zero value is the default: baseline JPEGs with 4:2:0
// chroma.
type Output struct {
	// Chroma444 keeps the colour at full resolution in JPEG cards
	// (output.jpeg_chroma: "4:4:4"): the edges of small red or blue type
	// stay crisp, for photo cards about 7 % larger.
	Chroma444 bool
	// Progressive writes progressive JPEGs (output.progressive: true),
	// which browsers show coarse first and refine; about 5 % smaller.
	Progressive bool
}

// Brand holds the colours, fonts and logo a layout's layers refer to by name.
type Brand struct {
	Name   string
	Colors map[string]color.NRGBA
	Fonts  map[string]FontRef
	Logo   image.Image // nil when the brand has no logo file
	// LogoName is the logo's file, the key of Logo in the layout's Images.
	LogoName string
}

// FontRef names a font family and weight of the [FontSet].
type FontRef struct {
	Family string
	Weight int
	// File is the font file the role names, beside the layout (its name
	// in Layout.FontFiles); Family and Weight are then the file's own.
	// Empty for a family of the built-in fonts.
	File string
}

// Variant is the arrangement used for canvases whose aspect ratio
// (width/height) lies in [MinAspect, MaxAspect) and, when MaxShortSide is
// set, whose shorter side is at most MaxShortSide pixels, for presets of
// its Purpose (see [Layout.Choose]).
type Variant struct {
	Name         string
	MinAspect    float64
	MaxAspect    float64 // 0 means no upper bound
	MaxShortSide int     // 0 means any size
	// Purpose is the preset purpose the variant serves: PurposeCard (the
	// default), PurposeClean or PurposeIdentity (preset.Purpose*).
	Purpose string
	// SmallPhoto marks the variant used instead of the others of its
	// purpose when the photo is too small for their photo box, or there is
	// no photo: typically a typographic card (brand colour, headline, no
	// photo). Other variants are chosen only for photos that fit.
	SmallPhoto bool
	Background color.NRGBA
	Layers     []Layer
}

// The purposes a variant may serve: the values of preset.Preset.Purpose.
const (
	PurposeCard     = preset.PurposeCard
	PurposeClean    = preset.PurposeClean
	PurposeIdentity = preset.PurposeIdentity
)

// LayerKind is the type of a layer.
type LayerKind int

// The layer kinds, drawn bottom to top in file order.
const (
	LayerPhoto LayerKind = iota + 1
	LayerGradient
	LayerBox
	LayerText
	LayerImage
	LayerBadge
)

var layerKindNames = map[string]LayerKind{
	"photo": LayerPhoto, "gradient": LayerGradient, "box": LayerBox,
	"text": LayerText, "image": LayerImage, "badge": LayerBadge,
}

// String returns the name used in layout files.
func (k LayerKind) String() string {
	for n, v := range layerKindNames {
		if v == k {
			return n
		}
	}
	return fmt.Sprintf("LayerKind(%d)", int(k))
}

// MarshalText writes the kind by its name in layout files, so plans read
// as JSON.
func (k LayerKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind written by MarshalText.
func (k *LayerKind) UnmarshalText(b []byte) error {
	v, ok := layerKindNames[string(b)]
	if !ok {
		return fmt.Errorf("unknown layer kind %q", b)
	}
	*k = v
	return nil
}

// Ref is what a layer's box is measured against.
type Ref int

// Box references.
const (
	RefCanvas Ref = iota // the whole canvas
	RefSafe              // the preset's safe area
)

// Unit says how a [Length] value is measured.
type Unit int

// Length units.
const (
	UnitFrac Unit = iota // fraction of the reference dimension (0.5 or "50%")
	UnitPx               // pixels of the output canvas ("24px")
	UnitVmin             // percent of the canvas's shorter side ("8vmin")
)

// Length is a distance that scales with the canvas, so one layout serves
// every preset size.
type Length struct {
	V    float64
	Unit Unit
}

// Px resolves l against a reference dimension ref (px) on a canvas whose
// shorter side is short (px).
func (l Length) Px(ref, short float64) float64 {
	switch l.Unit {
	case UnitPx:
		return l.V
	case UnitVmin:
		return l.V / 100 * short
	}
	return l.V * ref
}

// BoxSpec places a rectangle CSS-style: any two of left/width/right and of
// top/height/bottom. Missing edges default to the reference's edges; a
// width alone is centred.
type BoxSpec struct {
	Left, Top, Right, Bottom, Width, Height *Length
}

// Direction is where a gradient goes towards.
type Direction int

// Gradient directions: the "to" colour lies in this direction.
const (
	DirDown Direction = iota
	DirUp
	DirLeft
	DirRight
)

// String returns the direction's name: "down", "up", "left" or "right".
func (d Direction) String() string {
	switch d {
	case DirDown:
		return "down"
	case DirUp:
		return "up"
	case DirLeft:
		return "left"
	case DirRight:
		return "right"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// VAlign is the vertical placement of text inside its box.
type VAlign int

// Vertical alignments.
const (
	VAlignTop VAlign = iota
	VAlignCenter
	VAlignBottom
)

// Pill is a rounded background drawn behind each text line or the badge.
type Pill struct {
	Color  color.NRGBA
	PadX   Length
	PadY   Length
	Radius Length
}

// Backdrop is what fills a photo box the photo does not cover.
type Backdrop int

// Backdrops.
const (
	BackdropBlur  Backdrop = iota // a blurred, darkened copy of the photo
	BackdropColor                 // a solid colour
)

// Layer is one element of a variant.
type Layer struct {
	Kind LayerKind
	Line int // line in the layout file, for messages
	Col  int // column of the layer's first key in the layout file
	Box  BoxSpec
	In   Ref
	// Bleed extends a box placed in the safe area to the canvas edges it
	// touches (for bars and backgrounds that must reach the border).
	Bleed bool
	// When names an article field that must be non-empty ("breaking" is
	// true) for the layer to be drawn; empty means always.
	When string
	// MinShortSide drops the layer on canvases whose shorter side is
	// smaller, so thumbnails shed what would be illegible.
	MinShortSide int

	// photo
	Backdrop      Backdrop    // what shows where the photo does not cover its box
	BackdropColor color.NRGBA // with BackdropColor

	// gradient and box
	From, To color.NRGBA
	Dir      Direction
	Color    color.NRGBA
	Radius   Length

	// text and badge
	Field      string // article field bound to the layer
	Text       string // literal text (badges, wordmarks)
	Font       FontRef
	MaxSize    Length
	MinSize    Length
	MaxLines   int
	LineHeight float64
	Align      text.Align
	VAlign     VAlign
	Upper      bool
	Tracking   float64
	Contrast   bool // text: darken what is behind it until it meets WCAG AA; image: see SrcOnLight and Plate
	Pill       *Pill

	// image
	Image     image.Image
	ImageName string // the key of Image in the layout's Images
	// SrcOnLight is the image drawn instead of Image when what lies behind
	// it is light (contrast: auto, src_on_light); nil when not given.
	SrcOnLight     image.Image
	SrcOnLightName string // its key in the layout's Images
	// Plate is the colour of the plate drawn behind the image when it
	// would not stand out (contrast: auto, plate); HasPlate says it is set.
	Plate    color.NRGBA
	HasPlate bool

	// Placements are alternative boxes for text, badge, image and box
	// layers, tried in order after Box when the layer would cover a
	// subject of the photo or a preset's keep-out zone (see plan.Card).
	Placements []BoxSpec
}

// Applies reports whether the layer is drawn for article a on a canvas
// whose shorter side is short pixels: its min_short_side and its when
// condition. A text layer whose field is empty is still left out later,
// when planned.
func (ly *Layer) Applies(a *article.Article, short float64) bool {
	if ly.MinShortSide > 0 && short < float64(ly.MinShortSide) {
		return false
	}
	switch ly.When {
	case "":
		return true
	case WhenBreaking:
		return a.Breaking
	}
	s, _ := a.Field(ly.When)
	return s != ""
}

// Names a layer may use in `when`, beyond the article's text fields.
const WhenBreaking = "breaking"

// Load parses every *.yaml / *.yml file at the top of fsys and
// returns the layouts by name. dir is the folder name shown in messages
// ("layouts"). All files are parsed; the error joins the problems of every
// broken file.
func Load(fsys fs.FS, dir string, fonts *text.FontSet) (map[string]*Layout, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read layouts: %w", err)
	}
	out := map[string]*Layout{}
	var errs []error
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			errs = append(errs, fmt.Errorf("read layout %s: %w", e.Name(), err))
			continue
		}
		l, err := parseLayout(path.Join(dir, e.Name()), e.Name(), data, fsys, fonts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := out[l.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: layout name %q is already used by %s", l.File, l.Name, prev.File))
			continue
		}
		out[l.Name] = l
	}
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no layout files (*.yaml) found")
	}
	return out, nil
}

// Names returns the sorted names of layouts.
func Names(m map[string]*Layout) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// VariantFor returns the first card variant (not a small-photo one) whose
// conditions match a w×h canvas; it is Choose(Want{Width: w, Height: h}).
func (l *Layout) VariantFor(w, h int) (*Variant, error) {
	return l.Choose(Want{Width: w, Height: h})
}

// Want is what a variant is chosen for: a canvas, the preset's purpose
// (empty means card) and whether the photo is too small (or missing).
type Want struct {
	Width, Height int
	Purpose       string
	SmallPhoto    bool
}

// Choose returns the variant for w. Among the variants of w's purpose
// whose aspect and size conditions match the canvas, in file order, it
// takes the first small-photo variant when w.SmallPhoto is set, else the
// first other one (and a small-photo variant when only those match). A
// purpose with no matching variant (clean or identity, in a layout that
// has none for this canvas) falls back to the card variants.
func (l *Layout) Choose(w Want) (*Variant, error) {
	if w.Width <= 0 || w.Height <= 0 {
		return nil, fmt.Errorf("layout %s: canvas %dx%d has no area", l.Name, w.Width, w.Height)
	}
	purpose := w.Purpose
	if purpose == "" {
		purpose = PurposeCard
	}
	if v := l.choose(w, purpose); v != nil {
		return v, nil
	}
	if purpose != PurposeCard {
		if v := l.choose(w, PurposeCard); v != nil {
			return v, nil
		}
	}
	aspect := float64(w.Width) / float64(w.Height)
	return nil, fmt.Errorf("layout %s (%s): no variant matches a %dx%d canvas (aspect %.2f); add a variant without min_aspect/max_aspect as the last one to catch every size", l.Name, l.File, w.Width, w.Height, aspect)
}

// choose is Choose for one purpose; nil when no variant matches.
func (l *Layout) choose(w Want, purpose string) *Variant {
	var first, firstSmall *Variant
	for i := range l.Variants {
		v := &l.Variants[i]
		if !v.Fits(w.Width, w.Height) || v.purpose() != purpose {
			continue
		}
		if v.SmallPhoto && firstSmall == nil {
			firstSmall = v
		}
		if !v.SmallPhoto && first == nil {
			first = v
		}
	}
	if w.SmallPhoto && firstSmall != nil || first == nil {
		return firstSmall
	}
	return first
}

// HasSmallPhoto reports whether Choose would return a small-photo variant
// for w with SmallPhoto set.
func (l *Layout) HasSmallPhoto(w Want) bool {
	w.SmallPhoto = true
	v, err := l.Choose(w)
	return err == nil && v.SmallPhoto
}

// Fits reports whether the variant's aspect and size conditions hold for
// a w×h canvas (its purpose aside).
func (v *Variant) Fits(w, h int) bool {
	if w <= 0 || h <= 0 {
		return false
	}
	aspect := float64(w) / float64(h)
	if aspect < v.MinAspect-1e-9 || (v.MaxAspect > 0 && aspect >= v.MaxAspect-1e-9) {
		return false
	}
	return v.MaxShortSide <= 0 || min(w, h) <= v.MaxShortSide
}

func (v *Variant) purpose() string {
	if v.Purpose == "" {
		return PurposeCard
	}
	return v.Purpose
}

// color resolves a brand colour name.
func (b *Brand) color(name string) (color.NRGBA, bool) {
	c, ok := b.Colors[name]
	return c, ok
}

// Resolve computes the pixel rectangle of a box inside ref on a canvas
// whose shorter side is short.
func (b BoxSpec) Resolve(ref image.Rectangle, short float64) image.Rectangle {
	x0, x1 := resolveAxis(b.Left, b.Width, b.Right, float64(ref.Min.X), float64(ref.Dx()), short)
	y0, y1 := resolveAxis(b.Top, b.Height, b.Bottom, float64(ref.Min.Y), float64(ref.Dy()), short)
	r := image.Rect(int(x0+0.5), int(y0+0.5), int(x1+0.5), int(y1+0.5))
	return r.Canon()
}

func resolveAxis(start, size, end *Length, origin, span, short float64) (float64, float64) {
	px := func(l *Length) float64 { return l.Px(span, short) }
	switch {
	case start != nil && size != nil:
		a := origin + px(start)
		return a, a + px(size)
	case end != nil && size != nil:
		b := origin + span - px(end)
		return b - px(size), b
	case start != nil && end != nil:
		return origin + px(start), origin + span - px(end)
	case start != nil:
		return origin + px(start), origin + span
	case end != nil:
		return origin, origin + span - px(end)
	case size != nil:
		s := px(size)
		a := origin + (span-s)/2
		return a, a + s
	}
	return origin, origin + span
}

package publish

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/encode"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"

	"github.com/disintegration/imaging"
)

// SheetOptions says how [ContactSheet] lays out its page. Zero values pick
// the defaults given on each field.
type SheetOptions struct {
	// Title is the first line of the page, usually the article's headline;
	// it is set in bold on up to two lines.
	Title string
	// Subtitle is the line under the title, e.g. "layout standard · 19
	// presets".
	Subtitle string
	// Width is the width of the page in pixels; 0 means 2400.
	Width int
	// ThumbHeight is the height every thumbnail is scaled to, in pixels;
	// 0 means 300. It is lowered when the page would otherwise exceed
	// MaxPixels.
	ThumbHeight int
	// MaxPixels caps the page's area (width × height) in pixels; 0 means
	// 16,000,000.
	MaxPixels int
}

// Defaults of [SheetOptions].
const (
	DefaultSheetWidth       = 2400
	DefaultSheetThumbHeight = 300
	DefaultSheetMaxPixels   = 16_000_000
)

// Sizes of the contact sheet's furniture, in pixels.
const (
	sheetMargin    = 48  // around the page
	sheetGap       = 32  // between cells, both ways
	sheetMinCell   = 240 // narrowest cell, so the label has room
	sheetLabelSize = 18  // label font size
	sheetLabelH    = 48  // room under each thumbnail for the two label lines
	sheetTitleSize = 40
	sheetSubSize   = 22
	sheetMinThumb  = 40 // smallest thumbnail height the pixel cap may force
)

// Colours of the contact sheet.
var (
	sheetBackground = color.NRGBA{0xEE, 0xEE, 0xEC, 0xFF}
	sheetBorder     = color.NRGBA{0xC4, 0xC4, 0xC0, 0xFF}
	sheetInk        = color.NRGBA{0x1E, 0x1E, 0x1E, 0xFF}
	sheetMuted      = color.NRGBA{0x5C, 0x5C, 0x5C, 0xFF}
	sheetWarn       = color.NRGBA{0x9A, 0x4A, 0x00, 0xFF}
)

// sheetCell is where one output goes on the page.
type sheetCell struct {
	thumb image.Rectangle // the scaled image
	label image.Rectangle // the label box under it
}

// sheetPlan is the page geometry: its size and the cells in output order.
type sheetPlan struct {
	size  image.Point
	top   int // y of the first row
	cells []sheetCell
}

// ContactSheet lays every output out on one page for review: each image is
// decoded from its encoded Data (JPEG, PNG or WebP), scaled to a common
// thumbnail height at its true aspect ratio and labelled with its preset
// id over "WxH · size · format" (and the number of warnings, if any), in
// the order of outs, under a title and a subtitle, on a neutral grey
// background. Images too wide for the page are scaled down to fit its
// width. The thumbnail height shrinks when needed to keep the page under
// opt.MaxPixels.
//
// It returns an error, naming the preset, for data that does not decode or
// whose size differs from the output's Width and Height, and for options
// out of range. It does not modify outs and is safe for concurrent use.
func ContactSheet(outs []render.Output, fonts *text.FontSet, opt SheetOptions) (*image.NRGBA, error) {
	page, _, err := drawSheet(outs, fonts, opt)
	return page, err
}

// contactSheet is ContactSheet, also returning where each image went.
func drawSheet(outs []render.Output, fonts *text.FontSet, opt SheetOptions) (*image.NRGBA, sheetPlan, error) {
	if len(outs) == 0 {
		return nil, sheetPlan{}, fmt.Errorf("contact sheet: no images to lay out")
	}
	if fonts == nil || len(fonts.Families()) == 0 {
		return nil, sheetPlan{}, fmt.Errorf("contact sheet: no fonts loaded")
	}
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, sheetPlan{}, err
	}
	family := "Noto Sans"
	if !fonts.HasFamily(family) {
		family = fonts.Families()[0]
	}
	title, err := fonts.Fit(opt.Title, text.Style{Family: family, Weight: 700, MaxSize: sheetTitleSize, MinSize: sheetTitleSize * 0.7, MaxLines: 2, LineHeight: 1.2},
		float64(opt.Width-2*sheetMargin), sheetTitleSize*2*1.2+2)
	if err != nil {
		return nil, sheetPlan{}, fmt.Errorf("contact sheet title: %w", err)
	}
	sub, err := fonts.Fit(opt.Subtitle, text.Style{Family: family, MaxSize: sheetSubSize, MaxLines: 1},
		float64(opt.Width-2*sheetMargin), sheetSubSize*1.4)
	if err != nil {
		return nil, sheetPlan{}, fmt.Errorf("contact sheet subtitle: %w", err)
	}
	top := sheetMargin
	if len(title.Lines) > 0 {
		top += int(math.Ceil(title.Height)) + 12
	}
	if len(sub.Lines) > 0 {
		top += int(math.Ceil(sub.Height))
	}
	top += sheetGap

	sizes := make([]image.Point, len(outs))
	for i, o := range outs {
		if o.Width <= 0 || o.Height <= 0 {
			return nil, sheetPlan{}, fmt.Errorf("contact sheet: preset %q has no size (%dx%d)", o.Preset.ID, o.Width, o.Height)
		}
		sizes[i] = image.Pt(o.Width, o.Height)
	}
	plan := planSheet(sizes, opt, top)

	thumbs, err := decodeThumbs(outs, plan)
	if err != nil {
		return nil, sheetPlan{}, err
	}

	page := image.NewNRGBA(image.Rectangle{Max: plan.size})
	draw.Draw(page, page.Bounds(), image.NewUniform(sheetBackground), image.Point{}, draw.Src)
	if err := fonts.Draw(&title, page, sheetMargin, sheetMargin, sheetInk); err != nil {
		return nil, plan, err
	}
	if err := fonts.Draw(&sub, page, sheetMargin, float64(top-sheetGap)-sub.Height, sheetMuted); err != nil {
		return nil, plan, err
	}
	for i, c := range plan.cells {
		border := c.thumb.Inset(-1)
		draw.Draw(page, border, image.NewUniform(sheetBorder), image.Point{}, draw.Src)
		draw.Draw(page, c.thumb, image.White, image.Point{}, draw.Src)
		draw.Draw(page, c.thumb, thumbs[i], thumbs[i].Bounds().Min, draw.Over)
		if err := drawSheetLabel(page, fonts, family, outs[i], c.label); err != nil {
			return nil, sheetPlan{}, fmt.Errorf("contact sheet label of preset %q: %w", outs[i].Preset.ID, err)
		}
	}
	return page, plan, nil
}

// withDefaults fills in zero options and checks the rest.
func (o SheetOptions) withDefaults() (SheetOptions, error) {
	if o.Width == 0 {
		o.Width = DefaultSheetWidth
	}
	if o.ThumbHeight == 0 {
		o.ThumbHeight = DefaultSheetThumbHeight
	}
	if o.MaxPixels == 0 {
		o.MaxPixels = DefaultSheetMaxPixels
	}
	switch {
	case o.Width < sheetMinCell+2*sheetMargin || o.Width > preset.MaxPresetSide:
		return o, fmt.Errorf("contact sheet width %d px is outside %d..%d", o.Width, sheetMinCell+2*sheetMargin, preset.MaxPresetSide)
	case o.ThumbHeight < sheetMinThumb || o.ThumbHeight > 2000:
		return o, fmt.Errorf("contact sheet thumbnail height %d px is outside %d..2000", o.ThumbHeight, sheetMinThumb)
	case o.MaxPixels < 0:
		return o, fmt.Errorf("contact sheet pixel cap %d is negative; use 0 for the default", o.MaxPixels)
	}
	return o, nil
}

// planSheet places the images, of the given sizes, in rows that wrap at
// the page width, lowering the thumbnail height until the page fits
// opt.MaxPixels (or the height reaches its floor).
func planSheet(sizes []image.Point, opt SheetOptions, top int) sheetPlan {
	h := opt.ThumbHeight
	for {
		p := flowSheet(sizes, opt.Width, h, top)
		if p.size.X*p.size.Y <= opt.MaxPixels || h <= sheetMinThumb {
			return p
		}
		h = max(sheetMinThumb, h*9/10)
	}
}

// flowSheet places the images at thumbnail height h in rows left to right.
func flowSheet(sizes []image.Point, width, h, top int) sheetPlan {
	avail := width - 2*sheetMargin
	p := sheetPlan{top: top, cells: make([]sheetCell, len(sizes))}
	x, y, rowH := sheetMargin, top, 0
	for i, s := range sizes {
		tw := max(1, int(math.Round(float64(s.X)*float64(h)/float64(s.Y))))
		th := h
		if tw > avail { // very wide: fit the page width instead
			tw = avail
			th = max(1, int(math.Round(float64(s.Y)*float64(avail)/float64(s.X))))
		}
		cw := max(tw, sheetMinCell)
		if x > sheetMargin && x+cw > width-sheetMargin {
			x, y, rowH = sheetMargin, y+rowH+sheetGap, 0
		}
		tx := x + (cw-tw)/2
		ty := y + (h - th) // bottom-align thumbnails in their row
		if th > h {
			ty = y
		}
		p.cells[i] = sheetCell{
			thumb: image.Rect(tx, ty, tx+tw, ty+th),
			label: image.Rect(x, ty+th+8, x+cw, ty+th+8+sheetLabelH),
		}
		rowH = max(rowH, p.cells[i].label.Max.Y-y)
		x += cw + sheetGap
	}
	p.size = image.Pt(width, y+rowH+sheetMargin)
	return p
}

// decodeThumbs decodes every output and scales it to its cell, a few at a
// time; the first error (by output order) is returned.
func decodeThumbs(outs []render.Output, plan sheetPlan) ([]image.Image, error) {
	thumbs := make([]image.Image, len(outs))
	errs := make([]error, len(outs))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			thumbs[i], errs[i] = sheetThumb(&outs[i], plan.cells[i].thumb.Size())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return thumbs, nil
}

// sheetThumb decodes o.Data, checks its size and scales it to size.
func sheetThumb(o *render.Output, size image.Point) (image.Image, error) {
	format, err := photo.SniffFormat(o.Data)
	if err != nil {
		return nil, fmt.Errorf("contact sheet: preset %q: %w", o.Preset.ID, err)
	}
	cfg, err := photo.DecodeConfig(format, o.Data)
	if err != nil {
		return nil, fmt.Errorf("contact sheet: preset %q: read %s header: %w", o.Preset.ID, format, err)
	}
	if cfg.Width != o.Width || cfg.Height != o.Height {
		return nil, fmt.Errorf("contact sheet: preset %q: image is %dx%d but the output says %dx%d", o.Preset.ID, cfg.Width, cfg.Height, o.Width, o.Height)
	}
	img, err := photo.DecodeImage(format, o.Data)
	if err != nil {
		return nil, fmt.Errorf("contact sheet: preset %q: decode %s: %w", o.Preset.ID, format, err)
	}
	if img.Bounds().Size() == size {
		return img, nil
	}
	// Box-filter most of the way down, then finish with a sharper filter:
	// as good as Lanczos from full size for a fraction of the time.
	for img.Bounds().Dx() >= 2*size.X && img.Bounds().Dy() >= 2*size.Y {
		img = imaging.Resize(img, img.Bounds().Dx()/2, img.Bounds().Dy()/2, imaging.Box)
	}
	return imaging.Resize(img, size.X, size.Y, imaging.CatmullRom), nil
}

// drawSheetLabel writes the preset id in bold, then "WxH · size ·
// FORMAT", then the number of warnings if any, centred in box.
func drawSheetLabel(page *image.NRGBA, fonts *text.FontSet, family string, o render.Output, box image.Rectangle) error {
	lines := []struct {
		text   string
		weight int
		size   float64
		c      color.NRGBA
	}{
		{o.Preset.ID, 700, sheetLabelSize, sheetInk},
		{fmt.Sprintf("%d×%d · %s · %s", o.Width, o.Height, sheetBytes(len(o.Data)), strings.ToUpper(string(o.Format))), 400, sheetLabelSize - 3, sheetMuted},
	}
	switch n := len(o.Warnings); {
	case n == 1:
		lines[1].text += " · 1 warning"
		lines[1].c = sheetWarn
	case n > 1:
		lines[1].text += fmt.Sprintf(" · %d warnings", n)
		lines[1].c = sheetWarn
	}
	y := float64(box.Min.Y)
	for _, l := range lines {
		st := text.Style{Family: family, Weight: l.weight, MaxSize: l.size, MinSize: min(l.size, 11), MaxLines: 1, Align: text.AlignCenter, Lang: "en"}
		tb, err := fonts.Fit(l.text, st, float64(box.Dx()), l.size*1.3)
		if err != nil {
			return err
		}
		if err := fonts.Draw(&tb, page, float64(box.Min.X), y, l.c); err != nil {
			return err
		}
		y += l.size * 1.4
	}
	return nil
}

// sheetBytes formats a byte count for a label: "950 B", "212 KB", "1.4 MB"
// (decimal units, as the platforms' limits are given).
func sheetBytes(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 999_500:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// ArticleContactSheet is [ContactSheet] for one article's outputs, titled
// with its headline and subtitled with its section, the layout name and the
// number of presets, encoded as PNG.
func ArticleContactSheet(a *article.Article, layout string, outs []render.Output, fonts *text.FontSet) ([]byte, error) {
	sub := fmt.Sprintf("layout %s · %d presets", layout, len(outs))
	if a != nil && a.Section != "" {
		sub = a.Section + " · " + sub
	}
	title := ""
	if a != nil {
		title = a.Headline
	}
	img, err := ContactSheet(outs, fonts, SheetOptions{Title: title, Subtitle: sub})
	if err != nil {
		return nil, err
	}
	enc, err := encode.Encode(img, preset.FormatPNG, encode.Options{})
	if err != nil {
		return nil, fmt.Errorf("encode contact sheet: %w", err)
	}
	return enc.Data, nil
}

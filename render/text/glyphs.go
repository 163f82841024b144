package text

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/vector"
)

// Glyph is one glyph of a line, positioned in pixels relative to the
// line's left edge and baseline (y grows downwards).
type Glyph struct {
	Font int     `json:"f"` // index in Block.Fonts
	ID   uint32  `json:"g"` // glyph id in that font
	X    float64 `json:"x"` // origin of the glyph outline
	Y    float64 `json:"y,omitempty"`
	// Ink is the glyph's ink box (x0, y0, x1, y1) from its extents; empty
	// for a space.
	Ink Rect `json:"ink"`
}

// Rect is an axis-aligned box in pixels: X0,Y0 top-left, X1,Y1
// bottom-right.
type Rect [4]float64

// union returns the smallest box holding r and o; an empty r is ignored.
func (r Rect) union(o Rect) Rect {
	if r[0] >= r[2] || r[1] >= r[3] {
		return o
	}
	return Rect{math.Min(r[0], o[0]), math.Min(r[1], o[1]), math.Max(r[2], o[2]), math.Max(r[3], o[3])}
}

// block turns wrapped lines at size into a Block laid out in a box boxW
// wide. cut is the number of runes cut by the ellipsis, if any.
func (p *paragraph) block(lines []shaping.Line, cut int, size, boxW float64) Block {
	rtl := p.dir == di.DirectionRTL
	tb := Block{Size: size, RTL: rtl, Truncated: cut > 0}
	primaryFamily := p.set.fonts[p.fm.primary].family
	fontIndex := map[int]int{} // FontSet index -> index in tb.Fonts
	for i, l := range lines {
		tl := Line{Text: lineText(p.text, l, cut > 0 && i == len(lines)-1)}
		tl.Glyphs, tl.Width = p.place(l, size)
		for gi, g := range tl.Glyphs {
			fam := p.set.fonts[g.Font].family
			if fam != primaryFamily && p.fm.unplanned[g.Font] && !contains(tb.Fallback, fam) {
				tb.Fallback = append(tb.Fallback, fam)
			}
			k, ok := fontIndex[g.Font]
			if !ok {
				k = len(tb.Fonts)
				fontIndex[g.Font] = k
				tb.Fonts = append(tb.Fonts, p.set.fonts[g.Font].name)
			}
			tl.Glyphs[gi].Font = k
		}
		tl.Baseline = (p.ascent + float64(i)*p.pitch) * size
		tl.X = alignX(p.align, rtl, boxW, tl.Width)
		tb.Width = math.Max(tb.Width, tl.Width)
		tb.Lines = append(tb.Lines, tl)
	}
	if n := len(lines); n > 0 {
		tb.Height = (p.ascent + p.descent + float64(n-1)*p.pitch) * size
	}
	tb.Missing = p.missing()
	tb.FontNotes = append([]string(nil), p.fm.notes...)
	return tb
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// alignX returns the offset of a line of width w in a box boxW wide.
func alignX(a Align, rtl bool, boxW, w float64) float64 {
	switch a {
	case AlignCenter:
		return (boxW - w) / 2
	case AlignLeft:
		return 0
	case AlignRight:
		return boxW - w
	case AlignEnd:
		if rtl {
			return 0
		}
		return boxW - w
	}
	if rtl {
		return boxW - w
	}
	return 0
}

// lineText returns the logical-order text of a wrapped line, without
// trailing spaces; ell marks a line whose last run is the ellipsis.
func lineText(text []rune, l shaping.Line, ell bool) string {
	runs := l
	if ell && len(runs) > 0 {
		runs = runs[:len(runs)-1]
	}
	var b strings.Builder
	if len(runs) > 0 {
		start := runs[0].Runes.Offset
		end := runs[len(runs)-1].Runes.Offset + runs[len(runs)-1].Runes.Count
		start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
		if start < end {
			b.WriteString(strings.TrimRightFunc(string(text[start:end]), unicode.IsSpace))
		}
	}
	if ell {
		b.WriteRune('…')
	}
	return b.String()
}

// place positions the glyphs of a wrapped line at size, runs in visual
// order from left to right, and returns them with the line's advance width.
func (p *paragraph) place(l shaping.Line, size float64) ([]Glyph, float64) {
	k := size / refSize / 64 // px per shaping unit
	order := make([]int, len(l))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return l[order[a]].VisualIndex < l[order[b]].VisualIndex })
	var out []Glyph
	pen := 0.0
	for _, ri := range order {
		run := l[ri]
		fi := p.ctx.faceIndex(run.Face)
		if fi < 0 {
			fi = p.fm.primary
		}
		for _, g := range run.Glyphs {
			x := pen + float64(g.XOffset)*k
			y := -float64(g.YOffset) * k
			x0 := x + float64(g.XBearing)*k
			y0 := y - float64(g.YBearing)*k
			ink := Rect{x0, y0, x0 + float64(g.Width)*k, y0 - float64(g.Height)*k}
			out = append(out, Glyph{Font: fi, ID: uint32(g.GlyphID), X: x, Y: y, Ink: ink})
			pen += float64(g.Advance) * k
		}
	}
	return out, pen
}

// missing returns the distinct visible characters of the text that were
// shaped to the missing glyph (.notdef, glyph 0) because no font of the
// set has them, in order of appearance. Spaces, controls, format
// characters and variation selectors are never reported: they have no
// glyph of their own (U+FE0F and U+200D are part of an emoji's glyph).
func (p *paragraph) missing() []rune {
	var bad []bool
	for _, run := range p.runs {
		for _, g := range run.Glyphs {
			if g.GlyphID != 0 {
				continue
			}
			if bad == nil {
				bad = make([]bool, len(p.text))
			}
			for k := g.TextIndex(); k < g.TextIndex()+max(g.RunesCount(), 1) && k < len(p.text); k++ {
				bad[k] = true
			}
		}
	}
	var out []rune
	for i, r := range p.text {
		if bad == nil || !bad[i] {
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) {
			continue
		}
		dup := false
		for _, m := range out {
			dup = dup || m == r
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// Bounds returns the extent of the ink of the block (from the glyphs'
// bounding boxes) in box coordinates, px: x0,y0 top-left and x1,y1
// bottom-right. An empty block gives all zeros.
func (tb *Block) Bounds() (x0, y0, x1, y1 float64) {
	var r Rect
	for _, l := range tb.Lines {
		for _, g := range l.Glyphs {
			if g.Ink[2] <= g.Ink[0] || g.Ink[3] <= g.Ink[1] {
				continue // spaces have no ink
			}
			r = r.union(Rect{g.Ink[0] + l.X, g.Ink[1] + l.Baseline, g.Ink[2] + l.X, g.Ink[3] + l.Baseline})
		}
	}
	return r[0], r[1], r[2], r[3]
}

// Draw fills the glyph outlines of tb in colour c onto dst, with the
// top-left corner of the box at (x, y) in dst's coordinates (px), blending
// over what is there (anti-aliased). Glyphs of a colour font (emoji) are
// drawn in their own colours instead, their bitmaps scaled to the glyphs'
// ink boxes. Parts outside dst are clipped. The block's fonts are looked
// up in s by name (Block.Fonts); glyphs of a font s does not hold are
// skipped, and the error says which.
func (s *FontSet) Draw(tb *Block, dst draw.Image, x, y float64, c color.Color) error {
	if len(tb.Lines) == 0 {
		return nil
	}
	fonts := make([]int, len(tb.Fonts))
	var missing []string
	for i, name := range tb.Fonts {
		fonts[i] = s.fileIndex(name)
		if fonts[i] < 0 {
			missing = append(missing, name)
		}
	}
	bx0, by0, bx1, by1 := tb.Bounds()
	area := image.Rect(int(math.Floor(x+bx0))-1, int(math.Floor(y+by0))-1,
		int(math.Ceil(x+bx1))+1, int(math.Ceil(y+by1))+1).Intersect(dst.Bounds())
	if area.Empty() {
		return nil
	}
	ctx := s.getCtx()
	defer s.putCtx(ctx)
	rs := getRaster(area.Dx(), area.Dy())
	defer putRaster(rs)
	z := rs.z
	ox, oy := x-float64(area.Min.X), y-float64(area.Min.Y)
	type colourGlyph struct {
		img    image.Image
		ox, oy float64
		ink    Rect
	}
	var colour []colourGlyph
	for _, l := range tb.Lines {
		for _, g := range l.Glyphs {
			if g.Font < 0 || g.Font >= len(fonts) || fonts[g.Font] < 0 {
				continue
			}
			fi := fonts[g.Font]
			face := ctx.face(fi)
			if face == nil {
				continue
			}
			if s.fonts[fi].color {
				if img := s.colourGlyph(ctx, fi, font.GID(g.ID)); img != nil {
					colour = append(colour, colourGlyph{img, x + l.X, y + l.Baseline, g.Ink})
					continue
				}
			}
			outline, ok := s.fonts[fi].outlines.get(face, font.GID(g.ID))
			if !ok {
				continue
			}
			scale := tb.Size / float64(face.Upem())
			addOutline(z, outline, ox+l.X+g.X, oy+l.Baseline+g.Y, scale)
		}
	}
	mask := rs.alpha()
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	switch d := dst.(type) {
	case *image.NRGBA:
		blendNRGBA(d, area, mask, c)
	case *image.RGBA:
		blendRGBA(d, area, mask, c)
	default:
		draw.DrawMask(dst, area, image.NewUniform(c), image.Point{}, mask, image.Point{}, draw.Over)
	}
	for _, cg := range colour {
		drawColourGlyph(dst, cg.img, cg.ox, cg.oy, cg.ink)
	}
	if missing != nil {
		return fmt.Errorf("text drawn without the glyphs of fonts %s, which this font set does not hold", strings.Join(missing, ", "))
	}
	return nil
}

// blendNRGBA paints colour c through mask onto the area of dst (Porter-Duff
// over, on non-premultiplied pixels). It does what draw.DrawMask does, much
// faster than its generic path for *image.NRGBA.
func blendNRGBA(dst *image.NRGBA, area image.Rectangle, mask *image.Alpha, c color.Color) {
	sr, sg, sb, sa := c.RGBA() // premultiplied, 16 bits
	if sa == 0 {
		return
	}
	for y := area.Min.Y; y < area.Max.Y; y++ {
		mrow := mask.Pix[(y-area.Min.Y)*mask.Stride:]
		drow := dst.Pix[dst.PixOffset(area.Min.X, y):]
		for x := 0; x < area.Dx(); x++ {
			m := uint32(mrow[x]) * 0x101
			if m == 0 {
				continue
			}
			px := drow[4*x : 4*x+4 : 4*x+4]
			// Source premultiplied by the mask, and what is left of dst.
			ma := sa * m / 0xffff
			keep := 0xffff - ma
			da := uint32(px[3]) * 0x101
			dk := da * keep / 0xffff // dst alpha kept
			outA := ma + dk
			if outA == 0 {
				continue
			}
			for i, sc := range [3]uint32{sr, sg, sb} {
				dc := uint32(px[i]) * 0x101
				v := (sc*m/0xffff + dc*dk/0xffff) * 0xffff / outA
				px[i] = uint8(min(v, 0xffff) >> 8)
			}
			px[3] = uint8(outA >> 8)
		}
	}
}

// addOutline adds a glyph outline (font units, y up) to z with its origin
// at (ox, oy) in z's pixels, scaled by s px per font unit.
func addOutline(z *vector.Rasterizer, o font.GlyphOutline, ox, oy, s float64) {
	pt := func(p font.SegmentPoint) (float32, float32) {
		return float32(ox + float64(p.X)*s), float32(oy - float64(p.Y)*s)
	}
	open := false
	for _, seg := range o.Segments {
		switch seg.Op {
		case ot.SegmentOpMoveTo:
			if open {
				z.ClosePath()
			}
			z.MoveTo(pt(seg.Args[0]))
			open = true
		case ot.SegmentOpLineTo:
			z.LineTo(pt(seg.Args[0]))
		case ot.SegmentOpQuadTo:
			bx, by := pt(seg.Args[0])
			cx, cy := pt(seg.Args[1])
			z.QuadTo(bx, by, cx, cy)
		case ot.SegmentOpCubeTo:
			bx, by := pt(seg.Args[0])
			cx, cy := pt(seg.Args[1])
			dx, dy := pt(seg.Args[2])
			z.CubeTo(bx, by, cx, cy, dx, dy)
		}
	}
	if open {
		z.ClosePath()
	}
}

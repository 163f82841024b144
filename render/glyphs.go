package render

import (
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

// placedGlyph is one glyph of a line, positioned in pixels relative to the
// line's left edge and baseline (y grows downwards).
type placedGlyph struct {
	font  int      // index in FontSet.fonts
	id    font.GID // glyph id in that font
	x, y  float64  // origin of the glyph outline
	scale float64  // px per font unit
	ink   rect     // ink box from the glyph extents
}

// rect is an axis-aligned box in pixels.
type rect struct{ x0, y0, x1, y1 float64 }

// union returns the smallest box holding r and o; an empty r is ignored.
func (r rect) union(o rect) rect {
	if r.x0 >= r.x1 || r.y0 >= r.y1 {
		return o
	}
	return rect{math.Min(r.x0, o.x0), math.Min(r.y0, o.y0), math.Max(r.x1, o.x1), math.Max(r.y1, o.y1)}
}

// block turns wrapped lines at size into a TextBlock laid out in a box boxW
// wide. cut is the number of runes cut by the ellipsis, if any.
func (p *paragraph) block(lines []shaping.Line, cut int, size, boxW float64) TextBlock {
	rtl := p.dir == di.DirectionRTL
	tb := TextBlock{Size: size, RTL: rtl, Truncated: cut > 0, set: p.set}
	primaryFamily := p.set.fonts[p.fm.primary].family
	for i, l := range lines {
		tl := TextLine{Text: lineText(p.text, l, cut > 0 && i == len(lines)-1)}
		tl.glyphs, tl.Width = p.place(l, size)
		for _, g := range tl.glyphs {
			fam := p.set.fonts[g.font].family
			if fam != primaryFamily && !contains(tb.Fallback, fam) {
				tb.Fallback = append(tb.Fallback, fam)
			}
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
func (p *paragraph) place(l shaping.Line, size float64) ([]placedGlyph, float64) {
	k := size / refSize / 64 // px per shaping unit
	order := make([]int, len(l))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return l[order[a]].VisualIndex < l[order[b]].VisualIndex })
	var out []placedGlyph
	pen := 0.0
	for _, ri := range order {
		run := l[ri]
		fi := p.ctx.faceIndex(run.Face)
		if fi < 0 {
			fi = p.fm.primary
		}
		scale := size / float64(p.set.fonts[fi].font.Upem())
		for _, g := range run.Glyphs {
			x := pen + float64(g.XOffset)*k
			y := -float64(g.YOffset) * k
			ink := rect{
				x0: x + float64(g.XBearing)*k,
				y0: y - float64(g.YBearing)*k,
			}
			ink.x1 = ink.x0 + float64(g.Width)*k
			ink.y1 = ink.y0 - float64(g.Height)*k
			out = append(out, placedGlyph{font: fi, id: g.GlyphID, x: x, y: y, scale: scale, ink: ink})
			pen += float64(g.Advance) * k
		}
	}
	return out, pen
}

// missing returns the distinct visible runes of the text that no font of
// the set has, in order of appearance.
func (p *paragraph) missing() []rune {
	var out []rune
	for _, r := range p.text {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if _, ok := p.fm.covered(r); ok {
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
func (tb *TextBlock) Bounds() (x0, y0, x1, y1 float64) {
	var r rect
	for _, l := range tb.Lines {
		for _, g := range l.glyphs {
			if g.ink.x1 <= g.ink.x0 || g.ink.y1 <= g.ink.y0 {
				continue // spaces have no ink
			}
			r = r.union(rect{g.ink.x0 + l.X, g.ink.y0 + l.Baseline, g.ink.x1 + l.X, g.ink.y1 + l.Baseline})
		}
	}
	return r.x0, r.y0, r.x1, r.y1
}

// Draw fills the glyph outlines of the block in colour c onto dst, with the
// top-left corner of the box at (x, y) in dst's coordinates (px), blending
// over what is there (anti-aliased). Parts outside dst are clipped.
func (tb *TextBlock) Draw(dst draw.Image, x, y float64, c color.Color) {
	if tb.set == nil || len(tb.Lines) == 0 {
		return
	}
	bx0, by0, bx1, by1 := tb.Bounds()
	area := image.Rect(int(math.Floor(x+bx0))-1, int(math.Floor(y+by0))-1,
		int(math.Ceil(x+bx1))+1, int(math.Ceil(y+by1))+1).Intersect(dst.Bounds())
	if area.Empty() {
		return
	}
	ctx := tb.set.getCtx()
	defer tb.set.putCtx(ctx)
	z := vector.NewRasterizer(area.Dx(), area.Dy())
	ox, oy := x-float64(area.Min.X), y-float64(area.Min.Y)
	for _, l := range tb.Lines {
		for _, g := range l.glyphs {
			outline, ok := ctx.faces[g.font].GlyphDataOutline(g.id)
			if !ok {
				continue
			}
			addOutline(z, outline, ox+l.X+g.x, oy+l.Baseline+g.y, g.scale)
		}
	}
	mask := image.NewAlpha(z.Bounds())
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	if d, ok := dst.(*image.NRGBA); ok {
		blendNRGBA(d, area, mask, c)
		return
	}
	draw.DrawMask(dst, area, image.NewUniform(c), image.Point{}, mask, image.Point{}, draw.Over)
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

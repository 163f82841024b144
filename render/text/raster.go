package text

import (
	"encoding/binary"
	"image"
	"image/color"
	"sync"
	"sync/atomic"

	"github.com/go-text/typesetting/font"
	"golang.org/x/image/vector"
)

// maxOutlines bounds the outlines kept per font: a headline's alphabet
// many times over, and a bounded share of a CJK font's glyphs.
const maxOutlines = 4096

// outlineCache keeps the parsed outlines of a font's glyphs, which drawing
// asks for once per glyph drawn: they depend on the font and glyph only
// (the faces have no variation coordinates). Safe for concurrent use; the
// outlines it returns are shared and must not be modified.
type outlineCache struct {
	m sync.Map // font.GID -> font.GlyphOutline
	n atomic.Int64
}

// get returns the outline of glyph gid of face, a face of the cache's font.
func (c *outlineCache) get(face *font.Face, gid font.GID) (font.GlyphOutline, bool) {
	if v, ok := c.m.Load(gid); ok {
		return v.(font.GlyphOutline), true
	}
	o, ok := face.GlyphDataOutline(gid)
	if ok && c.n.Load() < maxOutlines {
		if _, loaded := c.m.LoadOrStore(gid, o); !loaded {
			c.n.Add(1)
		}
	}
	return o, ok
}

// raster is a rasterizer and the coverage mask it draws into, kept
// between calls to Draw so a block's glyphs do not allocate them anew.
type raster struct {
	z    *vector.Rasterizer
	mask []uint8
	w, h int
}

var rasters sync.Pool // of *raster

// getRaster returns a cleared rasterizer for a w x h area; give it back
// with putRaster.
func getRaster(w, h int) *raster {
	rs, _ := rasters.Get().(*raster)
	if rs == nil {
		return &raster{z: vector.NewRasterizer(w, h), w: w, h: h}
	}
	rs.z.Reset(w, h)
	rs.w, rs.h = w, h
	return rs
}

// maxPooledRaster is the largest area (px) whose buffers go back to the
// pool: a 4K headline's; larger ones are left to the collector.
const maxPooledRaster = 4 << 20

func putRaster(rs *raster) {
	if rs.w*rs.h <= maxPooledRaster {
		rasters.Put(rs)
	}
}

// alpha returns the raster's mask, cleared, as an image the size of its
// area.
func (rs *raster) alpha() *image.Alpha {
	n := rs.w * rs.h
	if cap(rs.mask) < n {
		rs.mask = make([]uint8, n)
	} else {
		rs.mask = rs.mask[:n]
		clear(rs.mask)
	}
	return &image.Alpha{Pix: rs.mask, Stride: rs.w, Rect: image.Rect(0, 0, rs.w, rs.h)}
}

// blendRGBA paints colour c through mask onto the area of dst (Porter-Duff
// over, premultiplied): the pixels draw.DrawMask gives for a uniform
// source and an alpha mask, computed with the same integer formula, but
// stepping over empty mask bytes eight at a time (most of a text block's
// area is between the glyphs).
func blendRGBA(dst *image.RGBA, area image.Rectangle, mask *image.Alpha, c color.Color) {
	const m = 0xffff
	sr, sg, sb, sa := c.RGBA()
	if sa == 0 {
		return
	}
	w := area.Dx()
	for y := area.Min.Y; y < area.Max.Y; y++ {
		mo := (y - area.Min.Y) * mask.Stride
		mrow := mask.Pix[mo : mo+w : mo+w]
		do := dst.PixOffset(area.Min.X, y)
		drow := dst.Pix[do : do+4*w : do+4*w]
		for x := 0; x < w; x++ {
			if x+8 <= w && binary.LittleEndian.Uint64(mrow[x:x+8]) == 0 {
				x += 7
				continue
			}
			ma := uint32(mrow[x])
			if ma == 0 {
				continue
			}
			ma |= ma << 8
			a := (m - (sa * ma / m)) * 0x101
			d := drow[4*x : 4*x+4 : 4*x+4]
			d[0] = uint8((uint32(d[0])*a + sr*ma) / m >> 8)
			d[1] = uint8((uint32(d[1])*a + sg*ma) / m >> 8)
			d[2] = uint8((uint32(d[2])*a + sb*ma) / m >> 8)
			d[3] = uint8((uint32(d[3])*a + sa*ma) / m >> 8)
		}
	}
}

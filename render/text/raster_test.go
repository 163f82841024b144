package text

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"reflect"
	"testing"

	"github.com/go-text/typesetting/font"
)

// plainImage hides the concrete type of an *image.RGBA, so Draw takes
// draw.DrawMask's generic path: the reference for blendRGBA.
type plainImage struct{ *image.RGBA }

// TestBlendRGBAMatchesDrawMask: blendRGBA gives exactly draw.DrawMask's
// pixels, over opaque and translucent pixels, with masks of empty runs
// shorter and longer than the eight bytes it skips at a time, in a
// sub-area of the image.
func TestBlendRGBAMatchesDrawMask(t *testing.T) {
	area := image.Rect(3, 2, 3+37, 2+5) // 37 wide: not a multiple of 8
	mask := image.NewAlpha(image.Rect(0, 0, area.Dx(), area.Dy()))
	for y := range area.Dy() {
		for x := range area.Dx() {
			if (x+3*y)%11 < 2+y || x == area.Dx()-1 {
				mask.Pix[y*mask.Stride+x] = uint8(x*29 + y*53 + 1)
			}
		}
	}
	for _, bg := range []color.RGBA{{255, 255, 255, 255}, {10, 100, 30, 128}, {0, 0, 0, 0}} {
		for _, fg := range []color.Color{color.Black, color.NRGBA{200, 20, 90, 160}, color.RGBA{0, 0, 100, 100}, color.Transparent} {
			got := image.NewRGBA(image.Rect(0, 0, 50, 10))
			draw.Draw(got, got.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
			want := image.NewRGBA(got.Rect)
			copy(want.Pix, got.Pix)
			blendRGBA(got, area, mask, fg)
			draw.DrawMask(plainImage{want}, area, image.NewUniform(fg), image.Point{}, mask, image.Point{}, draw.Over)
			if !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("bg %v fg %v: pixels differ from draw.DrawMask's", bg, fg)
			}
		}
	}
}

// TestDrawRGBAReusesRasters: drawing blocks of different sizes one after
// another (so rasterizers and masks are reused from the pool) gives the
// same pixels as drawing each on its own through draw.DrawMask's generic
// path, and the outlines drawn are the font's.
func TestDrawRGBAReusesRasters(t *testing.T) {
	s := mustFonts(t)
	var blocks []Block
	for _, txt := range []string{headlineLatin, "Hi", headlineArabic, headlineShort, "Wg"} {
		tb, err := s.Fit(txt, Style{Family: "Noto Sans", MaxSize: 48, MinSize: 12, MaxLines: 3}, 460, 160)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, tb)
	}
	for round := range 2 {
		for i := range blocks {
			got := image.NewRGBA(image.Rect(0, 0, 480, 180))
			want := image.NewRGBA(got.Rect)
			for _, img := range []*image.RGBA{got, want} {
				draw.Draw(img, img.Rect, image.NewUniform(color.RGBA{20, 90, 160, 255}), image.Point{}, draw.Src)
			}
			if err := s.Draw(&blocks[i], got, 7.25, 9.5, color.NRGBA{250, 240, 10, 230}); err != nil {
				t.Fatal(err)
			}
			if err := s.Draw(&blocks[i], plainImage{want}, 7.25, 9.5, color.NRGBA{250, 240, 10, 230}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("round %d, block %d: pixels differ from the generic path's", round, i)
			}
		}
	}
	// The cached outlines are the font's own.
	for fi, fe := range s.fonts {
		n := 0
		fe.outlines.m.Range(func(k, v any) bool {
			face := font.NewFace(s.get(fe))
			want, _ := face.GlyphDataOutline(k.(font.GID))
			if !reflect.DeepEqual(v, want) {
				t.Errorf("font %d glyph %v: cached outline differs", fi, k)
			}
			n++
			return n < 50
		})
		if c := fe.outlines.n.Load(); c > maxOutlines {
			t.Errorf("font %d keeps %d outlines, over %d", fi, c, maxOutlines)
		}
	}
}

package photo

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"runtime"
	"testing"

	"github.com/disintegration/imaging"
)

// gradientPhoto is a smooth, textured test picture (smooth, so that
// rounding the intermediate rows, as imaging does, and clamping overshoot
// there does not differ from keeping them exact).
func gradientPhoto(w, h int, alpha bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha {
				a = uint8((x * 255) / max(1, w-1))
			}
			img.SetNRGBA(x, y, color.NRGBA{
				uint8(128 + 100*math.Sin(float64(x)/23)),
				uint8(255 * y / max(1, h-1)),
				uint8(128 + 100*math.Cos(float64(x+2*y)/17)),
				a,
			})
		}
	}
	return img
}

// TestDraw_MatchesImaging checks the resampler against imaging's
// Catmull-Rom resize of the same region, away from the region's edges
// (where Draw reads the photo outside the crop and imaging clamps).
func TestDraw_MatchesImaging(t *testing.T) {
	photo := gradientPhoto(900, 600, false)
	cases := []struct {
		name string
		src  image.Rectangle
		size image.Point
	}{
		{"shrink 3x", image.Rect(0, 0, 900, 600), image.Pt(300, 200)},
		{"shrink crop", image.Rect(150, 50, 750, 500), image.Pt(200, 150)},
		{"enlarge", image.Rect(300, 200, 400, 300), image.Pt(250, 250)},
		{"uneven", image.Rect(10, 10, 890, 590), image.Pt(1200, 630)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// One level only, so both resize from the same pixels.
			p := &Pyramid{levels: []*image.NRGBA{photo}, scaled: map[scaleKey]*scaledPhoto{}, opaque: true}
			dst := image.NewRGBA(image.Rectangle{Max: tc.size})
			p.Draw(dst, dst.Bounds(), tc.src)
			want := imaging.Resize(photo.SubImage(tc.src), tc.size.X, tc.size.Y, imaging.CatmullRom)
			margin := 4 * max(1, tc.src.Dx()/tc.size.X) * tc.size.X / tc.src.Dx()
			var worst, sum, n float64
			for y := margin + 2; y < tc.size.Y-margin-2; y++ {
				for x := margin + 2; x < tc.size.X-margin-2; x++ {
					g, w := dst.RGBAAt(x, y), want.NRGBAAt(x, y)
					for _, d := range []float64{float64(g.R) - float64(w.R), float64(g.G) - float64(w.G), float64(g.B) - float64(w.B)} {
						worst = max(worst, math.Abs(d))
						sum += math.Abs(d)
						n++
					}
					if g.A != 255 {
						t.Fatalf("alpha %d at %d,%d of an opaque photo", g.A, x, y)
					}
				}
			}
			if worst > 3 || sum/n > 0.6 {
				t.Errorf("differs from imaging by up to %.0f, %.2f on average; want ≤ 3 and ≤ 0.6", worst, sum/n)
			}
		})
	}
}

// TestDraw_KeptSameAsStreamed: a prepared photo's kept crops give exactly
// the pixels of drawing straight into the canvas, opaque or not, through
// the pyramid's levels, clipped or not.
func TestDraw_KeptSameAsStreamed(t *testing.T) {
	for _, alpha := range []bool{false, true} {
		photo := gradientPhoto(1000, 700, alpha)
		canvas := func() *image.RGBA {
			c := image.NewRGBA(image.Rect(0, 0, 400, 300))
			for i := range c.Pix {
				c.Pix[i] = []uint8{200, 30, 40, 255}[i%4]
			}
			return c
		}
		for _, r := range []image.Rectangle{image.Rect(0, 0, 400, 300), image.Rect(-50, 20, 300, 330)} {
			src := image.Rect(100, 80, 900, 640)
			streamed, kept := canvas(), canvas()
			NewPyramid(photo).Draw(streamed, r, src)
			pk := NewPyramid(photo)
			pk.keepAll = true
			pk.Draw(kept, r, src)
			pk.Draw(kept, r, src) // from the kept crop; same pixels over themselves only when opaque
			if !alpha && !bytes.Equal(streamed.Pix, kept.Pix) {
				t.Errorf("opaque %v: kept crop differs from streamed", r)
			}
			if alpha {
				once := canvas()
				pk.Draw(once, r, src)
				if !bytes.Equal(streamed.Pix, once.Pix) {
					t.Errorf("translucent %v: kept crop differs from streamed", r)
				}
			}
		}
	}
}

// TestDraw_Clipped: only the part of r inside dst is written.
func TestDraw_Clipped(t *testing.T) {
	p := NewPyramid(gradientPhoto(300, 200, false))
	dst := image.NewRGBA(image.Rect(0, 0, 100, 100))
	p.Draw(dst, image.Rect(50, 50, 250, 250), p.Bounds())
	if dst.RGBAAt(49, 49).A != 0 || dst.RGBAAt(50, 50).A != 255 || dst.RGBAAt(99, 99).A != 255 {
		t.Errorf("clip: %v at 49,49, %v at 50,50, %v at 99,99", dst.RGBAAt(49, 49), dst.RGBAAt(50, 50), dst.RGBAAt(99, 99))
	}
	p.Draw(dst, image.Rect(200, 200, 300, 300), p.Bounds()) // wholly outside: nothing, no panic
	p.Draw(dst, image.Rect(0, 0, 1, 1), image.Rect(5, 5, 6, 6))
}

// TestDraw_Translucent: a photo with transparent pixels is composited over
// the canvas, which shows through where the photo is transparent.
func TestDraw_Translucent(t *testing.T) {
	photo := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := 32; x < 64; x++ {
			photo.SetNRGBA(x, y, color.NRGBA{0, 0, 255, 255})
		}
	}
	p := NewPyramid(photo)
	dst := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range dst.Pix {
		dst.Pix[i] = []uint8{255, 0, 0, 255}[i%4]
	}
	p.Draw(dst, dst.Bounds(), p.Bounds())
	if c := dst.RGBAAt(2, 16); c != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("transparent side = %v, want the red canvas", c)
	}
	if c := dst.RGBAAt(29, 16); c != (color.RGBA{0, 0, 255, 255}) {
		t.Errorf("opaque side = %v, want blue", c)
	}
	if c := dst.RGBAAt(16, 16); c.R == 0 || c.B == 0 || c.A != 255 {
		t.Errorf("edge = %v, want a red-blue mix, opaque", c)
	}
}

// TestDraw_NoWholeImage: drawing a 4K crop allocates a small fraction of
// the 33 MB the result would take as an image of its own.
func TestDraw_NoWholeImage(t *testing.T) {
	p := NewPyramid(gradientPhoto(1600, 900, false))
	dst := image.NewRGBA(image.Rect(0, 0, 3840, 2160))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p.Draw(dst, dst.Bounds(), p.Bounds())
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("drawing a 3840×2160 crop allocated %d KB, want under 4 MB", got>>10)
	}
}

func BenchmarkDraw4K(b *testing.B) {
	p := NewPyramid(gradientPhoto(3264, 2448, false))
	dst := image.NewRGBA(image.Rect(0, 0, 3840, 2160))
	src := image.Rect(0, 202, 3264, 2038)
	b.Run("stream", func(b *testing.B) {
		for b.Loop() {
			p.Draw(dst, dst.Bounds(), src)
		}
	})
	b.Run("imaging", func(b *testing.B) {
		for b.Loop() {
			_ = imaging.Resize(p.Image().SubImage(src), 3840, 2160, imaging.CatmullRom)
		}
	})
}

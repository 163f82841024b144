package photo

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// TestYCbCrToNRGBA checks the fast conversion against image.YCbCr.At for
// every subsampling, odd sizes and a sub-image whose bounds do not start
// at a chroma sample.
func TestYCbCrToNRGBA(t *testing.T) {
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, ratio := range ratios {
		for _, r := range []image.Rectangle{image.Rect(0, 0, 1, 1), image.Rect(0, 0, 13, 7), image.Rect(0, 0, 130, 67)} {
			m := image.NewYCbCr(r, ratio)
			for _, p := range [][]uint8{m.Y, m.Cb, m.Cr} {
				for i := range p {
					p[i] = uint8(rng.IntN(256))
				}
			}
			imgs := []*image.YCbCr{m}
			if r.Dx() > 10 {
				imgs = append(imgs, m.SubImage(image.Rect(3, 1, r.Dx()-2, r.Dy()-1)).(*image.YCbCr))
			}
			for _, src := range imgs {
				got := ycbcrToNRGBA(src)
				b := src.Bounds()
				if got.Bounds() != image.Rect(0, 0, b.Dx(), b.Dy()) {
					t.Fatalf("%v %v: bounds %v", ratio, b, got.Bounds())
				}
				for y := b.Min.Y; y < b.Max.Y; y++ {
					for x := b.Min.X; x < b.Max.X; x++ {
						want := color.NRGBAModel.Convert(src.At(x, y)).(color.NRGBA)
						if g := got.NRGBAAt(x-b.Min.X, y-b.Min.Y); g != want {
							t.Fatalf("%v %v: pixel (%d,%d) = %v, want %v", ratio, b, x, y, g, want)
						}
					}
				}
			}
		}
	}
}

// TestHalve checks the pyramid's halving: the mean of each 2×2 block,
// weighted by alpha, odd edges left out.
func TestHalve(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	set := func(x, y int, c color.NRGBA) { src.SetNRGBA(x, y, c) }
	set(0, 0, color.NRGBA{0, 0, 0, 255})
	set(1, 0, color.NRGBA{255, 255, 255, 255})
	set(0, 1, color.NRGBA{100, 0, 0, 255})
	set(1, 1, color.NRGBA{101, 0, 0, 255})
	// A transparent red pixel next to opaque blue does not tint it.
	set(2, 0, color.NRGBA{255, 0, 0, 0})
	set(3, 0, color.NRGBA{0, 0, 255, 255})
	set(2, 1, color.NRGBA{0, 0, 255, 255})
	set(3, 1, color.NRGBA{0, 0, 255, 255})
	got := halve(src, false)
	if got.Bounds() != image.Rect(0, 0, 2, 1) {
		t.Fatalf("bounds %v", got.Bounds())
	}
	if c := got.NRGBAAt(0, 0); c != (color.NRGBA{114, 64, 64, 255}) {
		t.Errorf("opaque block: %v", c)
	}
	if c := got.NRGBAAt(1, 0); c != (color.NRGBA{0, 0, 255, 191}) {
		t.Errorf("translucent block: %v", c)
	}
	opaque := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	copy(opaque.Pix, []uint8{10, 20, 30, 255, 11, 21, 31, 255, 12, 22, 32, 255, 13, 23, 33, 255})
	if c := halve(opaque, true).NRGBAAt(0, 0); c != (color.NRGBA{12, 22, 32, 255}) {
		t.Errorf("opaque fast path: %v", c)
	}
}

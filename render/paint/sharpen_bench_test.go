package paint

import (
	"image"
	"testing"
)

// BenchmarkSharpenUHD sharpens a whole 4K canvas, the worst case of an
// enlarged photo on ctv-hero-uhd.
func BenchmarkSharpenUHD(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 3840, 2160))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	b.ResetTimer()
	for b.Loop() {
		Sharpen(img, img.Bounds(), 0.3)
	}
}

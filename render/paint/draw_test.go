package paint

import (
	"image"
	"image/color"
	"testing"
)

func TestBlit(t *testing.T) {
	dst := image.NewRGBA(image.Rect(0, 0, 4, 4))
	src := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	blit(dst, image.Rect(3, 3, 5, 5), src) // partly outside: clipped
	if dst.RGBAAt(3, 3) != (color.RGBA{200, 200, 200, 200}) || dst.RGBAAt(2, 2) != (color.RGBA{}) {
		t.Errorf("blit wrote %v at 3,3 and %v at 2,2", dst.RGBAAt(3, 3), dst.RGBAAt(2, 2))
	}
}

package paint_test

import (
	"bytes"
	"image"
	"image/color"
	"testing"

	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
)

// TestBackgroundUnderPhoto: the canvas is the same whether its background
// colour is painted before every layer or, as Draw does, left out where
// an opaque photo replaces it, for photos covering the whole canvas, part
// of it, with a backdrop, and translucent ones.
func TestBackgroundUnderPhoto(t *testing.T) {
	mk := func(opaque bool) *photo.Pyramid {
		img := image.NewNRGBA(image.Rect(0, 0, 240, 160))
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(i), uint8(i/7), uint8(i/13), 255
			if !opaque && i%12 == 0 {
				img.Pix[i+3] = 90
			}
		}
		return photo.NewPyramid(img)
	}
	crop := func(dst image.Rectangle, fill bool) *plan.CropResult {
		return &plan.CropResult{Src: image.Rect(0, 0, 240, 160), Dst: dst, Fill: fill, Scale: 0.5}
	}
	tests := []struct {
		name   string
		opaque bool
		box    image.Rectangle
		crop   *plan.CropResult
	}{
		{"full bleed", true, image.Rect(0, 0, 120, 80), crop(image.Rect(0, 0, 120, 80), false)},
		{"beyond the canvas", true, image.Rect(0, 0, 120, 80), crop(image.Rect(-10, -5, 130, 90), false)},
		{"left part", true, image.Rect(0, 0, 70, 80), crop(image.Rect(0, 0, 70, 80), false)},
		{"inset", true, image.Rect(10, 12, 100, 70), crop(image.Rect(0, 0, 90, 58), false)},
		{"backdrop", true, image.Rect(0, 0, 120, 80), crop(image.Rect(20, 0, 100, 80), true)},
		{"translucent", false, image.Rect(0, 0, 120, 80), crop(image.Rect(0, 0, 120, 80), false)},
		{"no crop", true, image.Rect(0, 0, 120, 80), nil},
	}
	bg := color.NRGBA{30, 60, 200, 255}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			px := paint.Pixels{Photo: mk(tt.opaque)}
			photoLayer := plan.PlannedLayer{Kind: plan.KindPhoto, Box: tt.box, Crop: tt.crop, Backdrop: "color", BackdropColor: color.NRGBA{200, 0, 0, 255}}
			lazy := &plan.Plan{Width: 120, Height: 80, Background: bg, Layers: []plan.PlannedLayer{photoLayer}}
			// A transparent box first makes the canvas paint its colour
			// before the photo.
			eager := &plan.Plan{Width: 120, Height: 80, Background: bg, Layers: []plan.PlannedLayer{
				{Kind: plan.KindBox, Box: image.Rect(0, 0, 1, 1)}, photoLayer}}
			got, _ := paint.Draw(lazy, px)
			want, _ := paint.Draw(eager, px)
			if !bytes.Equal(got.Pix, want.Pix) {
				t.Error("pixels differ from a canvas whose background was painted first")
			}
		})
	}
	t.Run("read before any layer", func(t *testing.T) {
		c := paint.NewCanvas(&plan.Plan{Width: 4, Height: 3, Background: color.NRGBA{1, 2, 3, 0}}, paint.Pixels{})
		img := c.Image()
		for i := 0; i < len(img.Pix); i += 4 {
			if !bytes.Equal(img.Pix[i:i+4], []uint8{1, 2, 3, 255}) {
				t.Fatalf("pixel %d is %v, want the opaque background", i/4, img.Pix[i:i+4])
			}
		}
	})
}

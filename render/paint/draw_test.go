package paint

import (
	"image"
	"image/color"
	"sharecard/render/layout"
	"sharecard/render/plan"
	"sharecard/render/text"
	"testing"

	"github.com/fogleman/gg"
)

// TestEnsureContrast puts text of one colour on a background of nearly the
// same colour and checks the scrim brings the pixels behind the text to the
// WCAG AA ratio — and that no scrim is drawn when the contrast is already
// enough.
func TestEnsureContrast(t *testing.T) {
	tests := []struct {
		name      string
		bg, text  color.NRGBA
		large     bool
		wantScrim bool
	}{
		{"white on white, small", color.NRGBA{250, 250, 250, 255}, color.NRGBA{255, 255, 255, 255}, false, true},
		{"white on light grey, large", color.NRGBA{200, 200, 200, 255}, color.NRGBA{255, 255, 255, 255}, true, true},
		{"black on dark grey", color.NRGBA{40, 40, 40, 255}, color.NRGBA{0, 0, 0, 255}, false, true},
		{"white on black is fine", color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dc := gg.NewContext(400, 200)
			fillOver(dc.Image().(*image.RGBA), image.Rect(0, 0, 400, 200), tc.bg)
			pld := &plan.PlannedLayer{
				Kind: layout.LayerText, Large: tc.large, TextX: 100, TextY: 80,
				Text: &text.Block{Size: 20, Height: 40, Lines: []text.Line{{Text: "x", Width: 200}}},
				Spec: &layout.Layer{Color: tc.text},
			}
			if w := ensureContrast(dc, pld); w != "" {
				t.Fatalf("warning: %s", w)
			}
			img := dc.Image().(*image.RGBA)
			c := img.RGBAAt(200, 100)
			got := ContrastRatio(Luminance(tc.text), Luminance(color.NRGBA{c.R, c.G, c.B, 255}))
			want := contrastNormal
			if tc.large {
				want = contrastLarge
			}
			if got < want {
				t.Errorf("contrast %.2f:1 behind the text, want ≥ %.1f:1", got, want)
			}
			scrimmed := c != color.RGBA{tc.bg.R, tc.bg.G, tc.bg.B, 255}
			if scrimmed != tc.wantScrim {
				t.Errorf("scrim drawn: %v, want %v", scrimmed, tc.wantScrim)
			}
			// Not more than needed: within 15% of the target.
			if tc.wantScrim && got > want*1.15 {
				t.Errorf("scrim darker than needed: %.2f:1 for a target of %.1f:1", got, want)
			}
		})
	}
}

func TestContrastRatio(t *testing.T) {
	white := Luminance(color.NRGBA{255, 255, 255, 255})
	black := Luminance(color.NRGBA{0, 0, 0, 255})
	if r := ContrastRatio(white, black); r < 20.9 || r > 21.1 {
		t.Errorf("white/black = %.2f, want 21", r)
	}
	grey := Luminance(color.NRGBA{118, 118, 118, 255}) // #767676 is the classic 4.5:1 grey on white
	if r := ContrastRatio(white, grey); r < 4.5 || r > 4.6 {
		t.Errorf("white/#767676 = %.2f, want ≈4.54", r)
	}
}

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

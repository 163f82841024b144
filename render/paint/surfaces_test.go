package paint_test

import (
	"image"
	"image/color"
	"testing"

	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/text"
)

// TestScrimFeathersEveryEdge: the contrast scrim fades out on the left and
// right as well as above and below, with no step between neighbouring
// pixels larger than a soft edge has, and leaves the far canvas alone.
func TestScrimFeathersEveryEdge(t *testing.T) {
	white := color.NRGBA{255, 255, 255, 255}
	p := &plan.Plan{Width: 600, Height: 300, Safe: image.Rect(0, 0, 600, 300), Background: white,
		Layers: []plan.PlannedLayer{{
			Kind: plan.KindText, Box: image.Rect(0, 0, 600, 300), Declared: image.Rect(0, 0, 600, 300),
			Contrast: true, TextX: 200, TextY: 130, Color: white,
			Text: &text.Block{Size: 20, Height: 40, Lines: []text.Line{{Text: "x", Width: 200}}},
		}}}
	c := paint.NewCanvas(p, paint.Pixels{})
	c.TextBacking(0)
	img := c.Image()
	centre := img.NRGBAAt(300, 150).R
	if centre > 200 {
		t.Fatalf("no scrim behind the text (centre %d)", centre)
	}
	walks := []struct {
		name   string
		x0, y0 int
		dx, dy int
	}{
		{"left", 300, 150, -1, 0}, {"right", 300, 150, 1, 0},
		{"up", 300, 150, 0, -1}, {"down", 300, 150, 0, 1},
		{"up-left corner", 200, 130, -1, -1},
	}
	for _, w := range walks {
		prev := int(centre)
		x, y := w.x0, w.y0
		for range 150 {
			x, y = x+w.dx, y+w.dy
			if !image.Pt(x, y).In(img.Bounds()) {
				break
			}
			v := int(img.NRGBAAt(x, y).R)
			if v < prev-1 {
				t.Errorf("%s: darker again at (%d,%d): %d after %d", w.name, x, y, v, prev)
			}
			if v-prev > 40 {
				t.Errorf("%s: hard edge at (%d,%d): %d after %d", w.name, x, y, v, prev)
			}
			prev = v
		}
		if prev != 255 {
			t.Errorf("%s: the scrim reaches %d px away (value %d)", w.name, 150, prev)
		}
	}
}

func TestSharpen(t *testing.T) {
	// A vertical edge from 100 to 160: sharpening steepens it (overshoot on
	// both sides), leaves flat areas alone and touches nothing outside r.
	mk := func() *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 20, 10))
		for y := range 10 {
			for x := range 20 {
				v := uint8(100)
				if x >= 10 {
					v = 160
				}
				img.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			}
		}
		return img
	}
	img := mk()
	paint.Sharpen(img, image.Rect(0, 0, 20, 10), 0.5)
	if v := img.RGBAAt(9, 5).R; v >= 100 {
		t.Errorf("dark side of the edge %d, want below 100", v)
	}
	if v := img.RGBAAt(10, 5).R; v <= 160 {
		t.Errorf("light side of the edge %d, want above 160", v)
	}
	if v := img.RGBAAt(2, 5).R; v != 100 {
		t.Errorf("flat area changed to %d", v)
	}
	if a := img.RGBAAt(9, 5).A; a != 255 {
		t.Errorf("alpha changed to %d", a)
	}
	img = mk()
	paint.Sharpen(img, image.Rect(0, 0, 10, 10), 0.5)
	if v := img.RGBAAt(10, 5).R; v != 160 {
		t.Errorf("pixel outside r changed to %d", v)
	}
	img = mk()
	paint.Sharpen(img, img.Bounds(), 0)
	if v := img.RGBAAt(9, 5).R; v != 100 {
		t.Errorf("amount 0 changed a pixel to %d", v)
	}
	paint.Sharpen(img, image.Rect(50, 50, 60, 60), 1) // outside: no panic
}

func TestSharpeningAmounts(t *testing.T) {
	tests := []struct {
		w, h int
		want bool
	}{{150, 150, true}, {320, 180, true}, {290, 218, true}, {400, 240, false}, {1200, 630, false}, {399, 1000, false}}
	for _, tt := range tests {
		if got := paint.OutputSharpening(tt.w, tt.h) > 0; got != tt.want {
			t.Errorf("OutputSharpening(%d, %d) > 0 = %v, want %v", tt.w, tt.h, got, tt.want)
		}
	}
	for _, tt := range []struct {
		scale   float64
		min, mx float64
	}{{0.5, 0, 0}, {1, 0, 0}, {1.5, 0.2, 0.3}, {2.5, 0.6, 0.6}, {10, 0.6, 0.6}} {
		if got := paint.EnlargeSharpening(tt.scale); got < tt.min || got > tt.mx {
			t.Errorf("EnlargeSharpening(%.1f) = %.2f, want %.2f..%.2f", tt.scale, got, tt.min, tt.mx)
		}
	}
}

// logoImage is a 40x20 logo: a solid bar of c in the middle, transparent
// around it.
func logoImage(c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := 5; y < 15; y++ {
		for x := 4; x < 36; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func uniformCanvas(c color.NRGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	return img
}

func TestLogoContrast(t *testing.T) {
	white, black := color.NRGBA{255, 255, 255, 255}, color.NRGBA{0, 0, 0, 255}
	r := image.Rect(50, 30, 130, 70)
	if got := paint.LogoContrast(uniformCanvas(black), r, logoImage(white)); got < 20 {
		t.Errorf("white logo on black: %.1f:1, want 21:1", got)
	}
	if got := paint.LogoContrast(uniformCanvas(color.NRGBA{240, 240, 240, 255}), r, logoImage(white)); got > 1.2 {
		t.Errorf("white logo on near-white: %.1f:1, want about 1:1", got)
	}
	if got := paint.LogoContrast(uniformCanvas(white), r, image.NewNRGBA(image.Rect(0, 0, 10, 10))); got != 21 {
		t.Errorf("a transparent logo measures %.1f:1, want 21 (nothing to read)", got)
	}
}

func TestChooseLogo(t *testing.T) {
	white, navy := color.NRGBA{255, 255, 255, 255}, color.NRGBA{10, 37, 64, 255}
	sky := color.NRGBA{225, 235, 245, 255}
	r := image.Rect(50, 30, 130, 70)
	tests := []struct {
		name      string
		bg        color.NRGBA
		alt       *image.NRGBA
		plate     color.NRGBA
		wantAlt   bool
		wantPlate bool
		wantScrim bool
	}{
		{"white logo on navy: as it is", navy, nil, color.NRGBA{}, false, false, false},
		{"white logo on sky, dark alternative", sky, logoImage(navy), color.NRGBA{}, true, false, false},
		{"white logo on sky, plate", sky, nil, navy, false, true, false},
		{"white logo on sky, nothing given: scrim", sky, nil, color.NRGBA{}, false, true, true},
		{"white plate: the dark alternative on it", sky, logoImage(color.NRGBA{200, 210, 220, 255}), white, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var alt image.Image
			if tt.alt != nil {
				alt = tt.alt
			}
			got := paint.ChooseLogo(uniformCanvas(tt.bg), r, logoImage(white), r, alt, tt.plate)
			if got.Alt != tt.wantAlt || !got.Plate.Empty() != tt.wantPlate || got.Scrim != tt.wantScrim {
				t.Errorf("got %+v, want alt %v plate %v scrim %v", got, tt.wantAlt, tt.wantPlate, tt.wantScrim)
			}
			if tt.name != "white plate: the dark alternative on it" && got.Ratio < paint.LogoContrastTarget {
				t.Errorf("ratio %.2f:1 below the target", got.Ratio)
			}
			// The logo's ink: its bar, 4..36 x 5..15 of 40x20, drawn at twice
			// the size into r.
			ink := image.Rect(58, 40, 122, 60)
			if got.Plate != (image.Rectangle{}) && (!ink.In(got.Plate) || !got.Plate.In(r.Inset(-8))) {
				t.Errorf("plate %v does not hold the logo's ink %v snugly", got.Plate, ink)
			}
		})
	}
}

// TestImageContrastAuto: an image layer with contrast auto draws its
// alternative picture on a light background, a plate when it has none,
// and the picture as it is where it stands out.
func TestImageContrastAuto(t *testing.T) {
	white, navy := color.NRGBA{255, 255, 255, 255}, color.NRGBA{10, 37, 64, 255}
	sky := color.NRGBA{225, 235, 245, 255}
	images := map[string]image.Image{"logo": logoImage(white), "dark": logoImage(navy)}
	r := image.Rect(50, 30, 130, 70)
	tests := []struct {
		name     string
		bg       color.NRGBA
		alt      string
		plate    color.NRGBA
		at       image.Point // a pixel to look at
		want     color.NRGBA
		wantWarn bool
	}{
		{"on navy: as it is", navy, "dark", color.NRGBA{}, image.Pt(90, 50), white, false},
		{"on sky: the dark one", sky, "dark", color.NRGBA{}, image.Pt(90, 50), navy, false},
		{"on sky with a plate: white on navy", sky, "", navy, image.Pt(56, 38), navy, false},
		{"on sky with a plate: the plate hugs the ink", sky, "", navy, image.Pt(51, 31), sky, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &plan.Plan{Width: 200, Height: 100, Safe: image.Rect(0, 0, 200, 100), Background: tt.bg,
				Layers: []plan.PlannedLayer{{Kind: plan.KindImage, Box: r, Declared: r, Image: "logo", ImageRect: r,
					Contrast: true, ImageOnLight: tt.alt, Plate: tt.plate}}}
			img, warns := paint.Draw(p, paint.Pixels{Images: images})
			if got := img.NRGBAAt(tt.at.X, tt.at.Y); got != tt.want {
				t.Errorf("pixel %v is %v, want %v", tt.at, got, tt.want)
			}
			if (len(warns) > 0) != tt.wantWarn {
				t.Errorf("warnings %q", warns)
			}
		})
	}
}

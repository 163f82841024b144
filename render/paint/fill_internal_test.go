package paint

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// noisy returns a w x h canvas of deterministic random pixels: opaque
// ones, or (translucent) premultiplied ones of any alpha.
func noisy(w, h int, seed uint64, opaque bool) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		a := uint8(255)
		if !opaque {
			a = uint8(rng.IntN(256))
		}
		for c := range 3 {
			img.Pix[i+c] = uint8(rng.IntN(int(a) + 1))
		}
		img.Pix[i+3] = a
	}
	return img
}

// TestFillOverMatchesDraw: fillOver gives exactly the pixels of draw.Draw
// with a uniform source (Src when opaque, else Over), on small areas and
// on areas large enough for its lookup tables, clipped to the canvas.
func TestFillOverMatchesDraw(t *testing.T) {
	rects := []image.Rectangle{
		image.Rect(3, 2, 17, 9),       // small: the direct formula
		image.Rect(0, 0, 64, 40),      // whole canvas: lookup tables
		image.Rect(-10, 30, 50, 90),   // clipped
		image.Rect(10, 10, 10, 20),    // empty
		image.Rect(60, 1, 200, 39),    // mostly outside
		image.Rect(1, 1, 63, 39),      // large, inset
		image.Rect(-5, -5, 100, 100),  // larger than the canvas
		image.Rect(20, 20, 21, 21),    // one pixel
		image.Rect(0, 39, 64, 40),     // one row
		image.Rect(63, 0, 64, 40),     // one column
		image.Rect(5, 5, 5+40, 5+30),  // 1200 px: tables
		image.Rect(5, 5, 5+31, 5+33),  // 1023 px: direct
		image.Rect(30, 30, 100, 31),   // clipped row
		image.Rect(-1, -1, 0, 0),      // outside
		image.Rect(0, 0, 64, 16),      // tables, top band
		image.Rect(0, 0, 1024, 1),     // clipped to 64
		image.Rect(32, 0, 1056, 1),    // clipped to 32
		image.Rect(0, 20, 64, 36),     // 1024 px exactly
		image.Rect(-20, -20, -10, -1), // outside
	}
	colours := []color.NRGBA{
		{0, 0, 0, 0}, {255, 255, 255, 255}, {12, 200, 99, 255}, {0, 0, 0, 1},
		{255, 255, 255, 128}, {200, 30, 60, 200}, {7, 8, 9, 254}, {255, 0, 0, 17},
	}
	for _, opaque := range []bool{true, false} {
		for ri, r := range rects {
			for ci, c := range colours {
				got := noisy(64, 40, uint64(ri*100+ci), opaque)
				want := image.NewRGBA(got.Rect)
				copy(want.Pix, got.Pix)
				fillOver(got, r, c)
				if c.A > 0 {
					op := draw.Over
					if c.A == 255 {
						op = draw.Src
					}
					draw.Draw(want, r, image.NewUniform(c), image.Point{}, op)
				}
				if i := firstDiff(got.Pix, want.Pix); i >= 0 {
					t.Fatalf("opaque %v, rect %v, colour %v: byte %d is %d, draw.Draw gives %d", opaque, r, c, i, got.Pix[i], want.Pix[i])
				}
			}
		}
	}
}

func firstDiff(a, b []uint8) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// gradientByLines is drawGradient as it was: one draw.Draw fill per row or
// column, the reference drawGradient must match exactly.
func gradientByLines(img *image.RGBA, r image.Rectangle, from, to color.NRGBA, dir string) {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return
	}
	at := func(t float64) color.NRGBA {
		mid := mix(from, to, 0.6)
		if t < 0.5 {
			return mix(from, mid, t*2)
		}
		return mix(mid, to, (t-0.5)*2)
	}
	vertical := dir == "down" || dir == "up"
	n := r.Dx()
	if vertical {
		n = r.Dy()
	}
	for i := range n {
		t := (float64(i) + 0.5) / float64(n)
		if dir == "up" || dir == "left" {
			t = 1 - t
		}
		line := image.Rect(r.Min.X+i, r.Min.Y, r.Min.X+i+1, r.Max.Y)
		if vertical {
			line = image.Rect(r.Min.X, r.Min.Y+i, r.Max.X, r.Min.Y+i+1)
		}
		c := at(t)
		switch c.A {
		case 0:
		case 255:
			draw.Draw(img, line, image.NewUniform(c), image.Point{}, draw.Src)
		default:
			draw.Draw(img, line, image.NewUniform(c), image.Point{}, draw.Over)
		}
	}
}

func TestGradientMatchesLineFills(t *testing.T) {
	tests := []struct {
		r        image.Rectangle
		from, to color.NRGBA
	}{
		{image.Rect(0, 30, 1200, 200), color.NRGBA{0, 0, 0, 0}, color.NRGBA{0, 0, 0, 230}},
		{image.Rect(-20, -10, 300, 150), color.NRGBA{10, 20, 200, 255}, color.NRGBA{250, 120, 0, 0}},
		{image.Rect(100, 0, 101, 200), color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}},
		{image.Rect(5, 5, 40, 9), color.NRGBA{90, 0, 0, 128}, color.NRGBA{0, 90, 0, 64}},
		{image.Rect(0, 0, 0, 0), color.NRGBA{0, 0, 0, 255}, color.NRGBA{0, 0, 0, 0}},
	}
	for ti, tt := range tests {
		for _, dir := range []string{"down", "up", "left", "right"} {
			got := noisy(1200, 160, uint64(ti), true)
			want := image.NewRGBA(got.Rect)
			copy(want.Pix, got.Pix)
			drawGradient(got, tt.r, tt.from, tt.to, dir)
			gradientByLines(want, tt.r, tt.from, tt.to, dir)
			if i := firstDiff(got.Pix, want.Pix); i >= 0 {
				t.Fatalf("case %d, %s: byte %d is %d, line fills give %d", ti, dir, i, got.Pix[i], want.Pix[i])
			}
		}
	}
}

// TestLuminanceTable: the table gives the WCAG formula's values exactly.
func TestLuminanceTable(t *testing.T) {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	for v := range 256 {
		c := uint8(v)
		for _, col := range []color.NRGBA{{c, 0, 0, 255}, {0, c, 0, 255}, {0, 0, c, 255}, {c, 255 - c, c / 2, 9}} {
			want := 0.2126*lin(col.R) + 0.7152*lin(col.G) + 0.0722*lin(col.B)
			if got := Luminance(col); got != want {
				t.Fatalf("Luminance(%v) = %v, want %v", col, got, want)
			}
		}
	}
}

// TestWorstPixelMatchesSort: the selection picks the sample a full sort
// by luminance would, on busy canvases and on canvases of a few colours
// (many ties), for light and dark text.
func TestWorstPixelMatchesSort(t *testing.T) {
	few := noisy(300, 200, 3, true)
	palette := []color.RGBA{{255, 255, 255, 255}, {0, 0, 0, 255}, {10, 200, 30, 255}, {200, 10, 30, 255}}
	for i := 0; i < len(few.Pix); i += 4 {
		c := palette[(i/4)%len(palette)*((i/4)%7)%len(palette)]
		copy(few.Pix[i:i+4], []uint8{c.R, c.G, c.B, c.A})
	}
	flat := image.NewRGBA(image.Rect(0, 0, 50, 50))
	draw.Draw(flat, flat.Rect, image.NewUniform(color.RGBA{40, 40, 40, 255}), image.Point{}, draw.Src)
	cases := []struct {
		img *image.RGBA
		r   image.Rectangle
	}{
		{noisy(600, 400, 1, true), image.Rect(0, 0, 600, 400)}, // sampled every step
		{noisy(600, 400, 2, true), image.Rect(13, 7, 101, 55)}, // every pixel
		{few, few.Rect},
		{flat, flat.Rect},
		{flat, image.Rect(3, 3, 4, 4)},
	}
	for ci, c := range cases {
		for _, brightest := range []bool{true, false} {
			got := worstPixel(c.img, c.r, brightest)
			step := max(1, int(math.Sqrt(float64(c.r.Dx()*c.r.Dy())/20000)))
			var ls []float64
			for y := c.r.Min.Y; y < c.r.Max.Y; y += step {
				for x := c.r.Min.X; x < c.r.Max.X; x += step {
					p := c.img.RGBAAt(x, y)
					ls = append(ls, Luminance(color.NRGBA{p.R, p.G, p.B, 255}))
				}
			}
			slices.Sort(ls)
			i := len(ls) * 98 / 100
			if !brightest {
				i = len(ls) * 2 / 100
			}
			if want := ls[min(i, len(ls)-1)]; Luminance(got) != want || got.A != 255 {
				t.Errorf("case %d, brightest %v: got %v (luminance %v), want luminance %v", ci, brightest, got, Luminance(got), want)
			}
		}
	}
	if got := worstPixel(flat, image.Rectangle{}, true); got != (color.NRGBA{A: 255}) {
		t.Errorf("empty area: got %v, want opaque black", got)
	}
}

// BenchmarkGradient lays a scrim over the lower two thirds of a 1200x630
// canvas, as the standard layout does.
func BenchmarkGradient(b *testing.B) {
	img := noisy(1200, 630, 1, true)
	for b.Loop() {
		drawGradient(img, image.Rect(0, 189, 1200, 630), color.NRGBA{0, 0, 0, 0}, color.NRGBA{0, 0, 0, 230}, "down")
	}
	b.ReportMetric(float64(1200*441)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MP/s")
}

// featheredPerPixel is drawFeathered as it was, weighing every pixel on
// its own: the reference drawFeathered must match exactly.
func featheredPerPixel(img *image.RGBA, core image.Rectangle, feather int, c color.NRGBA) {
	if c.A == 0 || core.Empty() {
		return
	}
	bounds := img.Bounds()
	fillOver(img, core.Intersect(bounds), c)
	if feather <= 0 {
		return
	}
	outer := core.Inset(-feather).Intersect(bounds)
	wt := func(d int) float64 {
		if d <= 0 {
			return 1
		}
		if d >= feather {
			return 0
		}
		t := 1 - (float64(d)-0.5)/float64(feather)
		t = min(max(t, 0), 1)
		return t * t * (3 - 2*t)
	}
	dist := func(v, lo, hi int) int {
		switch {
		case v < lo:
			return lo - v
		case v >= hi:
			return v - hi + 1
		}
		return 0
	}
	a := float64(c.A) / 255
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		wy := wt(dist(y, core.Min.Y, core.Max.Y))
		inRows := y >= core.Min.Y && y < core.Max.Y
		for x := outer.Min.X; x < outer.Max.X; x++ {
			dx := dist(x, core.Min.X, core.Max.X)
			if inRows && dx == 0 {
				x = core.Max.X - 1
				continue
			}
			k := a * wy * wt(dx)
			if k <= 0 {
				continue
			}
			i := img.PixOffset(x, y)
			px := img.Pix[i : i+4 : i+4]
			px[0] = blendByte(px[0], c.R, k)
			px[1] = blendByte(px[1], c.G, k)
			px[2] = blendByte(px[2], c.B, k)
		}
	}
}

func TestFeatheredMatchesPerPixel(t *testing.T) {
	tests := []struct {
		core    image.Rectangle
		feather int
		c       color.NRGBA
	}{
		{image.Rect(40, 30, 120, 70), 20, color.NRGBA{0, 0, 0, 180}},
		{image.Rect(-10, -5, 60, 40), 30, color.NRGBA{255, 255, 255, 255}},
		{image.Rect(100, 80, 200, 130), 25, color.NRGBA{10, 20, 30, 99}},
		{image.Rect(0, 0, 160, 100), 40, color.NRGBA{0, 0, 0, 200}},
		{image.Rect(70, 50, 71, 51), 3, color.NRGBA{200, 0, 0, 255}},
		{image.Rect(50, 40, 90, 60), 0, color.NRGBA{0, 0, 0, 128}},
		{image.Rect(50, 40, 90, 60), 10, color.NRGBA{0, 0, 0, 0}},
	}
	for i, tt := range tests {
		got := noisy(160, 100, uint64(i), true)
		want := image.NewRGBA(got.Rect)
		copy(want.Pix, got.Pix)
		drawFeathered(got, tt.core, tt.feather, tt.c)
		featheredPerPixel(want, tt.core, tt.feather, tt.c)
		if j := firstDiff(got.Pix, want.Pix); j >= 0 {
			t.Fatalf("case %d: byte %d is %d, per pixel gives %d", i, j, got.Pix[j], want.Pix[j])
		}
	}
}

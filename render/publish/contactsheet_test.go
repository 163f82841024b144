package publish

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/encode"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// sheetOutput encodes a w×h image of colour c (with a black left half when
// split is set, to check orientation) as format f and wraps it in an Output.
func sheetOutput(t *testing.T, id string, w, h int, c color.NRGBA, f preset.Format, split bool) render.Output {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	if split {
		draw.Draw(img, image.Rect(0, 0, w/2, h), image.Black, image.Point{}, draw.Src)
	}
	enc, err := encode.Encode(img, f, encode.Options{})
	if err != nil {
		t.Fatalf("encode %s: %v", id, err)
	}
	return render.Output{Preset: preset.Preset{ID: id}, Format: f, Width: w, Height: h, Data: enc.Data}
}

// near reports whether two colours differ by at most tol in every channel.
func near(a, b color.NRGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

// inkPixels counts the pixels of r darker than the sheet's background.
func inkPixels(img *image.NRGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := img.NRGBAAt(x, y); int(c.R)+int(c.G)+int(c.B) < 3*0x90 {
				n++
			}
		}
	}
	return n
}

func TestContactSheetLayout(t *testing.T) {
	fonts := rendertest.Fonts(t)
	red := color.NRGBA{0xD0, 0x20, 0x20, 0xFF}
	blue := color.NRGBA{0x20, 0x40, 0xD0, 0xFF}
	green := color.NRGBA{0x20, 0xB0, 0x40, 0xFF}
	yellow := color.NRGBA{0xF0, 0xD0, 0x20, 0xFF}
	outs := []render.Output{
		sheetOutput(t, "og", 240, 126, red, preset.FormatJPEG, true),
		sheetOutput(t, "square", 100, 100, blue, preset.FormatPNG, false),
		sheetOutput(t, "story", 54, 96, green, preset.FormatWebP, false),
		sheetOutput(t, "banner", 2000, 40, yellow, preset.FormatPNG, false), // wider than the page
		sheetOutput(t, "tiny", 16, 16, red, preset.FormatJPEG, false),
	}
	outs[1].Warnings = []string{"something"}
	colours := []color.NRGBA{red, blue, green, yellow, red}
	opt := SheetOptions{Title: "Headline of the story", Subtitle: "layout standard · 5 presets", Width: 900, ThumbHeight: 120}
	page, plan, err := drawSheet(outs, fonts, opt)
	if err != nil {
		t.Fatal(err)
	}
	if page.Bounds().Dx() != 900 || page.Bounds() != (image.Rectangle{Max: plan.size}) {
		t.Fatalf("page %v, plan %v; want 900 wide", page.Bounds(), plan.size)
	}
	if len(plan.cells) != len(outs) {
		t.Fatalf("%d cells for %d outputs", len(plan.cells), len(outs))
	}
	// The title is drawn above the first row.
	if inkPixels(page, image.Rect(0, 0, 900, plan.top)) < 200 {
		t.Error("no title ink above the thumbnails")
	}
	for i, c := range plan.cells {
		o := outs[i]
		if !c.thumb.In(page.Bounds().Inset(sheetMargin)) {
			t.Errorf("%s: thumbnail %v outside the page margins", o.Preset.ID, c.thumb)
		}
		for j := range i {
			if c.thumb.Overlaps(plan.cells[j].thumb) || c.label.Overlaps(plan.cells[j].label) {
				t.Errorf("%s overlaps %s", o.Preset.ID, outs[j].Preset.ID)
			}
		}
		// True aspect ratio, within a pixel of rounding.
		want := float64(o.Width) / float64(o.Height)
		got := float64(c.thumb.Dx()) / float64(c.thumb.Dy())
		if d := got/want - 1; d > 0.03 || d < -0.03 {
			t.Errorf("%s: thumbnail %v has aspect %.3f, want %.3f", o.Preset.ID, c.thumb.Size(), got, want)
		}
		if o.Preset.ID != "banner" && c.thumb.Dy() != 120 {
			t.Errorf("%s: thumbnail height %d, want 120", o.Preset.ID, c.thumb.Dy())
		}
		// The thumbnail shows the image: its colour at the right-hand
		// quarter, and black on the left for the split one.
		p := page.NRGBAAt(c.thumb.Min.X+c.thumb.Dx()*3/4, c.thumb.Min.Y+c.thumb.Dy()/2)
		if !near(p, colours[i], 24) {
			t.Errorf("%s: thumbnail pixel %v, want about %v", o.Preset.ID, p, colours[i])
		}
		if i == 0 {
			if p := page.NRGBAAt(c.thumb.Min.X+c.thumb.Dx()/4, c.thumb.Min.Y+c.thumb.Dy()/2); !near(p, color.NRGBA{A: 0xFF}, 24) {
				t.Errorf("og: left half %v, want black", p)
			}
		}
		// A label is drawn under every thumbnail, inside its box.
		if c.label.Min.Y < c.thumb.Max.Y || !c.label.In(page.Bounds()) {
			t.Errorf("%s: label box %v not under thumbnail %v", o.Preset.ID, c.label, c.thumb)
		}
		if n := inkPixels(page, c.label); n < 100 {
			t.Errorf("%s: label has %d ink pixels, want text", o.Preset.ID, n)
		}
	}
	// The warning line is drawn in amber.
	amber := 0
	lb := plan.cells[1].label
	for y := lb.Min.Y; y < lb.Max.Y; y++ {
		for x := lb.Min.X; x < lb.Max.X; x++ {
			if c := page.NRGBAAt(x, y); c.R > c.B+60 && c.G < c.R {
				amber++
			}
		}
	}
	if amber < 20 {
		t.Errorf("square: warning not drawn in amber (%d amber pixels)", amber)
	}
}

func TestContactSheetPixelCap(t *testing.T) {
	fonts := rendertest.Fonts(t)
	var outs []render.Output
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		outs = append(outs, sheetOutput(t, id, 64, 64, color.NRGBA{0x80, 0x80, 0x80, 0xFF}, preset.FormatPNG, false))
	}
	for _, tc := range []struct {
		name      string
		maxPixels int
		wantThumb int // thumbnail height
	}{
		{"roomy", 10_000_000, 200},
		{"capped", 600_000, 0}, // smaller than asked
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, plan, err := drawSheet(outs, fonts, SheetOptions{Title: "T", Width: 800, ThumbHeight: 200, MaxPixels: tc.maxPixels})
			if err != nil {
				t.Fatal(err)
			}
			area := page.Bounds().Dx() * page.Bounds().Dy()
			if area > tc.maxPixels {
				t.Errorf("page %v is %d pixels, over the cap %d", page.Bounds().Size(), area, tc.maxPixels)
			}
			h := plan.cells[0].thumb.Dy()
			if tc.wantThumb != 0 && h != tc.wantThumb {
				t.Errorf("thumbnail height %d, want %d", h, tc.wantThumb)
			}
			if tc.wantThumb == 0 && (h >= 200 || h < sheetMinThumb) {
				t.Errorf("thumbnail height %d, want between %d and 200", h, sheetMinThumb)
			}
		})
	}
}

func TestContactSheetErrors(t *testing.T) {
	fonts := rendertest.Fonts(t)
	good := sheetOutput(t, "og", 60, 30, color.NRGBA{0x80, 0, 0, 0xFF}, preset.FormatJPEG, false)
	truncated := good
	truncated.Preset.ID = "cut"
	truncated.Data = good.Data[:len(good.Data)/2]
	garbage := good
	garbage.Preset.ID = "junk"
	garbage.Data = []byte("<html>not an image</html>")
	wrongSize := good
	wrongSize.Preset.ID = "liar"
	wrongSize.Width = 61
	noSize := good
	noSize.Preset.ID = "empty"
	noSize.Width, noSize.Height = 0, 0
	tests := []struct {
		name  string
		outs  []render.Output
		fonts *text.FontSet
		opt   SheetOptions
		want  []string
	}{
		{"no outputs", nil, fonts, SheetOptions{}, []string{"no images"}},
		{"no fonts", []render.Output{good}, nil, SheetOptions{}, []string{"no fonts"}},
		{"truncated jpeg", []render.Output{good, truncated}, fonts, SheetOptions{}, []string{`preset "cut"`}},
		{"not an image", []render.Output{garbage, good}, fonts, SheetOptions{}, []string{`preset "junk"`}},
		{"size mismatch", []render.Output{good, wrongSize}, fonts, SheetOptions{}, []string{`preset "liar"`, "60x30", "61x30"}},
		{"no size", []render.Output{noSize}, fonts, SheetOptions{}, []string{`preset "empty"`, "no size"}},
		{"page too narrow", []render.Output{good}, fonts, SheetOptions{Width: 100}, []string{"width 100 px"}},
		{"thumb too small", []render.Output{good}, fonts, SheetOptions{ThumbHeight: 5}, []string{"thumbnail height 5 px"}},
		{"negative cap", []render.Output{good}, fonts, SheetOptions{MaxPixels: -1}, []string{"negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, err := ContactSheet(tc.outs, tc.fonts, tc.opt)
			if err == nil {
				t.Fatalf("no error; page %v", img.Bounds())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestSheetBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 B"}, {999, "999 B"}, {1000, "1 KB"}, {212_499, "212 KB"}, {999_499, "999 KB"}, {999_500, "1.0 MB"}, {1_400_000, "1.4 MB"}} {
		if got := sheetBytes(tc.n); got != tc.want {
			t.Errorf("sheetBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

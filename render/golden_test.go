package render_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/preset"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/golden")

// goldenSize is the long side golden images are stored at: small enough to
// keep the repository light, large enough to show a moved line or crop.
const goldenSize = 256

// TestGolden renders the samples at three presets and compares them, scaled
// down, with the images in testdata/golden. Run with -update to accept
// intended changes, then look at the PNGs in the diff before committing.
func TestGolden(t *testing.T) {
	if *update && os.Getenv("CI") != "" {
		t.Fatal("refusing -update on CI: goldens are updated by a person who looks at them")
	}
	eng, lays := rendertest.Engine(t)
	samples := []string{"k1-air-base", "k1-air-base-ar", "long-headline"}
	presets := rendertest.Presets(t, "og", "instagram-story", "thumb-square")
	for _, s := range samples {
		t.Run(s, func(t *testing.T) {
			file := filepath.Join("..", "samples", s, "article.yaml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a, err := article.Parse(file, data)
			if err != nil {
				t.Fatal(err)
			}
			photo, err := os.ReadFile(filepath.Join(filepath.Dir(file), a.Photo))
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.Render(context.Background(), render.Job{Article: a, Photo: photo, Layout: lays["standard"], Presets: presets, Format: preset.FormatPNG})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range res.Outputs {
				img, err := png.Decode(bytes.NewReader(o.Data))
				if err != nil {
					t.Fatal(err)
				}
				got := imaging.Fit(img, goldenSize, goldenSize, imaging.Box)
				compareGolden(t, rendertest.Testdata("golden", s, o.Preset.ID+".png"), got)
			}
		})
	}
}

// compareGolden compares got with the golden PNG at path with a tolerance:
// sizes must match; at most 1% of pixels may differ by more than 3/255 in a
// channel, none by more than 64/255, and no 16×16 block's mean may move by
// more than 4/255 (which catches a tint that stays under the pixel bar).
func compareGolden(t *testing.T, path string, got *image.NRGBA) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, got); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no golden image %s (run: go test ./render -run Golden -update): %v", path, err)
	}
	defer f.Close()
	wantImg, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := imaging.Clone(wantImg)
	if msg := goldenDiff(got, want); msg != "" {
		dir := writeGoldenFailure(t, path, got, want)
		t.Errorf("%s: %s; images written to %s; if the change is intended, run: go test ./render -run Golden -update", path, msg, dir)
	}
}

func goldenDiff(got, want *image.NRGBA) string {
	if got.Bounds().Size() != want.Bounds().Size() {
		return fmt.Sprintf("size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
	}
	w, h := got.Bounds().Dx(), got.Bounds().Dy()
	differ, worst := 0, 0
	for y := range h {
		for x := range w {
			d := pixelDiff(got.NRGBAAt(x, y), want.NRGBAAt(x, y))
			worst = max(worst, d)
			if d > 3 {
				differ++
			}
		}
	}
	if frac := float64(differ) / float64(w*h); frac > 0.01 {
		return fmt.Sprintf("%.2f%% of pixels differ by more than 3/255", frac*100)
	}
	if worst > 64 {
		return fmt.Sprintf("a pixel differs by %d/255", worst)
	}
	for by := 0; by < h; by += 16 {
		for bx := 0; bx < w; bx += 16 {
			r := image.Rect(bx, by, bx+16, by+16).Intersect(got.Bounds())
			for c := range 3 {
				if d := math.Abs(blockMean(got, r, c) - blockMean(want, r, c)); d > 4 {
					return fmt.Sprintf("the block at %v shifted by %.1f/255 in channel %d", r.Min, d, c)
				}
			}
		}
	}
	return ""
}

func pixelDiff(a, b color.NRGBA) int {
	d := func(x, y uint8) int { return max(int(x)-int(y), int(y)-int(x)) }
	return max(d(a.R, b.R), d(a.G, b.G), d(a.B, b.B), d(a.A, b.A))
}

func blockMean(img *image.NRGBA, r image.Rectangle, c int) float64 {
	sum := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += int(img.Pix[img.PixOffset(x, y)+c])
		}
	}
	return float64(sum) / float64(r.Dx()*r.Dy())
}

// writeGoldenFailure saves got, want and a diff picture for a person to look
// at, outside testdata.
func writeGoldenFailure(t *testing.T, path string, got, want *image.NRGBA) string {
	dir := os.Getenv("SHARECARD_GOLDEN_OUT")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sharecard-golden")
	}
	dir = filepath.Join(dir, filepath.Base(filepath.Dir(path)), filepath.Base(path))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("cannot write failure images: %v", err)
		return dir
	}
	diff := imaging.Grayscale(got)
	if got.Bounds() == want.Bounds() {
		for y := range got.Bounds().Dy() {
			for x := range got.Bounds().Dx() {
				if pixelDiff(got.NRGBAAt(x, y), want.NRGBAAt(x, y)) > 3 {
					diff.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255})
				}
			}
		}
	}
	for name, img := range map[string]image.Image{"got.png": got, "want.png": want, "diff.png": diff} {
		if err := imaging.Save(img, filepath.Join(dir, name)); err != nil {
			t.Logf("cannot write %s: %v", name, err)
		}
	}
	return dir
}

// TestGoldenDiff checks the comparison itself: noise within tolerance
// passes; a tint, a moved block or a different size fails.
func TestGoldenDiff(t *testing.T) {
	base := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for i := range base.Pix {
		base.Pix[i] = uint8(i * 7 % 251)
	}
	for i := 3; i < len(base.Pix); i += 4 {
		base.Pix[i] = 255
	}
	edit := func(f func(img *image.NRGBA)) *image.NRGBA {
		c := imaging.Clone(base)
		f(c)
		return c
	}
	tests := []struct {
		name string
		got  *image.NRGBA
		fail bool
	}{
		{"identical", imaging.Clone(base), false},
		{"noise of 2 levels", edit(func(c *image.NRGBA) {
			for i := 0; i < len(c.Pix); i += 8 {
				c.Pix[i] = uint8(max(int(c.Pix[i])-2, 0))
			}
		}), false},
		{"tint of 5 levels", edit(func(c *image.NRGBA) {
			for i := 0; i < len(c.Pix); i += 4 {
				c.Pix[i] = uint8(min(int(c.Pix[i])+5, 255))
			}
		}), true},
		{"one block painted", edit(func(c *image.NRGBA) {
			for y := 0; y < 6; y++ {
				for x := 0; x < 6; x++ {
					c.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255})
				}
			}
		}), true},
		{"other size", image.NewNRGBA(image.Rect(0, 0, 64, 63)), true},
	}
	for _, tc := range tests {
		if msg := goldenDiff(tc.got, base); (msg != "") != tc.fail {
			t.Errorf("%s: goldenDiff = %q, want failure %v", tc.name, msg, tc.fail)
		}
	}
}

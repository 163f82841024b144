package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
)

// decodeFile decodes a test file (a path relative to this package, such as
// "../testdata/tricky/grayscale.jpg") with the default limits, failing the
// test on error.
func decodeFile(t testing.TB, path string) *Photo {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := Decode(f, Limits{})
	if err != nil {
		t.Fatalf("DecodePhoto(%s): %v", path, err)
	}
	return p
}

// meanAbsDiff returns the mean absolute difference of the RGB samples of two
// images of the same size, in 8-bit code values.
func meanAbsDiff(t testing.TB, a, b *image.NRGBA) float64 {
	t.Helper()
	if a.Rect.Size() != b.Rect.Size() {
		t.Fatalf("sizes differ: %v vs %v", a.Rect.Size(), b.Rect.Size())
	}
	var sum, n int64
	for y := range a.Rect.Dy() {
		ra := a.Pix[y*a.Stride : y*a.Stride+a.Rect.Dx()*4]
		rb := b.Pix[y*b.Stride : y*b.Stride+b.Rect.Dx()*4]
		for i := range ra {
			if i%4 == 3 {
				continue
			}
			d := int64(ra[i]) - int64(rb[i])
			sum += max(d, -d)
			n++
		}
	}
	return float64(sum) / float64(n)
}

func hasNote(p *Photo, substr string) bool {
	for _, n := range p.Notes {
		if strings.Contains(n, substr) {
			return true
		}
	}
	return false
}

func TestDecodePhotoTricky(t *testing.T) {
	const astronaut = "../testdata/photos/astronaut-eileen-collins.jpg"
	tests := []struct {
		file    string
		wantErr error
		errMsg  string // substring of the error message
		w, h    int
		format  string
		alpha   bool
		note    string  // substring of one note
		ref     string  // photo the result must look like
		maxDiff float64 // mean abs difference allowed against ref
	}{
		{file: "16bit-rgb.png", w: 800, h: 450, format: "png"},
		// TestAdobeRGBConversion compares this one with its original.
		{file: "adobe-rgb-icc.jpg", w: 1365, h: 1074, format: "jpeg", note: "converted from the embedded ICC profile"},
		{file: "animated-2-frames.gif", w: 256, h: 256, format: "gif", note: "animated GIF: first frame used"},
		{file: "cmyk-ycck-adobe.jpg", w: 600, h: 400, format: "jpeg", note: "CMYK photo converted to RGB",
			ref: "../testdata/photos/coffee.jpg", maxDiff: 4},
		{file: "decompression-bomb-50000x50000.png", wantErr: ErrPhotoTooLarge,
			errMsg: "photo too large: 50000x50000 pixels (2500 megapixels), over the limit of 100 megapixels; downscale it first"},
		{file: "exif-orientation-3.jpg", w: 512, h: 512, format: "jpeg", note: "rotated per EXIF orientation 3", ref: astronaut, maxDiff: 3},
		{file: "exif-orientation-6.jpg", w: 512, h: 512, format: "jpeg", note: "rotated per EXIF orientation 6", ref: astronaut, maxDiff: 3},
		{file: "exif-orientation-8.jpg", w: 512, h: 512, format: "jpeg", note: "rotated per EXIF orientation 8", ref: astronaut, maxDiff: 3},
		{file: "grayscale.jpg", w: 512, h: 600, format: "jpeg"},
		{file: "html-error-page-named.jpg", wantErr: ErrUnsupportedFormat, errMsg: "looks like an HTML page"},
		{file: "photo.gif", w: 451, h: 300, format: "gif", ref: "../testdata/photos/chelsea-cat.jpg", maxDiff: 8},
		{file: "photo.webp", w: 1600, h: 1200, format: "webp"},
		{file: "progressive.jpg", w: 2000, h: 1500, format: "jpeg"},
		{file: "transparent-rgba.png", w: 600, h: 400, format: "png", alpha: true},
		{file: "truncated-half-baseline.jpg", wantErr: ErrCorruptPhoto, errMsg: "photo data is truncated or corrupt: "},
		{file: "truncated-half-progressive.jpg", wantErr: ErrCorruptPhoto, errMsg: "photo data is truncated or corrupt: "},
		{file: "zero-bytes.jpg", wantErr: ErrEmptyPhoto, errMsg: "photo is empty (0 bytes)"},
	}
	covered := map[string]bool{}
	refs := map[string]*image.NRGBA{} // reference photos, decoded before the parallel subtests
	for _, tc := range tests {
		if tc.ref != "" && refs[tc.ref] == nil {
			refs[tc.ref] = decodeFile(t, tc.ref).Image
		}
	}
	for _, tc := range tests {
		covered[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("../testdata/tricky", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Decode(bytes.NewReader(data), Limits{})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.errMsg) {
					t.Fatalf("error = %v, want %v containing %q", err, tc.wantErr, tc.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Image.Rect; got != image.Rect(0, 0, tc.w, tc.h) {
				t.Errorf("bounds = %v, want %dx%d", got, tc.w, tc.h)
			}
			if p.Format != tc.format || p.HasAlpha != tc.alpha {
				t.Errorf("format, alpha = %q, %v; want %q, %v", p.Format, p.HasAlpha, tc.format, tc.alpha)
			}
			if tc.note != "" && !hasNote(p, tc.note) {
				t.Errorf("notes %q lack %q", p.Notes, tc.note)
			}
			if tc.ref != "" {
				if d := meanAbsDiff(t, p.Image, refs[tc.ref]); d > tc.maxDiff {
					t.Errorf("mean abs difference to %s = %.2f, want <= %.2f", tc.ref, d, tc.maxDiff)
				}
			}
		})
	}
	entries, err := os.ReadDir("../testdata/tricky")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("render/testdata/tricky/%s has no test case", e.Name())
		}
	}
}

func TestDecodePhotoUnsupportedShowsContent(t *testing.T) {
	data, err := os.ReadFile("../testdata/tricky/html-error-page-named.jpg")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(bytes.NewReader(data), Limits{})
	want := `(it starts with "<!DOCTYPE html> <html><head><title>403 Forbidden")`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want it to contain %s", err, want)
	}
}

func TestDecodePhotoGrayscaleIsRGB(t *testing.T) {
	p := decodeFile(t, "../testdata/tricky/grayscale.jpg")
	c := p.Image.NRGBAAt(256, 300)
	if c.R != c.G || c.G != c.B || c.A != 255 || c.R == 0 {
		t.Errorf("centre pixel = %v, want an opaque grey", c)
	}
}

func TestDecodePhotoTransparentCorners(t *testing.T) {
	p := decodeFile(t, "../testdata/tricky/transparent-rgba.png")
	if a := p.Image.NRGBAAt(0, 0).A; a != 0 {
		t.Errorf("corner alpha = %d, want 0", a)
	}
	if a := p.Image.NRGBAAt(300, 200).A; a != 255 {
		t.Errorf("centre alpha = %d, want 255", a)
	}
}

func TestDecodePhoto16BitRounds(t *testing.T) {
	src := image.NewRGBA64(image.Rect(0, 0, 4, 1))
	// 16-bit values just below and above the midpoint between two 8-bit codes.
	vals := []uint16{0x0000, 0x0180, 0x017f, 0xffff}
	want := []uint8{0, 1, 1, 255}
	for x, v := range vals {
		src.SetRGBA64(x, 0, color.RGBA64{v, v, v, 0xffff})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	p, err := Decode(&buf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for x, w := range want {
		if got := p.Image.NRGBAAt(x, 0); got.R != w || got.B != w || got.A != 255 {
			t.Errorf("pixel %d (16-bit %#04x) = %v, want %d", x, vals[x], got, w)
		}
	}
	if p.HasAlpha {
		t.Error("HasAlpha = true for an opaque 16-bit PNG")
	}
}

func TestDecodePhotoByteLimit(t *testing.T) {
	data, err := os.ReadFile("../testdata/photos/astronaut-eileen-collins.jpg")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(bytes.NewReader(data), Limits{MaxBytes: 1000})
	if !errors.Is(err, ErrPhotoTooLarge) {
		t.Fatalf("error = %v, want ErrPhotoTooLarge", err)
	}
	for _, want := range []string{"photo too large: 93897 bytes", "over the limit of 1000 bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := Decode(bytes.NewReader(data), Limits{MaxBytes: int64(len(data))}); err != nil {
		t.Errorf("photo exactly at the byte limit: %v", err)
	}
}

func TestDecodePhotoPixelLimit(t *testing.T) {
	f, err := os.Open("../testdata/photos/astronaut-eileen-collins.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Decode(f, Limits{MaxPixels: 200_000})
	want := "512x512 pixels (0.3 megapixels), over the limit of 0.2 megapixels"
	if !errors.Is(err, ErrPhotoTooLarge) || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want ErrPhotoTooLarge with %q", err, want)
	}
}

func TestDecodePhotoBombUsesLittleMemory(t *testing.T) {
	data, err := os.ReadFile("../testdata/tricky/decompression-bomb-50000x50000.png")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Decode(bytes.NewReader(data), Limits{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrPhotoTooLarge) {
		t.Fatalf("error = %v, want ErrPhotoTooLarge", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 50<<20 {
		t.Errorf("refusing the bomb allocated %d MB, want < 50 MB", alloc>>20)
	}
}

func TestDecodePhotoAllPhotos(t *testing.T) {
	entries, err := os.ReadDir("../testdata/photos")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel() // 33 MP in all: slow under -race
			path := filepath.Join("../testdata/photos", e.Name())
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if testing.Short() && cfg.Width*cfg.Height > 4_000_000 {
				t.Skip("over 4 MP: slow under -race, skipped in -short mode")
			}
			p, err := Decode(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Image.Rect; got != image.Rect(0, 0, cfg.Width, cfg.Height) {
				t.Errorf("bounds = %v, want %dx%d", got, cfg.Width, cfg.Height)
			}
			if p.HasAlpha || p.Format != "jpeg" {
				t.Errorf("HasAlpha, Format = %v, %q; want false, jpeg", p.HasAlpha, p.Format)
			}
		})
	}
}

func TestDecodePhotoOrientations(t *testing.T) {
	// A 3x2 image with distinct pixels, stored as each EXIF orientation
	// would store it, must come back as the same upright image.
	upright := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		upright.Pix[4*i], upright.Pix[4*i+3] = uint8(40*i+10), 255
	}
	stored := map[int]*image.NRGBA{
		2: imaging.FlipH(upright), 3: imaging.Rotate180(upright), 4: imaging.FlipV(upright),
		5: imaging.Transpose(upright), 6: imaging.Rotate90(upright), 7: imaging.Transverse(upright),
		8: imaging.Rotate270(upright),
	}
	for o, img := range stored {
		got := orient(img, o)
		if !bytes.Equal(got.Pix, upright.Pix) || got.Rect != upright.Rect {
			t.Errorf("orientation %d: got %v %v, want %v %v", o, got.Rect, got.Pix, upright.Rect, upright.Pix)
		}
	}
}

func TestGIFFrameCount(t *testing.T) {
	pal := color.Palette{color.Black, color.White}
	frame := image.NewPaletted(image.Rect(0, 0, 4, 4), pal)
	for _, n := range []int{1, 2, 3} {
		g := &gif.GIF{}
		for range n {
			g.Image = append(g.Image, frame)
			g.Delay = append(g.Delay, 10)
		}
		var buf bytes.Buffer
		if err := gif.EncodeAll(&buf, g); err != nil {
			t.Fatal(err)
		}
		if got, want := gifFrameCount(buf.Bytes()), min(n, 2); got != want {
			t.Errorf("%d frames: gifFrameCount = %d, want %d", n, got, want)
		}
	}
}

func BenchmarkDecodePhoto(b *testing.B) {
	data, err := os.ReadFile("../testdata/photos/dandelions-5312x2988-large.jpg")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(data), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// fuzzSeeds returns tiny images of each format and kind, plus the small
// tricky files.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	enc := func(f func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	small := greyNRGBA(8, 6, 90)
	small.Pix[3] = 10
	enc(func(w *bytes.Buffer) error { return png.Encode(w, small) })
	enc(func(w *bytes.Buffer) error { return png.Encode(w, image.NewRGBA64(image.Rect(0, 0, 3, 5))) })
	enc(func(w *bytes.Buffer) error { return png.Encode(w, image.NewGray16(image.Rect(0, 0, 5, 3))) })
	enc(func(w *bytes.Buffer) error { return jpeg.Encode(w, small, nil) })
	enc(func(w *bytes.Buffer) error { return jpeg.Encode(w, image.NewGray(image.Rect(0, 0, 9, 9)), nil) })
	enc(func(w *bytes.Buffer) error { return jpeg.Encode(w, image.NewCMYK(image.Rect(0, 0, 9, 9)), nil) })
	enc(func(w *bytes.Buffer) error {
		return gif.Encode(w, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.Transparent}), nil)
	})
	profile := buildICC("RGB ", "Linear", srgbD50, curvGamma(1))
	seeds = append(seeds, withJPEGICC(seeds[3], [][]byte{profile[:100], profile[100:]}, []int{0, 1}))
	seeds = append(seeds, withPNGICC(seeds[0], profile))
	entries, err := os.ReadDir("../testdata/tricky")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Size() < 100_000 {
			data, err := os.ReadFile(filepath.Join("../testdata/tricky", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	return seeds
}

func FuzzDecodePhoto(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	lim := Limits{MaxPixels: 4_000_000, MaxBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(bytes.NewReader(data), lim)
		if err != nil {
			for _, sentinel := range []error{ErrPhotoTooLarge, ErrUnsupportedFormat, ErrEmptyPhoto, ErrCorruptPhoto} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("error %q wraps none of the sentinels", err)
		}
		r := p.Image.Rect
		if r.Min != (image.Point{}) || r.Empty() || int64(r.Dx())*int64(r.Dy()) > lim.MaxPixels {
			t.Fatalf("bounds %v: not at the origin, empty or over the pixel limit", r)
		}
	})
}

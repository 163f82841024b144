package encode

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"

	"github.com/disintegration/imaging"
	xwebp "golang.org/x/image/webp"
)

// noisyImage returns an opaque gradient with deterministic noise, which
// compresses badly enough to need a lower quality under a byte limit.
func noisyImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			for c := range 3 {
				seed = seed*1664525 + 1013904223
				v := (x*255/w+y*255/h*c)/2 + int(seed>>26) // up to 63 levels of noise
				img.Pix[i+c] = uint8(min(v, 255))
			}
			img.Pix[i+3] = 255
		}
	}
	return img
}

// encodeAt encodes img at exactly quality q, with no limit.
func encodeAt(t *testing.T, img image.Image, f preset.Format, q int) []byte {
	t.Helper()
	e, err := Encode(img, f, Options{Quality: q, MinQuality: q})
	if err != nil {
		t.Fatal(err)
	}
	return e.Data
}

func TestEncodeQualitySearch(t *testing.T) {
	card := noisyImage(1200, 630) // 314 kB as JPEG at quality 88
	small := noisyImage(600, 315) // WebP runs as WebAssembly: keep it small
	tests := []struct {
		img      *image.NRGBA
		format   preset.Format
		opt      Options
		wantFits bool
	}{
		{card, preset.FormatJPEG, Options{MaxBytes: 300_000}, true},
		{small, preset.FormatJPEG, Options{MaxBytes: 40_000, Quality: 95}, true},
		{small, preset.FormatWebP, Options{MaxBytes: 60_000}, true},
		{small, preset.FormatJPEG, Options{MaxBytes: 2000}, false},
		{small, preset.FormatWebP, Options{MaxBytes: 2000, MinQuality: 70}, false},
		{small, preset.FormatJPEG, Options{MaxBytes: 10 << 20}, true},
	}
	for _, tc := range tests {
		img := tc.img
		t.Run(fmt.Sprintf("%s %dx%d max %d", tc.format, img.Rect.Dx(), img.Rect.Dy(), tc.opt.MaxBytes), func(t *testing.T) {
			t.Parallel()
			e, err := Encode(img, tc.format, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			opt, _ := tc.opt.withDefaults()
			if e.FitsLimit != tc.wantFits || e.Format != tc.format {
				t.Fatalf("FitsLimit, Format = %v, %s; want %v, %s (%d bytes at quality %d)",
					e.FitsLimit, e.Format, tc.wantFits, tc.format, len(e.Data), e.Quality)
			}
			if !e.FitsLimit {
				if e.Quality != opt.MinQuality || len(e.Data) <= tc.opt.MaxBytes {
					t.Errorf("quality %d, %d bytes; want the floor %d and over %d bytes",
						e.Quality, len(e.Data), opt.MinQuality, tc.opt.MaxBytes)
				}
				return
			}
			if len(e.Data) > tc.opt.MaxBytes {
				t.Errorf("%d bytes at quality %d, over the limit %d", len(e.Data), e.Quality, tc.opt.MaxBytes)
			}
			if e.Quality < opt.Quality {
				if next := encodeAt(t, img, tc.format, e.Quality+1); len(next) <= tc.opt.MaxBytes {
					t.Errorf("quality %d chosen, but %d also fits (%d bytes)", e.Quality, e.Quality+1, len(next))
				}
			}
			t.Logf("%d bytes at quality %d", len(e.Data), e.Quality)
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	opaque := noisyImage(120, 63)
	translucent := imaging.Clone(opaque)
	translucent.Pix[3] = 0
	tests := []struct {
		name      string
		img       image.Image
		format    preset.Format
		pngColour byte // IHDR colour type: 2 = RGB, 6 = RGBA
	}{
		{"jpeg", opaque, preset.FormatJPEG, 0},
		{"jpeg with alpha", translucent, preset.FormatJPEG, 0},
		{"webp", opaque, preset.FormatWebP, 0},
		{"png opaque", opaque, preset.FormatPNG, 2},
		{"png translucent", translucent, preset.FormatPNG, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Encode(tc.img, tc.format, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got image.Image
			switch tc.format {
			case preset.FormatJPEG:
				got, err = jpeg.Decode(bytes.NewReader(e.Data))
			case preset.FormatPNG:
				got, err = png.Decode(bytes.NewReader(e.Data))
			case preset.FormatWebP:
				got, err = xwebp.Decode(bytes.NewReader(e.Data))
			}
			if err != nil {
				t.Fatalf("decoding the %s output: %v", tc.format, err)
			}
			if got.Bounds().Size() != tc.img.Bounds().Size() {
				t.Errorf("decoded size %v, want %v", got.Bounds().Size(), tc.img.Bounds().Size())
			}
			wantQ := DefaultQuality
			if tc.format == preset.FormatPNG {
				wantQ = 0
				if e.Data[25] != tc.pngColour {
					t.Errorf("PNG colour type %d, want %d", e.Data[25], tc.pngColour)
				}
			}
			if e.Quality != wantQ || !e.FitsLimit {
				t.Errorf("Quality, FitsLimit = %d, %v; want %d, true", e.Quality, e.FitsLimit, wantQ)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	img := noisyImage(16, 16)
	tests := []struct {
		name   string
		img    image.Image
		format preset.Format
		opt    Options
		errMsg string
	}{
		{"unknown format", img, preset.Format("bmp"), Options{}, `unknown output format "bmp" (use jpeg, png or webp)`},
		{"quality too high", img, preset.FormatJPEG, Options{Quality: 101}, "quality 101 (floor 60) is out of range"},
		{"negative limit", img, preset.FormatJPEG, Options{MaxBytes: -1}, "byte limit -1 is negative"},
		{"empty image", image.NewNRGBA(image.Rect(0, 0, 0, 5)), preset.FormatPNG, Options{}, "cannot encode an empty image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Encode(tc.img, tc.format, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.errMsg) {
				t.Errorf("error = %v, want one containing %q", err, tc.errMsg)
			}
		})
	}
}

func TestEncodePNGOverLimit(t *testing.T) {
	e, err := Encode(noisyImage(64, 64), preset.FormatPNG, Options{MaxBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if e.FitsLimit || e.Quality != 0 || len(e.Data) <= 100 {
		t.Errorf("FitsLimit %v, Quality %d, %d bytes; want false, 0, over 100", e.FitsLimit, e.Quality, len(e.Data))
	}
}

func TestEncodeFloorAboveQuality(t *testing.T) {
	e, err := Encode(noisyImage(64, 64), preset.FormatJPEG, Options{Quality: 40, MaxBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if e.Quality != 40 || e.FitsLimit {
		t.Errorf("Quality, FitsLimit = %d, %v; want 40 (the floor lowered to Quality), false", e.Quality, e.FitsLimit)
	}
}

// photoCard returns a 1200x630 crop of a real photo, like a share card.
func photoCard(b *testing.B) *image.NRGBA {
	data, err := os.ReadFile("../testdata/photos/picos-de-europa-landscape.jpg")
	if err != nil {
		b.Fatal(err)
	}
	p, err := photo.Decode(bytes.NewReader(data), photo.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	return imaging.Fill(p.Image, 1200, 630, imaging.Center, imaging.Lanczos)
}

func BenchmarkEncodeJPEG(b *testing.B) {
	card := photoCard(b)
	for _, img := range []*image.NRGBA{card, imaging.Resize(card, 3840, 2160, imaging.Linear)} {
		b.Run(fmt.Sprintf("%dx%d", img.Rect.Dx(), img.Rect.Dy()), func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				e, err := Encode(img, preset.FormatJPEG, Options{})
				if err != nil {
					b.Fatal(err)
				}
				n = len(e.Data)
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}

func BenchmarkEncodeJPEGWithLimit(b *testing.B) {
	img := photoCard(b)
	for b.Loop() {
		if _, err := Encode(img, preset.FormatJPEG, Options{MaxBytes: 100_000}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeWebP(b *testing.B) {
	img := photoCard(b)
	var n int
	for b.Loop() {
		e, err := Encode(img, preset.FormatWebP, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(e.Data)
	}
	b.ReportMetric(float64(n), "bytes")
}

// BenchmarkEncodePNGLevel compares the PNG compression levels that
// encodePNG chooses between.
func BenchmarkEncodePNGLevel(b *testing.B) {
	img := photoCard(b)
	for _, lvl := range []png.CompressionLevel{png.DefaultCompression, png.BestSpeed} {
		b.Run(fmt.Sprint(lvl), func(b *testing.B) {
			enc := png.Encoder{CompressionLevel: lvl}
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := enc.Encode(&buf, img); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}

// jpegFrame returns the SOF marker byte and the first component's
// sampling factors of a JPEG.
func jpegFrame(t *testing.T, data []byte) (sof, sampling byte) {
	t.Helper()
	for i := 2; i+9 < len(data); {
		if data[i] != 0xff {
			t.Fatalf("no marker at %d", i)
		}
		m := data[i+1]
		if m == 0xc0 || m == 0xc2 {
			return m, data[i+11]
		}
		i += 2 + int(data[i+2])<<8 + int(data[i+3])
	}
	t.Fatal("no frame header")
	return 0, 0
}

func TestEncodeJPEGModes(t *testing.T) {
	img := noisyImage(120, 63)
	tests := []struct {
		name          string
		opt           Options
		sof, sampling byte
	}{
		{"baseline 4:2:0", Options{}, 0xc0, 0x22},
		{"progressive", Options{Progressive: true}, 0xc2, 0x22},
		{"4:4:4", Options{Chroma444: true}, 0xc0, 0x11},
		{"progressive 4:4:4", Options{Progressive: true, Chroma444: true}, 0xc2, 0x11},
		{"with a limit", Options{Progressive: true, MaxBytes: 9000}, 0xc2, 0x22},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Encode(img, preset.FormatJPEG, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if sof, s := jpegFrame(t, e.Data); sof != tc.sof || s != tc.sampling {
				t.Errorf("frame %#x with luma sampling %#x; want %#x, %#x", sof, s, tc.sof, tc.sampling)
			}
			if _, err := jpeg.Decode(bytes.NewReader(e.Data)); err != nil {
				t.Fatal(err)
			}
			if tc.opt.MaxBytes > 0 && (!e.FitsLimit || len(e.Data) > tc.opt.MaxBytes) {
				t.Errorf("%d bytes at quality %d, limit %d", len(e.Data), e.Quality, tc.opt.MaxBytes)
			}
		})
	}
}

// BenchmarkEncodeJPEGBudget runs the byte-budget search on a photo card
// with image/jpeg encoding every try (the old way, as a baseline) and with
// jpegenc (DCT once, re-quantised per try), reporting the quality reached.
func BenchmarkEncodeJPEGBudget(b *testing.B) {
	img := photoCard(b)
	const limit = 150_000
	b.Run("image-jpeg", func(b *testing.B) {
		var e Encoded
		for b.Loop() {
			var err error
			e, err = encodeLossy(preset.FormatJPEG, Options{Quality: DefaultQuality, MinQuality: DefaultMinQuality, MaxBytes: limit}, func(q int) ([]byte, error) {
				var buf bytes.Buffer
				err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q})
				return buf.Bytes(), err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(e.Quality), "quality")
		b.ReportMetric(float64(len(e.Data)), "bytes")
	})
	for _, mode := range []struct {
		name string
		opt  Options
	}{{"jpegenc", Options{}}, {"jpegenc-progressive", Options{Progressive: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			var e Encoded
			o := mode.opt
			o.MaxBytes = limit
			for b.Loop() {
				var err error
				if e, err = Encode(img, preset.FormatJPEG, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(e.Quality), "quality")
			b.ReportMetric(float64(len(e.Data)), "bytes")
		})
	}
}

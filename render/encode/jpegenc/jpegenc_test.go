package jpegenc

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// photoCrop decodes a test photo and cuts a w×h RGBA crop from its middle.
func photoCrop(tb testing.TB, w, h int) *image.RGBA {
	tb.Helper()
	src, err := testPhoto()
	if err != nil {
		tb.Fatal(err)
	}
	b := src.Bounds()
	if b.Dx() < w || b.Dy() < h {
		tb.Fatalf("photo is %v, want at least %dx%d", b, w, h)
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	at := image.Pt(b.Min.X+(b.Dx()-w)/2, b.Min.Y+(b.Dy()-h)/2)
	draw.Draw(m, m.Bounds(), src, at, draw.Src)
	return m
}

// testPhoto is a 3264x2448 landscape, decoded once.
var testPhoto = sync.OnceValues(func() (image.Image, error) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "photos", "picos-de-europa-landscape.jpg"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jpeg.Decode(f)
})

// redCard is a synthetic card: red bars and strokes like type on white.
func redCard(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.White, image.Point{}, draw.Src)
	red := image.NewUniform(color.RGBA{0xd0, 0x10, 0x20, 0xff})
	for y := 40; y+30 < h; y += 60 {
		for x := 40; x+6 < w; x += 11 {
			draw.Draw(m, image.Rect(x, y, x+3+(x/7)%5, y+30-(x/5)%9), red, image.Point{}, draw.Src)
		}
	}
	return m
}

// noise is a random-pixel image.
func noise(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 {
			m.Pix[i] = 255
		}
	}
	return m
}

// psnr returns the PSNR of got against want per R, G, B channel.
func psnr(tb testing.TB, want, got image.Image) [3]float64 {
	tb.Helper()
	if want.Bounds().Size() != got.Bounds().Size() {
		tb.Fatalf("decoded size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
	}
	a, b := toRGBA(want), toRGBA(got)
	var se [3]float64
	for i := 0; i < len(a.Pix); i += 4 {
		for c := range 3 {
			d := float64(a.Pix[i+c]) - float64(b.Pix[i+c])
			se[c] += d * d
		}
	}
	var out [3]float64
	n := float64(len(a.Pix) / 4)
	for i := range se {
		mse := se[i] / n
		if mse == 0 {
			out[i] = 99
			continue
		}
		out[i] = 10 * math.Log10(255*255/mse)
	}
	return out
}

// toRGBA copies m into an RGBA image at the origin.
func toRGBA(m image.Image) *image.RGBA {
	r := image.NewRGBA(image.Rect(0, 0, m.Bounds().Dx(), m.Bounds().Dy()))
	draw.Draw(r, r.Rect, m, m.Bounds().Min, draw.Src)
	return r
}

// djpeg decodes data with libjpeg's djpeg, or skips without it.
func djpeg(t *testing.T, data []byte) image.Image {
	t.Helper()
	path, err := exec.LookPath("djpeg")
	if err != nil {
		if os.Getenv("SHARECARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("djpeg not found and SHARECARD_REQUIRE_TOOLS=1")
		}
		t.Skip("djpeg not found (install libjpeg-turbo-progs)")
	}
	in := filepath.Join(t.TempDir(), "in.jpg")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-bmp", in)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("djpeg: %v: %s", err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Fatalf("djpeg warns: %s", stderr.Bytes())
	}
	return decodeBMP(t, out.Bytes())
}

// decodeBMP reads the uncompressed 24-bit or 8-bit palette BMP djpeg writes.
func decodeBMP(t *testing.T, b []byte) image.Image {
	t.Helper()
	le32 := func(i int) int {
		return int(int32(uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24))
	}
	if len(b) < 54 || b[0] != 'B' || b[1] != 'M' {
		t.Fatal("djpeg output is not a BMP")
	}
	off, w, h, bpp := le32(10), le32(18), le32(22), int(b[28])|int(b[29])<<8
	bottomUp := h > 0
	if h < 0 {
		h = -h
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	stride := (w*bpp/8 + 3) &^ 3
	pal := b[14+le32(14) : off]
	for y := range h {
		row := y
		if bottomUp {
			row = h - 1 - y
		}
		src := b[off+row*stride:]
		for x := range w {
			var r, g, bl uint8
			switch bpp {
			case 24:
				bl, g, r = src[3*x], src[3*x+1], src[3*x+2]
			case 8:
				p := pal[4*int(src[x]):]
				bl, g, r = p[0], p[1], p[2]
			default:
				t.Fatalf("BMP with %d bits per pixel", bpp)
			}
			d := m.Pix[m.PixOffset(x, y):]
			d[0], d[1], d[2], d[3] = r, g, bl, 255
		}
	}
	return m
}

func encode(tb testing.TB, m image.Image, o *Options) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, m, o); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var modes = []struct {
	name string
	opt  Options
}{
	{"baseline", Options{}},
	{"progressive", Options{Progressive: true}},
	{"444", Options{Chroma: Chroma444}},
	{"444 progressive", Options{Chroma: Chroma444, Progressive: true}},
}

// TestQualityAgainstImageJPEG checks every mode decodes, with image/jpeg
// and djpeg, at least as close to the source as image/jpeg's own output at
// the same quality (less 0.3 dB), and reports the size ratio.
func TestQualityAgainstImageJPEG(t *testing.T) {
	sources := []struct {
		name string
		img  image.Image
	}{
		{"photo 1200x630", photoCrop(t, 1200, 630)},
		{"red card 1200x630", redCard(1200, 630)},
	}
	for _, src := range sources {
		for _, q := range []int{60, 88} {
			var ref bytes.Buffer
			if err := jpeg.Encode(&ref, src.img, &jpeg.Options{Quality: q}); err != nil {
				t.Fatal(err)
			}
			refImg, _ := jpeg.Decode(bytes.NewReader(ref.Bytes()))
			refPSNR := psnr(t, src.img, refImg)
			for _, md := range modes {
				t.Run(fmt.Sprintf("%s/q%d/%s", src.name, q, md.name), func(t *testing.T) {
					o := md.opt
					o.Quality = q
					data := encode(t, src.img, &o)
					got, err := jpeg.Decode(bytes.NewReader(data))
					if err != nil {
						t.Fatalf("image/jpeg cannot decode: %v", err)
					}
					p := psnr(t, src.img, got)
					t.Logf("%d bytes (%.3f of image/jpeg's %d), PSNR %.2f/%.2f/%.2f dB (image/jpeg %.2f/%.2f/%.2f)",
						len(data), float64(len(data))/float64(ref.Len()), ref.Len(), p[0], p[1], p[2], refPSNR[0], refPSNR[1], refPSNR[2])
					for i := range p {
						if p[i] < refPSNR[i]-0.3 {
							t.Errorf("channel %d PSNR %.2f dB, image/jpeg gets %.2f", i, p[i], refPSNR[i])
						}
					}
					if !o.Progressive && o.Chroma == Chroma420 && len(data) >= ref.Len() {
						t.Errorf("%d bytes, not smaller than image/jpeg's %d", len(data), ref.Len())
					}
					dj := djpeg(t, data)
					pd := psnr(t, src.img, dj)
					for i := range pd {
						if pd[i] < refPSNR[i]-0.3 {
							t.Errorf("djpeg: channel %d PSNR %.2f dB, image/jpeg gets %.2f", i, pd[i], refPSNR[i])
						}
					}
				})
			}
		}
	}
}

package jpegscale

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const photosDir = "../../testdata/photos"

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fullScaleCases lists the files checked against image/jpeg at scale 1:
// the committed cjpeg files, the repo photos (baseline and progressive)
// and Go re-encodes.
func fullScaleCases(t *testing.T) map[string][]byte {
	cases := map[string][]byte{}
	files, _ := filepath.Glob("testdata/*.jpg")
	photos, _ := filepath.Glob(filepath.Join(photosDir, "*.jpg"))
	for _, f := range append(files, photos...) {
		if testing.Short() && strings.Contains(f, "dandelions") {
			continue // 16 MP: slow under -race
		}
		cases[filepath.Base(f)] = readFile(t, f)
	}
	// Go's encoder writes 4:2:0 only; re-encode two photos with it.
	for _, name := range []string{"two-presenters-150px.jpg", "chelsea-cat.jpg"} {
		src, err := jpeg.Decode(bytes.NewReader(readFile(t, filepath.Join(photosDir, name))))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		cases["go-reencode-"+name] = buf.Bytes()
	}
	if len(cases) < 10 {
		t.Fatalf("only %d full-scale cases found", len(cases))
	}
	return cases
}

func maxPlaneDiff(a, b []byte, aStride, bStride, w, h int) int {
	worst := 0
	for y := range h {
		for x := range w {
			d := int(a[y*aStride+x]) - int(b[y*bStride+x])
			worst = max(worst, d, -d)
		}
	}
	return worst
}

func TestFullScaleMatchesImageJPEG(t *testing.T) {
	for name, b := range fullScaleCases(t) {
		t.Run(name, func(t *testing.T) { checkFullScale(t, name, b) })
	}
}

// checkFullScale compares Decode at 1/1 with image/jpeg: within ±2 per
// sample (±3 for YCCK), the same image type and subsampling.
func checkFullScale(t *testing.T, name string, b []byte) {
	t.Helper()
	want, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(b), 1, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	w, h := want.Bounds().Dx(), want.Bounds().Dy()
	switch want := want.(type) {
	case *image.Gray:
		g, ok := got.(*image.Gray)
		if !ok {
			t.Fatalf("got %T, want *image.Gray", got)
		}
		if d := maxPlaneDiff(g.Pix, want.Pix, g.Stride, want.Stride, w, h); d > 2 {
			t.Errorf("grey differs by up to %d, want ≤ 2", d)
		}
	case *image.YCbCr:
		g, ok := got.(*image.YCbCr)
		if !ok {
			t.Fatalf("got %T, want *image.YCbCr", got)
		}
		if g.SubsampleRatio != want.SubsampleRatio {
			t.Fatalf("ratio %v, want %v", g.SubsampleRatio, want.SubsampleRatio)
		}
		cw, ch := chromaSize(want.SubsampleRatio, w, h)
		for _, p := range []struct {
			name       string
			a, b       []byte
			as, bs, pw int
			ph         int
		}{
			{"Y", g.Y, want.Y, g.YStride, want.YStride, w, h},
			{"Cb", g.Cb, want.Cb, g.CStride, want.CStride, cw, ch},
			{"Cr", g.Cr, want.Cr, g.CStride, want.CStride, cw, ch},
		} {
			if d := maxPlaneDiff(p.a, p.b, p.as, p.bs, p.pw, p.ph); d > 2 {
				t.Errorf("%s differs by up to %d, want ≤ 2", p.name, d)
			}
		}
	case *image.RGBA:
		g, ok := got.(*image.RGBA)
		if !ok {
			t.Fatalf("got %T, want *image.RGBA", got)
		}
		if d := maxPlaneDiff(g.Pix, want.Pix, g.Stride, want.Stride, 4*w, h); d > 2 {
			t.Errorf("RGBA differs by up to %d, want ≤ 2", d)
		}
	case *image.CMYK:
		g, ok := got.(*image.CMYK)
		if !ok {
			t.Fatalf("got %T, want *image.CMYK", got)
		}
		// YCCK: the YCC planes are within ±1-2 like YCbCr, and
		// converting them to CMY scales chroma errors by up to
		// 1.8 (measured on catycck420.jpg: 3).
		tol := 2
		if strings.Contains(name, "ycck") {
			tol = 3
		}
		if d := maxPlaneDiff(g.Pix, want.Pix, g.Stride, want.Stride, 4*w, h); d > tol {
			t.Errorf("CMYK differs by up to %d, want ≤ %d", d, tol)
		}
	default:
		t.Fatalf("image/jpeg returned %T", want)
	}
}

// TestScaledColorModels checks the RGB, CMYK and YCCK files at reduced
// scales against image/jpeg's full-size output averaged over s×s boxes
// (djpeg cannot write CMYK). The scaled IDCT is that box average before
// rounding, so only rounding, clamping and the repeated samples of 2x2
// subsampled chroma differ: mean ≤ 1 per sample, worst ≤ 16 (measured:
// mean ≤ 0.66, worst 12, at saturated edges of the YCCK files).
func TestScaledColorModels(t *testing.T) {
	for _, tc := range []struct {
		file string
		cmyk bool
	}{
		{"catrgb.jpg", false}, {"catrgb-prog.jpg", false},
		{"catcmyk.jpg", true}, {"catycck444.jpg", true}, {"catycck420.jpg", true}, {"catycck-prog.jpg", true},
	} {
		b := readFile(t, "testdata/"+tc.file)
		full, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 4, 8} {
			t.Run(fmt.Sprintf("%s/1-%d", tc.file, n), func(t *testing.T) {
				img, err := Decode(bytes.NewReader(b), n, Limits{})
				if err != nil {
					t.Fatal(err)
				}
				var pix, wantPix []byte
				var stride, wantStride int
				switch g := img.(type) {
				case *image.RGBA:
					pix, stride = g.Pix, g.Stride
				case *image.CMYK:
					pix, stride = g.Pix, g.Stride
				}
				if (pix == nil) || tc.cmyk != (img.ColorModel() == color.CMYKModel) {
					t.Fatalf("got %T", img)
				}
				switch f := full.(type) {
				case *image.RGBA:
					wantPix, wantStride = f.Pix, f.Stride
				case *image.CMYK:
					wantPix, wantStride = f.Pix, f.Stride
				default:
					t.Fatalf("image/jpeg returned %T", full)
				}
				fw, fh := full.Bounds().Dx(), full.Bounds().Dy()
				r := img.Bounds()
				if r != image.Rect(0, 0, (fw+n-1)/n, (fh+n-1)/n) {
					t.Fatalf("bounds %v for %dx%d at 1/%d", r, fw, fh, n)
				}
				var sum, count int64
				worst := 0
				for y := range r.Dy() {
					for x := range r.Dx() {
						for ch := range 4 {
							box, k := 0, 0
							for yy := y * n; yy < min(fh, y*n+n); yy++ {
								for xx := x * n; xx < min(fw, x*n+n); xx++ {
									box += int(wantPix[yy*wantStride+4*xx+ch])
									k++
								}
							}
							d := int(pix[y*stride+4*x+ch]) - (box+k/2)/k
							d = max(d, -d)
							sum += int64(d)
							count++
							worst = max(worst, d)
						}
					}
				}
				mean := float64(sum) / float64(count)
				t.Logf("mean abs error %.3f, worst %d", mean, worst)
				if mean > 1 || worst > 16 {
					t.Errorf("mean abs error %.3f (want ≤ 1), worst %d (want ≤ 16)", mean, worst)
				}
			})
		}
	}
}

func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// readPNM reads a binary PGM (P5) or PPM (P6) as interleaved samples.
func readPNM(b []byte) (w, h, channels int, pix []byte, err error) {
	r := bufio.NewReader(bytes.NewReader(b))
	var magic string
	var maxv int
	if _, err = fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil {
		return
	}
	if _, err = r.ReadByte(); err != nil { // the single whitespace after maxval
		return
	}
	switch magic {
	case "P5":
		channels = 1
	case "P6":
		channels = 3
	default:
		return 0, 0, 0, nil, fmt.Errorf("not a binary PNM: %q", magic)
	}
	if maxv != 255 {
		return 0, 0, 0, nil, fmt.Errorf("maxval %d", maxv)
	}
	pix = make([]byte, w*h*channels)
	_, err = io.ReadFull(r, pix)
	return
}

// meanAbsError compares img with interleaved reference samples, converting
// YCbCr to RGB with Go's color model (as image.YCbCr.At does).
func meanAbsError(t *testing.T, img image.Image, w, h, channels int, ref []byte) (mean float64, worst int) {
	t.Helper()
	if img.Bounds() != image.Rect(0, 0, w, h) {
		t.Fatalf("bounds %v, reference is %dx%d", img.Bounds(), w, h)
	}
	var sum int64
	for y := range h {
		for x := range w {
			var got [3]int
			switch c := img.At(x, y).(type) {
			case color.Gray:
				got[0] = int(c.Y)
			default:
				r, g, b, _ := c.RGBA()
				got = [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
			}
			for ch := range channels {
				d := got[ch] - int(ref[(y*w+x)*channels+ch])
				d = max(d, -d)
				sum += int64(d)
				worst = max(worst, d)
			}
		}
	}
	return float64(sum) / float64(w*h*channels), worst
}

// luma returns the Y plane of a decoded image as an *image.Gray.
func luma(img image.Image) image.Image {
	if y, ok := img.(*image.YCbCr); ok {
		return &image.Gray{Pix: y.Y, Stride: y.YStride, Rect: y.Rect}
	}
	return img
}

// Reduced-scale tolerance against djpeg -scale (libjpeg-turbo, -dct int).
// Both compute the box average of the 8-point inverse DCT, we in float,
// libjpeg in 13-bit fixed point with its own rounding: luma agrees to a
// mean absolute error ≤ 0.1 per sample with no sample off by more than 2
// (measured: ≤ 0.015, worst 1). RGB (4:4:4 only) adds the difference
// between Go's YCbCr→RGB rounding and libjpeg's tables: mean ≤ 0.5, worst
// ≤ 6 (measured: ≤ 0.29, worst 4, at saturated edges). A wrong scale,
// offset, block order or sampling gives a mean error of 2 or more.
var scaledTolerance = map[bool]struct {
	mean  float64
	worst int
}{false: {0.1, 2}, true: {0.5, 6}}

func checkScaled(t *testing.T, img image.Image, pnm []byte, rgb bool) {
	t.Helper()
	w, h, ch, pix, err := readPNM(pnm)
	if err != nil {
		t.Fatal(err)
	}
	if !rgb {
		img = luma(img)
	}
	mean, worst := meanAbsError(t, img, w, h, ch, pix)
	t.Logf("rgb=%v: mean abs error %.3f, worst %d", rgb, mean, worst)
	if tol := scaledTolerance[rgb]; mean > tol.mean || worst > tol.worst {
		t.Errorf("rgb=%v: mean abs error %.3f (want ≤ %.1f), worst %d (want ≤ %d)", rgb, mean, tol.mean, worst, tol.worst)
	}
}

func TestScaledMatchesDjpegReferences(t *testing.T) {
	refs, _ := filepath.Glob("testdata/*.p?m")
	if len(refs) < 18 {
		t.Fatalf("only %d references; run testdata/make.sh", len(refs))
	}
	for _, ref := range refs {
		t.Run(filepath.Base(ref), func(t *testing.T) {
			base := filepath.Base(ref)
			jpg, rest, _ := strings.Cut(base, ".")
			kind, rest, _ := strings.Cut(rest, ".1-")
			var n int
			if _, err := fmt.Sscanf(rest, "%d", &n); err != nil {
				t.Fatalf("reference name %q: %v", base, err)
			}
			img, err := Decode(bytes.NewReader(readFile(t, "testdata/"+jpg+".jpg")), n, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			checkScaled(t, img, readFile(t, ref), kind == "rgb")
		})
	}
}

// TestScaledPhotosDjpeg checks the repo photos (baseline and progressive) at every reduced
// scale against djpeg run now (the references would be too big to commit):
// luma always, RGB too for 4:4:4 photos.
func TestScaledPhotosDjpeg(t *testing.T) {
	djpeg, err := exec.LookPath("djpeg")
	if err != nil {
		if os.Getenv("SHARECARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("djpeg not found (apt-get install libjpeg-turbo-progs)")
		}
		t.Skip("djpeg not found; install libjpeg-turbo-progs to run this test")
	}
	photos, _ := filepath.Glob(filepath.Join(photosDir, "*.jpg"))
	for _, f := range photos {
		if testing.Short() && strings.Contains(f, "dandelions") {
			continue // 16 MP: slow under -race
		}
		b := readFile(t, f)
		for _, n := range []int{2, 4, 8} {
			t.Run(fmt.Sprintf("%s/1-%d", filepath.Base(f), n), func(t *testing.T) {
				img, err := Decode(bytes.NewReader(b), n, Limits{})
				if err != nil {
					t.Fatal(err)
				}
				scale := fmt.Sprintf("1/%d", n)
				out, err := exec.Command(djpeg, "-grayscale", "-dct", "int", "-scale", scale, "-pnm", f).Output()
				if err != nil {
					t.Fatal(err)
				}
				checkScaled(t, img, out, false)
				if y, ok := img.(*image.YCbCr); ok && y.SubsampleRatio == image.YCbCrSubsampleRatio444 {
					out, err := exec.Command(djpeg, "-dct", "int", "-scale", scale, "-pnm", f).Output()
					if err != nil {
						t.Fatal(err)
					}
					checkScaled(t, img, out, true)
				}
			})
		}
	}
}

// pixels returns the sample bytes of any image type Decode returns.
func pixels(t *testing.T, img image.Image) [][]byte {
	switch m := img.(type) {
	case *image.Gray:
		return [][]byte{m.Pix}
	case *image.YCbCr:
		return [][]byte{m.Y, m.Cb, m.Cr}
	case *image.RGBA:
		return [][]byte{m.Pix}
	case *image.CMYK:
		return [][]byte{m.Pix}
	}
	t.Fatalf("unexpected %T", img)
	return nil
}

// TestParallelMatchesSingleCore: the decode splits work over GOMAXPROCS
// goroutines (baseline: Huffman and IDCT pipelined; restart segments;
// progressive: scans of different components, IDCT bands); the output
// must not depend on how many.
func TestParallelMatchesSingleCore(t *testing.T) {
	cases := fullScaleCases(t)
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	for name, b := range cases {
		if testing.Short() && len(b) > 100<<10 {
			continue // the big photos: slow under -race
		}
		for _, n := range []int{1, 2, 4, 8} {
			t.Run(fmt.Sprintf("%s/1-%d", name, n), func(t *testing.T) {
				runtime.GOMAXPROCS(1)
				one, err1 := Decode(bytes.NewReader(b), n, Limits{})
				runtime.GOMAXPROCS(max(4, prev))
				many, err2 := Decode(bytes.NewReader(b), n, Limits{})
				runtime.GOMAXPROCS(prev)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				a, c := pixels(t, one), pixels(t, many)
				for i := range a {
					if !bytes.Equal(a[i], c[i]) {
						t.Fatalf("plane %d differs between GOMAXPROCS 1 and %d", i, max(4, prev))
					}
				}
			})
		}
	}
}

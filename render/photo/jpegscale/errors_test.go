package jpegscale

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// twoScans repeats the file's scan, so the result has two SOS segments.
func twoScans(t *testing.T, b []byte) []byte {
	t.Helper()
	sos := bytes.Index(b, []byte{0xFF, 0xDA})
	if sos < 0 || !bytes.HasSuffix(b, []byte{0xFF, 0xD9}) {
		t.Fatal("no SOS or EOI")
	}
	scan := b[sos : len(b)-2]
	out := append([]byte{}, b[:len(b)-2]...)
	out = append(out, scan...)
	return append(out, 0xFF, 0xD9)
}

func TestDecodeErrors(t *testing.T) {
	cat := readFile(t, "testdata/cat420.jpg")
	var formatErr *FormatError
	// Hand-made frame headers for features we do not decode.
	cmyk := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 20, 8, 0, 16, 0, 16, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0}
	arith := []byte{0xFF, 0xD8, 0xFF, 0xC9, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0}
	twelveBit := []byte{0xFF, 0xD8, 0xFF, 0xC1, 0, 11, 12, 0, 16, 0, 16, 1, 1, 0x11, 0}
	for _, tc := range []struct {
		name  string
		data  []byte
		scale int
		lim   Limits
		want  error // nil: any *FormatError
	}{
		{"empty", nil, 1, Limits{}, nil},
		{"not a JPEG", []byte("GIF89a........"), 1, Limits{}, nil},
		{"SOI only", []byte{0xFF, 0xD8}, 1, Limits{}, nil},
		{"SOI EOI", []byte{0xFF, 0xD8, 0xFF, 0xD9}, 1, Limits{}, nil},
		{"truncated scan", cat[:len(cat)/2], 2, Limits{}, nil},
		{"truncated header", cat[:300], 1, Limits{}, nil},
		{"CMYK without an Adobe marker", cmyk, 2, Limits{}, ErrUnsupported},
		{"arithmetic", arith, 1, Limits{}, ErrUnsupported},
		{"12-bit", twelveBit, 1, Limits{}, ErrUnsupported},
		{"no frame", []byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0}, 1, Limits{}, nil},
		{"too many pixels", cat, 1, Limits{MaxPixels: 1000}, ErrLimit},
		{"too many bytes", cat, 1, Limits{MaxInputBytes: 100}, ErrLimit},
		{"too many scans", twoScans(t, cat), 1, Limits{MaxScans: 1}, ErrLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Decode(bytes.NewReader(tc.data), tc.scale, tc.lim)
			if err == nil {
				t.Fatalf("no error, got %T %v", img, img.Bounds())
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %q, want %v", err, tc.want)
			}
			if tc.want == nil && !errors.As(err, &formatErr) {
				t.Fatalf("error %q (%T), want a *FormatError", err, err)
			}
			t.Log(err)
		})
	}
	if _, err := Decode(bytes.NewReader(cat), 3, Limits{}); err == nil {
		t.Error("scale 3 accepted")
	}
	if _, err := Decode(bytes.NewReader(twoScans(t, cat)), 1, Limits{}); err != nil {
		t.Errorf("two scans within the default limit: %v", err)
	}
}

// TestRestartFilesMatchPlain: a restart interval changes the bytes, not the picture.
func TestRestartFilesMatchPlain(t *testing.T) {
	for _, pair := range [][2]string{{"cat420-rst1", "cat420"}, {"catgray-rst2", "catgray"}} {
		for _, n := range []int{1, 2, 4, 8} {
			a, err := Decode(bytes.NewReader(readFile(t, "testdata/"+pair[0]+".jpg")), n, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := Decode(bytes.NewReader(readFile(t, "testdata/"+pair[1]+".jpg")), n, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(luma(a).(*image.Gray).Pix, luma(b).(*image.Gray).Pix) {
				t.Errorf("%s at 1/%d differs from %s", pair[0], n, pair[1])
			}
		}
	}
}

// TestCorruptInputNeverPanics truncates and flips bytes all through a file.
func TestCorruptInputNeverPanics(t *testing.T) {
	for _, name := range []string{"cat420-rst1.jpg", "catgray.jpg", "cat444.jpg"} {
		b := readFile(t, "testdata/"+name)
		for cut := 0; cut < len(b); cut += 13 {
			_, _ = Decode(bytes.NewReader(b[:cut]), 1+cut%2, Limits{})
		}
		for i := 0; i < len(b); i += 11 {
			c := append([]byte{}, b...)
			c[i] ^= 0x5A
			_, _ = Decode(bytes.NewReader(c), 1<<(i%4), Limits{MaxPixels: 1 << 16})
		}
	}
}

// FuzzDecode decodes mutated JPEGs at every scale: no panic, no hang, and
// whatever is accepted is an image of the promised size. Minimising each
// new input (Go's default, 60 s for inputs of up to 128 KB) takes most of
// a short run; for throughput run
//
//	go test ./render/photo/jpegscale -run '^$' -fuzz FuzzDecode -fuzztime 5m -fuzzminimizetime 0
//
// (500,000 inputs in 30 s on 2 cores).
func FuzzDecode(f *testing.F) {
	// The package's test files, and the repository's real photos and
	// tricky files that are small enough to mutate quickly (progressive,
	// grey, EXIF-rotated, cut in half, not a JPEG at all).
	files, _ := filepath.Glob("testdata/*.jpg")
	for _, dir := range []string{"../../testdata/photos", "../../testdata/tricky"} {
		more, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
		files = append(files, more...)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 128<<10 {
			continue
		}
		f.Add(b, uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, s uint8) {
		scale := 1 << (s % 4)
		img, err := Decode(bytes.NewReader(b), scale, Limits{MaxPixels: 1 << 19, MaxScans: 16, MaxInputBytes: 1 << 18})
		if err != nil {
			return
		}
		// Anything we accept must be a well-formed image of the promised size.
		full, ferr := jpeg.DecodeConfig(bytes.NewReader(b))
		if ferr == nil {
			want := image.Rect(0, 0, (full.Width+scale-1)/scale, (full.Height+scale-1)/scale)
			if img.Bounds() != want {
				t.Fatalf("bounds %v, want %v", img.Bounds(), want)
			}
		}
		r := img.Bounds()
		_ = img.At(r.Max.X-1, r.Max.Y-1)
	})
}

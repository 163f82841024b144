package photo

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/photo/hostilejpeg"
)

// scan is shorthand for a one-component scan of a hostile test JPEG.
type scan = hostilejpeg.Scan

// progressive builds a small progressive JPEG with the given scans.
func progressive(w, h, comps int, scans ...scan) []byte {
	return hostilejpeg.Progressive(hostilejpeg.Spec{Width: w, Height: h, Components: comps, Scans: scans})
}

// repeat returns n copies of s.
func repeat(s scan, n int) []scan {
	out := make([]scan, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestInspect_ScanScript checks the scan-script rules of the JPEG
// pre-parse on progressive files that Go's decoder reads (all of them, but
// for the rules it checks itself): each band of coefficients is sent once,
// then refined one bit at a time, DC first, within bounds, in at most
// MaxJPEGScans scans.
func TestInspect_ScanScript(t *testing.T) {
	dc := scan{}
	ac := scan{Ss: 1, Se: 63}
	var long []scan // a valid script, each scan needed, of 107 scans
	long = append(long, scan{Al: 13})
	for bit := 13; bit >= 1; bit-- {
		long = append(long, scan{Ah: bit, Al: bit - 1})
	}
	for k := 1; k <= 63; k++ {
		long = append(long, scan{Ss: k, Se: k, Al: 1})
	}
	for k := 1; k <= 30; k++ {
		long = append(long, scan{Ss: k, Se: k, Ah: 1})
	}
	cases := []struct {
		name  string
		comps int
		scans []scan
		want  string // in the error; "" for none
	}{
		{"standard grey script", 1, hostilejpeg.Standard(1), ""},
		{"standard colour script", 3, hostilejpeg.Standard(3), ""},
		{"100 scans, each sending new bits", 1, long[:MaxJPEGScans], ""},
		{"107 scans, each sending new bits", 1, long, "more than 100 scans (scan 101 starts"},
		{"the AC scan sent 300 times", 1, append([]scan{dc}, repeat(ac, 300)...), "scan 3 sends coefficients 1-63 of component 1 again (coefficient 1 was already sent down to bit 0)"},
		{"AC scans without a DC scan (the 100 MP bomb's script)", 3, hostilejpeg.Bomb(64, 48).Scans, "scan 1 sends AC coefficients 1-63 of component 1 before its DC coefficient"},
		{"DC sent twice", 1, []scan{dc, dc}, "sends the DC coefficient of component 1 again"},
		{"a band overlapping one sent", 1, []scan{dc, {Ss: 1, Se: 10}, {Ss: 5, Se: 63}}, "coefficients 5-63 of component 1 again (coefficient 5"},
		{"refinement of two bits", 1, []scan{{Al: 2}, {Ah: 2}}, "refines the DC coefficient from bit 2 to bit 0; a refinement adds exactly one bit"},
		{"refinement from a bit not reached", 1, []scan{{Al: 2}, {Ah: 1}}, "from bit 1, but coefficient 0 was sent down to bit 2"},
		{"refinement repeated", 1, []scan{{Al: 1}, {Ah: 1}, {Ah: 1}}, "from bit 1, but coefficient 0 was sent down to bit 0"},
		{"refinement before the first scan", 1, []scan{dc, {Ss: 1, Se: 63, Ah: 1}}, "refines coefficients 1-63 of component 1 before they were first sent"},
		{"band past 63", 1, []scan{dc, {Ss: 5, Se: 64}}, "sends coefficients 5-64, out of 0-63"},
		{"band backwards", 1, []scan{dc, {Ss: 10, Se: 5}}, "sends coefficients 10-5, out of 0-63"},
		{"DC with AC", 1, []scan{{Se: 63}}, "mixes the DC coefficient with AC coefficients 1-63"},
		{"Al over 13", 1, []scan{{Al: 14}}, "Ah=0 Al=14, over 13"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := progressive(64, 48, c.comps, c.scans...)
			h, err := Inspect(data)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused a valid script: %v", err)
				}
				if !h.Progressive || h.Scans != len(c.scans) || h.Width != 64 || h.Height != 48 {
					t.Fatalf("header %+v, want 64×48 progressive with %d scans", h, len(c.scans))
				}
				if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
					t.Fatalf("the test file does not decode: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrScanScript) || !errors.Is(err, ErrCorruptPhoto) {
				t.Fatalf("got %v, want ErrScanScript", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "re-export the photo as a baseline JPEG") {
				t.Fatalf("error %q does not say %q and how to fix it", err, c.want)
			}
		})
	}
	// Go's decoder itself reads the repeated scans, for as long as they
	// last: only the pre-parse refuses them.
	if _, err := jpeg.Decode(bytes.NewReader(progressive(64, 48, 1, append([]scan{dc}, repeat(ac, 300)...)...))); err != nil {
		t.Fatalf("image/jpeg refuses the repeated scans (%v): the test no longer shows the pre-parse is needed", err)
	}
}

// baselineJPEG encodes a small photo with Go's encoder (one scan).
func baselineJPEG(t testing.TB, grey bool) []byte {
	t.Helper()
	var img image.Image = image.NewYCbCr(image.Rect(0, 0, 40, 24), image.YCbCrSubsampleRatio420)
	if grey {
		g := image.NewGray(image.Rect(0, 0, 40, 24))
		for i := range g.Pix {
			g.Pix[i] = uint8(i)
		}
		img = g
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestInspect_Structure checks the marker walk on damaged or unsupported
// baseline files: each is refused with what is wrong and where.
func TestInspect_Structure(t *testing.T) {
	base := baselineJPEG(t, false)
	grey := baselineJPEG(t, true)
	sof := bytes.Index(base, []byte{0xff, 0xc0})
	sos := bytes.Index(grey, []byte{0xff, 0xda})
	eoi := len(grey) - 2
	patch := func(data []byte, at int, b ...byte) []byte {
		out := bytes.Clone(data)
		copy(out[at:], b)
		return out
	}
	cases := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"baseline colour", base, nil, ""},
		{"baseline grey", grey, nil, ""},
		{"stray bytes and fill bytes between segments", append(append(bytes.Clone(grey[:sos]), 0x12, 0x34, 0xff, 0x00, 0xff, 0xff), grey[sos:]...), nil, ""},
		{"grey component scanned twice", append(append(bytes.Clone(grey[:eoi]), grey[sos:eoi]...), 0xff, 0xd9), ErrScanScript, "scan 2 sends component 1 again; a baseline JPEG sends each component once"},
		{"cut short in the scan", base[:len(base)-40], ErrCorruptPhoto, "ends early"},
		{"cut short in a segment", base[:sof+5], ErrCorruptPhoto, "before its first scan"},
		{"no end-of-image marker", base[:len(base)-2], ErrCorruptPhoto, "no end-of-image marker"},
		{"arithmetic coding", patch(base, sof+1, 0xc9), ErrUnsupportedFormat, "an arithmetic-coded JPEG (frame marker 0xC9)"},
		{"lossless", patch(base, sof+1, 0xc3), ErrUnsupportedFormat, "a lossless JPEG"},
		{"12-bit samples", patch(base, sof+4, 12), ErrUnsupportedFormat, "a 12-bit JPEG"},
		{"height from a DNL marker", patch(base, sof+5, 0, 0), ErrUnsupportedFormat, "height of 0"},
		{"two components", patch(base, sof+9, 2), ErrUnsupportedFormat, "2 colour components"},
		{"scan before the frame", patch(grey, sof+1, 0xe5), ErrCorruptPhoto, "comes before the frame header"},
		{"unknown marker", patch(base, sof+1, 0xdc), ErrCorruptPhoto, "unknown JPEG marker 0xDC"},
		{"segment length 0", patch(base, sof+2, 0, 0), ErrCorruptPhoto, "has a length of 0"},
		{"only a header", []byte{0xff, 0xd8, 0xff, 0xd9}, ErrCorruptPhoto, "no image data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := Inspect(c.data)
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if h.Width != 40 || h.Height != 24 || h.Progressive {
					t.Fatalf("header %+v", h)
				}
				return
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want %v saying %q", err, c.want, c.msg)
			}
		})
	}
}

// testdataJPEGs lists every JPEG of the repository's test data, samples
// and docs.
func testdataJPEGs(t testing.TB) []string {
	var files []string
	for _, root := range []string{"../testdata", "../../samples", "../../docs"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := strings.ToLower(filepath.Ext(p)); !d.IsDir() && (ext == ".jpg" || ext == ".jpeg") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 10 {
		t.Fatalf("only %d JPEGs found", len(files))
	}
	return files
}

// TestInspect_Testdata runs the pre-parse over every JPEG of the
// repository: each real photo passes, with image/jpeg's size and a cost
// in sane bounds; the broken ones fail as the decoder would.
func TestInspect_Testdata(t *testing.T) {
	broken := map[string]error{
		"html-error-page-named.jpg":      ErrUnsupportedFormat,
		"truncated-half-baseline.jpg":    ErrCorruptPhoto,
		"truncated-half-progressive.jpg": ErrCorruptPhoto,
		"zero-bytes.jpg":                 ErrEmptyPhoto,
	}
	for _, f := range testdataJPEGs(t) {
		t.Run(filepath.ToSlash(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h, err := Inspect(data)
			if want, ok := broken[filepath.Base(f)]; ok {
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("a real photo is refused: %v", err)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil || cfg.Width != h.Width || cfg.Height != h.Height {
				t.Fatalf("Inspect says %v, image/jpeg %dx%d (%v)", h, cfg.Width, cfg.Height, err)
			}
			if h.Scans < 1 || h.Scans > 20 {
				t.Errorf("%d scans", h.Scans)
			}
			px := h.Pixels()
			lo, hi := 4*px, 4*px+int64(len(data))*2+fixedBytes+px*(8+4*4) // NRGBA at least; at most planes, coefficients, copies
			if c := h.DecodeBytes(); c < lo || c > hi {
				t.Errorf("DecodeBytes %d for %v, want within [%d, %d]", c, h, lo, hi)
			}
		})
	}
}

// allocated returns the bytes f allocates (the test must not be
// parallel, so that nothing else allocates meanwhile).
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestDecode_BombRefusedBeforeAllocating sends the 100-megapixel
// progressive JPEG of a few hundred bytes that a decoder needs
// 1.3 GB for: it is refused from its markers, allocating next to nothing.
func TestDecode_BombRefusedBeforeAllocating(t *testing.T) {
	bomb := hostilejpeg.Progressive(hostilejpeg.Bomb(10000, 10000))
	if len(bomb) > 1024 {
		t.Fatalf("the bomb takes %d bytes", len(bomb))
	}
	var err error
	n := allocated(func() { _, err = Decode(bytes.NewReader(bomb), Limits{}) })
	if !errors.Is(err, ErrScanScript) {
		t.Fatalf("got %v, want ErrScanScript", err)
	}
	if n > 1<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes", n)
	}
	// Its valid twin (DC scans first) passes the pre-parse; its header
	// tells what decoding it would take, for the engine's budget.
	twin := progressive(10000, 10000, 3, hostilejpeg.Standard(3)...)
	var h *Header
	n = allocated(func() { h, err = Inspect(twin) })
	if err != nil {
		t.Fatal(err)
	}
	if n > 1<<20 {
		t.Fatalf("inspecting a 10000×10000 JPEG allocated %d bytes", n)
	}
	if c := h.DecodeBytes(); c < 1_250_000_000 {
		t.Fatalf("DecodeBytes %d for %v, want over 1.25 GB (0.6 GB of coefficients, 0.3 GB of planes, 0.4 GB of NRGBA)", c, h)
	}
}

// stallingReader hands out data until half of it is read, then closes
// half and stalls until released, as a slow network or a decoder busy
// with a scan would.
type stallingReader struct {
	data    []byte
	off     int
	half    chan struct{}
	release <-chan struct{}
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.off >= len(r.data)/2 && r.half != nil {
		close(r.half)
		r.half = nil
		<-r.release
	}
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

// TestDecode_Cancel checks that decoding stops once its context is done
// and returns the context's error (so a server answers 504 or 499, not
// 422): image/jpeg itself cannot be stopped.
func TestDecode_Cancel(t *testing.T) {
	data, err := os.ReadFile("../testdata/tricky/progressive.jpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("mid-decode", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := &stallingReader{data: data, half: make(chan struct{}), release: ctx.Done()}
		half := r.half
		go func() {
			<-half
			cancel()
		}()
		_, err := decodeImage(ctx, "jpeg", r)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if r.off == len(data) {
			t.Fatal("the decoder read the whole file after its context was cancelled")
		}
	})
	t.Run("Prepare", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		admitted := false
		opt := PrepareOptions{Admit: func(context.Context, *Header) (func(), error) {
			admitted = true
			cancel() // done just as decoding starts
			return func() {}, nil
		}}
		_, err := Prepare(ctx, data, opt)
		if !admitted || !errors.Is(err, context.Canceled) || errors.Is(err, ErrCorruptPhoto) {
			t.Fatalf("got %v (admitted %v), want context.Canceled", err, admitted)
		}
	})
	t.Run("DecodeContext", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := DecodeContext(ctx, bytes.NewReader(data), Limits{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

// TestPrepare_AdmitRefuses checks an admission error comes back as it is,
// before any pixel is decoded, and that a release follows every admission.
func TestPrepare_AdmitRefuses(t *testing.T) {
	data := hostilejpeg.Progressive(hostilejpeg.Spec{Width: 6000, Height: 4000, Components: 3, Scans: hostilejpeg.Standard(3)})
	refuse := errors.New("no room")
	var seen *Header
	var err error
	n := allocated(func() {
		_, err = Prepare(context.Background(), data, PrepareOptions{Admit: func(_ context.Context, h *Header) (func(), error) {
			seen = h
			return nil, refuse
		}})
	})
	if !errors.Is(err, refuse) || seen == nil || seen.Width != 6000 || !seen.Progressive {
		t.Fatalf("got %v with header %v", err, seen)
	}
	if n > 1<<20 {
		t.Fatalf("a refused photo allocated %d bytes", n)
	}
	released := 0
	small := progressive(64, 48, 3, hostilejpeg.Standard(3)...)
	if _, err := Prepare(context.Background(), small, PrepareOptions{Admit: func(context.Context, *Header) (func(), error) {
		return func() { released++ }, nil
	}}); err != nil || released != 1 {
		t.Fatalf("got %v, released %d times", err, released)
	}
}

// TestInspect_OtherFormats checks the cost model of PNG, GIF and WebP
// headers against the decoded type.
func TestInspect_OtherFormats(t *testing.T) {
	for _, f := range []string{"../testdata/tricky/16bit-rgb.png", "../testdata/tricky/transparent-rgba.png", "../testdata/tricky/photo.gif", "../testdata/tricky/photo.webp"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h, err := Inspect(data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeImage(h.Format, data)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != h.Width || img.Bounds().Dy() != h.Height {
			t.Fatalf("%s: %v, decoded %v", f, h, img.Bounds())
		}
		if c := h.DecodeBytes(); c < 4*h.Pixels() || c > 24*h.Pixels()+3*int64(len(data))+fixedBytes {
			t.Errorf("%s: DecodeBytes %d for %v", f, c, h)
		}
	}
}

// FuzzInspectJPEG feeds the JPEG pre-parse arbitrary bytes, seeded with
// real photos' headers and the hostile files: it must never panic, never
// allocate in proportion to the size a header claims, and a header it
// accepts must be one image/jpeg reads the same size from.
func FuzzInspectJPEG(f *testing.F) {
	for _, p := range testdataJPEGs(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 64<<10 {
			data = data[:64<<10] // the headers and the first scans
		}
		f.Add(data)
	}
	f.Add(hostilejpeg.Progressive(hostilejpeg.Bomb(10000, 10000)))
	f.Add(progressive(64, 48, 1, append([]scan{{}}, repeat(scan{Ss: 1, Se: 63}, 300)...)...))
	f.Add(progressive(64, 48, 3, hostilejpeg.Standard(3)...))
	f.Add(baselineJPEG(f, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		var h *Header
		var err error
		n := allocated(func() { h, err = Inspect(data) })
		if n > 64<<10+uint64(len(data)) {
			t.Fatalf("Inspect allocated %d bytes for %d bytes of input", n, len(data))
		}
		if err != nil {
			for _, want := range []error{ErrCorruptPhoto, ErrUnsupportedFormat, ErrEmptyPhoto} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("error %v wraps no photo error", err)
		}
		if h.Width <= 0 || h.Height <= 0 || h.DecodeBytes() <= 0 || h.DecodeBytes() < 4*h.Pixels() {
			t.Fatalf("accepted header %+v, cost %d", h, h.DecodeBytes())
		}
		if h.Format == "jpeg" {
			if h.Scans < 1 || h.Scans > MaxJPEGScans {
				t.Fatalf("accepted %d scans", h.Scans)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err == nil && (cfg.Width != h.Width || cfg.Height != h.Height) {
				t.Fatalf("Inspect says %v, image/jpeg %dx%d", h, cfg.Width, cfg.Height)
			}
		}
	})
}

// TestPrepare_CancelMidDecode cancels a Prepare of the 16 MP photo once
// its decoding has begun (the Admit hook runs just before) from another
// goroutine, and checks the context's error comes back, not a photo.
func TestPrepare_CancelMidDecode(t *testing.T) {
	data, err := os.ReadFile("../testdata/photos/dandelions-5312x2988-large.jpg")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := PrepareOptions{Admit: func(context.Context, *Header) (func(), error) {
		go cancel()
		return func() {}, nil
	}}
	if p, err := Prepare(ctx, data, opt); !errors.Is(err, context.Canceled) || p != nil {
		t.Fatalf("got %v, %v; want context.Canceled", p, err)
	}
}

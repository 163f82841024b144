package photo

import (
	"bytes"
	"compress/gzip"
	"image"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// tinyHaar is a hand-written Haar cascade: a 6×6 window, one stage, one
// stump on "left half darker than right half", plus a tilted feature.
const tinyHaar = `<?xml version="1.0"?>
<opencv_storage>
<cascade>
  <stageType>BOOST</stageType>
  <featureType>HAAR</featureType>
  <height>6</height>
  <width>6</width>
  <stages>
    <_>
      <stageThreshold>0.5</stageThreshold>
      <weakClassifiers>
        <_><internalNodes>0 -1 0 -0.01</internalNodes><leafValues>1. 0.</leafValues></_>
      </weakClassifiers></_>
  </stages>
  <features>
    <_><rects><_>0 0 3 6 1.</_><_>3 0 3 6 -1.</_></rects><tilted>0</tilted></_>
    <_><rects><_>3 0 2 2 1.</_></rects><tilted>1</tilted></_>
  </features>
</cascade>
</opencv_storage>`

// tinyLBP is a hand-written LBP cascade: a 3×3 window of 1×1 blocks, one
// stage whose stump says yes when the code is 0 (a bright centre).
const tinyLBP = `<opencv_storage><cascade>
  <stageType>BOOST</stageType><featureType>LBP</featureType>
  <height>3</height><width>3</width>
  <stages><_><stageThreshold>0.5</stageThreshold><weakClassifiers>
    <_><internalNodes>0 -1 0 1 0 0 0 0 0 0 0</internalNodes><leafValues>1. 0.</leafValues></_>
  </weakClassifiers></_></stages>
  <features><_><rect>0 0 1 1</rect></_></features>
</cascade></opencv_storage>`

func TestParseCascadeModels(t *testing.T) {
	cs, err := loadCascades()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		d := detectors[i]
		if len(c.stages) < 10 || c.w < 10 || c.h < 10 {
			t.Errorf("%s: %d stages, window %d×%d: too small to be the shipped model", d.name, len(c.stages), c.w, c.h)
		}
	}
}

func TestParseCascadeErrors(t *testing.T) {
	tests := []struct {
		name, xml, want string
	}{
		{"empty", "", "EOF"},
		{"not xml", "hello", "EOF"},
		{"old format", `<opencv_storage><haar type_id="opencv-haar-classifier"></haar></opencv_storage>`, "no <cascade>"},
		{"stage type", strings.Replace(tinyHaar, "BOOST", "GAB", 1), "stage type"},
		{"feature type", strings.Replace(tinyHaar, "<featureType>HAAR", "<featureType>HOG", 1), "feature type"},
		{"width", strings.Replace(tinyHaar, "<width>6", "<width>x", 1), "width"},
		{"huge window", strings.Replace(tinyHaar, "<width>6", "<width>100000", 1), "outside"},
		{"rect outside", strings.Replace(tinyHaar, "3 0 3 6 -1.", "3 0 4 6 -1.", 1), "outside the 6×6 window"},
		{"tilted outside", strings.Replace(tinyHaar, "<_>3 0 2 2 1.</_></rects><tilted>1", "<_>1 0 2 2 1.</_></rects><tilted>1", 1), "outside"},
		{"tilted value", strings.Replace(tinyHaar, "<tilted>1", "<tilted>2", 1), "tilted"},
		{"feature index", strings.Replace(tinyHaar, "0 -1 0 -0.01", "0 -1 7 -0.01", 1), "feature"},
		{"leaf index", strings.Replace(tinyHaar, "0 -1 0 -0.01", "0 -5 0 -0.01", 1), "child"},
		{"node count", strings.Replace(tinyHaar, "0 -1 0 -0.01", "0 -1 0", 1), "internal node"},
		{"nan threshold", strings.Replace(tinyHaar, "-0.01", "NaN", 1), "finite"},
		{"no stages", strings.Replace(tinyHaar, "<stages>", "<stagez>", 1), ""},
		{"lbp grid outside", strings.Replace(tinyLBP, "0 0 1 1", "1 0 1 1", 1), "outside"},
		{"lbp set word", strings.Replace(tinyLBP, "0 -1 0 1 0", "0 -1 0 99999999999 0", 1), "32-bit"},
		{"backwards child", strings.Replace(tinyHaar, "<internalNodes>0 -1 0 -0.01</internalNodes><leafValues>1. 0.</leafValues>",
			"<internalNodes>1 -1 0 -0.01 1 -2 0 0.5</internalNodes><leafValues>1. 0. 2.</leafValues>", 1), "backwards"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCascade([]byte(tt.xml))
			if err == nil {
				t.Fatal("parsed, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to mention %q", err, tt.want)
			}
		})
	}
	if _, err := parseCascadeGzip([]byte("not gzip")); err == nil {
		t.Error("parseCascadeGzip accepted bytes that are not gzip")
	}
}

func TestCascadeEvalTiny(t *testing.T) {
	c, err := parseCascade([]byte(tinyHaar))
	if err != nil {
		t.Fatal(err)
	}
	// Left half dark, right half bright: the feature (left minus right) is
	// negative, below the threshold, so the left leaf (1) passes the stage.
	pix := make([]uint8, 6*6)
	for y := 0; y < 6; y++ {
		for x := 3; x < 6; x++ {
			pix[y*6+x] = 200
		}
	}
	var it integral
	it.build(pix, 6, 6, true, true)
	p := c.place(7, false)
	if ok, _ := p.eval(&it, 0, 0); !ok {
		t.Error("dark-left window rejected")
	}
	for i := range pix {
		pix[i] = 255 - pix[i]
	}
	it.build(pix, 6, 6, true, true)
	if ok, _ := p.eval(&it, 0, 0); ok {
		t.Error("bright-left window accepted")
	}

	l, err := parseCascade([]byte(tinyLBP))
	if err != nil {
		t.Fatal(err)
	}
	// A bright centre pixel: every neighbour is darker, code 0, which is
	// in the set (bit 0 of word 0), so the stage passes.
	px := []uint8{10, 10, 10, 10, 90, 10, 10, 10, 10}
	it.build(px, 3, 3, false, false)
	if ok, _ := l.place(4, false).eval(&it, 0, 0); !ok {
		t.Error("bright centre rejected")
	}
	px[4] = 0
	it.build(px, 3, 3, false, false)
	if ok, _ := l.place(4, false).eval(&it, 0, 0); ok {
		t.Error("dark centre accepted")
	}
}

// TestTiltedIntegral compares the tilted table with its definition and
// checks that a 45° rectangle's four-corner sum counts 2·w·h pixels, each
// once.
func TestTiltedIntegral(t *testing.T) {
	const w, h = 13, 11
	rng := rand.New(rand.NewPCG(1, 2))
	pix := make([]uint8, w*h)
	for i := range pix {
		pix[i] = uint8(rng.IntN(256))
	}
	var it integral
	it.build(pix, w, h, true, true)
	for Y := 0; Y <= h; Y++ {
		for X := 0; X <= w; X++ {
			var want int32
			for y := 0; y < Y; y++ {
				for x := 0; x < w; x++ {
					if d := x - (X - 1); d <= Y-1-y && -d <= Y-1-y {
						want += int32(pix[y*w+x])
					}
				}
			}
			if got := it.tilt[Y*(w+1)+X]; got != want {
				t.Fatalf("tilt(%d,%d) = %d, want %d", X, Y, got, want)
			}
		}
	}
	ones := make([]uint8, w*h)
	for i := range ones {
		ones[i] = 1
	}
	it.build(ones, w, h, false, true)
	T := func(x, y int) int32 { return it.tilt[y*(w+1)+x] }
	for _, r := range [][4]int{{5, 0, 2, 3}, {4, 1, 3, 3}, {6, 2, 1, 1}, {3, 0, 4, 3}} {
		x, y, rw, rh := r[0], r[1], r[2], r[3]
		got := T(x, y) - T(x+rw, y+rw) - T(x-rh, y+rh) + T(x+rw-rh, y+rw+rh)
		if int(got) != 2*rw*rh {
			t.Errorf("tilted rect %v counts %d pixels, want %d", r, got, 2*rw*rh)
		}
	}
}

// TestMirror checks, for every cascade that can be mirrored (LBP, and Haar
// without tilted features), that the mirrored evaluation on an image gives
// the hits of the plain evaluation on the mirrored image.
func TestMirror(t *testing.T) {
	cs, err := loadCascades()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[bool]bool{}
	for i, d := range detectors {
		c := cs[i]
		if d.mirror && !c.canFlip() {
			t.Errorf("%s is run mirrored but has tilted features", d.name)
		}
		if !c.canFlip() || d.rotate != 0 {
			continue
		}
		kinds[c.lbp] = true
		t.Run(d.name, func(t *testing.T) {
			const w, h = 90, 80
			rng := rand.New(rand.NewPCG(3, 4))
			pix := make([]uint8, w*h)
			// Smooth random blobs pass some early stages.
			for i := range pix {
				x, y := i%w, i/w
				pix[i] = uint8((x*7+y*3)%64 + rng.IntN(128))
			}
			mir := make([]uint8, w*h)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					mir[y*w+x] = pix[y*w+w-1-x]
				}
			}
			var a, b integral
			a.build(pix, w, h, !c.lbp, false)
			b.build(mir, w, h, !c.lbp, false)
			pa, pb := c.place(w+1, true), c.place(w+1, false)
			deepest := 0
			for y := 0; y+c.h <= h; y++ {
				for x := 0; x+c.w <= w; x++ {
					nA, mA := pa.run(&a, x, y, len(c.stages))
					nB, mB := pb.run(&b, w-c.w-x, y, len(c.stages))
					if nA != nB || mA != mB {
						t.Fatalf("window (%d,%d): mirrored eval passes %d stages (margin %v), eval on the mirror %d (%v)", x, y, nA, mA, nB, mB)
					}
					deepest = max(deepest, nA)
				}
			}
			if deepest < 2 {
				t.Errorf("no window passed 2 stages: the test image checks too little")
			}
		})
	}
	if !kinds[true] || !kinds[false] {
		t.Errorf("mirrorable cascades: LBP %v, Haar %v; want both", kinds[true], kinds[false])
	}
}

func FuzzParseCascade(f *testing.F) {
	f.Add([]byte(tinyHaar))
	f.Add([]byte(tinyLBP))
	zr, err := gzip.NewReader(bytes.NewReader(modelProfile))
	if err != nil {
		f.Fatal(err)
	}
	real, err := io.ReadAll(zr)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real[:min(len(real), 6000)])
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCascade(data)
		if err != nil {
			return
		}
		// Whatever parsed must evaluate without reading out of bounds.
		const w, h = 40, 40
		pix := make([]uint8, w*h)
		for i := range pix {
			pix[i] = uint8(i * 37)
		}
		if c.w > w || c.h > h {
			return
		}
		var it integral
		it.build(pix, w, h, !c.lbp, c.tilted)
		for _, flip := range []bool{false, true} {
			p := c.place(w+1, flip)
			for y := 0; y+c.h <= h; y += 7 {
				for x := 0; x+c.w <= w; x += 7 {
					p.eval(&it, x, y)
				}
			}
		}
	})
}

func TestGroupHits(t *testing.T) {
	hs := []hit{
		{10, 10, 40, 40, 0}, {12, 11, 41, 41, 0}, {9, 10, 39, 40, 0}, // one face
		{200, 10, 40, 40, 0},                     // a lone hit
		{20, 20, 10, 10, 0}, {21, 20, 10, 10, 0}, // small, inside the face
	}
	got := groupHits(hs, 2)
	if len(got) != 1 || got[0].n != 3 || !image.Rect(int(got[0].x), int(got[0].y), int(got[0].x+got[0].w), int(got[0].y+got[0].h)).Overlaps(image.Rect(10, 10, 50, 50)) {
		t.Errorf("groupHits = %+v, want the one face cluster of 3", got)
	}
	if got := groupHits(nil, 1); len(got) != 0 {
		t.Errorf("groupHits(nil) = %v", got)
	}
}

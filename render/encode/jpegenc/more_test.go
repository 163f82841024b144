package jpegenc

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestFDCT compares the scaled DCT, with its scale divided out, against
// the T.81 definition computed directly.
func TestFDCT(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 20 {
		var in, blk [64]float32
		for i := range in {
			in[i] = float32(r.IntN(256) - 128)
			if n == 0 {
				in[i] = -128
			}
		}
		blk = in
		fdct(&blk)
		for u := range 8 {
			for v := range 8 {
				var s float64
				for y := range 8 {
					for x := range 8 {
						s += float64(in[8*y+x]) * math.Cos(float64(2*y+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*x+1)*float64(v)*math.Pi/16)
					}
				}
				cu, cv := 1.0, 1.0
				if u == 0 {
					cu = 1 / math.Sqrt2
				}
				if v == 0 {
					cv = 1 / math.Sqrt2
				}
				want := s * cu * cv / 4
				got := float64(blk[8*u+v]) / (aanNum * aanScale[u] * aanScale[v])
				if math.Abs(got-want) > 1e-3*max(1, math.Abs(want)) {
					t.Fatalf("block %d (%d,%d): got %.4f, want %.4f", n, u, v, got, want)
				}
			}
		}
	}
}

// TestOptimalSpec checks the Huffman tables: a complete prefix code with
// no all-ones code, at most 16 bits, every used symbol present, and
// lengths no worse than a plain Huffman code's where that fits in 16 bits.
func TestOptimalSpec(t *testing.T) {
	skewed := [256]int64{}
	for i := range 40 {
		skewed[i] = int64(1) << min(i, 40) // lengths would exceed 16
	}
	one := [256]int64{0x42: 7}
	flat := [256]int64{}
	for i := range flat {
		flat[i] = 3
	}
	r := rand.New(rand.NewPCG(3, 4))
	random := [256]int64{}
	for i := range random {
		if r.IntN(3) > 0 {
			random[i] = int64(r.IntN(100000))
		}
	}
	for name, freq := range map[string][256]int64{"skewed": skewed, "one": one, "flat": flat, "random": random} {
		t.Run(name, func(t *testing.T) {
			spec := optimalSpec(&freq)
			used := 0
			for _, f := range freq {
				if f > 0 {
					used++
				}
			}
			if len(spec.vals) != used {
				t.Fatalf("%d symbols in the table, %d used", len(spec.vals), used)
			}
			// Kraft sum of the codes plus the reserved one must be <= 1,
			// and strictly below 1 without it.
			var kraft float64
			total := 0
			for l, n := range spec.counts {
				kraft += float64(n) / float64(uint(1)<<(l+1))
				total += int(n)
			}
			if total != used || kraft >= 1 {
				t.Fatalf("counts %v: %d codes, Kraft sum %v", spec.counts, total, kraft)
			}
			h := spec.codes()
			for _, v := range spec.vals {
				if h.size[v] == 0 || h.size[v] > 16 {
					t.Fatalf("symbol %#x has length %d", v, h.size[v])
				}
				if h.code[v] == 1<<h.size[v]-1 {
					t.Fatalf("symbol %#x has an all-ones code", v)
				}
			}
		})
	}
}

// TestSizes round-trips small and odd sizes in every mode and type.
func TestSizes(t *testing.T) {
	sizes := []image.Point{{1, 1}, {7, 9}, {17, 33}, {8, 8}, {16, 16}, {33, 17}, {1, 40}, {63, 1}, {129, 65}}
	for _, sz := range sizes {
		src := noise(sz.X, sz.Y, uint64(sz.X*100+sz.Y))
		gray := image.NewGray(src.Rect)
		nrgba := image.NewNRGBA(src.Rect)
		ycc := image.NewYCbCr(src.Rect, image.YCbCrSubsampleRatio420)
		for y := range sz.Y {
			for x := range sz.X {
				c := src.RGBAAt(x, y)
				gray.SetGray(x, y, color.GrayModel.Convert(c).(color.Gray))
				nrgba.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, 255})
				yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
				ycc.Y[ycc.YOffset(x, y)] = yy
				ycc.Cb[ycc.COffset(x, y)] = cb
				ycc.Cr[ycc.COffset(x, y)] = cr
			}
		}
		imgs := []struct {
			name string
			img  image.Image
		}{{"rgba", src}, {"gray", gray}, {"nrgba", nrgba}, {"ycbcr", ycc}, {"paletted", paletted(src)}}
		for _, im := range imgs {
			for _, md := range modes {
				t.Run(fmt.Sprintf("%dx%d/%s/%s", sz.X, sz.Y, im.name, md.name), func(t *testing.T) {
					o := md.opt
					o.Quality = 90
					data := encode(t, im.img, &o)
					got, err := jpeg.Decode(bytes.NewReader(data))
					if err != nil {
						t.Fatalf("image/jpeg: %v", err)
					}
					if got.Bounds().Size() != sz {
						t.Fatalf("decoded %v, want %v", got.Bounds().Size(), sz)
					}
					if _, isGray := got.(*image.Gray); isGray != (im.name == "gray") {
						t.Fatalf("decoded as %T", got)
					}
					if im.name != "ycbcr" {
						// Noise is the hardest case: compare with what
						// image/jpeg (4:2:0) gets, which catches misplaced
						// blocks and wrong colours.
						var ref bytes.Buffer
						if err := jpeg.Encode(&ref, im.img, &jpeg.Options{Quality: 90}); err != nil {
							t.Fatal(err)
						}
						refImg, err := jpeg.Decode(&ref)
						if err != nil {
							t.Fatal(err)
						}
						want, p := psnr(t, im.img, refImg), psnr(t, im.img, got)
						for i := range p {
							if p[i] < want[i]-0.5 {
								t.Errorf("channel %d PSNR %.2f dB, image/jpeg gets %.2f", i, p[i], want[i])
							}
						}
					}
					if sz.X*sz.Y < 1000 || im.name == "rgba" {
						if dj := djpeg(t, data); dj.Bounds().Size() != sz {
							t.Fatalf("djpeg decoded %v, want %v", dj.Bounds().Size(), sz)
						}
					}
				})
			}
		}
	}
}

func paletted(m *image.RGBA) image.Image {
	p := image.NewPaletted(m.Rect, []color.Color{color.Black, color.White, color.RGBA{200, 30, 40, 255}, color.RGBA{20, 90, 200, 255}})
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		for x := m.Rect.Min.X; x < m.Rect.Max.X; x++ {
			p.Set(x, y, m.At(x, y))
		}
	}
	return p
}

// TestSubImage encodes a sub-image whose bounds do not start at the origin.
func TestSubImage(t *testing.T) {
	big := noise(64, 64, 9)
	sub := big.SubImage(image.Rect(13, 7, 50, 40))
	data := encode(t, sub, &Options{Quality: 95, Chroma: Chroma444})
	got, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if p := psnr(t, sub, got); p[0] < 25 {
		t.Fatalf("PSNR %.1f dB against the sub-image", p[0])
	}
}

// TestTranslucentOverBlack checks alpha is composited over black.
func TestTranslucentOverBlack(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = 200, 100, 50, 128
	}
	got, err := jpeg.Decode(bytes.NewReader(encode(t, m, &Options{Quality: 100, Chroma: Chroma444})))
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := got.At(8, 8).RGBA()
	if d := [3]int{int(r>>8) - 100, int(g>>8) - 50, int(b>>8) - 25}; abs(d[0]) > 3 || abs(d[1]) > 3 || abs(d[2]) > 3 {
		t.Fatalf("got %d,%d,%d, want about 100,50,25", r>>8, g>>8, b>>8)
	}
}

func abs(x int) int { return max(x, -x) }

// TestDeterministic checks the bytes do not depend on GOMAXPROCS (the
// image is large enough to be transformed on two goroutines).
func TestDeterministic(t *testing.T) {
	m := noise(800, 640, 5) // just over parallelPixels
	if m.Rect.Dx()*m.Rect.Dy() < parallelPixels {
		t.Fatal("test image too small to go parallel")
	}
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			o := md.opt
			o.Quality = 80
			var outs [][]byte
			// Twice at 2 procs: the second reuses pooled buffers.
			for _, procs := range []int{1, 2, 2, 3} {
				old := runtime.GOMAXPROCS(procs)
				outs = append(outs, encode(t, m, &o))
				runtime.GOMAXPROCS(old)
			}
			for i := range outs {
				if !bytes.Equal(outs[i], outs[0]) {
					t.Fatalf("encoding %d differs from the first", i)
				}
			}
		})
	}
}

// TestPreparedMatchesEncode checks that re-quantising a prepared image
// gives the same bytes as encoding from scratch (which quantises each
// block as it is transformed), for small and large images (one goroutine
// and two), both chroma subsamplings, baseline and progressive.
func TestPreparedMatchesEncode(t *testing.T) {
	for _, m := range []image.Image{noise(99, 57, 6), noise(1001, 603, 7)} {
		for _, chroma := range []Chroma{Chroma420, Chroma444} {
			p, err := Prepare(m, chroma)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []int{100, 75, 30, 1} {
				for _, prog := range []bool{false, true} {
					var buf bytes.Buffer
					if err := p.Encode(&buf, q, prog); err != nil {
						t.Fatal(err)
					}
					if want := encode(t, m, &Options{Quality: q, Chroma: chroma, Progressive: prog}); !bytes.Equal(buf.Bytes(), want) {
						t.Errorf("%v chroma %d q%d progressive=%v: prepared encoding differs", m.Bounds().Size(), chroma, q, prog)
					}
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	var buf bytes.Buffer
	cases := []struct {
		name string
		img  image.Image
		opt  *Options
	}{
		{"nil image", nil, nil},
		{"empty", image.NewRGBA(image.Rect(0, 0, 0, 5)), nil},
		{"too wide", image.NewGray(image.Rect(0, 0, 70000, 1)), nil},
		{"quality", image.NewGray(image.Rect(0, 0, 2, 2)), &Options{Quality: 101}},
		{"chroma", image.NewRGBA(image.Rect(0, 0, 2, 2)), &Options{Chroma: 7}},
	}
	for _, c := range cases {
		if err := Encode(&buf, c.img, c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func FuzzEncode(f *testing.F) {
	f.Add(uint16(1), uint16(1), uint8(50), uint8(0), []byte{1, 2, 3})
	f.Add(uint16(17), uint16(33), uint8(100), uint8(3), []byte{255, 0, 255})
	f.Add(uint16(40), uint16(9), uint8(1), uint8(6), []byte{})
	f.Fuzz(func(t *testing.T, w, h uint16, q, mode uint8, pix []byte) {
		W, H := int(w%200)+1, int(h%200)+1
		var m image.Image
		switch mode % 3 {
		case 0:
			rgba := image.NewRGBA(image.Rect(0, 0, W, H))
			fill(rgba.Pix, pix)
			m = rgba
		case 1:
			n := image.NewNRGBA(image.Rect(0, 0, W, H))
			fill(n.Pix, pix)
			m = n
		case 2:
			g := image.NewGray(image.Rect(0, 0, W, H))
			fill(g.Pix, pix)
			m = g
		}
		o := &Options{Quality: int(q%100) + 1, Chroma: Chroma(mode / 3 % 2), Progressive: mode/6%2 == 1}
		var buf bytes.Buffer
		if err := Encode(&buf, m, o); err != nil {
			t.Fatal(err)
		}
		got, err := jpeg.Decode(&buf)
		if err != nil {
			t.Fatalf("%dx%d %+v: %v", W, H, o, err)
		}
		if got.Bounds().Size() != image.Pt(W, H) {
			t.Fatalf("decoded %v, want %dx%d", got.Bounds().Size(), W, H)
		}
	})
}

// fill repeats pat over dst (or leaves it zero).
func fill(dst, pat []byte) {
	if len(pat) == 0 {
		return
	}
	for i := range dst {
		dst[i] = pat[i%len(pat)] + byte(i/len(pat))
	}
}

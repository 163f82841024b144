package jpegenc

import (
	"image"
	"runtime"
	"sync"
)

// parallelPixels is the image area from which Prepare converts and
// transforms bands of MCU rows on more than one goroutine.
const parallelPixels = 500_000

// plane holds one component's scaled DCT output: bw×bh blocks of 64
// values in natural order, row by row, covering whole MCUs.
type plane struct {
	bw, bh int // blocks across and down, padded to whole MCUs
	cw, ch int // blocks a non-interleaved scan covers
	h, v   int // sampling factors
	coef   []float32
}

// sampler fills one MCU's worth of Y, Cb and Cr samples (level-shifted by
// -128) for the w×h pixels whose top-left corner is (x0, y0) in image
// coordinates relative to the bounds, replicating the right and bottom
// edges. Cb and Cr are nil for greyscale.
type sampler func(x0, y0, w, h int, y, cb, cr *[256]float32)

// newSampler returns a sampler for m, with fast paths for the common
// concrete types.
func newSampler(m image.Image) (s sampler, grey bool) {
	b := m.Bounds()
	W, H := b.Dx(), b.Dy()
	clamp := func(x0, y0, w, h int) (xs [16]int, ys [16]int) {
		for i := range w {
			xs[i] = min(x0+i, W-1)
		}
		for j := range h {
			ys[j] = min(y0+j, H-1)
		}
		return
	}
	switch m := m.(type) {
	case *image.Gray:
		return func(x0, y0, w, h int, y, _, _ *[256]float32) {
			xs, ys := clamp(x0, y0, w, h)
			for j := range h {
				row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+ys[j]):]
				for i := range w {
					y[j*w+i] = float32(row[xs[i]]) - 128
				}
			}
		}, true
	case *image.RGBA:
		return func(x0, y0, w, h int, y, cb, cr *[256]float32) {
			if x0+w <= W && y0+h <= H {
				// Inside the image: whole rows, no clamping.
				for j := range h {
					o := m.PixOffset(b.Min.X+x0, b.Min.Y+y0+j)
					row := m.Pix[o : o+4*w : o+4*w]
					for i := range w {
						p := row[4*i : 4*i+3 : 4*i+3]
						rgbToYCC(float32(p[0]), float32(p[1]), float32(p[2]), y, cb, cr, j*w+i)
					}
				}
				return
			}
			xs, ys := clamp(x0, y0, w, h)
			for j := range h {
				row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+ys[j]):]
				for i := range w {
					p := row[4*xs[i] : 4*xs[i]+3 : 4*xs[i]+3]
					rgbToYCC(float32(p[0]), float32(p[1]), float32(p[2]), y, cb, cr, j*w+i)
				}
			}
		}, false
	case *image.NRGBA:
		if m.Opaque() {
			// Opaque NRGBA has the same bytes as RGBA.
			return newSampler(&image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect})
		}
		return func(x0, y0, w, h int, y, cb, cr *[256]float32) {
			xs, ys := clamp(x0, y0, w, h)
			for j := range h {
				row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+ys[j]):]
				for i := range w {
					p := row[4*xs[i] : 4*xs[i]+4 : 4*xs[i]+4]
					r, g, bb := float32(p[0]), float32(p[1]), float32(p[2])
					if a := p[3]; a != 255 {
						// Composite over black, as JPEG has no alpha.
						f := float32(a) / 255
						r, g, bb = r*f, g*f, bb*f
					}
					rgbToYCC(r, g, bb, y, cb, cr, j*w+i)
				}
			}
		}, false
	case *image.YCbCr:
		return func(x0, y0, w, h int, y, cb, cr *[256]float32) {
			xs, ys := clamp(x0, y0, w, h)
			for j := range h {
				py := b.Min.Y + ys[j]
				for i := range w {
					px := b.Min.X + xs[i]
					k := j*w + i
					y[k] = float32(m.Y[m.YOffset(px, py)]) - 128
					c := m.COffset(px, py)
					cb[k] = float32(m.Cb[c]) - 128
					cr[k] = float32(m.Cr[c]) - 128
				}
			}
		}, false
	}
	return func(x0, y0, w, h int, y, cb, cr *[256]float32) {
		xs, ys := clamp(x0, y0, w, h)
		for j := range h {
			for i := range w {
				r, g, bb, _ := m.At(b.Min.X+xs[i], b.Min.Y+ys[j]).RGBA()
				rgbToYCC(float32(r>>8), float32(g>>8), float32(bb>>8), y, cb, cr, j*w+i)
			}
		}
	}, false
}

// rgbToYCC stores the JFIF YCbCr of (r, g, b), level-shifted, at index k.
func rgbToYCC(r, g, b float32, y, cb, cr *[256]float32, k int) {
	y[k] = 0.299*r + 0.587*g + 0.114*b - 128
	cb[k] = -0.168735892*r - 0.331264108*g + 0.5*b
	cr[k] = 0.5*r - 0.418687589*g - 0.081312411*b
}

// transform converts m into planes and runs the forward DCT on every block.
func transform(m image.Image, chroma Chroma) []plane {
	planes, _ := transformTo(m, chroma, nil, nil)
	return planes
}

// transformTo is transform; with rec set (see reciprocals) it quantises
// each block as it is transformed, into coefficients in zig-zag order
// held by sc, and keeps no DCT output: the planes it returns then carry
// only their geometry. That is what one encode at one quality needs,
// without a plane of floats per component.
func transformTo(m image.Image, chroma Chroma, rec *[2][64]float32, sc *scratch) ([]plane, [][]int16) {
	b := m.Bounds()
	W, H := b.Dx(), b.Dy()
	s, grey := newSampler(m)
	hmax := 1
	if !grey && chroma != Chroma444 {
		hmax = 2
	}
	mcu := 8 * hmax
	mx, my := (W+mcu-1)/mcu, (H+mcu-1)/mcu
	ncomp := 3
	if grey {
		ncomp = 1
	}
	planes := make([]plane, ncomp)
	for i := range planes {
		f := 1
		if i == 0 {
			f = hmax
		}
		p := &planes[i]
		p.h, p.v = f, f
		p.bw, p.bh = mx*f, my*f
		cw := (W*f + hmax - 1) / hmax
		chh := (H*f + hmax - 1) / hmax
		p.cw, p.ch = (cw+7)/8, (chh+7)/8
		if rec == nil {
			p.coef = make([]float32, p.bw*p.bh*64)
		}
	}
	var quant [][]int16
	if rec != nil {
		quant = sc.blocks(planes)
	}
	put := func(c, i int, blk *[64]float32) {
		if rec == nil {
			copy(planes[c].coef[i:i+64], blk[:])
			return
		}
		quantBlock(blk[:], quant[c][i:i+64:i+64], &rec[min(c, 1)])
	}
	band := func(r0, r1 int) {
		var ys, cbs, crs [256]float32
		var blk [64]float32
		for my := r0; my < r1; my++ {
			for mx0 := range mx {
				x0, y0 := mx0*mcu, my*mcu
				s(x0, y0, mcu, mcu, &ys, &cbs, &crs)
				// Luma blocks.
				for by := range hmax {
					for bx := range hmax {
						for j := range 8 {
							copy(blk[8*j:8*j+8], ys[(8*by+j)*mcu+8*bx:])
						}
						fdct(&blk)
						p := &planes[0]
						put(0, ((my*hmax+by)*p.bw+mx0*hmax+bx)*64, &blk)
					}
				}
				if grey {
					continue
				}
				for c, src := range [2]*[256]float32{&cbs, &crs} {
					if hmax == 2 {
						for j := range 8 {
							for i := range 8 {
								k := 2*j*16 + 2*i
								blk[8*j+i] = (src[k] + src[k+1] + src[k+16] + src[k+17]) * 0.25
							}
						}
					} else {
						copy(blk[:], src[:64])
					}
					fdct(&blk)
					p := &planes[1+c]
					put(1+c, (my*p.bw+mx0)*64, &blk)
				}
			}
		}
	}
	workers := 1
	if W*H >= parallelPixels {
		workers = min(runtime.GOMAXPROCS(0), 2, my)
	}
	if workers <= 1 {
		band(0, my)
		return planes, quant
	}
	var wg sync.WaitGroup
	for k := range workers {
		r0, r1 := my*k/workers, my*(k+1)/workers
		wg.Go(func() { band(r0, r1) })
	}
	wg.Wait()
	return planes, quant
}

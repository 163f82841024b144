package photo

import (
	"image"
	"image/color"
	"runtime"
	"sync"

	xdraw "golang.org/x/image/draw"
)

// bands runs f over [0, n) split into one band of rows per CPU (fewer
// for small images: a band is at least minRows).
func bands(n, minRows int, f func(y0, y1 int)) {
	k := max(1, min(runtime.GOMAXPROCS(0), n/max(1, minRows)))
	if k == 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range k {
		y0, y1 := n*i/k, n*(i+1)/k
		wg.Go(func() { f(y0, y1) })
	}
	wg.Wait()
}

// ycbcrToNRGBA converts a decoded JPEG to NRGBA in one pass over its
// planes, with the chroma samples read where the subsampling puts them
// (nearest, as image.YCbCr.At does) and the colour conversion of
// color.YCbCrToRGB, so the pixels are the same as through At; bands of
// rows run on all CPUs.
func ycbcrToNRGBA(src *image.YCbCr) *image.NRGBA {
	b := src.Rect
	w, h := b.Dx(), b.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	// The chroma column of pixel x is x>>cxs (relative to the chroma
	// plane's first column, which holds Rect.Min.X>>cxs), its row y>>cys.
	var cxs, cys uint
	switch src.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		cxs = 1
	case image.YCbCrSubsampleRatio420:
		cxs, cys = 1, 1
	case image.YCbCrSubsampleRatio440:
		cys = 1
	case image.YCbCrSubsampleRatio411:
		cxs = 2
	case image.YCbCrSubsampleRatio410:
		cxs, cys = 2, 1
	}
	bands(h, 64, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			sy := b.Min.Y + y
			yrow := src.Y[(sy-b.Min.Y)*src.YStride:]
			crow := ((sy >> cys) - (b.Min.Y >> cys)) * src.CStride
			cb, cr := src.Cb[crow:], src.Cr[crow:]
			out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
			cx0 := b.Min.X >> cxs
			for x := range w {
				sx := b.Min.X + x
				ci := (sx >> cxs) - cx0
				r, g, bl := color.YCbCrToRGB(yrow[x], cb[ci], cr[ci])
				o := out[4*x : 4*x+4 : 4*x+4]
				o[0], o[1], o[2], o[3] = r, g, bl, 0xff
			}
		}
	})
	return dst
}

// grayToNRGBA converts grey to NRGBA, bands of rows on all CPUs.
func grayToNRGBA(src *image.Gray) *image.NRGBA {
	b := src.Rect
	w, h := b.Dx(), b.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	bands(h, 64, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			in := src.Pix[y*src.Stride : y*src.Stride+w]
			out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
			for x, v := range in {
				o := out[4*x : 4*x+4 : 4*x+4]
				o[0], o[1], o[2], o[3] = v, v, v, 0xff
			}
		}
	})
	return dst
}

// halve returns img at half its size (rounded down), each pixel the mean
// of the 2×2 pixels it covers (weighted by alpha, for translucent ones:
// a transparent pixel's colour does not bleed), bands of rows on all
// CPUs. An odd last row or column is left out.
func halve(img *image.NRGBA, opaque bool) *image.NRGBA {
	w, h := img.Rect.Dx()/2, img.Rect.Dy()/2
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	bands(h, 32, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			r0 := img.Pix[2*y*img.Stride:]
			r1 := img.Pix[(2*y+1)*img.Stride:]
			out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
			for x := range w {
				a, b := r0[8*x:8*x+8:8*x+8], r1[8*x:8*x+8:8*x+8]
				o := out[4*x : 4*x+4 : 4*x+4]
				if opaque {
					for c := range 4 {
						o[c] = uint8((uint32(a[c]) + uint32(a[4+c]) + uint32(b[c]) + uint32(b[4+c]) + 2) >> 2)
					}
					continue
				}
				wa := [4]uint32{uint32(a[3]), uint32(a[7]), uint32(b[3]), uint32(b[7])}
				sum := wa[0] + wa[1] + wa[2] + wa[3]
				if sum == 0 {
					o[0], o[1], o[2], o[3] = 0, 0, 0, 0
					continue
				}
				for c := range 3 {
					v := uint32(a[c])*wa[0] + uint32(a[4+c])*wa[1] + uint32(b[c])*wa[2] + uint32(b[4+c])*wa[3]
					o[c] = uint8((v + sum/2) / sum)
				}
				o[3] = uint8((sum + 2) >> 2)
			}
		}
	})
	return dst
}

// shrinkYCbCr scales a decoded JPEG to w×h (at least half its size) with
// x/image/draw's bilinear scaler, which reads YCbCr directly and converts
// as it samples: the colour conversion and the shrinking are one pass.
// Within a factor of 2 every source pixel still reaches the result, so no
// low-pass filter is needed. Bands of rows run on all CPUs.
func shrinkYCbCr(src *image.YCbCr, w, h int) *image.NRGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	bands(h, 16, func(y0, y1 int) {
		band := image.Rect(0, y0, w, y1)
		xdraw.ApproxBiLinear.Scale(dst.SubImage(band).(*image.RGBA), dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	})
	// A JPEG is opaque, so the premultiplied pixels are the straight ones.
	return &image.NRGBA{Pix: dst.Pix, Stride: dst.Stride, Rect: dst.Rect}
}

package photo

import (
	"image"
	"math"
)

// The resampler scales a region of an image to a destination rectangle
// with a separable Catmull-Rom filter (widened by the shrink factor when
// shrinking, so it averages every source pixel), one output row at a
// time: each source row is filtered across once into a small ring of
// rows, and each output row is those rows filtered down. It needs no
// intermediate image of the whole result, so a 4K card is drawn straight
// into its canvas. The source region is a window onto the picture: the
// filter reads the pixels just outside it (clamped at the picture's edge),
// as the full picture would give, not a hard edge at the crop.

// catmullRom is the Catmull-Rom cubic (B = 0, C = 1/2), support 2.
func catmullRom(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (1.5*x-2.5)*x*x + 1
	case x < 2:
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}

// taps are the filter weights of every output pixel along one axis: output
// i reads source pixels first[i] … first[i]+n[i]-1 with weights w[off[i]:].
type taps struct {
	first, n, off []int
	w             []float32
	most          int // the largest n
}

// newTaps maps dst output pixels onto the source span [lo, lo+span) of an
// axis whose pixels run 0 … size-1.
func newTaps(dst int, lo, span float64, size int) taps {
	t := taps{first: make([]int, dst), n: make([]int, dst), off: make([]int, dst)}
	scale := span / float64(dst) // source pixels per output pixel
	width := max(scale, 1)       // the filter widens when shrinking
	reach := 2 * width
	for i := range dst {
		centre := lo + (float64(i)+0.5)*scale - 0.5
		a := max(0, int(math.Ceil(centre-reach)))
		b := min(size-1, int(math.Floor(centre+reach)))
		if a > b { // the centre is off the picture: nearest edge pixel
			a = min(max(int(math.Round(centre)), 0), size-1)
			b = a
		}
		t.first[i], t.off[i] = a, len(t.w)
		var sum float64
		for s := a; s <= b; s++ {
			sum += catmullRom((float64(s) - centre) / width)
		}
		if sum == 0 {
			sum = 1
		}
		for s := a; s <= b; s++ {
			t.w = append(t.w, float32(catmullRom((float64(s)-centre)/width)/sum))
		}
		t.n[i] = b - a + 1
		t.most = max(t.most, t.n[i])
	}
	return t
}

// scaleRows resamples region src of img (in img's pixel coordinates,
// fractional, and clamped reads at img's edges) to w×h pixels and hands
// each output row, premultiplied RGBA bytes, to emit in order of y within
// a band. The bands of rows run in parallel; emit is called concurrently
// for different rows.
func scaleRows(img *image.NRGBA, src [4]float64, w, h int, opaque bool, emit func(y int, row []uint8)) {
	b := img.Bounds()
	across := newTaps(w, src[0]-float64(b.Min.X), src[2]-src[0], b.Dx())
	down := newTaps(h, src[1]-float64(b.Min.Y), src[3]-src[1], b.Dy())
	bands(h, 64, func(y0, y1 int) {
		scaleBand(img, &across, &down, y0, y1, w, opaque, emit)
	})
}

// scaleBand produces output rows y0 … y1-1. Rows in the ring hold 4
// channels per pixel, or 3 (no alpha) for an opaque picture.
func scaleBand(img *image.NRGBA, across, down *taps, y0, y1, w int, opaque bool, emit func(int, []uint8)) {
	ch := 4
	if opaque {
		ch = 3
	}
	slots := down.most + 1
	ring := make([]float32, slots*w*ch)
	held := make([]int, slots) // the source row each slot holds, or -1
	for i := range held {
		held[i] = -1
	}
	out := make([]uint8, w*4)
	acc := make([]float32, w*ch)
	b := img.Bounds()
	for y := y0; y < y1; y++ {
		clear(acc)
		first, n := down.first[y], down.n[y]
		for j, wy := range down.w[down.off[y] : down.off[y]+n] {
			sy := first + j
			slot := sy % slots
			row := ring[slot*w*ch : (slot+1)*w*ch]
			if held[slot] != sy {
				pix := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+sy):]
				if opaque {
					filterOpaque(pix, across, row)
				} else {
					filterAlpha(pix, across, row)
				}
				held[slot] = sy
			}
			row = row[:len(acc)]
			for i, v := range row {
				acc[i] += wy * v
			}
		}
		if opaque {
			for x := range w {
				a, o := acc[x*3:x*3+3:x*3+3], out[x*4:x*4+4:x*4+4]
				o[0] = uint8(clampByte(a[0]) + 0.5)
				o[1] = uint8(clampByte(a[1]) + 0.5)
				o[2] = uint8(clampByte(a[2]) + 0.5)
				o[3] = 255
			}
		} else {
			for x := range w {
				a, o := acc[x*4:x*4+4:x*4+4], out[x*4:x*4+4:x*4+4]
				al := clampByte(a[3])
				o[0] = uint8(min(clampByte(a[0]), al) + 0.5)
				o[1] = uint8(min(clampByte(a[1]), al) + 0.5)
				o[2] = uint8(min(clampByte(a[2]), al) + 0.5)
				o[3] = uint8(al + 0.5)
			}
		}
		emit(y, out)
	}
}

func clampByte(v float32) float32 { return min(max(v, 0), 255) }

// filterOpaque filters one source row of an opaque picture (RGBA bytes
// from its first pixel) across into row, 3 channels a pixel.
func filterOpaque(pix []uint8, t *taps, row []float32) {
	for x, first := range t.first {
		var r, g, b float32
		ws := t.w[t.off[x] : t.off[x]+t.n[x]]
		s := pix[first*4 : first*4+len(ws)*4]
		for j, wt := range ws {
			p := s[j*4 : j*4+3 : j*4+3]
			r += wt * float32(p[0])
			g += wt * float32(p[1])
			b += wt * float32(p[2])
		}
		o := row[x*3 : x*3+3 : x*3+3]
		o[0], o[1], o[2] = r, g, b
	}
}

// filterAlpha filters one source row (straight RGBA bytes from its first
// pixel) across into row, premultiplied, 4 channels a pixel.
func filterAlpha(pix []uint8, t *taps, row []float32) {
	for x, first := range t.first {
		var r, g, b, a float32
		ws := t.w[t.off[x] : t.off[x]+t.n[x]]
		s := pix[first*4 : first*4+len(ws)*4]
		for j, wt := range ws {
			p := s[j*4 : j*4+4 : j*4+4]
			wa := wt * float32(p[3]) / 255
			r += wa * float32(p[0])
			g += wa * float32(p[1])
			b += wa * float32(p[2])
			a += wt * float32(p[3])
		}
		o := row[x*4 : x*4+4 : x*4+4]
		o[0], o[1], o[2], o[3] = r, g, b, a
	}
}

// over composites a premultiplied row onto dst's pixels (premultiplied
// RGBA bytes): an opaque row replaces them.
func over(dst, row []uint8) {
	for i := 0; i < len(row); i += 4 {
		a := uint32(row[i+3])
		if a == 255 {
			copy(dst[i:i+4], row[i:i+4])
			continue
		}
		k := 255 - a
		dst[i+0] = uint8(uint32(row[i+0]) + (uint32(dst[i+0])*k+127)/255)
		dst[i+1] = uint8(uint32(row[i+1]) + (uint32(dst[i+1])*k+127)/255)
		dst[i+2] = uint8(uint32(row[i+2]) + (uint32(dst[i+2])*k+127)/255)
		dst[i+3] = uint8(a + (uint32(dst[i+3])*k+127)/255)
	}
}

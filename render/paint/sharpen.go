package paint

import (
	"image"
	"math"
)

// Output sharpening: a canvas whose sides are both under smallCanvas px is
// sharpened lightly once everything is painted (the photo lost detail to
// the downscale and small thumbnails are viewed at 1:1), and a photo drawn
// larger than its pixels (crop Scale > 1) is sharpened in proportion to
// the enlargement, up to maxEnlargeAmount, right after it is drawn.
const (
	smallCanvas       = 400
	smallCanvasAmount = 0.35
	enlargeAmount     = 0.5 // per unit of scale above 1
	maxEnlargeAmount  = 0.6
	sharpenThreshold  = 2 // levels of difference left alone (noise, flat areas)
)

// OutputSharpening returns the unsharp-mask amount for a finished canvas of
// w x h pixels: smallCanvasAmount when both sides are under 400 px, else 0.
func OutputSharpening(w, h int) float64 {
	if w < smallCanvas && h < smallCanvas {
		return smallCanvasAmount
	}
	return 0
}

// EnlargeSharpening returns the unsharp-mask amount for a photo drawn at
// scale (canvas pixels per photo pixel): 0 up to 1, then rising with the
// enlargement to at most maxEnlargeAmount.
func EnlargeSharpening(scale float64) float64 {
	if !(scale > 1.02) {
		return 0
	}
	return math.Min(maxEnlargeAmount, enlargeAmount*(scale-1))
}

// Sharpen applies an unsharp mask with a 3x3 binomial blur (radius about
// one pixel) to r of an opaque RGBA image, in place: each channel becomes
// v + amount*(v - blur(v)), clamped, where the difference exceeds
// sharpenThreshold levels. Pixels outside r take the nearest edge pixel's
// value. amount <= 0 or an r under 3 pixels a side leaves img as it is.
// Alpha is not touched. It keeps three rows of the original at a time.
func Sharpen(img *image.RGBA, r image.Rectangle, amount float64) {
	r = r.Intersect(img.Bounds())
	if amount <= 0 || r.Dx() < 3 || r.Dy() < 3 {
		return
	}
	w, h := r.Dx(), r.Dy()
	n := w * 4
	// Rows of the original: above, this one, below (clamped at the edges).
	rows := [3][]uint8{make([]uint8, n), make([]uint8, n), make([]uint8, n)}
	load := func(dst []uint8, y int) {
		y = min(max(y, 0), h-1)
		i := img.PixOffset(r.Min.X, r.Min.Y+y)
		copy(dst, img.Pix[i:i+n])
	}
	load(rows[0], 0)
	load(rows[1], 0)
	load(rows[2], 1)
	k := int(math.Round(amount * 256)) // fixed point, 8 bits
	for y := range h {
		up, mid, down := rows[0], rows[1], rows[2]
		o := img.PixOffset(r.Min.X, r.Min.Y+y)
		out := img.Pix[o : o+n : o+n]
		px := func(x int) {
			xl, xr := max(x-1, 0)*4, min(x+1, w-1)*4
			xc := x * 4
			for c := range 3 {
				sharpenAt(out, up, mid, down, xl+c, xc+c, xr+c, k)
			}
		}
		px(0)
		// The interior, without clamping: neighbours are 4 bytes away.
		for i := 4; i < n-4; i++ {
			if i&3 == 3 {
				continue // alpha
			}
			sharpenAt(out, up, mid, down, i-4, i, i+4, k)
		}
		px(w - 1)
		// Roll: the row below becomes this one; load the next one below.
		rows[0], rows[1], rows[2] = mid, down, up
		load(rows[2], y+2)
	}
}

// sharpenAt sharpens one channel byte at index c of the row out, whose
// original is mid (up and down the rows around it), with its left and
// right neighbours at l and r; k is the amount in 8-bit fixed point.
func sharpenAt(out, up, mid, down []uint8, l, c, r, k int) {
	v := int(mid[c])
	blur := (4*v + 2*(int(mid[l])+int(mid[r])+int(up[c])+int(down[c])) +
		int(up[l]) + int(up[r]) + int(down[l]) + int(down[r]) + 8) >> 4
	d := v - blur
	if d <= sharpenThreshold && d >= -sharpenThreshold {
		return
	}
	out[c] = uint8(min(max(v+(k*d+128)>>8, 0), 255))
}

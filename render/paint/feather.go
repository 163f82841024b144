package paint

import (
	"image"
	"image/color"
)

// drawFeathered paints c over core at its full alpha and fades it out over
// feather pixels beyond every edge of core (a smoothstep in each
// direction, multiplied at the corners), clipped to the canvas. The core
// goes through the fast uniform fill; only the feathered band is blended
// pixel by pixel.
func drawFeathered(img *image.RGBA, core image.Rectangle, feather int, c color.NRGBA) {
	if c.A == 0 || core.Empty() {
		return
	}
	bounds := img.Bounds()
	fillOver(img, core.Intersect(bounds), c)
	if feather <= 0 {
		return
	}
	outer := core.Inset(-feather).Intersect(bounds)
	// weight of a pixel d pixels outside the core along one axis.
	wt := func(d int) float64 {
		if d <= 0 {
			return 1
		}
		if d >= feather {
			return 0
		}
		t := 1 - (float64(d)-0.5)/float64(feather)
		t = min(max(t, 0), 1)
		return t * t * (3 - 2*t)
	}
	dist := func(v, lo, hi int) int { // distance of pixel v outside [lo, hi)
		switch {
		case v < lo:
			return lo - v
		case v >= hi:
			return v - hi + 1
		}
		return 0
	}
	a := float64(c.A) / 255
	// The weights of the columns, computed once rather than per pixel.
	wx := make([]float64, outer.Dx())
	for x := range wx {
		wx[x] = wt(dist(outer.Min.X+x, core.Min.X, core.Max.X))
	}
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		wy := wt(dist(y, core.Min.Y, core.Max.Y))
		inRows := y >= core.Min.Y && y < core.Max.Y
		row := img.Pix[img.PixOffset(outer.Min.X, y):]
		for x := 0; x < len(wx); x++ {
			if inRows && x+outer.Min.X >= core.Min.X && x+outer.Min.X < core.Max.X {
				x = core.Max.X - outer.Min.X - 1 // the core is painted already
				continue
			}
			k := a * wy * wx[x]
			if k <= 0 {
				continue
			}
			px := row[4*x : 4*x+4 : 4*x+4]
			px[0] = blendByte(px[0], c.R, k)
			px[1] = blendByte(px[1], c.G, k)
			px[2] = blendByte(px[2], c.B, k)
		}
	}
}

// blendByte is dst over which src lies at alpha k (0..1), on an opaque
// canvas.
func blendByte(dst, src uint8, k float64) uint8 {
	v := float64(dst)*(1-k) + float64(src)*k
	return uint8(v + 0.5)
}

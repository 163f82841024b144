package photo

import (
	"image"
	"math"
)

// rgbImage is a small 8-bit RGB copy of a photo, 3 bytes per pixel, used for
// detection only.
type rgbImage struct {
	pix  []uint8
	w, h int
}

// shrinkRGB returns img box-averaged by the smallest whole factor that brings
// its long side to at most maxSide pixels. Alpha is ignored: photos are
// flattened before they get here.
func shrinkRGB(img *image.NRGBA, maxSide int) rgbImage {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	k := (max(W, H) + maxSide - 1) / maxSide
	k = max(k, 1)
	ow, oh := (W+k-1)/k, (H+k-1)/k
	out := rgbImage{pix: make([]uint8, ow*oh*3), w: ow, h: oh}
	// Big blocks are sampled on a sparser grid (2 or 3 points per block
	// side) to keep a 16 MP photo fast; blocks up to 3 px use every pixel.
	st := max(1, k/2)
	sums := make([]uint32, ow*3)
	for oy := 0; oy < oh; oy++ {
		clear(sums)
		y0, y1 := oy*k, min(oy*k+k, H)
		rows := 0
		for y := y0; y < y1; y += st {
			rows++
			row := img.Pix[y*img.Stride : y*img.Stride+W*4]
			for ox := 0; ox < ow; ox++ {
				var r, g, b uint32
				blk := row[ox*k*4 : min(ox*k+k, W)*4]
				for i := 0; i+3 < len(blk); i += 4 * st {
					r += uint32(blk[i])
					g += uint32(blk[i+1])
					b += uint32(blk[i+2])
				}
				s := sums[ox*3 : ox*3+3 : ox*3+3]
				s[0] += r
				s[1] += g
				s[2] += b
			}
		}
		dst := out.pix[oy*ow*3 : (oy+1)*ow*3]
		for ox := 0; ox < ow; ox++ {
			cols := (min(ox*k+k, W) - ox*k + st - 1) / st
			n := uint32(rows * cols)
			for c := 0; c < 3; c++ {
				dst[ox*3+c] = uint8((sums[ox*3+c] + n/2) / n)
			}
		}
	}
	return out
}

// shrink box-averages m by a whole factor so its long side is at most
// maxSide; it returns m itself when it is small enough.
func (m rgbImage) shrink(maxSide int) rgbImage {
	if max(m.w, m.h) <= maxSide {
		return m
	}
	nrgba := &image.NRGBA{Pix: make([]uint8, m.w*m.h*4), Stride: m.w * 4, Rect: image.Rect(0, 0, m.w, m.h)}
	for i := 0; i < m.w*m.h; i++ {
		copy(nrgba.Pix[i*4:i*4+3], m.pix[i*3:i*3+3])
	}
	return shrinkRGB(nrgba, maxSide)
}

// gray returns the luma of m (BT.601 weights). When m's long side is below
// minSide it is enlarged bilinearly by a whole factor (at most 4) so that
// small faces reach the detector's smallest window.
func (m rgbImage) gray(minSide int) (pix []uint8, w, h int) {
	lum := make([]uint8, m.w*m.h)
	for i := range lum {
		p := m.pix[i*3 : i*3+3 : i*3+3]
		lum[i] = uint8((299*uint32(p[0]) + 587*uint32(p[1]) + 114*uint32(p[2]) + 500) / 1000)
	}
	u := 1
	for u < 4 && max(m.w, m.h)*u < minSide {
		u++
	}
	if u == 1 {
		return lum, m.w, m.h
	}
	w, h = m.w*u, m.h*u
	pix = make([]uint8, w*h)
	for y := 0; y < h; y++ {
		sy := (float64(y)+0.5)/float64(u) - 0.5
		y0 := int(math.Floor(sy))
		ty := sy - float64(y0)
		ya, yb := clampInt(y0, 0, m.h-1), clampInt(y0+1, 0, m.h-1)
		for x := 0; x < w; x++ {
			sx := (float64(x)+0.5)/float64(u) - 0.5
			x0 := int(math.Floor(sx))
			tx := sx - float64(x0)
			xa, xb := clampInt(x0, 0, m.w-1), clampInt(x0+1, 0, m.w-1)
			top := float64(lum[ya*m.w+xa])*(1-tx) + float64(lum[ya*m.w+xb])*tx
			bot := float64(lum[yb*m.w+xa])*(1-tx) + float64(lum[yb*m.w+xb])*tx
			pix[y*w+x] = uint8(top*(1-ty) + bot*ty + 0.5)
		}
	}
	return pix, w, h
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// saliencySide is the long side, in pixels, of the copy the saliency map is
// computed on.
const saliencySide = 256

// findDetail returns the bounding box, in w×h photo pixels, of the densest
// salient region of small, or false for a featureless image.
//
// The measure is deliberately simple and deterministic: per pixel, local
// luma contrast (central differences) plus how far the colour saturation is
// from the image's mean plus a bonus for skin tones, weighted mildly towards
// the centre. The map is box-blurred; the region is the 4-connected set of
// pixels around the strongest point whose blurred value is at least 60% of
// that peak.
func findDetail(small rgbImage, w, h int) (Subject, bool) {
	m := small.shrink(saliencySide)
	if m.w < 3 || m.h < 3 {
		return Subject{}, false
	}
	sal := saliencyMap(m)
	r := max(2, max(m.w, m.h)/20)
	blur := boxBlur(sal, m.w, m.h, r)
	peak, at := 0.0, 0
	sum := 0.0
	for i, v := range blur {
		sum += v
		if v > peak {
			peak, at = v, i
		}
	}
	mean := sum / float64(len(blur))
	if peak <= 0 || peak < 1.15*mean {
		return Subject{}, false
	}
	box := growRegion(blur, m.w, at, 0.6*peak)
	fx, fy := float64(w)/float64(m.w), float64(h)/float64(m.h)
	rect := image.Rect(
		int(math.Floor(float64(box.Min.X)*fx)), int(math.Floor(float64(box.Min.Y)*fy)),
		int(math.Ceil(float64(box.Max.X)*fx)), int(math.Ceil(float64(box.Max.Y)*fy)),
	).Intersect(image.Rect(0, 0, w, h))
	return Subject{Rect: rect, Kind: SubjectDetail, Score: peak / mean}, !rect.Empty()
}

// saliencyMap scores each pixel of m (see findDetail).
func saliencyMap(m rgbImage) []float64 {
	n := m.w * m.h
	lum := make([]float64, n)
	sat := make([]float64, n)
	meanSat := 0.0
	for i := 0; i < n; i++ {
		r, g, b := int(m.pix[i*3]), int(m.pix[i*3+1]), int(m.pix[i*3+2])
		lum[i] = 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
		sat[i] = float64(max(r, g, b) - min(r, g, b))
		meanSat += sat[i]
	}
	meanSat /= float64(n)
	out := make([]float64, n)
	cx, cy := float64(m.w-1)/2, float64(m.h-1)/2
	for y := 1; y < m.h-1; y++ {
		for x := 1; x < m.w-1; x++ {
			i := y*m.w + x
			contrast := math.Abs(lum[i+1]-lum[i-1]) + math.Abs(lum[i+m.w]-lum[i-m.w])
			v := contrast + 0.5*math.Abs(sat[i]-meanSat)
			if isSkin(m.pix[i*3], m.pix[i*3+1], m.pix[i*3+2]) {
				v += 40
			}
			dx, dy := (float64(x)-cx)/cx, (float64(y)-cy)/cy
			out[i] = v * (1 - 0.3*(dx*dx+dy*dy)/2)
		}
	}
	return out
}

// isSkin is a coarse RGB skin-tone rule for well-lit photos.
func isSkin(r, g, b uint8) bool {
	return r > 95 && g > 40 && b > 20 && r > g && r > b &&
		int(r)-int(min(g, b)) > 15 && int(r)-int(g) > 15
}

// boxBlur averages v (w×h) over (2r+1)² windows clipped to the image, using
// a summed-area table.
func boxBlur(v []float64, w, h, r int) []float64 {
	sat := make([]float64, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		row := 0.0
		for x := 0; x < w; x++ {
			row += v[y*w+x]
			sat[(y+1)*(w+1)+x+1] = sat[y*(w+1)+x+1] + row
		}
	}
	out := make([]float64, w*h)
	for y := 0; y < h; y++ {
		y0, y1 := max(0, y-r), min(h, y+r+1)
		for x := 0; x < w; x++ {
			x0, x1 := max(0, x-r), min(w, x+r+1)
			s := sat[y1*(w+1)+x1] - sat[y0*(w+1)+x1] - sat[y1*(w+1)+x0] + sat[y0*(w+1)+x0]
			out[y*w+x] = s / float64((y1-y0)*(x1-x0))
		}
	}
	return out
}

// growRegion returns the bounding box of the 4-connected pixels of v (w wide)
// reachable from index start whose value is at least t.
func growRegion(v []float64, w, start int, t float64) image.Rectangle {
	seen := make([]bool, len(v))
	stack := []int{start}
	seen[start] = true
	box := image.Rect(start%w, start/w, start%w+1, start/w+1)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		box = box.Union(image.Rect(x, y, x+1, y+1))
		for _, n := range [4]int{i - 1, i + 1, i - w, i + w} {
			if n < 0 || n >= len(v) || seen[n] || (n == i-1 && x == 0) || (n == i+1 && x == w-1) {
				continue
			}
			if v[n] >= t {
				seen[n] = true
				stack = append(stack, n)
			}
		}
	}
	return box
}

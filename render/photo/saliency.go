package photo

import (
	"image"
	"math"
	"sort"
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
	return shrinkPix(img.Pix, img.Stride, 4, img.Rect.Dx(), img.Rect.Dy(), maxSide)
}

// shrinkPix box-averages the W×H image in pix (rows stride bytes apart,
// bpp bytes per pixel, red, green and blue first) by the smallest whole
// factor that brings its long side to at most maxSide pixels.
func shrinkPix(pix []uint8, stride, bpp, W, H, maxSide int) rgbImage {
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
			row := pix[y*stride : y*stride+W*bpp]
			for ox := 0; ox < ow; ox++ {
				var r, g, b uint32
				blk := row[ox*k*bpp : min(ox*k+k, W)*bpp]
				for i := 0; i+bpp-1 < len(blk); i += bpp * st {
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
	return shrinkPix(m.pix, m.w*3, 3, m.w, m.h, maxSide)
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

// Object search tuning (see findObject).
const (
	objectSide        = 200  // long side of the saliency image, pixels
	objectBorder      = 0.06 // width of the frame band that models the background
	objectPatches     = 48   // background colour samples taken along the band
	objectKeepPatches = 70   // percentage of the samples kept: the most typical ones
	// objectLocalShare is the weight of local (centre-surround) contrast
	// against distinctness from the background samples.
	objectLocalShare = 0.5
	// objectFocusFloor is the weight a blurred pixel keeps: 0 would let
	// only sharp pixels count.
	objectFocusFloor  = 0.15
	objectCentreSigma = 0.3  // centre prior: Gaussian sigma, fraction of the side
	objectJoin        = 0.45 // a region this close to a level's best joins it
	objectAreaCost    = 1.5  // candidate boxes: map mass kept minus this × area
	objectMoments     = 1.8  // box half-size in weighted standard deviations
	objectMinRatio    = 2.5  // inside/outside mean saliency for any object
	// A confident object stands out from the ring around its box (the ring's
	// mean saliency at most 1−objectConfStand of the inside's), holds
	// objectConfRatio times the mean saliency of the rest of the frame,
	// beats any candidate apart from it objectConfDominance times, covers at
	// most objectConfArea percent of the frame and spans at most
	// objectConfSpan percent of the frame's long side (a band across the
	// frame is scenery: a ridge, a horizon).
	objectConfStand     = 0.6
	objectConfRatio     = 3
	objectConfDominance = 1.5
	objectConfArea      = 40
	objectConfSpan      = 75
)

// findObject returns the most salient compact foreground region of small as
// an object subject in w×h photo pixels, or false when no region stands out
// from the rest of the photo.
//
// Per pixel of a ~200 px copy (see objectSaliency), saliency is the
// product of
//   - distinctness, half from the background and half local: the colour
//     distance (in an opponent colour space) to the nearest of the
//     objectPatches background samples averaged along the frame's edges,
//     so that textures and colours that fill the background score low
//     wherever they are; and centre-surround colour contrast at three
//     scales, so that a small thing stands out from what is right around
//     it even when its colours also occur at the frame's edge;
//   - focus: local sharpness (absolute Laplacian, blurred), normalised by
//     its high percentile, so that in-focus subjects beat blurred
//     backgrounds;
//   - a centre prior (a wide Gaussian).
//
// The blurred map is cut at several levels (see bestObjectBox); the
// candidate box that keeps the most saliency for its area, stands out from
// the ring around it and leaves the frame's edges alone wins, and is
// tightened to the saliency-weighted spread inside it (see momentBox).
func findObject(small rgbImage, w, h int) (Subject, bool) {
	m := small.shrink(objectSide)
	blur, focus := objectSaliency(m)
	if blur == nil {
		return Subject{}, false
	}
	n := m.w * m.h
	peak := 0.0
	for _, v := range blur {
		peak = max(peak, v)
	}
	if peak <= 0 {
		return Subject{}, false
	}
	c, ok := bestObjectBox(blur, focus, m.w, m.h, peak)
	if !ok {
		return Subject{}, false
	}
	c.box = momentBox(blur, m.w, c.box, objectMoments)
	box := c.box
	// A band across the frame's long side (a ridge, a horizon, a table
	// edge) is scenery, not an object.
	band := box.Dx()*100 > objectConfSpan*m.w
	if m.h > m.w {
		band = box.Dy()*100 > objectConfSpan*m.h
	}
	confident := c.stand >= objectConfStand && c.ratio >= objectConfRatio && c.dom >= objectConfDominance &&
		box.Dx()*box.Dy()*100 <= objectConfArea*n && !band
	fx, fy := float64(w)/float64(m.w), float64(h)/float64(m.h)
	rect := image.Rect(
		int(math.Floor(float64(box.Min.X)*fx)), int(math.Floor(float64(box.Min.Y)*fy)),
		int(math.Ceil(float64(box.Max.X)*fx)), int(math.Ceil(float64(box.Max.Y)*fy)),
	).Intersect(image.Rect(0, 0, w, h))
	if rect.Empty() {
		return Subject{}, false
	}
	return Subject{Rect: rect, Kind: SubjectObject, Score: math.Round(c.ratio*100) / 100, Confident: confident}, true
}

// objectSaliency returns the blurred object saliency map of m (see
// findObject) and its focus map (blurred absolute Laplacian of the luma),
// or nils when m is too small or featureless.
func objectSaliency(m rgbImage) (sal, focus []float64) {
	if m.w < 16 || m.h < 16 {
		return nil, nil
	}
	n := m.w * m.h
	// Opponent colour channels (roughly perceptual: L, red-green,
	// yellow-blue) and luma.
	lab := make([][3]float64, n)
	for i := 0; i < n; i++ {
		r, g, b := float64(m.pix[i*3]), float64(m.pix[i*3+1]), float64(m.pix[i*3+2])
		l := 0.299*r + 0.587*g + 0.114*b
		lab[i] = [3]float64{l, 1.2 * (r - g), 0.8 * ((r+g)/2 - b)}
	}
	bg := borderPatches(lab, m.w, m.h)
	dist := make([]float64, n)
	for i := range dist {
		best := math.Inf(1)
		for _, p := range bg {
			d0, d1, d2 := lab[i][0]-p[0], lab[i][1]-p[1], lab[i][2]-p[2]
			best = min(best, d0*d0+d1*d1+d2*d2)
		}
		dist[i] = math.Sqrt(best)
	}
	// Focus: |Laplacian| of luma, blurred, normalised by its 90th percentile.
	lap := make([]float64, n)
	for y := 1; y < m.h-1; y++ {
		for x := 1; x < m.w-1; x++ {
			i := y*m.w + x
			lap[i] = math.Abs(4*lab[i][0] - lab[i-1][0] - lab[i+1][0] - lab[i-m.w][0] - lab[i+m.w][0])
		}
	}
	focus = boxBlur(lap, m.w, m.h, max(2, max(m.w, m.h)/40))
	fn := percentile(focus, 0.9)
	dn := percentile(dist, 0.95)
	if fn <= 0 || dn <= 0 {
		return nil, nil
	}
	cs := centreSurround(lab, m.w, m.h)
	cn := percentile(cs, 0.95)
	sal = make([]float64, n)
	cx, cy := float64(m.w-1)/2, float64(m.h-1)/2
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			i := y*m.w + x
			dx, dy := (float64(x)-cx)/float64(m.w), (float64(y)-cy)/float64(m.h)
			centre := math.Exp(-(dx*dx + dy*dy) / (2 * objectCentreSigma * objectCentreSigma))
			f := min(1, focus[i]/fn)
			d := min(1.5, dist[i]/dn)
			c := 0.0
			if cn > 0 {
				c = min(1.5, cs[i]/cn)
			}
			d = (1-objectLocalShare)*d + objectLocalShare*c
			sal[i] = d * d * (objectFocusFloor + (1-objectFocusFloor)*f) * centre
		}
	}
	blur := boxBlur(sal, m.w, m.h, max(2, max(m.w, m.h)/50))
	return blur, focus
}

// borderPatches averages the colours of lab (w×h) over objectPatches
// square patches spread evenly along the frame's edges.
func borderPatches(lab [][3]float64, w, h int) [][3]float64 {
	b := max(2, int(objectBorder*float64(min(w, h))))
	per := 2 * (w + h)
	out := make([][3]float64, 0, objectPatches)
	for k := 0; k < objectPatches; k++ {
		t := (k*per)/objectPatches + per/(2*objectPatches)
		var x0, y0 int
		switch {
		case t < w:
			x0, y0 = t, 0
		case t < w+h:
			x0, y0 = w-b, t-w
		case t < 2*w+h:
			x0, y0 = 2*w+h-t, h-b
		default:
			x0, y0 = 0, per-t
		}
		x0, y0 = clampInt(x0-b/2, 0, w-b), clampInt(y0-b/2, 0, h-b)
		var s [3]float64
		for y := y0; y < y0+b; y++ {
			for x := x0; x < x0+b; x++ {
				for c := 0; c < 3; c++ {
					s[c] += lab[y*w+x][c]
				}
			}
		}
		for c := range s {
			s[c] /= float64(b * b)
		}
		out = append(out, s)
	}
	// A subject that crosses the frame's edge leaves patches unlike the
	// rest of the band: keep the objectKeepPatches share of patches most
	// like the others (smallest summed distance to them).
	type ranked struct {
		p [3]float64
		d float64
	}
	rk := make([]ranked, len(out))
	for i, a := range out {
		rk[i].p = a
		for _, b := range out {
			d0, d1, d2 := a[0]-b[0], a[1]-b[1], a[2]-b[2]
			rk[i].d += math.Sqrt(d0*d0 + d1*d1 + d2*d2)
		}
	}
	sort.SliceStable(rk, func(i, j int) bool { return rk[i].d < rk[j].d })
	keep := max(1, len(rk)*objectKeepPatches/100)
	out = out[:0]
	for _, r := range rk[:keep] {
		out = append(out, r.p)
	}
	return out
}

// percentile returns the q-quantile (0..1) of v, which it leaves as is.
func percentile(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	return selectKth(s, min(len(s)-1, int(q*float64(len(s)))))
}

// selectKth returns the k-th smallest value of s (0-based), reordering s:
// quickselect with a median-of-three pivot, deterministic.
func selectKth(s []float64, k int) float64 {
	lo, hi := 0, len(s)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		a, b, c := s[lo], s[mid], s[hi]
		p := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for s[i] < p {
				i++
			}
			for s[j] > p {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}

// salRegion is a connected salient region: its box, summed value, pixel
// count and score (see findObject).
type salRegion struct {
	box   image.Rectangle
	sum   float64
	n     int
	score float64
}

// salientRegions labels the 4-connected regions of v (w×h) at or above t
// that contain a value at or above seed and scores them: summed value ×
// (0.3 + compactness) × 0.6 per frame edge the box touches.
func salientRegions(v []float64, w, h int, seed, t float64) []salRegion {
	label := make([]bool, len(v))
	var out []salRegion
	stack := make([]int, 0, 64)
	for start := range v {
		if label[start] || v[start] < seed {
			continue
		}
		label[start] = true
		stack = append(stack[:0], start)
		r := salRegion{box: image.Rect(start%w, start/w, start%w+1, start/w+1)}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			r.sum += v[i]
			r.n++
			r.box = r.box.Union(image.Rect(x, y, x+1, y+1))
			for _, nb := range [4]int{i - 1, i + 1, i - w, i + w} {
				if nb < 0 || nb >= len(v) || label[nb] || (nb == i-1 && x == 0) || (nb == i+1 && x == w-1) {
					continue
				}
				if v[nb] >= t {
					label[nb] = true
					stack = append(stack, nb)
				}
			}
		}
		compact := float64(r.n) / float64(r.box.Dx()*r.box.Dy())
		edges := 0
		for _, touch := range [4]bool{r.box.Min.X == 0, r.box.Min.Y == 0, r.box.Max.X == w, r.box.Max.Y == h} {
			if touch {
				edges++
			}
		}
		r.score = r.sum * (0.3 + compact) * math.Pow(0.6, float64(edges))
		out = append(out, r)
	}
	return out
}

// objectCand is a candidate object box on the saliency map, with its
// measures (see bestObjectBox).
type objectCand struct {
	box   image.Rectangle
	stand float64 // how much the box stands out from the ring around it, 0..1
	ratio float64 // mean saliency inside the box over the mean outside it
	dom   float64 // this candidate's objective over the best disjoint rival's
	obj   float64 // the objective the candidates are ranked by
}

// objectLevels are the thresholds, as fractions of the map's peak, at
// which candidate regions are cut.
var objectLevels = [...]float64{0.75, 0.6, 0.45, 0.33, 0.22}

// bestObjectBox cuts the saliency map v (w×h, peak value peak) at the
// objectLevels, takes each connected region and each union of the
// strongest regions of a level as a candidate box, and returns the
// candidate that best stands out. A candidate's objective is the share of
// the map's mass it holds less objectAreaCost times the share of the frame
// it covers (a box pays for its empty area), times how much it stands out
// from the ring around it, times its sharpness relative to the frame's
// (focus, same size as v), times 0.8 for each frame edge it touches. The
// returned candidate carries its dominance over the best candidate apart
// from it; false when its mean saliency is under objectMinRatio times the
// rest's.
func bestObjectBox(v, focus []float64, w, h int, peak float64) (objectCand, bool) {
	ii := sumTable(v, w, h)
	fi := sumTable(focus, w, h)
	fMean := fi[len(fi)-1] / float64(w*h)
	total := ii[len(ii)-1]
	var cands []objectCand
	add := func(b image.Rectangle) {
		if b.Empty() {
			return
		}
		for _, c := range cands {
			if c.box == b {
				return
			}
		}
		in := rectSum(ii, w, b)
		area := b.Dx() * b.Dy()
		d := max(2, (b.Dx()+b.Dy())/8)
		outer := b.Inset(-d).Intersect(image.Rect(0, 0, w, h))
		ring := rectSum(ii, w, outer) - in
		ringN := outer.Dx()*outer.Dy() - area
		mIn := in / float64(area)
		if mIn <= 0 {
			return
		}
		mRing := 0.0
		if ringN > 0 {
			mRing = ring / float64(ringN)
		}
		stand := max(0, (mIn-mRing)/mIn)
		ratio := 100.0
		if out := (total - in) / float64(max(1, w*h-area)); out > 0 {
			ratio = min(100, mIn/out)
		}
		frac := float64(area) / float64(w*h)
		edges := 0
		for _, touch := range [4]bool{b.Min.X == 0, b.Min.Y == 0, b.Max.X == w, b.Max.Y == h} {
			if touch {
				edges++
			}
		}
		// The share of the map's mass the box holds, how it stands out,
		// and penalties for size and for frame edges.
		mass := in / total
		obj := (mass - objectAreaCost*frac) * stand * math.Pow(0.8, float64(edges))
		// Sharper than the frame on average: in focus.
		sharp := 1.0
		if fMean > 0 {
			sharp = min(3, rectSum(fi, w, b)/float64(area)/fMean)
		}
		obj *= sharp
		cands = append(cands, objectCand{box: b, stand: stand, ratio: ratio, obj: obj})
	}
	for _, lv := range objectLevels {
		regs := salientRegions(v, w, h, lv*peak, lv*peak)
		sort.SliceStable(regs, func(i, j int) bool { return regs[i].score > regs[j].score })
		var union image.Rectangle
		for k, r := range regs {
			if r.sum < 0.05*regs[0].sum {
				break
			}
			add(r.box)
			if k == 0 {
				union = r.box
			} else if r.score >= objectJoin*regs[0].score {
				union = union.Union(r.box)
				add(union)
			}
		}
	}
	if len(cands) == 0 {
		return objectCand{}, false
	}
	best := 0
	for i, c := range cands {
		if c.obj > cands[best].obj {
			best = i
		}
	}
	c := cands[best]
	rival := 0.0
	for _, r := range cands {
		if !r.box.Overlaps(c.box) {
			rival = max(rival, r.obj)
		}
	}
	c.dom = 100
	if rival > 0 {
		c.dom = c.obj / rival
	}
	return c, c.ratio >= objectMinRatio
}

// sumTable returns the summed-area table of v (w×h), (w+1)×(h+1) values.
func sumTable(v []float64, w, h int) []float64 {
	s := make([]float64, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		row := 0.0
		for x := 0; x < w; x++ {
			row += v[y*w+x]
			s[(y+1)*(w+1)+x+1] = s[y*(w+1)+x+1] + row
		}
	}
	return s
}

// rectSum returns the sum of the values in r from the summed-area table
// ii of a w-wide map.
func rectSum(ii []float64, w int, r image.Rectangle) float64 {
	W := w + 1
	return ii[r.Max.Y*W+r.Max.X] - ii[r.Min.Y*W+r.Max.X] - ii[r.Max.Y*W+r.Min.X] + ii[r.Min.Y*W+r.Min.X]
}

// centreSurround returns, per pixel of lab (w×h), the colour difference
// between a small window's mean and its surround's mean, summed over
// three scales.
func centreSurround(lab [][3]float64, w, h int) []float64 {
	n := w * h
	var tabs [3][]float64
	ch := make([]float64, n)
	for c := 0; c < 3; c++ {
		for i := range ch {
			ch[i] = lab[i][c]
		}
		tabs[c] = sumTable(ch, w, h)
	}
	out := make([]float64, n)
	side := max(w, h)
	bounds := image.Rect(0, 0, w, h)
	for _, r := range [...]int{max(1, side/64), max(1, side/32), max(2, side/16)} {
		R := 3 * r
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				in := image.Rect(x-r, y-r, x+r+1, y+r+1).Intersect(bounds)
				sur := image.Rect(x-R, y-R, x+R+1, y+R+1).Intersect(bounds)
				ai, as := float64(in.Dx()*in.Dy()), float64(sur.Dx()*sur.Dy())
				d2 := 0.0
				for c := 0; c < 3; c++ {
					d := rectSum(tabs[c], w, in)/ai - rectSum(tabs[c], w, sur)/as
					d2 += d * d
				}
				out[y*w+x] += math.Sqrt(d2)
			}
		}
	}
	return out
}

// momentBox returns the box centred on the saliency-weighted centroid of
// v (w wide) inside b, k weighted standard deviations each way, clipped
// to b.
func momentBox(v []float64, w int, b image.Rectangle, k float64) image.Rectangle {
	var sw, sx, sy, sxx, syy float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			q := v[y*w+x]
			fx, fy := float64(x)+0.5, float64(y)+0.5
			sw += q
			sx += q * fx
			sy += q * fy
			sxx += q * fx * fx
			syy += q * fy * fy
		}
	}
	if sw <= 0 {
		return b
	}
	mx, my := sx/sw, sy/sw
	dx := k * math.Sqrt(max(0, sxx/sw-mx*mx))
	dy := k * math.Sqrt(max(0, syy/sw-my*my))
	r := image.Rect(int(math.Floor(mx-dx)), int(math.Floor(my-dy)), int(math.Ceil(mx+dx)), int(math.Ceil(my+dy))).Intersect(b)
	if r.Empty() {
		return b
	}
	return r
}

package photo

import "math"

// integral holds the summed-area tables of one grey image of w×h pixels,
// each (w+1)×(h+1) with a zero first row and column:
//
//   - sum(X,Y) is the sum of the pixels left of column X and above row Y;
//   - sq(X,Y) the same for squared pixels (Haar variance), when wanted;
//   - tilt(X,Y) the sum of the pixels (x,y) with y < Y and
//     |x-(X-1)| <= Y-1-y, a triangle with its apex at pixel (X-1,Y-1)
//     opening upwards (for 45° rectangles), when wanted.
type integral struct {
	w, h int
	sum  []int32
	sq   []int64
	tilt []int32
	// scratch rows for the tilted table
	a, b, pa, pb, row []int64
}

// build fills the tables for pix (w×h), reusing the slices' storage.
func (it *integral) build(pix []uint8, w, h int, wantSq, wantTilt bool) {
	it.w, it.h = w, h
	s := w + 1
	n := s * (h + 1)
	it.sum = grow(it.sum, n)
	clear(it.sum[:s])
	if wantSq {
		it.sq = grow(it.sq, n)
		clear(it.sq[:s])
	}
	for y := 0; y < h; y++ {
		src := pix[y*w : y*w+w]
		up := it.sum[y*s : y*s+s]
		dst := it.sum[(y+1)*s : (y+1)*s+s]
		dst[0] = 0
		var acc int32
		for x, v := range src {
			acc += int32(v)
			dst[x+1] = up[x+1] + acc
		}
		if wantSq {
			upq := it.sq[y*s : y*s+s]
			dq := it.sq[(y+1)*s : (y+1)*s+s]
			dq[0] = 0
			var q int64
			for x, v := range src {
				q += int64(v) * int64(v)
				dq[x+1] = upq[x+1] + q
			}
		}
	}
	if wantTilt {
		it.buildTilt(pix, w, h)
	}
}

// buildTilt computes tilt = A - B where, with P(y,c) the sum of row y up to
// column c (0 left of the image, the row total right of it),
// A(X,Y) = sum over y<Y of P(y, X-1+(Y-1-y)) = A(X+1,Y-1) + P(Y-1,X-1) and
// B(X,Y) = sum over y<Y of P(y, X-2-(Y-1-y)) = B(X-1,Y-1) + P(Y-1,X-2).
// A(X,Y) for X >= w is the sum of all rows above Y, and B(X,Y) for X <= 0
// is zero, so no padding is needed.
func (it *integral) buildTilt(pix []uint8, w, h int) {
	s := w + 1
	it.tilt = grow(it.tilt, s*(h+1))
	clear(it.tilt[:s])
	it.a, it.b = grow(it.a, s), grow(it.b, s)
	it.pa, it.pb = grow(it.pa, s), grow(it.pb, s)
	it.row = grow(it.row, w)
	clear(it.pa)
	clear(it.pb)
	var above int64 // sum of all rows above the current one
	for Y := 1; Y <= h; Y++ {
		src := pix[(Y-1)*w : Y*w]
		var acc int64
		for x, v := range src {
			acc += int64(v)
			it.row[x] = acc // P(Y-1, x)
		}
		p := func(c int) int64 {
			if c < 0 {
				return 0
			}
			if c >= w {
				return acc
			}
			return it.row[c]
		}
		for X := 0; X <= w; X++ {
			var prevA int64
			if X+1 >= w {
				prevA = above
			} else {
				prevA = it.pa[X+1]
			}
			it.a[X] = prevA + p(X-1)
			var prevB int64
			if X-1 > 0 {
				prevB = it.pb[X-1]
			}
			it.b[X] = prevB + p(X-2)
			it.tilt[Y*s+X] = int32(it.a[X] - it.b[X])
		}
		above += acc
		it.pa, it.a = it.a, it.pa
		it.pb, it.b = it.b, it.pb
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// placed is a cascade made ready for one integral stride: every feature's
// corners as offsets from the window's top-left table index.
type placed struct {
	c      *cascade
	stride int
	flip   bool // cascade evaluated as if the image were mirrored
	haar   []placedHaar
	lbp    [][16]int32
	norm   [4]int32 // variance rectangle corners (Haar)
	area   float64
}

// placedHaar is one Haar feature ready for evaluation: for each rectangle
// its four table offsets and weight (unused rectangles weigh 0).
type placedHaar struct {
	off    [3][4]int32
	weight [3]float32
	tilted bool
}

// lbpFlip maps an LBP code read on a mirrored grid to the code the
// cascade expects: the neighbours are numbered clockwise from the top
// left (bit 7) to the left (bit 0), so top-left/top-right (7, 5),
// right/left (4, 0) and bottom-right/bottom-left (3, 1) swap.
var lbpFlip = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := func(i int) int { return (c >> i) & 1 }
		t[c] = uint8(b(5)<<7 | b(6)<<6 | b(7)<<5 | b(0)<<4 | b(1)<<3 | b(2)<<2 | b(3)<<1 | b(4))
	}
	return t
}()

// place prepares c for tables of the given stride; with flip it evaluates
// the cascade as if the image were mirrored left to right. A Haar cascade
// with tilted features cannot be mirrored this way (a mirrored 45°
// rectangle is a 135° one): [cascade.canFlip] says whether flip is honoured.
func (c *cascade) place(stride int, flip bool) *placed {
	return c.placeInto(&placed{}, stride, flip)
}

// placeInto is place reusing p's storage (the scan places each cascade
// again for every pyramid level).
func (c *cascade) placeInto(p *placed, stride int, flip bool) *placed {
	*p = placed{c: c, stride: stride, flip: flip && c.canFlip(), haar: p.haar[:0], lbp: p.lbp[:0]}
	at := func(x, y int) int32 { return int32(y*stride + x) }
	if c.lbp {
		p.lbp = grow(p.lbp, len(c.lbpF))
		for i, f := range c.lbpF {
			x := f.x
			if p.flip {
				x = c.w - f.x - 3*f.w
			}
			for r := 0; r < 4; r++ {
				for k := 0; k < 4; k++ {
					p.lbp[i][r*4+k] = at(x+k*f.w, f.y+r*f.h)
				}
			}
		}
		return p
	}
	p.haar = grow(p.haar, len(c.haar))
	clear(p.haar)
	for i, f := range c.haar {
		p.haar[i].tilted = f.tilted
		for k := 0; k < f.n; k++ {
			p.haar[i].weight[k] = f.weight[k]
			x, y, w, h := f.rects[k][0], f.rects[k][1], f.rects[k][2], f.rects[k][3]
			if p.flip {
				// Upright rectangles only (canFlip): mirror about the
				// window's vertical axis.
				x = c.w - x - w
			}
			if f.tilted {
				p.haar[i].off[k] = [4]int32{at(x, y), at(x+w, y+w), at(x-h, y+h), at(x+w-h, y+w+h)}
			} else {
				p.haar[i].off[k] = [4]int32{at(x, y), at(x+w, y), at(x, y+h), at(x+w, y+h)}
			}
		}
	}
	p.norm = [4]int32{at(1, 1), at(c.w-1, 1), at(1, c.h-1), at(c.w-1, c.h-1)}
	p.area = float64((c.w - 2) * (c.h - 2))
	return p
}

// canFlip reports whether place can evaluate c on the mirror image: always
// for LBP, and for Haar cascades without tilted features.
func (c *cascade) canFlip() bool {
	return c.lbp || !c.tilted
}

// eval runs the cascade on the window whose top-left pixel is (x,y); the
// window must lie inside the image. It reports whether every stage passed
// and the last stage's margin over its threshold.
func (p *placed) eval(it *integral, x, y int) (bool, float32) {
	n, m := p.run(it, x, y, len(p.c.stages))
	return n == len(p.c.stages), m
}

// run evaluates the first stages of the cascade (at most upto) on the
// window at (x,y) and returns how many passed, and the margin of the last
// one that passed over its threshold. A window that passes the first stages
// only is near a hit more often than not: the scan uses that to choose where
// to look closely. A Haar window of almost uniform grey (standard deviation
// of at most 10 grey levels, or none) is rejected before the first stage, as
// OpenCV does: run returns -1 for it.
//
// The arithmetic follows OpenCV's so that both accept the same windows
// (TestCascadeMatchesOpenCV): stage sums in float64 against thresholds
// lowered by 1e-5 when parsed, Haar feature sums in float32 times the
// float32 inverse of the window's normalisation.
func (p *placed) run(it *integral, x, y, upto int) (int, float32) {
	c := p.c
	base := int32(y*p.stride + x)
	stages := c.stages[:min(upto, len(c.stages))]
	if c.lbp {
		return p.runLBP(it.sum[base:], stages)
	}
	n := p.norm
	s := float64(it.sum[base+n[3]] - it.sum[base+n[1]] - it.sum[base+n[2]] + it.sum[base+n[0]])
	q := float64(it.sq[base+n[3]] - it.sq[base+n[1]] - it.sq[base+n[2]] + it.sq[base+n[0]])
	nf := p.area*q - s*s
	if nf <= 0 {
		return -1, 0
	}
	inv := float32(1 / math.Sqrt(nf))
	if p.area*float64(inv) >= 0.1 {
		return -1, 0
	}
	var tilt []int32
	if c.tilted {
		tilt = it.tilt[base:]
	}
	return p.runHaar(it.sum[base:], tilt, inv, stages)
}

// runLBP runs stages on the window whose sum table starts at b.
func (p *placed) runLBP(b []int32, stages []cascadeStage) (int, float32) {
	c := p.c
	var margin float32
	for si, st := range stages {
		var total float64
		for _, w := range c.weak[st.first : st.first+st.nWeak] {
			idx := 0
			for {
				nd := &c.nodes[w.node+idx]
				code := p.lbpCode(b, nd.feat)
				set := &c.sets[int(nd.thr)]
				next := nd.right
				if set[code>>5]&(1<<(code&31)) != 0 {
					next = nd.left
				}
				if next <= 0 {
					total += float64(c.leaves[w.leaf-next])
					break
				}
				idx = next
			}
		}
		if total < float64(st.thr) {
			return si, margin
		}
		margin = float32(total - float64(st.thr))
	}
	return len(stages), margin
}

// runHaar runs stages on the window whose sum and tilted tables start at
// sum and tilt; inv is the inverse of the window's normalisation.
func (p *placed) runHaar(sum, tilt []int32, inv float32, stages []cascadeStage) (int, float32) {
	c := p.c
	var margin float32
	for si, st := range stages {
		var total float64
		for _, w := range c.weak[st.first : st.first+st.nWeak] {
			idx := 0
			for {
				nd := &c.nodes[w.node+idx]
				f := &p.haar[nd.feat]
				tab := sum
				if f.tilted {
					tab = tilt
				}
				o := &f.off
				// The explicit conversions keep each product rounded to
				// float32 (no fused multiply-add), as OpenCV computes it.
				v := float32(f.weight[0]*float32(tab[o[0][0]]-tab[o[0][1]]-tab[o[0][2]]+tab[o[0][3]])) +
					float32(f.weight[1]*float32(tab[o[1][0]]-tab[o[1][1]]-tab[o[1][2]]+tab[o[1][3]]))
				if f.weight[2] != 0 {
					v += float32(f.weight[2] * float32(tab[o[2][0]]-tab[o[2][1]]-tab[o[2][2]]+tab[o[2][3]]))
				}
				next := nd.right
				if float32(v*inv) < nd.thr {
					next = nd.left
				}
				if next <= 0 {
					total += float64(c.leaves[w.leaf-next])
					break
				}
				idx = next
			}
		}
		if total < float64(st.thr) {
			return si, margin
		}
		margin = float32(total - float64(st.thr))
	}
	return len(stages), margin
}

func (p *placed) lbpCode(b []int32, feat int) uint8 {
	o := &p.lbp[feat]
	v0, v1, v2, v3 := b[o[0]], b[o[1]], b[o[2]], b[o[3]]
	v4, v5, v6, v7 := b[o[4]], b[o[5]], b[o[6]], b[o[7]]
	v8, v9, v10, v11 := b[o[8]], b[o[9]], b[o[10]], b[o[11]]
	v12, v13, v14, v15 := b[o[12]], b[o[13]], b[o[14]], b[o[15]]
	ctr := v10 - v6 - v9 + v5
	var code uint8
	if v5-v1-v4+v0 >= ctr {
		code |= 128
	}
	if v6-v2-v5+v1 >= ctr {
		code |= 64
	}
	if v7-v3-v6+v2 >= ctr {
		code |= 32
	}
	if v11-v7-v10+v6 >= ctr {
		code |= 16
	}
	if v15-v11-v14+v10 >= ctr {
		code |= 8
	}
	if v14-v10-v13+v9 >= ctr {
		code |= 4
	}
	if v13-v9-v12+v8 >= ctr {
		code |= 2
	}
	if v9-v5-v8+v4 >= ctr {
		code |= 1
	}
	if p.flip {
		code = lbpFlip[code]
	}
	return code
}

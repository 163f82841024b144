package jpegscale

import "math"

// The full-size (8×8) inverse DCT as two passes of a fast 8-point
// transform, after the factorisation of Arai, Agui and Nakajima: with each
// coefficient F[v][u] first multiplied by a[u]·a[v]/8, where a[0] = 1 and
// a[k] = √2·cos(kπ/16), an 8-point inverse DCT needs only 5 multiplications
// and 29 additions (a matrix product needs 64 multiplications). The
// prescale is applied as the coefficients are loaded.
//
// One pass, in terms of z[k] = a[k]·F[k] and Ck = cos(kπ/16), gives √8 times
// x[i] = Σk ½·c(k)·F[k]·cos((2i+1)kπ/16) (c(0) = 1/√2, else 1):
//
//	even part, a 4-point inverse DCT of z0, z2, z4, z6:
//	  s04 = z0+z4, d04 = z0−z4, s26 = z2+z6, r26 = √2·(z2−z6) − s26
//	  e0 = s04+s26, e3 = s04−s26, e1 = d04+r26, e2 = d04−r26
//	odd part, from the sums and differences of z1, z7 and z5, z3:
//	  p17 = z1+z7, m17 = z1−z7, p53 = z5+z3, m53 = z5−z3
//	  o0 = p17+p53
//	  w = 2·C2·(m53+m17)
//	  o1 = w − 2·(C2+C6)·m53 − o0
//	  o2 = √2·(p17−p53) − o1
//	  o3 = w − 2·(C2−C6)·m17 − o2
//	x[i] = e_i + o_i and x[7−i] = e_i − o_i for i = 0…3.
//
// The two passes together give 8 times the 2-D transform; the prescale's
// 1/8 cancels that.

var idct8Scale [64]float32 // a[v]·a[u]/8 at natural index 8v+u

const (
	idctSqrt2  = math.Sqrt2
	idct2C2    = 1.8477590650225735 // 2·cos(2π/16)
	idct2C2pC6 = 2.6131259297527530 // 2·(cos(2π/16)+cos(6π/16))
	idct2C2mC6 = 1.0823922002923940 // 2·(cos(2π/16)−cos(6π/16))
)

func init() {
	var a [8]float64
	a[0] = 1
	for k := 1; k < 8; k++ {
		a[k] = math.Sqrt2 * math.Cos(float64(k)*math.Pi/16)
	}
	for v := range 8 {
		for u := range 8 {
			idct8Scale[v*8+u] = float32(a[v] * a[u] / 8)
		}
	}
}

// idct8 is idct at n = 8. Columns whose AC coefficients are all zero, and
// rows when only the first column is non-zero, are filled with their DC
// value without a transform. The pass is written out twice (columns, rows)
// rather than called: the compiler does not inline it.
func idct8(coef *[64]int32, maxRow, maxCol int, dst []byte, stride int) {
	var tmp [64]float32
	sc := &idct8Scale
	// Columns: frequency v runs down column u.
	for u := 0; u <= maxCol; u++ {
		var z [8]float32
		z[0] = float32(coef[u]) * sc[u]
		var ac int32
		for v := 1; v <= maxRow; v++ {
			c := coef[v*8+u]
			ac |= c
			z[v] = float32(c) * sc[v*8+u]
		}
		if ac == 0 {
			for y := range 8 {
				tmp[y*8+u] = z[0]
			}
			continue
		}
		s04, d04 := z[0]+z[4], z[0]-z[4]
		s26 := z[2] + z[6]
		r26 := (z[2]-z[6])*idctSqrt2 - s26
		e0, e3 := s04+s26, s04-s26
		e1, e2 := d04+r26, d04-r26
		p17, m17 := z[1]+z[7], z[1]-z[7]
		p53, m53 := z[5]+z[3], z[5]-z[3]
		o0 := p17 + p53
		w := (m53 + m17) * idct2C2
		o1 := w - m53*idct2C2pC6 - o0
		o2 := (p17-p53)*idctSqrt2 - o1
		o3 := w - m17*idct2C2mC6 - o2
		tmp[0*8+u], tmp[7*8+u] = e0+o0, e0-o0
		tmp[1*8+u], tmp[6*8+u] = e1+o1, e1-o1
		tmp[2*8+u], tmp[5*8+u] = e2+o2, e2-o2
		tmp[3*8+u], tmp[4*8+u] = e3+o3, e3-o3
	}
	// Rows: frequency u runs along row y.
	for y := range 8 {
		row := (*[8]byte)(dst[y*stride : y*stride+8])
		z := (*[8]float32)(tmp[y*8 : y*8+8])
		if maxCol == 0 {
			v := clamp8(z[0])
			*row = [8]byte{v, v, v, v, v, v, v, v}
			continue
		}
		s04, d04 := z[0]+z[4], z[0]-z[4]
		s26 := z[2] + z[6]
		r26 := (z[2]-z[6])*idctSqrt2 - s26
		e0, e3 := s04+s26, s04-s26
		e1, e2 := d04+r26, d04-r26
		p17, m17 := z[1]+z[7], z[1]-z[7]
		p53, m53 := z[5]+z[3], z[5]-z[3]
		o0 := p17 + p53
		w := (m53 + m17) * idct2C2
		o1 := w - m53*idct2C2pC6 - o0
		o2 := (p17-p53)*idctSqrt2 - o1
		o3 := w - m17*idct2C2mC6 - o2
		row[0], row[7] = clamp8(e0+o0), clamp8(e0-o0)
		row[1], row[6] = clamp8(e1+o1), clamp8(e1-o1)
		row[2], row[5] = clamp8(e2+o2), clamp8(e2-o2)
		row[3], row[4] = clamp8(e3+o3), clamp8(e3-o3)
	}
}

// The half-size (8×8 → 4×4) transform is the 8-point one followed by the
// mean of each pair of outputs, x[2j] and x[2j+1], and the pair sums fall
// out of the butterflies above with z4 (which the mean cancels) and most
// of the odd part gone:
//
//	x0+x1 = e0+e1 + o0+o1, x2+x3 = e2+e3 + o2+o3,
//	x4+x5 = e2+e3 − (o2+o3), x6+x7 = e0+e1 − (o0+o1),
//	e0+e1 = 2·z0 + √2·(z2−z6), e2+e3 = 2·z0 − √2·(z2−z6),
//	o0+o1 = w − 2·(C2+C6)·m53, o2+o3 = w − 2·(C2−C6)·m17.
//
// The halving of each mean is in the prescale: idct4Scale = idct8Scale/4.

var idct4Scale [64]float32

func init() {
	for i := range idct4Scale {
		idct4Scale[i] = idct8Scale[i] / 4
	}
}

// idct4 is idct at n = 4.
func idct4(coef *[64]int32, maxRow, maxCol int, dst []byte, stride int) {
	var tmp [32]float32 // 4 rows of 8 frequencies
	sc := &idct4Scale
	for u := 0; u <= maxCol; u++ {
		var z [8]float32
		z[0] = float32(coef[u]) * sc[u]
		var ac int32
		for v := 1; v <= maxRow; v++ {
			c := coef[v*8+u]
			ac |= c
			z[v] = float32(c) * sc[v*8+u]
		}
		if ac == 0 {
			// The DC alone: a pair sum is twice the sample.
			dc := 2 * z[0]
			tmp[u], tmp[8+u], tmp[16+u], tmp[24+u] = dc, dc, dc, dc
			continue
		}
		h, d := 2*z[0], (z[2]-z[6])*idctSqrt2
		e01, e23 := h+d, h-d
		m17, m53 := z[1]-z[7], z[5]-z[3]
		w := (m53 + m17) * idct2C2
		o01, o23 := w-m53*idct2C2pC6, w-m17*idct2C2mC6
		tmp[u], tmp[24+u] = e01+o01, e01-o01
		tmp[8+u], tmp[16+u] = e23+o23, e23-o23
	}
	for y := range 4 {
		row := (*[4]byte)(dst[y*stride : y*stride+4])
		z := (*[8]float32)(tmp[y*8 : y*8+8])
		if maxCol == 0 {
			v := clamp8(2 * z[0])
			*row = [4]byte{v, v, v, v}
			continue
		}
		h, d := 2*z[0], (z[2]-z[6])*idctSqrt2
		e01, e23 := h+d, h-d
		m17, m53 := z[1]-z[7], z[5]-z[3]
		w := (m53 + m17) * idct2C2
		o01, o23 := w-m53*idct2C2pC6, w-m17*idct2C2mC6
		row[0], row[3] = clamp8(e01+o01), clamp8(e01-o01)
		row[1], row[2] = clamp8(e23+o23), clamp8(e23-o23)
	}
}

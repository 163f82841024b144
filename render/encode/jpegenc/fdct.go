package jpegenc

// Constants of the Arai-Agui-Nakajima scaled DCT.
const (
	c4     = 0.707106781 // cos(4π/16)
	c6s    = 0.382683433 // cos(6π/16)
	c2mc6  = 0.541196100 // cos(2π/16) - cos(6π/16)
	c2pc6  = 1.306562965 // cos(2π/16) + cos(6π/16)
	aanNum = 8
)

// aanScale[k] is the factor by which the scaled DCT's output k differs
// from the orthonormal one, times sqrt(8): 1 for k = 0 and
// cos(kπ/16)·√2 otherwise.
var aanScale = [8]float64{
	1.0, 1.387039845, 1.306562965, 1.175875602,
	1.0, 0.785694958, 0.541196100, 0.275899379,
}

// fdct8 transforms the eight values at b[o], b[o+s], ... b[o+7s] in place.
func fdct8(b *[64]float32, o, s int) {
	d0, d1, d2, d3 := b[o], b[o+s], b[o+2*s], b[o+3*s]
	d4, d5, d6, d7 := b[o+4*s], b[o+5*s], b[o+6*s], b[o+7*s]
	s07, m07 := d0+d7, d0-d7
	s16, m16 := d1+d6, d1-d6
	s25, m25 := d2+d5, d2-d5
	s34, m34 := d3+d4, d3-d4

	// Even half.
	e0, e3 := s07+s34, s07-s34
	e1, e2 := s16+s25, s16-s25
	b[o] = e0 + e1
	b[o+4*s] = e0 - e1
	z := (e2 + e3) * c4
	b[o+2*s] = e3 + z
	b[o+6*s] = e3 - z

	// Odd half.
	p0 := m34 + m25
	p1 := m25 + m16
	p2 := m16 + m07
	r := (p0 - p2) * c6s
	q2 := c2mc6*p0 + r
	q4 := c2pc6*p2 + r
	q3 := p1 * c4
	u := m07 + q3
	v := m07 - q3
	b[o+5*s] = v + q2
	b[o+3*s] = v - q2
	b[o+s] = u + q4
	b[o+7*s] = u - q4
}

// fdct applies the scaled 2-D forward DCT to a level-shifted block in
// natural order. Output (u, v) is 8·aanScale[u]·aanScale[v] times the
// T.81 DCT coefficient; quantisation divides that factor out.
func fdct(b *[64]float32) {
	for y := 0; y < 8; y++ {
		fdct8(b, 8*y, 1)
	}
	for x := 0; x < 8; x++ {
		fdct8(b, x, 8)
	}
}

// reciprocals returns, for each quantisation table in natural order, the
// multipliers that turn scaled DCT output into quantised coefficients.
func reciprocals(q *[2][64]uint8) (r [2][64]float32) {
	for i := range q {
		for k := range 64 {
			u, v := k/8, k%8
			r[i][k] = float32(1 / (float64(q[i][k]) * aanNum * aanScale[u] * aanScale[v]))
		}
	}
	return r
}

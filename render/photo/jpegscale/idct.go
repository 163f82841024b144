package jpegscale

import "math"

// idctMat[n][x][u] is the weight of frequency u in output sample x of an
// n-sample row (n = 8, 4, 2): the mean over the s = 8/n full-size samples
// that x covers of ½·C(u)·cos((2i+1)uπ/16). So the scaled transform is
// exactly the 8-point inverse DCT followed by an s×s box average (before
// rounding), which is also what libjpeg's reduced-size IDCTs compute.
var idctMat [9][8][8]float32

// slotTables[n][k] is where a progressive decode at output block side n
// stores the coefficient of zigzag index k, or -1 when the n×n transform
// never reads it (its row or column weights are all zero: at n = 2 only
// frequencies 0, 1, 3, 5, 7 count, at n = 4 all but 4, at n = 1 only
// the DC); slotCount[n] is how many are stored.
var (
	slotTables [9][64]int8
	slotCount  [9]int
)

func init() {
	for _, n := range []int{2, 4, 8} {
		s := 8 / n
		for x := range n {
			for u := range 8 {
				c := 1.0
				if u == 0 {
					c = 1 / math.Sqrt2
				}
				var sum float64
				for j := range s {
					i := x*s + j
					sum += 0.5 * c * math.Cos(float64(2*i+1)*float64(u)*math.Pi/16)
				}
				idctMat[n][x][u] = float32(sum / float64(s))
			}
		}
	}
	for _, n := range []int{1, 2, 4, 8} {
		var used [8]bool
		used[0] = true
		if n > 1 {
			for u := range 8 {
				for x := range n {
					used[u] = used[u] || math.Abs(float64(idctMat[n][x][u])) > 1e-6
				}
			}
		}
		for k := range 64 {
			z := zigzag[k]
			slotTables[n][k] = -1
			if used[z>>3] && used[z&7] {
				slotTables[n][k] = int8(slotCount[n])
				slotCount[n]++
			}
		}
	}
}

func clamp8(v float32) byte {
	v += 128.5
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return byte(v)
}

// idct writes the n×n scaled inverse DCT of the dequantised coefficients
// (natural order; only rows ≤ maxRow and columns ≤ maxCol are non-zero).
// At n = 8 and 4 it uses the fast separable transforms idct8 and idct4;
// otherwise, and for a block that is its DC alone, idctMatrix.
func idct(coef *[64]int32, maxRow, maxCol, n int, dst []byte, stride int) {
	if maxRow|maxCol != 0 {
		switch n {
		case 8:
			idct8(coef, maxRow, maxCol, dst, stride)
			return
		case 4:
			idct4(coef, maxRow, maxCol, dst, stride)
			return
		}
	}
	idctMatrix(coef, maxRow, maxCol, n, dst, stride)
}

// idctMatrix is idct as a matrix product with idctMat[n]. It uses the
// symmetry idctMat[n][n-1-x][u] = (-1)^u·idctMat[n][x][u]: even and odd
// frequencies are summed once for each mirrored pair.
func idctMatrix(coef *[64]int32, maxRow, maxCol, n int, dst []byte, stride int) {
	if n == 1 || maxRow == 0 && maxCol == 0 {
		v := clamp8(float32(coef[0]) / 8)
		for y := range n {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = v
			}
		}
		return
	}
	m := &idctMat[n]
	half := n / 2
	// Columns: tmp[y][u] = Σv M[y][v]·F[v][u].
	var tmp [8][8]float32
	for u := 0; u <= maxCol; u++ {
		var f [8]float32
		for v := 0; v <= maxRow; v++ {
			f[v] = float32(coef[v*8+u])
		}
		for y := range half {
			my := &m[y]
			var e, o float32
			for v := 0; v <= maxRow; v += 2 {
				e += my[v] * f[v]
			}
			for v := 1; v <= maxRow; v += 2 {
				o += my[v] * f[v]
			}
			tmp[y][u] = e + o
			tmp[n-1-y][u] = e - o
		}
	}
	// Rows: out[y][x] = Σu M[x][u]·tmp[y][u].
	for y := range n {
		row := dst[y*stride : y*stride+n]
		t := &tmp[y]
		for x := range half {
			mx := &m[x]
			var e, o float32
			for u := 0; u <= maxCol; u += 2 {
				e += mx[u] * t[u]
			}
			for u := 1; u <= maxCol; u += 2 {
				o += mx[u] * t[u]
			}
			row[x] = clamp8(e + o)
			row[n-1-x] = clamp8(e - o)
		}
	}
}

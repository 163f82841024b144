package jpegscale

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestFastIDCTMatchesMatrix checks the fast 8×8 and 4×4 transforms
// against the matrix ones on random blocks of every extent, from small to
// saturating values: each sample may differ by 1 (float rounding), no more.
func TestFastIDCTMatchesMatrix(t *testing.T) {
	for _, tc := range []struct {
		n    int
		fast func(coef *[64]int32, maxRow, maxCol int, dst []byte, stride int)
	}{{8, idct8}, {4, idct4}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) { checkFastIDCT(t, tc.n, tc.fast) })
	}
}

func checkFastIDCT(t *testing.T, n int, fast func(coef *[64]int32, maxRow, maxCol int, dst []byte, stride int)) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, amp := range []int32{4, 64, 1024, 8192} {
		for trial := range 2000 {
			maxRow, maxCol := rng.IntN(8), rng.IntN(8)
			if trial == 0 {
				maxRow, maxCol = 7, 7
			}
			var coef [64]int32
			for v := 0; v <= maxRow; v++ {
				for u := 0; u <= maxCol; u++ {
					if rng.IntN(3) > 0 && slotTables[n][unzig[v*8+u]] >= 0 {
						coef[v*8+u] = rng.Int32N(2*amp+1) - amp
					}
				}
			}
			var got, want [64]byte
			c1, c2 := coef, coef
			fast(&c1, maxRow, maxCol, got[:], 8)
			idctMatrix(&c2, maxRow, maxCol, n, want[:], 8)
			for i := range got {
				if d := int(got[i]) - int(want[i]); d < -1 || d > 1 {
					t.Fatalf("n %d amp %d extent %dx%d sample %d: fast %d, matrix %d (coef %v)", n, amp, maxRow, maxCol, i, got[i], want[i], coef)
				}
			}
		}
	}
}

// BenchmarkIDCT times one block with every coefficient the size reads
// set, fast and matrix, in the same run:
//
//	go test -run '^$' -bench IDCT ./render/photo/jpegscale/
func BenchmarkIDCT(b *testing.B) {
	var coef [64]int32
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range coef {
		coef[i] = rng.Int32N(201) - 100
	}
	var dst [64]byte
	for _, n := range []int{8, 4} {
		c := coef
		for i := range c {
			if slotTables[n][unzig[i]] < 0 {
				c[i] = 0
			}
		}
		fast := idct8
		if n == 4 {
			fast = idct4
		}
		b.Run(fmt.Sprintf("%d/fast", n), func(b *testing.B) {
			for b.Loop() {
				fast(&c, 7, 7, dst[:], 8)
			}
		})
		b.Run(fmt.Sprintf("%d/matrix", n), func(b *testing.B) {
			for b.Loop() {
				idctMatrix(&c, 7, 7, n, dst[:], 8)
			}
		})
	}
}

// unzig maps a natural index to its zigzag index.
var unzig = func() (u [64]int) {
	for k, z := range zigzag {
		u[z] = k
	}
	return u
}()

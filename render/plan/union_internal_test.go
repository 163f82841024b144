package plan

import (
	"image"
	"math/rand/v2"
	"testing"
)

// TestUnionArea: exact on hand-made cases, and equal to counting pixels on
// random sets of rectangles.
func TestUnionArea(t *testing.T) {
	for _, tc := range []struct {
		name string
		rs   []image.Rectangle
		want int64
	}{
		{"none", nil, 0},
		{"one", []image.Rectangle{image.Rect(0, 0, 10, 5)}, 50},
		{"disjoint", []image.Rectangle{image.Rect(0, 0, 10, 5), image.Rect(20, 20, 22, 23)}, 56},
		{"nested", []image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(2, 2, 5, 5)}, 100},
		{"overlapping", []image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(5, 5, 15, 15)}, 175},
		{"same twice", []image.Rectangle{image.Rect(0, 0, 4, 4), image.Rect(0, 0, 4, 4)}, 16},
		{"touching", []image.Rectangle{image.Rect(0, 0, 4, 4), image.Rect(4, 0, 8, 4)}, 32},
	} {
		if got := unionArea(tc.rs); got != tc.want {
			t.Errorf("%s: unionArea = %d, want %d", tc.name, got, tc.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var rs []image.Rectangle
		grid := map[image.Point]bool{}
		for range 1 + rng.IntN(6) {
			x, y := rng.IntN(40), rng.IntN(40)
			r := image.Rect(x, y, x+1+rng.IntN(20), y+1+rng.IntN(20))
			rs = append(rs, r)
			for py := r.Min.Y; py < r.Max.Y; py++ {
				for px := r.Min.X; px < r.Max.X; px++ {
					grid[image.Pt(px, py)] = true
				}
			}
		}
		if got := unionArea(rs); got != int64(len(grid)) {
			t.Fatalf("unionArea(%v) = %d, want %d", rs, got, len(grid))
		}
	}
}

package jpegscale

import (
	"bytes"
	"path/filepath"
	"runtime"
	"testing"
)

// TestDecodeMemory bounds what one Decode of the 16 MP photo at 1/4
// allocates in all (runtime.MemStats.TotalAlloc delta): the output, the
// input copy and, for progressive files, the coefficients the 2×2 scaled
// IDCT reads (25 of 64 per block) plus a non-zero bitmap. Measured: 24.7 MB
// progressive, 5.0 MB baseline (image/jpeg at full size: 119 MB and 24 MB).
func TestDecodeMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MP photo: slow under -race")
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		limit float64 // MB
	}{
		{"progressive", readFile(t, filepath.Join(photosDir, "dandelions-5312x2988-large.jpg")), 30},
		{"baseline", dandelionsBaseline(t), 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			if _, err := Decode(bytes.NewReader(tc.data), 4, Limits{}); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&m1)
			mb := float64(m1.TotalAlloc-m0.TotalAlloc) / 1e6
			t.Logf("allocated %.1f MB", mb)
			if mb > tc.limit {
				t.Errorf("allocated %.1f MB decoding at 1/4, want ≤ %.0f MB", mb, tc.limit)
			}
		})
	}
}

func TestProgressiveBlockBytes(t *testing.T) {
	for _, tc := range []struct{ scale, want int }{{1, 136}, {2, 106}, {4, 58}, {8, 10}, {3, 0}} {
		if got := ProgressiveBlockBytes(tc.scale); got != tc.want {
			t.Errorf("ProgressiveBlockBytes(%d) = %d, want %d", tc.scale, got, tc.want)
		}
	}
}

package photo

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/sharecard/sharecard/render/photo/hostilejpeg"
)

// BenchmarkDecodeBomb measures the memory the 100-megapixel progressive
// JPEGs take: image/jpeg decoding them directly (what Decode and Prepare
// did before the pre-parse and the budget) against Decode and a Prepare
// admitted within a 768 MiB budget (the engine's default) now. heap-MB is
// the heap grown by one call, garbage not yet collected included (GC off
// during the call): the peak it needs. Run it with
//
//	go test -run XXX -bench DecodeBomb -benchtime 3x ./render/photo/
//
// and each variant alone (-bench DecodeBomb/before/) to see the process's
// peak RSS.
func BenchmarkDecodeBomb(b *testing.B) {
	files := map[string][]byte{
		// 3 AC-only scans, 681 bytes
		"bomb": hostilejpeg.Progressive(hostilejpeg.Bomb(10000, 10000)),
		// its valid twin: DC scans first, a standard script, 1.2 MB
		"twin": progressive(10000, 10000, 3, hostilejpeg.Standard(3)...),
	}
	const budget = 768 << 20
	admit := func(_ context.Context, h *Header) (func(), error) {
		if n := h.PrepareBytes(PrepareOptions{}); n > budget {
			return nil, fmt.Errorf("%w: needs %d bytes", ErrPhotoTooLarge, n)
		}
		return func() {}, nil
	}
	for _, name := range []string{"bomb", "twin"} {
		data := files[name]
		b.Run("before/image-jpeg/"+name, func(b *testing.B) {
			measureHeap(b, func() error { _, err := jpeg.Decode(bytes.NewReader(data)); return err })
		})
		b.Run("now/Decode/"+name, func(b *testing.B) {
			measureHeap(b, func() error { _, err := Decode(bytes.NewReader(data), Limits{}); return err })
		})
		b.Run("now/Prepare-budget/"+name, func(b *testing.B) {
			measureHeap(b, func() error {
				_, err := Prepare(context.Background(), data, PrepareOptions{Admit: admit})
				return err
			})
		})
	}
}

// measureHeap runs f b.N times and reports the heap it grows by, in MB,
// with the collector held off during each call, and whether it failed.
func measureHeap(b *testing.B, f func() error) {
	b.ReportAllocs()
	var grown uint64
	failed := 0
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		old := debug.SetGCPercent(-1)
		b.StartTimer()
		err := f()
		b.StopTimer()
		runtime.ReadMemStats(&after)
		debug.SetGCPercent(old)
		grown = max(grown, after.HeapAlloc-before.HeapAlloc)
		if err != nil {
			failed = 1
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(grown)/1e6, "heap-MB")
	b.ReportMetric(float64(failed), "refused")
}

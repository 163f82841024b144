package render

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/photo/hostilejpeg"
	"github.com/sharecard/sharecard/render/preset"
)

// budgetPhoto is a small progressive JPEG for the memory budget's tests,
// with the standard presets, its header and what preparing it for them
// is weighed at.
func budgetPhoto(t *testing.T) ([]byte, []preset.Preset, *photo.Header, int64) {
	t.Helper()
	data := hostilejpeg.Progressive(hostilejpeg.Spec{Width: 640, Height: 480, Components: 3, Scans: hostilejpeg.Standard(3)})
	presets := preset.Standard()
	h, err := photo.Inspect(data)
	if err != nil {
		t.Fatal(err)
	}
	return data, presets, h, h.PrepareBytes(photo.PrepareOptions{ScaleFor: WorkingScale(presets)})
}

// TestPrepare_WaitsForMemoryBudget holds one photo's worth of a budget
// with room for less than two, and checks a second photo waits for the
// room, decodes once it is freed, and gives up with its context.
func TestPrepare_WaitsForMemoryBudget(t *testing.T) {
	data, presets, h, need := budgetPhoto(t)
	e := &Engine{MemoryBudget: 2*need - 1}
	sem, _ := e.budget()
	waiting := func() (bool, string) {
		if sem.TryAcquire(1) { // fails once a render waits in line
			sem.Release(1)
			return false, "the second photo is not waiting for the budget"
		}
		return true, ""
	}
	for _, cancelIt := range []bool{false, true} {
		release, err := e.admit(context.Background(), h, need)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := e.prepare(ctx, data, presets, false, false)
			done <- err
		}()
		testwait.Until(t, time.Millisecond, waiting)
		select {
		case err := <-done:
			t.Fatalf("prepared while the budget was taken: %v", err)
		default:
		}
		want := error(nil)
		if cancelIt {
			cancel()
			want = context.Canceled
		} else {
			release()
		}
		select {
		case err := <-done:
			if !errors.Is(err, want) || (want == nil && err != nil) {
				t.Fatalf("cancelled %v: got %v, want %v", cancelIt, err, want)
			}
		case <-testwait.GiveUp(t):
			t.Fatal("the waiting photo never finished")
		}
		if cancelIt {
			release()
		}
		cancel()
	}
	if !sem.TryAcquire(2*need - 1) {
		t.Fatal("the budget is not whole again after the renders")
	}
}

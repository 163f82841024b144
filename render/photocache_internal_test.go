package render

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
)

// TestPhotoCache_Waiters holds the memory budget so that the first ask
// for a photo waits inside its preparation, then checks that a second ask
// waits for that one (no second decode), returns its own context's error
// when cancelled, and that once the first ask is cancelled too, nothing
// is kept and the next ask prepares the photo itself.
func TestPhotoCache_Waiters(t *testing.T) {
	data, presets, h, need := budgetPhoto(t)
	e := &Engine{MemoryBudget: need, Photos: NewPhotoCache(64 << 20)}
	release, err := e.admit(context.Background(), h, need) // the whole budget
	if err != nil {
		t.Fatal(err)
	}
	ask := func(ctx context.Context) chan error {
		done := make(chan error, 1)
		go func() {
			_, err := e.prepare(ctx, data, presets, true, true)
			done <- err
		}()
		return done
	}
	statsAre := func(misses, hits int64) func() (bool, string) {
		return func() (bool, string) {
			st := e.Photos.Stats()
			return st.Misses == misses && st.Hits == hits, fmt.Sprintf("cache stats %+v", st)
		}
	}
	ctxA, cancelA := context.WithCancel(context.Background())
	first := ask(ctxA)
	testwait.Until(t, time.Millisecond, statsAre(1, 0))
	ctxB, cancelB := context.WithCancel(context.Background())
	second := ask(ctxB)
	testwait.Until(t, time.Millisecond, statsAre(1, 1))
	cancelB()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Fatalf("the waiting ask: got %v, want context.Canceled", err)
	}
	cancelA()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("the preparing ask: got %v, want context.Canceled", err)
	}
	if st := e.Photos.Stats(); st.Photos != 0 {
		t.Fatalf("a photo whose preparation was cancelled is kept: %+v", st)
	}
	release()
	if err := <-ask(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.Photos.Stats(); st.Misses != 2 || st.Photos != 1 {
		t.Fatalf("stats %+v, want a second miss that keeps the photo", st)
	}
	if n := e.PhotosDecoded(); n != 1 {
		t.Fatalf("%d decodes, want 1", n)
	}
}

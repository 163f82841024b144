package jpegscale

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
)

// countChecks decodes b fully and returns how many cancellation checks it
// made.
func countChecks(t *testing.T, b []byte, scale int) int64 {
	t.Helper()
	var n atomic.Int64
	if _, err := decodeContext(context.Background(), bytes.NewReader(b), scale, Limits{}, func() { n.Add(1) }); err != nil {
		t.Fatal(err)
	}
	return n.Load()
}

// TestDecodeContextCancel cancels a decode from another goroutine once it
// has made its k-th cancellation check (the decoding goroutines wait in the
// hook until the cancel has happened, so the test does not race the
// decoder), and checks that ctx.Err() itself comes back, with no image, and
// that every goroutine the decode started has ended.
func TestDecodeContextCancel(t *testing.T) {
	cases := []struct {
		file  string
		scale int
	}{
		{"cat420.jpg", 1},          // baseline: Huffman decoding beside IDCT workers
		{"cat420.jpg", 4},          //
		{"cat422.jpg", 2},          //
		{"cat420-rst1.jpg", 1},     // restart segments in parallel
		{"catgray-rst2.jpg", 2},    //
		{"cat444-rst5b.jpg", 1},    //
		{"catprog.jpg", 1},         // progressive: scans at once, IDCT in bands
		{"catprog444-rst1.jpg", 4}, // progressive with restart markers
		{"catrgb-prog.jpg", 2},     // RGB: checks while interleaving too
		{"catcmyk.jpg", 1},         // CMYK
	}
	for _, tc := range cases {
		b := readFile(t, filepath.Join("testdata", tc.file))
		total := countChecks(t, b, tc.scale)
		if total < 4 {
			t.Fatalf("%s: only %d cancellation checks in a whole decode", tc.file, total)
		}
		for _, k := range []int64{1, 2, total / 2, total - 1, total} {
			t.Run(fmt.Sprintf("%s/1-%d/check-%d-of-%d", tc.file, tc.scale, k, total), func(t *testing.T) {
				cancelAtCheck(t, b, tc.scale, k)
			})
		}
	}
}

// TestDecodeContextCancelLarge cancels the 16 MP progressive photo and its
// baseline re-encoding part way through.
func TestDecodeContextCancelLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MP decodes")
	}
	prog := readFile(t, filepath.Join(photosDir, "dandelions-5312x2988-large.jpg"))
	for _, tc := range []struct {
		name  string
		data  []byte
		scale int
		k     int64
	}{
		{"progressive", prog, 2, 300},
		{"baseline", dandelionsBaseline(t), 1, 100},
	} {
		t.Run(tc.name, func(t *testing.T) { cancelAtCheck(t, tc.data, tc.scale, tc.k) })
	}
}

func cancelAtCheck(t *testing.T, b []byte, scale int, k int64) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reached := make(chan struct{})
	var calls atomic.Int64
	hook := func() {
		n := calls.Add(1)
		if n == k {
			close(reached)
		}
		if n >= k {
			<-ctx.Done()
		}
	}
	go func() {
		select {
		case <-reached:
			cancel()
		case <-ctx.Done():
		}
	}()
	img, err := decodeContext(ctx, bytes.NewReader(b), scale, Limits{}, hook)
	if err != context.Canceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled itself (checks made: %d)", err, calls.Load())
	}
	if img != nil {
		t.Fatalf("a cancelled decode returned an image")
	}
	cancel()
	testwait.Until(t, time.Millisecond, func() (bool, string) {
		n := runtime.NumGoroutine()
		return n <= before, fmt.Sprintf("%d goroutines, %d before the decode", n, before)
	})
}

// TestDecodeContextDone: a context already done (cancelled, or past its
// deadline) stops the decode before any work, with ctx.Err().
func TestDecodeContextDone(t *testing.T) {
	b := readFile(t, filepath.Join("testdata", "cat420.jpg"))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"cancelled", cancelled, context.Canceled},
		{"deadline", expired, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := DecodeContext(tc.ctx, bytes.NewReader(b), 2, Limits{})
			if err != tc.want || img != nil {
				t.Fatalf("got %v, %v; want nil, %v", img, err, tc.want)
			}
		})
	}
	// And a live context decodes as Decode does.
	img, err := DecodeContext(context.Background(), bytes.NewReader(b), 2, Limits{})
	if err != nil || img == nil {
		t.Fatalf("live context: %v", err)
	}
}

package testwait

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 3 {
			n.Add(1)
		}
	}()
	Until(t, time.Millisecond, func() (bool, string) { return n.Load() == 3, "counting" })
	if _, ok := GiveUpAt(t); ok && Patience(t) <= 0 {
		t.Errorf("patience %v with a deadline ahead", Patience(t))
	}
}

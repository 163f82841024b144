package testwait

import (
	"testing"
	"time"
)

// GiveUpAt is when a test stops waiting for something that must happen:
// a little before go test's -timeout ends the test binary (a tenth of the
// time left, at most 30 s, before it). ok is false without a timeout.
func GiveUpAt(t testing.TB) (at time.Time, ok bool) {
	d, ok := t.(interface{ Deadline() (time.Time, bool) }).Deadline()
	if !ok {
		return time.Time{}, false
	}
	return d.Add(-min(time.Until(d)/10, 30*time.Second)), true
}

// GiveUp is a channel that fires at GiveUpAt (nil, never firing, without a
// timeout).
func GiveUp(t testing.TB) <-chan time.Time {
	at, ok := GiveUpAt(t)
	if !ok {
		return nil
	}
	return time.After(time.Until(at))
}

// Patience is how long a test may wait from now: until GiveUpAt, or an
// hour without a timeout.
func Patience(t testing.TB) time.Duration {
	at, ok := GiveUpAt(t)
	if !ok {
		return time.Hour
	}
	return time.Until(at)
}

// Until calls cond every every until it reports ok, and fails the test
// with what cond last described when GiveUp fires.
func Until(t testing.TB, every time.Duration, cond func() (ok bool, state string)) {
	t.Helper()
	stop := GiveUp(t)
	for {
		ok, state := cond()
		if ok {
			return
		}
		select {
		case <-stop:
			t.Fatalf("gave up before the test timeout: %s", state)
		case <-time.After(every):
		}
	}
}

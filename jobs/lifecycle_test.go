package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
)

// TestRun_TransientRetriedForItsBudget: a job whose attempts fail with a
// transient error (a store outage) is retried past MaxAttempts while its
// time budget lasts, and completes once the outage ends; the same failure
// with a spent budget fails the job, and a permanent error still fails it
// at once. Before, every error counted against MaxAttempts (5 attempts in
// about 4 minutes), so an outage of some minutes failed jobs for good.
func TestRun_TransientRetriedForItsBudget(t *testing.T) {
	cfg := testConfig(t) // MaxAttempts 3
	cfg.MaxBackoff = 5 * time.Millisecond
	q := open(t, cfg)
	var outage atomic.Int64
	outage.Store(6) // twice MaxAttempts
	var permanentRuns atomic.Int64
	run(t, q, func(_ context.Context, id string, _ []byte) (json.RawMessage, error) {
		switch id {
		case "outage":
			if outage.Add(-1) >= 0 {
				return nil, fmt.Errorf("%w: store unavailable", ErrTransient)
			}
			return json.RawMessage(`{"ok":true}`), nil
		case "permanent":
			permanentRuns.Add(1)
			return nil, fmt.Errorf("%w: bad input", ErrPermanent)
		}
		return nil, errors.New("unexpected job")
	})
	enqueue(t, q, "outage", "{}", true)
	enqueue(t, q, "permanent", "{}", true)
	st := waitState(t, q, "outage", StateDone)
	if st.Attempts != 7 {
		t.Errorf("outage job: %d attempts, want 7 (6 transient failures, then success)", st.Attempts)
	}
	if st := waitState(t, q, "permanent", StateFailed); st.Attempts != 1 || permanentRuns.Load() != 1 {
		t.Errorf("permanent failure: %d attempts, %d runs; want 1", st.Attempts, permanentRuns.Load())
	}

	// A budget shorter than the first pause: the first transient failure
	// is the last.
	cfg = testConfig(t)
	cfg.RetryFor = time.Nanosecond
	short := open(t, cfg)
	run(t, short, func(context.Context, string, []byte) (json.RawMessage, error) {
		return nil, fmt.Errorf("%w: store unavailable", ErrTransient)
	})
	enqueue(t, short, "spent", "{}", true)
	if st := waitState(t, short, "spent", StateFailed); st.Attempts != 1 || !strings.Contains(st.Error, "retry budget") {
		t.Errorf("spent budget: %d attempts, error %q; want 1 attempt and the budget named", st.Attempts, st.Error)
	}
}

// TestConfig_ExpBackoff: pauses after transient failures double from one
// second up to MaxBackoff.
func TestConfig_ExpBackoff(t *testing.T) {
	cfg := Config{}.withDefaults()
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 9: 256 * time.Second, 10: 5 * time.Minute, 1000: 5 * time.Minute} {
		if got := cfg.expBackoff(n); got != want {
			t.Errorf("expBackoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestQueue_RestartsJetStream: when nats-server switched JetStream of the
// embedded server off (as it does on a full disk), the queue switches it on
// again by itself, with the stream, its jobs and their statuses. Before,
// every Enqueue failed until the process was restarted. (A real full disk
// is TestEnqueue_FullDisk, which needs root.)
func TestQueue_RestartsJetStream(t *testing.T) {
	q := open(t, testConfig(t))
	enqueue(t, q, "before", "{}", true)
	if err := q.srv.DisableJetStream(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, q)
	enqueue(t, q, "after", "{}", true)
	if st, err := q.Status(context.Background(), "before"); err != nil || st.State != StateQueued {
		t.Errorf("a job stored before JetStream stopped: %+v, %v", st, err)
	}
}

// waitReady waits until q.Ready reports true.
func waitReady(t *testing.T, q *Queue) {
	t.Helper()
	testwait.Until(t, 20*time.Millisecond, func() (bool, string) {
		return q.Ready(), "the queue did not become ready again"
	})
}

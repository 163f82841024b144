package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
)

// TestSurvivesRestart stops the queue in three ways while a job is not
// finished, opens a new queue on the same data folder and checks that the job
// completes there.
func TestSurvivesRestart(t *testing.T) {
	tests := []struct {
		name string
		// attempts the status shows at the end: the interrupted
		// attempt counts only when nothing could record its end.
		wantAttempts int
		stop         func(t *testing.T, q *Queue) // leaves job "j" unfinished and stops q
	}{
		{"closed before any worker ran", 1, func(t *testing.T, q *Queue) {
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"run cancelled mid-job", 1, func(t *testing.T, q *Queue) {
			interruptRun(t, q)
			if st := waitState(t, q, "j", StateQueued); st.Attempts != 0 {
				t.Errorf("after an interrupted attempt: %+v, want 0 attempts counted", st)
			}
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"server gone mid-job without ack", 2, func(t *testing.T, q *Queue) {
			started := make(chan struct{})
			release := make(chan struct{})
			stop := run(t, q, func(context.Context, string, []byte) (json.RawMessage, error) {
				close(started)
				<-release
				return json.RawMessage(`"from the dead process"`), nil
			})
			<-started
			// As abrupt as an in-process test allows: the connection
			// and the server go away while the handler still runs, so
			// neither its status nor its ack reaches the server.
			q.nc.Close()
			q.srv.Shutdown()
			q.srv.WaitForShutdown()
			close(release)
			stop()
			_ = q.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			first, err := Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			enqueue(t, first, "j", "payload", true)
			tt.stop(t, first)

			// The embedded server releases the jobs of a dead process
			// at start instead of after AckWait: the ack wait of the
			// test queues is longer than any test runs, so the job can
			// only be done below because it was released at once.
			second := open(t, cfg)
			var calls atomic.Int32
			run(t, second, func(ctx context.Context, id string, p []byte) (json.RawMessage, error) {
				calls.Add(1)
				return echo(ctx, id, p)
			})
			st := waitState(t, second, "j", StateDone)
			if string(st.Result) != `{"id":"j","payload":"payload"}` || st.Attempts != tt.wantAttempts {
				t.Errorf("status after restart = %+v, want the payload echoed after %d attempts", st, tt.wantAttempts)
			}
			if calls.Load() != 1 {
				t.Errorf("handler calls after restart = %d, want 1", calls.Load())
			}
		})
	}
}

// TestTwoReplicas runs two queues on one server, as two processes sharing an
// external nats server would, and checks that every job runs exactly once.
func TestTwoReplicas(t *testing.T) {
	cfg := testConfig(t)
	a := open(t, cfg)
	cfgB := cfg
	cfgB.DataDir, cfgB.URL = "", a.ClientURL()
	b := open(t, cfgB)
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) { return b.Ready(), "replica b not ready" })

	const n = 30
	var mu sync.Mutex
	perJob := map[string]int{}
	var byA, byB atomic.Int32
	// A replica's handlers hold their job until the other replica has
	// taken one: with every worker of the first replica busy, the jobs
	// left can only go to the other one, so both take work however the
	// scheduler orders the workers' requests.
	aTook, bTook := make(chan struct{}), make(chan struct{})
	var aOnce, bOnce sync.Once
	handler := func(count *atomic.Int32, once *sync.Once, took, otherTook chan struct{}) Handler {
		return func(ctx context.Context, id string, p []byte) (json.RawMessage, error) {
			mu.Lock()
			perJob[id]++
			mu.Unlock()
			count.Add(1)
			once.Do(func() { close(took) })
			select {
			case <-otherTook:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return echo(ctx, id, p)
		}
	}
	run(t, a, handler(&byA, &aOnce, aTook, bTook))
	run(t, b, handler(&byB, &bOnce, bTook, aTook))
	for i := range n {
		q := a
		if i%2 == 1 {
			q = b
		}
		enqueue(t, q, jobID(i), "x", true)
	}
	for i := range n {
		waitState(t, a, jobID(i), StateDone)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		if c := perJob[jobID(i)]; c != 1 {
			t.Errorf("job %s handled %d times, want 1", jobID(i), c)
		}
	}
	if byA.Load()+byB.Load() != n || byA.Load() == 0 || byB.Load() == 0 {
		t.Errorf("replica a handled %d, b %d; want %d in total and some on each", byA.Load(), byB.Load(), n)
	}
}

func jobID(i int) string { return "job-" + string(rune('a'+i/26)) + string(rune('a'+i%26)) }

// TestCloseDrains closes the queue while a handler runs: Close waits for it,
// the handler's context stays alive, and its result is saved.
func TestCloseDrains(t *testing.T) {
	cfg := testConfig(t)
	q, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	var ctxAlive, finished atomic.Bool
	run(t, q, func(ctx context.Context, _ string, _ []byte) (json.RawMessage, error) {
		close(started)
		// Work until Close has been called, so that Close finds the
		// handler running whatever the speed of the machine.
		select {
		case <-q.stop:
		case <-ctx.Done(): // the test failed before Close
		}
		ctxAlive.Store(ctx.Err() == nil)
		finished.Store(true)
		return json.RawMessage(`"finished"`), nil
	})
	enqueue(t, q, "slow", "", true)
	<-started
	if err := q.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !finished.Load() {
		t.Error("Close returned before the running handler finished")
	}
	if !ctxAlive.Load() {
		t.Error("handler context was cancelled by Close, want it alive while draining")
	}
	if q.Ready() {
		t.Error("Ready() = true after Close")
	}
	if _, err := q.Enqueue(context.Background(), "late", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Enqueue after Close error = %v, want ErrClosed", err)
	}

	again := open(t, cfg)
	st, err := again.Status(context.Background(), "slow")
	if err != nil || st.State != StateDone || string(st.Result) != `"finished"` {
		t.Fatalf("status after drain = %+v, %v; want done with the handler's result", st, err)
	}
	// Before any worker runs, the stream holds exactly the jobs not
	// acknowledged: none.
	if queued, _, _ := stats(t, again); queued != 0 {
		t.Errorf("after reopening: %d queued; want the drained job acknowledged (0)", queued)
	}
	// A job enqueued now comes after anything left in the stream; once it
	// is done and the stream is drained, the workers have taken every job
	// that was left, and only the marker may have reached the handler.
	var calls atomic.Int32
	run(t, again, func(ctx context.Context, id string, p []byte) (json.RawMessage, error) {
		calls.Add(1)
		return echo(ctx, id, p)
	})
	enqueue(t, again, "marker", "", true)
	waitState(t, again, "marker", StateDone)
	waitDrained(t, again)
	if n := calls.Load(); n != 1 {
		t.Errorf("after reopening: %d handler calls; want 1 (the marker), the drained job not run again", n)
	}
}

// TestCancelledRunHandsJobBack cancels Run mid-job: the job goes back to the
// queue at once (not after AckWait) without counting the attempt, and the
// next worker completes it.
func TestCancelledRunHandsJobBack(t *testing.T) {
	q := open(t, testConfig(t))
	enqueue(t, q, "j", "x", true)
	interruptRun(t, q)
	run(t, q, echo)
	// The ack wait of the test queues is longer than any test runs: the
	// job can only be done because the cancelled run handed it back.
	st := waitState(t, q, "j", StateDone)
	if st.Attempts != 1 {
		t.Errorf("attempts = %d, want 1 (the interrupted one does not count)", st.Attempts)
	}
}

// interruptRun starts a worker whose handler blocks until cancelled, waits
// until it holds a job, then stops the worker mid-job.
func interruptRun(t *testing.T, q *Queue) {
	t.Helper()
	started := make(chan struct{})
	stop := run(t, q, func(ctx context.Context, _ string, _ []byte) (json.RawMessage, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	<-started
	stop()
}

package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// testAckWait is the ack wait of the test queues: longer than any test
// runs, so no job is ever handed out again because a worker of a loaded
// machine was slow to signal progress, and a job that completes after an
// interruption was released at once (the behaviour under test), not after
// its ack wait.
const testAckWait = 24 * time.Hour

// testConfig is a queue on a fresh embedded server with fast retries.
func testConfig(t *testing.T) Config {
	t.Helper()
	return Config{
		DataDir:     t.TempDir(),
		MaxAttempts: 3,
		AckWait:     testAckWait,
		Backoff:     []time.Duration{10 * time.Millisecond},
		Workers:     2,
	}
}

// open opens a queue that is closed when the test ends.
func open(t *testing.T, cfg Config) *Queue {
	t.Helper()
	q, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := q.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return q
}

// run starts q.Run in the background; the returned stop cancels it and
// waits for it to return. It is also called when the test ends.
func run(t *testing.T, q *Queue, h Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-testwait.GiveUp(t):
				t.Errorf("Run did not return after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// enqueue enqueues and checks the created flag.
func enqueue(t *testing.T, q *Queue, id, payload string, wantCreated bool) {
	t.Helper()
	created, err := q.Enqueue(context.Background(), id, []byte(payload))
	if err != nil {
		t.Fatalf("Enqueue(%q): %v", id, err)
	}
	if created != wantCreated {
		t.Fatalf("Enqueue(%q) created = %v, want %v", id, created, wantCreated)
	}
}

// waitState polls the status of id until it has the given state.
func waitState(t *testing.T, q *Queue, id string, want State) Status {
	t.Helper()
	var st Status
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		var err error
		st, err = q.Status(context.Background(), id)
		return err == nil && st.State == want, fmt.Sprintf("job %s: status %+v (err %v), want state %q", id, st, err, want)
	})
	return st
}

// waitDrained waits until no job is left in the stream: a job's status is
// saved before its message is acknowledged, so "done" comes slightly first.
func waitDrained(t *testing.T, q *Queue) {
	t.Helper()
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		queued, running, _ := stats(t, q)
		return queued == 0 && running == 0, fmt.Sprintf("Stats: %d queued, %d running; want 0, 0", queued, running)
	})
}

// stats returns q.Stats or fails the test.
func stats(t *testing.T, q *Queue) (queued, running, failed int) {
	t.Helper()
	queued, running, failed, err := q.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return queued, running, failed
}

func echo(_ context.Context, id string, payload []byte) (json.RawMessage, error) {
	return json.Marshal(map[string]string{"id": id, "payload": string(payload)})
}

func TestEnqueueRunStatus(t *testing.T) {
	q := open(t, testConfig(t))
	// Ready bounds its probe by a second, which a loaded machine may
	// exceed: ask again until it answers, with nothing done in between.
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) { return q.Ready(), "Ready() = false right after Open" })
	if u := q.ClientURL(); !strings.HasPrefix(u, "nats://127.0.0.1:") {
		t.Errorf("ClientURL() = %q, want nats://127.0.0.1:port", u)
	}
	start := time.Now().UTC()
	enqueue(t, q, "job-1", "hello", true)
	st := waitState(t, q, "job-1", StateQueued)
	if st.Attempts != 0 || st.ID != "job-1" || st.Created.Before(start.Add(-time.Second)) {
		t.Errorf("queued status = %+v", st)
	}
	if queued, running, failed := stats(t, q); queued != 1 || running != 0 || failed != 0 {
		t.Errorf("Stats before Run = %d queued, %d running, %d failed; want 1, 0, 0", queued, running, failed)
	}

	run(t, q, echo)
	st = waitState(t, q, "job-1", StateDone)
	if got, want := string(st.Result), `{"id":"job-1","payload":"hello"}`; got != want {
		t.Errorf("Result = %s, want %s", got, want)
	}
	if st.Attempts != 1 || st.Error != "" || st.Updated.Before(st.Created) {
		t.Errorf("done status = %+v, want 1 attempt, no error, Updated >= Created", st)
	}
	waitDrained(t, q)
	if _, _, failed := stats(t, q); failed != 0 {
		t.Errorf("Stats after the job: %d failed, want 0", failed)
	}

	if _, err := q.Status(context.Background(), "never-enqueued"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Status(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestEnqueueRejects(t *testing.T) {
	q := open(t, testConfig(t))
	tests := []struct {
		name    string
		id      string
		payload []byte
		want    error
	}{
		{"empty id", "", nil, ErrInvalidID},
		{"dot", "a.b", nil, ErrInvalidID},
		{"space", "a b", nil, ErrInvalidID},
		{"wildcard", "a*", nil, ErrInvalidID},
		{"too long", strings.Repeat("x", MaxIDLength+1), nil, ErrInvalidID},
		{"payload over max", "big", make([]byte, embeddedMaxPayload), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created, err := q.Enqueue(context.Background(), tt.id, tt.payload)
			if !errors.Is(err, tt.want) || created {
				t.Errorf("Enqueue = %v, %v; want false, %v", created, err, tt.want)
			}
		})
	}
	if _, err := Open(context.Background(), Config{}); err == nil || !strings.Contains(err.Error(), "DataDir") {
		t.Errorf("Open(Config{}) error = %v, want one naming DataDir", err)
	}
}

func TestSameIDHandledOnce(t *testing.T) {
	q := open(t, testConfig(t))
	var calls atomic.Int32
	enqueue(t, q, "dup", "first", true)
	enqueue(t, q, "dup", "second", false) // queued: duplicate message id
	run(t, q, func(ctx context.Context, id string, p []byte) (json.RawMessage, error) {
		calls.Add(1)
		return echo(ctx, id, p)
	})
	st := waitState(t, q, "dup", StateDone)
	enqueue(t, q, "dup", "third", false) // done: not stored again

	// A copy of the job published past the duplicate window (simulated by a
	// different message id) must be skipped by the worker.
	enqueue(t, q, "marker", "", true)
	waitState(t, q, "marker", StateDone)
	if _, err := q.js.PublishMsg(context.Background(), jobMsg("dup", 1, []byte("late copy")), withMsgID("dup-late")); err != nil {
		t.Fatal(err)
	}
	waitDrained(t, q)
	if n := calls.Load(); n != 2 { // dup once, marker once
		t.Errorf("handler calls = %d, want 2 (dup once, marker once)", n)
	}
	after, err := q.Status(context.Background(), "dup")
	if err != nil {
		t.Fatal(err)
	}
	if string(after.Result) != string(st.Result) || after.Attempts != 1 || !strings.Contains(string(after.Result), "first") {
		t.Errorf("status after duplicates = %+v, want the first run's result %s", after, st.Result)
	}
}

func TestRetriesAndFailure(t *testing.T) {
	tests := []struct {
		name         string
		failures     int  // attempts that fail before one succeeds
		panics       bool // failing attempts panic instead of returning an error
		permanent    bool // failing attempts return an ErrPermanent error
		wantState    State
		wantAttempts int
		wantError    string
	}{
		{"succeeds first time", 0, false, false, StateDone, 1, ""},
		{"succeeds on last attempt", 2, false, false, StateDone, 3, ""},
		{"always fails", 99, false, false, StateFailed, 3, "boom 3"},
		{"always panics", 99, true, false, StateFailed, 3, "handler panicked: boom 3"},
		{"permanent failure is not retried", 99, false, true, StateFailed, 1, "jobs: permanent failure: boom 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := open(t, testConfig(t))
			var calls atomic.Int32
			run(t, q, func(_ context.Context, id string, _ []byte) (json.RawMessage, error) {
				n := int(calls.Add(1))
				if n <= tt.failures {
					if tt.panics {
						panic(fmt.Sprintf("boom %d", n))
					}
					if tt.permanent {
						return nil, fmt.Errorf("%w: boom %d", ErrPermanent, n)
					}
					return nil, fmt.Errorf("boom %d", n)
				}
				return json.RawMessage(`"ok"`), nil
			})
			enqueue(t, q, "j", "", true)
			st := waitState(t, q, "j", tt.wantState)
			if st.Attempts != tt.wantAttempts || st.Error != tt.wantError {
				t.Errorf("status = %+v, want %d attempts, error %q", st, tt.wantAttempts, tt.wantError)
			}
			if int(calls.Load()) != tt.wantAttempts {
				t.Errorf("handler calls = %d, want %d", calls.Load(), tt.wantAttempts)
			}
			wantFailed := 0
			if tt.wantState == StateFailed {
				wantFailed = 1
			}
			waitDrained(t, q)
			if _, _, failed := stats(t, q); failed != wantFailed {
				t.Errorf("Stats: %d failed, want %d", failed, wantFailed)
			}
		})
	}
}

func TestFailedJobEnqueuedAgainRunsAgain(t *testing.T) {
	q := open(t, testConfig(t))
	var fail atomic.Bool
	fail.Store(true)
	var calls atomic.Int32
	run(t, q, func(context.Context, string, []byte) (json.RawMessage, error) {
		calls.Add(1)
		if fail.Load() {
			return nil, errors.New("photo host down")
		}
		return json.RawMessage(`1`), nil
	})
	enqueue(t, q, "again", "", true)
	waitState(t, q, "again", StateFailed)
	fail.Store(false)
	enqueue(t, q, "again", "", true)
	st := waitState(t, q, "again", StateDone)
	if st.Attempts != 1 || calls.Load() != 4 {
		t.Errorf("after re-enqueue: status %+v, %d calls; want 1 attempt of the new series, 4 calls", st, calls.Load())
	}
	enqueue(t, q, "again", "", false)
}

// jobMsg builds a job message the way Enqueue does.
func jobMsg(id string, gen uint64, payload []byte) *nats.Msg {
	m := &nats.Msg{Subject: Subject, Data: payload, Header: nats.Header{}}
	m.Header.Set(headerID, id)
	m.Header.Set(headerGen, strconv.FormatUint(gen, 10))
	return m
}

func withMsgID(id string) jetstream.PublishOpt { return jetstream.WithMsgID(id) }

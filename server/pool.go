package server

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

// pool bounds the renders in flight: workers run at once, and at most
// depth more wait. A request beyond that is refused at once with 503,
// rather than queueing without end or running out of memory.
type pool struct {
	admit   chan struct{} // workers+depth tokens: renders admitted (running or waiting)
	run     chan struct{} // workers tokens: renders running
	waiting atomic.Int64
	running atomic.Int64
}

func newPool(workers, depth int) *pool {
	return &pool{admit: make(chan struct{}, workers+depth), run: make(chan struct{}, workers)}
}

// errBusy is the answer when the pool and its queue are full.
var errBusy = &Problem{Status: http.StatusServiceUnavailable, Title: "Busy", Detail: "all render workers are busy and the wait queue is full; retry shortly", RetryAfter: 2}

// ticket is a place in the pool, taken before the request's expensive
// preparation (fetching the photo) so that overload is refused before it.
type ticket struct {
	p       *pool
	running bool
	done    bool
}

// reserve takes a place among the admitted renders without waiting, or
// fails with errBusy. The ticket must be released.
func (p *pool) reserve() (*ticket, error) {
	select {
	case p.admit <- struct{}{}:
	default:
		return nil, errBusy
	}
	p.waiting.Add(1)
	return &ticket{p: p}, nil
}

// wait blocks until a worker is free. A positive maxWait bounds the wait
// (then errBusy: a client is better told to retry than left waiting).
func (t *ticket) wait(ctx context.Context, maxWait time.Duration) error {
	var expired <-chan time.Time
	if maxWait > 0 {
		timer := time.NewTimer(maxWait)
		defer timer.Stop()
		expired = timer.C
	}
	select {
	case t.p.run <- struct{}{}:
	case <-expired:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	t.p.waiting.Add(-1)
	t.p.running.Add(1)
	t.running = true
	return nil
}

// release gives the place back; it may be called more than once.
func (t *ticket) release() {
	if t.done {
		return
	}
	t.done = true
	if t.running {
		t.p.running.Add(-1)
		<-t.p.run
	} else {
		t.p.waiting.Add(-1)
	}
	<-t.p.admit
}

// acquire waits for a worker; release must be called when the render ends.
func (p *pool) acquire(ctx context.Context) (release func(), err error) {
	t, err := p.reserve()
	if err != nil {
		return nil, err
	}
	if err := t.wait(ctx, 0); err != nil {
		t.release()
		return nil, err
	}
	return t.release, nil
}

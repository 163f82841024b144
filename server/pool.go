package server

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// pool bounds the renders in flight: workers run at once, and at most
// depth more wait. A request beyond that is refused at once with 503,
// rather than queueing without end or running out of memory.
//
// When the server drains (see Server.Drain) the pool takes no new places
// and answers the renders waiting for a worker at that moment with 503;
// renders running, and requests admitted earlier that are still reading
// their body or downloading their photo, finish.
type pool struct {
	admit   chan struct{} // workers+depth tokens: renders admitted (running or waiting)
	run     chan struct{} // workers tokens: renders running
	waiting atomic.Int64
	running atomic.Int64

	mu      sync.Mutex    // held while admit changes, so len(admit) is the tickets not yet released
	drained chan struct{} // closed by drain
	isDrain bool
	idle    chan struct{} // closed once drained and no ticket is left
}

func newPool(workers, depth int) *pool {
	return &pool{
		admit: make(chan struct{}, workers+depth), run: make(chan struct{}, workers),
		drained: make(chan struct{}), idle: make(chan struct{}),
	}
}

// errBusy is the answer when the pool and its queue are full.
var errBusy = &Problem{Status: http.StatusServiceUnavailable, Title: "Busy", Detail: "all render workers are busy and the wait queue is full; retry shortly", RetryAfter: 2}

// errDraining is the answer to renders refused because the server is
// shutting down: another replica (or this one, restarted) will answer a
// retry.
var errDraining = &Problem{Status: http.StatusServiceUnavailable, Title: "Shutting down", Detail: "this server is shutting down and starts no new renders; retry, another replica will answer", RetryAfter: 1}

// ticket is a place in the pool, taken before the request's expensive
// preparation (fetching the photo) so that overload is refused before it.
type ticket struct {
	p       *pool
	running bool
	done    bool
	job     bool // a webhook job's render: not refused by a drain
}

// reserve takes a place among the admitted renders without waiting, or
// fails with errBusy (errDraining once the pool is drained). A webhook
// job's render (ctx marked by asJob) is not refused by a drain: a job that
// started is finished before the process exits. The ticket must be
// released.
func (p *pool) reserve(ctx context.Context) (*ticket, error) {
	job := isJob(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.isDrain && !job {
		return nil, errDraining
	}
	select {
	case p.admit <- struct{}{}:
	default:
		return nil, errBusy
	}
	p.waiting.Add(1)
	return &ticket{p: p, job: job}, nil
}

// wait blocks until a worker is free. A positive maxWait bounds the wait
// (then errBusy: a client is better told to retry than left waiting). A
// drain answers a request's ticket waiting here with errDraining.
func (t *ticket) wait(ctx context.Context, maxWait time.Duration) error {
	var expired <-chan time.Time
	if maxWait > 0 {
		timer := time.NewTimer(maxWait)
		defer timer.Stop()
		expired = timer.C
	}
	var drained <-chan struct{}
	if !t.job {
		t.p.mu.Lock()
		if !t.p.isDrain {
			// Admitted before the drain and only now ready to render (its
			// body or photo was still arriving): it is in flight and may
			// wait. Only tickets already waiting when the drain starts are
			// answered with 503.
			drained = t.p.drained
		}
		t.p.mu.Unlock()
	}
	select {
	case t.p.run <- struct{}{}:
	case <-drained:
		return errDraining
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
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	<-p.admit
	if p.isDrain && len(p.admit) == 0 {
		closeOnce(p.idle)
	}
}

// drain stops admitting renders and answers those waiting for a worker
// with errDraining. It returns a channel closed once every admitted render
// has finished.
func (p *pool) drain() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.isDrain {
		p.isDrain = true
		close(p.drained)
		if len(p.admit) == 0 {
			close(p.idle)
		}
	}
	return p.idle
}

func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

type jobKey struct{}

// asJob marks ctx as a webhook job's, for reserve.
func asJob(ctx context.Context) context.Context { return context.WithValue(ctx, jobKey{}, true) }

func isJob(ctx context.Context) bool { b, _ := ctx.Value(jobKey{}).(bool); return b }

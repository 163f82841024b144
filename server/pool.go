package server

import (
	"context"
	"net/http"
	"sync/atomic"
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

// acquire waits for a worker; release must be called when the render ends.
func (p *pool) acquire(ctx context.Context) (release func(), err error) {
	select {
	case p.admit <- struct{}{}:
	default:
		return nil, errBusy
	}
	p.waiting.Add(1)
	select {
	case p.run <- struct{}{}:
	case <-ctx.Done():
		p.waiting.Add(-1)
		<-p.admit
		return nil, ctx.Err()
	}
	p.waiting.Add(-1)
	p.running.Add(1)
	return func() {
		p.running.Add(-1)
		<-p.run
		<-p.admit
	}, nil
}

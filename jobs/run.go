package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Handler runs one job and returns its result, which is saved as the job's
// Status.Result (nil or valid JSON). ctx is cancelled when the context given
// to Run is; a handler that then returns an error has its job handed out
// again, without counting the attempt.
type Handler func(ctx context.Context, id string, payload []byte) (json.RawMessage, error)

// pollWait bounds one pull request, so a worker notices Close quickly even
// when the server does not answer.
const pollWait = 5 * time.Second

// handBackDelay is how long a job handed back while its process stops
// waits before it is delivered again. A pull request cannot be withdrawn:
// the server keeps a stopping worker's open pull for up to pollWait and
// would deliver the job into it at once, to nobody, and the job would then
// wait a whole ack wait. After this delay only live pulls remain.
const handBackDelay = pollWait + time.Second

// saveTimeout bounds the bookkeeping after a handler returned.
const saveTimeout = 10 * time.Second

// Run handles jobs with cfg.Workers concurrent calls of handle until ctx is
// cancelled or Close is called, then waits for the handlers it started and
// returns nil. It returns an error only for a nil handle or a closed queue.
//
// Each job's handler runs while Run sends progress signals to JetStream
// every AckWait/3. Its outcome is saved in the status bucket before the job
// message is acknowledged, so a process killed mid-job leaves the message to
// be delivered again: to another process after AckWait, or at once when the
// process restarts with the embedded server (Open releases the jobs the dead
// process held). A job whose attempts keep dying is marked failed after
// MaxAttempts deliveries, so a job that crashes the process cannot loop
// forever. An error is
// retried after Backoff up to MaxAttempts runs in total, then the job is
// marked failed with the error text. Several processes running Run against
// one server share the jobs through one durable consumer: each delivery goes
// to one worker.
func (q *Queue) Run(ctx context.Context, handle Handler) error {
	if handle == nil {
		return errors.New("jobs: Run needs a handler function, got nil")
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	q.runs.Add(1)
	q.mu.Unlock()
	defer q.runs.Done()

	// fetchCtx ends on ctx cancellation or Close; handlers get ctx itself so
	// that Close lets them finish.
	fetchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-q.stop:
			cancel()
		case <-fetchCtx.Done():
		}
	}()
	var wg sync.WaitGroup
	for range q.cfg.Workers {
		wg.Go(func() { q.work(fetchCtx, ctx, handle) })
	}
	wg.Wait()
	return nil
}

// work fetches one job at a time and processes it, until fetchCtx ends. A
// worker asks for a job only when it is free, so no job waits in a client
// buffer while its ack wait runs out.
func (q *Queue) work(fetchCtx, runCtx context.Context, handle Handler) {
	pause := 100 * time.Millisecond
	for fetchCtx.Err() == nil {
		msg, err := q.next(fetchCtx)
		if err != nil {
			if fetchCtx.Err() != nil {
				return
			}
			if errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
				continue
			}
			q.log.Warn("jobs: fetch failed, retrying", "err", err, "pause", pause)
			select {
			case <-fetchCtx.Done():
				return
			case <-time.After(pause):
			}
			pause = min(2*pause, 5*time.Second)
			continue
		}
		pause = 100 * time.Millisecond
		if fetchCtx.Err() != nil {
			// Arrived while stopping: give it back (see handBackDelay).
			_ = msg.NakWithDelay(handBackDelay)
			return
		}
		q.process(runCtx, msg, handle)
	}
}

// next waits up to pollWait for one job.
func (q *Queue) next(ctx context.Context) (jetstream.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, pollWait)
	defer cancel()
	return q.cons.Next(jetstream.FetchContext(ctx))
}

// process runs the handler for one delivered job and settles the message.
func (q *Queue) process(runCtx context.Context, msg jetstream.Msg, handle Handler) {
	id := msg.Headers().Get(headerID)
	gen, _ := strconv.ParseUint(msg.Headers().Get(headerGen), 10, 64)
	bg := context.WithoutCancel(runCtx)
	log := q.log.With("job", id)
	if !validID(id) || gen == 0 {
		log.Error("jobs: dropping a message without a valid job id or generation", "gen", msg.Headers().Get(headerGen))
		q.settle(msg, func(m jetstream.Msg) error { return m.Term() })
		return
	}

	ctx, cancel := context.WithTimeout(bg, saveTimeout)
	rec, _, err := q.load(ctx, id)
	cancel()
	if err != nil && !errors.Is(err, ErrNotFound) {
		log.Warn("jobs: cannot read job status, retrying later", "err", err)
		_ = msg.NakWithDelay(q.cfg.backoff(1))
		return
	}
	now := time.Now().UTC()
	cur := record{Status: Status{ID: id, Created: now}, Gen: gen}
	if rec != nil {
		cur.Created = rec.Created
		switch {
		case rec.Gen > gen, rec.Gen == gen && (rec.State == StateDone || rec.State == StateFailed):
			// Already settled (an ack was lost, or a stale copy).
			q.settle(msg, ackSync(bg))
			return
		case rec.Gen == gen:
			cur.Attempts, cur.Error = rec.Attempts, rec.Error
		}
	}
	cur.Attempts++
	if cur.Attempts > q.cfg.MaxAttempts {
		// The earlier attempts never reported back: the process died or
		// the handler stalled beyond AckWait each time.
		if cur.Error == "" {
			cur.Error = fmt.Sprintf("no attempt finished: the worker stopped or stalled longer than the ack wait (%s) %d times", q.cfg.AckWait, q.cfg.MaxAttempts)
		}
		cur.Attempts = q.cfg.MaxAttempts
		q.finish(bg, msg, cur, StateFailed)
		return
	}
	cur.State, cur.Updated = StateRunning, now
	if err := q.save(bg, cur); err != nil {
		log.Warn("jobs: cannot save running status, retrying later", "err", err)
		_ = msg.NakWithDelay(q.cfg.backoff(1))
		return
	}

	q.running.Add(1)
	result, herr := q.call(runCtx, msg, handle, id)
	q.running.Add(-1)
	if herr == nil && len(result) > 0 && !json.Valid(result) {
		herr = fmt.Errorf("handler returned a result that is not valid JSON (%d bytes)", len(result))
	}
	switch {
	case herr == nil:
		cur.Result, cur.Error = result, ""
		q.finish(bg, msg, cur, StateDone)
	case runCtx.Err() != nil:
		// Shutting down: hand the job back without spending an attempt.
		cur.Attempts--
		cur.State, cur.Updated = StateQueued, time.Now().UTC()
		if err := q.save(bg, cur); err != nil {
			log.Warn("jobs: cannot save queued status", "err", err)
		}
		_ = msg.NakWithDelay(handBackDelay)
		log.Info("jobs: handler interrupted by shutdown, job returned to the queue")
	case cur.Attempts >= q.cfg.MaxAttempts, errors.Is(herr, ErrPermanent):
		cur.Error = herr.Error()
		q.finish(bg, msg, cur, StateFailed)
	default:
		cur.Error = herr.Error()
		cur.State, cur.Updated = StateQueued, time.Now().UTC()
		delay := q.cfg.backoff(cur.Attempts)
		if err := q.save(bg, cur); err != nil {
			log.Warn("jobs: cannot save retry status", "err", err)
		}
		log.Info("jobs: attempt failed, will retry", "attempt", cur.Attempts, "of", q.cfg.MaxAttempts, "in", delay, "err", herr)
		_ = msg.NakWithDelay(delay)
	}
}

// call runs handle, sending progress signals every AckWait/3 meanwhile and
// turning a panic into an error.
func (q *Queue) call(ctx context.Context, msg jetstream.Msg, handle Handler, id string) (result json.RawMessage, err error) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(max(q.cfg.AckWait/3, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := msg.InProgress(); err != nil {
					q.log.Warn("jobs: cannot signal progress", "job", id, "err", err)
				}
			}
		}
	})
	defer func() {
		close(done)
		wg.Wait()
		if r := recover(); r != nil {
			q.log.Error("jobs: handler panicked", "job", id, "panic", r, "stack", string(debug.Stack()))
			result, err = nil, fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return handle(ctx, id, msg.Data())
}

// finish saves the final state of a job, then acknowledges its message. If
// the status cannot be saved the message is left to be delivered again.
func (q *Queue) finish(ctx context.Context, msg jetstream.Msg, cur record, state State) {
	cur.State, cur.Updated = state, time.Now().UTC()
	if err := q.save(ctx, cur); err != nil {
		q.log.Error("jobs: cannot save final status; the job will run again", "job", cur.ID, "state", state, "err", err)
		_ = msg.NakWithDelay(q.cfg.backoff(1))
		return
	}
	if state == StateFailed {
		q.failed.Add(1)
		q.log.Warn("jobs: job failed", "job", cur.ID, "attempts", cur.Attempts, "err", cur.Error)
	}
	q.settle(msg, ackSync(ctx))
}

// save writes cur to the status bucket.
func (q *Queue) save(ctx context.Context, cur record) error {
	val, err := cur.encode()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, saveTimeout)
	defer cancel()
	if _, err := q.kv.Put(ctx, cur.ID, val); err != nil {
		return fmt.Errorf("jobs: save status of job %s in bucket %s: %w", cur.ID, BucketName, err)
	}
	return nil
}

// ackSync returns an acknowledgement that waits for the server's
// confirmation.
func ackSync(ctx context.Context) func(jetstream.Msg) error {
	return func(m jetstream.Msg) error {
		ctx, cancel := context.WithTimeout(ctx, saveTimeout)
		defer cancel()
		return m.DoubleAck(ctx)
	}
}

// settle applies an acknowledgement and logs a failure; the message is then
// delivered again, which the status check turns into a no-op.
func (q *Queue) settle(msg jetstream.Msg, how func(jetstream.Msg) error) {
	if err := how(msg); err != nil {
		q.log.Warn("jobs: cannot acknowledge job message; it will be delivered again and skipped", "job", msg.Headers().Get(headerID), "err", err)
	}
}

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

// Outcome is what a Task returns: the job's result and, optionally, a URL
// the result is delivered to once the job is saved done (see RunCallbacks).
type Outcome struct {
	// Result is saved as the job's Status.Result (nil or valid JSON).
	Result json.RawMessage
	// Callback, when not empty, is where RunCallbacks delivers Result,
	// apart from the job: the job is done as soon as its result is saved,
	// and the callback has its own attempts and deadline.
	Callback string
}

// Task is a Handler that may ask for its result to be delivered to a
// callback URL; see RunTasks.
type Task func(ctx context.Context, id string, payload []byte) (Outcome, error)

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
	return q.RunTasks(ctx, func(ctx context.Context, id string, payload []byte) (Outcome, error) {
		r, err := handle(ctx, id, payload)
		return Outcome{Result: r}, err
	})
}

// RunTasks is Run for a Task: a job whose Outcome names a callback is
// saved done with its callback pending, and a callback message is stored
// in the stream before the job's message is acknowledged, so a process
// that dies in between still delivers it. RunCallbacks delivers them.
func (q *Queue) RunTasks(ctx context.Context, task Task) error {
	if task == nil {
		return errors.New("jobs: RunTasks needs a task function, got nil")
	}
	return q.runLoop(ctx, q.cfg.Workers, q.cons, func(runCtx context.Context, msg jetstream.Msg) {
		q.process(runCtx, msg, task)
	})
}

// runLoop runs workers loops that take a message from cons and handle it,
// until ctx ends or Stop or Close is called, then waits for them.
func (q *Queue) runLoop(ctx context.Context, workers int, cons jetstream.Consumer, handle func(context.Context, jetstream.Msg)) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	if q.halted {
		q.mu.Unlock()
		return nil
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
		case <-q.halt:
			cancel()
		case <-fetchCtx.Done():
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { q.work(fetchCtx, ctx, cons, handle) })
	}
	wg.Wait()
	return nil
}

// work fetches one job at a time and processes it, until fetchCtx ends. A
// worker asks for a job only when it is free, so no job waits in a client
// buffer while its ack wait runs out.
func (q *Queue) work(fetchCtx, runCtx context.Context, cons jetstream.Consumer, handle func(context.Context, jetstream.Msg)) {
	pause := 100 * time.Millisecond
	for fetchCtx.Err() == nil {
		msg, err := next(fetchCtx, cons)
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
		handle(runCtx, msg)
	}
}

// next waits up to pollWait for one message of cons.
func next(ctx context.Context, cons jetstream.Consumer) (jetstream.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, pollWait)
	defer cancel()
	return cons.Next(jetstream.FetchContext(ctx))
}

// process runs the task for one delivered job and settles the message.
func (q *Queue) process(runCtx context.Context, msg jetstream.Msg, handle Task) {
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
			// Already settled (an ack was lost, or a stale copy). A
			// callback still pending may have lost its message with the
			// process that saved the job: store it again (a duplicate
			// within the window is dropped by its message id).
			if rec.Gen == gen && rec.Callback != nil && rec.Callback.State == CallbackPending {
				if err := q.publishCallback(bg, *rec); err != nil {
					log.Warn("jobs: cannot store the callback message, retrying later", "err", err)
					_ = msg.NakWithDelay(q.cfg.backoff(1))
					return
				}
			}
			q.settle(msg, ackSync(bg))
			return
		case rec.Gen == gen:
			cur.Attempts, cur.Error = rec.Attempts, rec.Error
			cur.Started, cur.Transient = rec.Started, rec.Transient
		}
	}
	cur.Attempts++
	if cur.Started.IsZero() {
		cur.Started = now
	}
	if cur.Attempts-cur.Transient > q.cfg.MaxAttempts {
		// The earlier attempts never reported back: the process died or
		// the handler stalled beyond AckWait each time.
		if cur.Error == "" {
			cur.Error = fmt.Sprintf("no attempt finished: the worker stopped or stalled longer than the ack wait (%s) %d times", q.cfg.AckWait, q.cfg.MaxAttempts)
		}
		cur.Attempts--
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
	var out Outcome
	herr := q.call(msg, id, "handler", func() (err error) {
		out, err = handle(runCtx, id, msg.Data())
		return err
	})
	q.running.Add(-1)
	result := out.Result
	if herr == nil && len(result) > 0 && !json.Valid(result) {
		herr = fmt.Errorf("handler returned a result that is not valid JSON (%d bytes)", len(result))
	}
	switch {
	case herr == nil:
		cur.Result, cur.Error = result, ""
		if out.Callback != "" {
			cur.Callback = &Callback{URL: out.Callback, State: CallbackPending, Updated: time.Now().UTC()}
		}
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
	case errors.Is(herr, ErrPermanent):
		cur.Error = herr.Error()
		q.finish(bg, msg, cur, StateFailed)
	case errors.Is(herr, ErrTransient):
		cur.Transient++
		delay := q.cfg.expBackoff(cur.Transient)
		if spent := time.Since(cur.Started); spent+delay > q.cfg.RetryFor {
			cur.Error = fmt.Sprintf("%v (transient failures for %s, beyond the retry budget of %s)", herr, spent.Round(time.Second), q.cfg.RetryFor)
			q.finish(bg, msg, cur, StateFailed)
			return
		}
		q.retry(bg, msg, cur, herr, delay)
	case cur.Attempts-cur.Transient >= q.cfg.MaxAttempts:
		cur.Error = herr.Error()
		q.finish(bg, msg, cur, StateFailed)
	default:
		q.retry(bg, msg, cur, herr, q.cfg.backoff(cur.Attempts-cur.Transient))
	}
}

// retry saves cur queued with herr and hands the message back after delay.
func (q *Queue) retry(ctx context.Context, msg jetstream.Msg, cur record, herr error, delay time.Duration) {
	cur.Error = herr.Error()
	cur.State, cur.Updated = StateQueued, time.Now().UTC()
	if err := q.save(ctx, cur); err != nil {
		q.log.Warn("jobs: cannot save retry status", "job", cur.ID, "err", err)
	}
	q.log.Info("jobs: attempt failed, will retry", "job", cur.ID, "attempt", cur.Attempts, "transient", errors.Is(herr, ErrTransient), "in", delay, "err", herr)
	_ = msg.NakWithDelay(delay)
}

// call runs fn, the handler or callback (what) of msg, sending progress
// signals every AckWait/3 meanwhile and turning a panic into an error.
func (q *Queue) call(msg jetstream.Msg, id, what string, fn func() error) (err error) {
	stop := q.signalProgress(msg, id)
	defer func() {
		stop()
		if r := recover(); r != nil {
			q.log.Error("jobs: "+what+" panicked", "job", id, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("%s panicked: %v", what, r)
		}
	}()
	return fn()
}

// signalProgress sends progress signals for msg every AckWait/3 until the
// returned function is called.
func (q *Queue) signalProgress(msg jetstream.Msg, id string) (stop func()) {
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
	return func() {
		close(done)
		wg.Wait()
	}
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
	if cur.Callback != nil && cur.Callback.State == CallbackPending {
		// Stored before the job's message is acknowledged: if this fails
		// or the process dies here, the job's message comes back, finds
		// the job done with its callback pending and stores it again.
		if err := q.publishCallback(ctx, cur); err != nil {
			q.log.Warn("jobs: cannot store the callback message, retrying later", "job", cur.ID, "err", err)
			_ = msg.NakWithDelay(q.cfg.backoff(1))
			return
		}
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

// publishCallback stores the callback message of a done job whose callback
// is pending. Its message id makes a second publication within
// DuplicateWindow a no-op.
func (q *Queue) publishCallback(ctx context.Context, rec record) error {
	msg := &nats.Msg{Subject: CallbackSubject, Header: nats.Header{}}
	msg.Header.Set(headerID, rec.ID)
	msg.Header.Set(headerGen, strconv.FormatUint(rec.Gen, 10))
	ctx, cancel := context.WithTimeout(ctx, saveTimeout)
	defer cancel()
	_, err := q.js.PublishMsg(ctx, msg,
		jetstream.WithMsgID("callback#"+rec.ID+"#"+strconv.FormatUint(rec.Gen, 10)),
		jetstream.WithExpectStream(StreamName))
	if err != nil {
		return fmt.Errorf("jobs: store callback of job %s in stream %s: %w", rec.ID, StreamName, err)
	}
	return nil
}

// Deliver sends a done job's result to its callback URL, once; the error
// of a failed attempt is recorded and the attempt retried. ctx ends when
// RunCallbacks' context does.
type Deliver func(ctx context.Context, url, id string, result json.RawMessage) error

// RunCallbacks delivers the callbacks of done jobs (see Outcome) with
// Config.CallbackWorkers concurrent calls of deliver, on workers of their
// own, until ctx is cancelled or Stop or Close is called. A failed attempt
// is retried with pauses doubling from one second up to MaxBackoff, until
// CallbackAttempts attempts or CallbackRetryFor after the job ended; the
// callback is then marked failed. The job stays done either way. Like
// jobs, callbacks survive a crash: a callback pending when the process
// dies is delivered after a restart (or by another process).
func (q *Queue) RunCallbacks(ctx context.Context, deliver Deliver) error {
	if deliver == nil {
		return errors.New("jobs: RunCallbacks needs a deliver function, got nil")
	}
	return q.runLoop(ctx, q.cfg.CallbackWorkers, q.cbCons, func(runCtx context.Context, msg jetstream.Msg) {
		q.deliver(runCtx, msg, deliver)
	})
}

// deliver makes one attempt at a callback and settles its message.
func (q *Queue) deliver(runCtx context.Context, msg jetstream.Msg, deliver Deliver) {
	id := msg.Headers().Get(headerID)
	gen, _ := strconv.ParseUint(msg.Headers().Get(headerGen), 10, 64)
	bg := context.WithoutCancel(runCtx)
	log := q.log.With("job", id)
	ctx, cancel := context.WithTimeout(bg, saveTimeout)
	rec, _, err := q.load(ctx, id)
	cancel()
	switch {
	case errors.Is(err, ErrNotFound) || !validID(id):
		q.settle(msg, func(m jetstream.Msg) error { return m.Term() })
		return
	case err != nil:
		log.Warn("jobs: cannot read job status for its callback, retrying later", "err", err)
		_ = msg.NakWithDelay(q.cfg.backoff(1))
		return
	case rec.Gen != gen || rec.State != StateDone || rec.Callback == nil || rec.Callback.State != CallbackPending:
		q.settle(msg, ackSync(bg)) // settled already, or a stale copy
		return
	}
	cb := *rec.Callback
	cb.Attempts++
	derr := q.call(msg, id, "callback", func() error { return deliver(runCtx, cb.URL, id, rec.Result) })
	if derr != nil && runCtx.Err() != nil {
		// Shutting down: hand the callback back without spending an attempt.
		_ = msg.NakWithDelay(handBackDelay)
		return
	}
	cb.Updated = time.Now().UTC()
	var delay time.Duration
	switch {
	case derr == nil:
		cb.State, cb.Error = CallbackDelivered, ""
	default:
		cb.Error = derr.Error()
		delay = q.cfg.expBackoff(cb.Attempts)
		ended := rec.Updated
		if cb.Attempts >= q.cfg.CallbackAttempts || time.Since(ended)+delay > q.cfg.CallbackRetryFor {
			cb.State = CallbackFailed
			log.Warn("jobs: callback failed for good; the job stays done", "url", cb.URL, "attempts", cb.Attempts, "err", derr)
		} else {
			log.Info("jobs: callback attempt failed, will retry", "url", cb.URL, "attempt", cb.Attempts, "in", delay, "err", derr)
		}
	}
	rec.Callback = &cb
	if err := q.save(bg, *rec); err != nil {
		log.Warn("jobs: cannot save callback status, retrying later", "err", err)
		_ = msg.NakWithDelay(q.cfg.backoff(1))
		return
	}
	if cb.State == CallbackPending {
		_ = msg.NakWithDelay(delay)
		return
	}
	q.settle(msg, ackSync(bg))
}

// Stop stops this process taking new jobs and callbacks, and waits until
// the handlers running finish or ctx ends (then it returns ctx's error;
// cancelling the context given to Run interrupts them). Enqueue and Status
// keep working until Close: a server that is shutting down still accepts
// webhooks while it drains.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	if !q.halted {
		q.halted = true
		close(q.halt)
	}
	q.mu.Unlock()
	done := make(chan struct{})
	go func() {
		q.runs.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

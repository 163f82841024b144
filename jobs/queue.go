package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Message headers carried by every job message.
const (
	headerID  = "Sharecard-Job-Id"
	headerGen = "Sharecard-Job-Gen"
)

// embeddedMaxPayload is the largest job payload the embedded server accepts.
const embeddedMaxPayload = 8 << 20

// Queue is a durable job queue. Its methods are safe for concurrent use.
type Queue struct {
	cfg  Config
	log  *slog.Logger
	srv  *server.Server // nil with an external server
	nc   *nats.Conn
	js   jetstream.JetStream
	kv   jetstream.KeyValue
	cons jetstream.Consumer

	mu     sync.Mutex
	closed bool
	stop   chan struct{} // closed by Close: stop fetching jobs
	halt   chan struct{} // closed by Stop: stop fetching jobs, stay open
	halted bool
	// lastRestart is the last attempt to restart JetStream (see Ready).
	lastRestart time.Time
	// broken is set when the embedded server failed to store something:
	// Ready then restarts its JetStream.
	broken atomic.Bool
	runs   sync.WaitGroup
	cbCons jetstream.Consumer // callbacks

	running atomic.Int64 // handlers executing in this process
	failed  atomic.Int64 // jobs this process marked failed since Open
}

// record is the value stored in the status bucket: the public Status plus
// the generation of the job. A failed job enqueued again starts a new
// generation, which gets its own message id and a fresh attempt count.
type record struct {
	Status
	Gen uint64 `json:"gen"`
	// Started is when the generation's first attempt started: the start of
	// Config.RetryFor.
	Started time.Time `json:"started,omitzero"`
	// Transient counts the attempts that failed with ErrTransient, which
	// do not count against MaxAttempts.
	Transient int `json:"transient,omitempty"`
}

// Open connects to the queue described by cfg, starting an embedded
// nats-server first when cfg.URL is empty, and creates the stream, the
// consumer and the status bucket if they do not exist yet (or updates them to
// cfg). ctx bounds the setup only.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	cfg = cfg.withDefaults()
	q := &Queue{cfg: cfg, log: cfg.Logger, stop: make(chan struct{}), halt: make(chan struct{})}
	var err error
	if cfg.URL == "" {
		if q.srv, err = startEmbedded(cfg); err != nil {
			return nil, err
		}
		q.nc, err = nats.Connect(q.srv.ClientURL(), nats.InProcessServer(q.srv), nats.Name("sharecard-jobs"))
	} else {
		q.nc, err = nats.Connect(cfg.URL, nats.Name("sharecard-jobs"),
			nats.MaxReconnects(-1), nats.ReconnectWait(time.Second),
			nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
				q.log.Warn("jobs: disconnected from nats", "err", err)
			}),
			nats.ReconnectHandler(func(nc *nats.Conn) {
				q.log.Info("jobs: reconnected to nats", "url", nc.ConnectedUrlRedacted())
			}))
	}
	if err != nil {
		q.shutdownServer()
		return nil, fmt.Errorf("jobs: connect to nats at %q: %w (check Config.URL and that the server runs with JetStream enabled)", q.target(), err)
	}
	if err := q.setup(ctx); err != nil {
		q.nc.Close()
		q.shutdownServer()
		return nil, err
	}
	return q, nil
}

// target names the server Open connects to, for error messages.
func (q *Queue) target() string {
	if q.cfg.URL != "" {
		return q.cfg.URL
	}
	return "embedded server in " + q.cfg.DataDir
}

// startEmbedded starts a nats-server with JetStream storing in cfg.DataDir,
// listening on a random port of 127.0.0.1, and waits until it accepts
// connections.
func startEmbedded(cfg Config) (*server.Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("jobs: Config.DataDir is empty; set it to a writable folder such as ./data/nats, or set Config.URL to use an external nats server")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("jobs: create data folder %q: %w", cfg.DataDir, err)
	}
	opts := &server.Options{
		ServerName: "sharecard",
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		JetStream:  true,
		StoreDir:   cfg.DataDir,
		SyncAlways: true, // fsync every write: a job acknowledged to Enqueue survives a power cut
		MaxPayload: embeddedMaxPayload,
		NoSigs:     true,
		NoLog:      true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: configure embedded nats server in %q: %w", cfg.DataDir, err)
	}
	srv.SetLoggerV2(serverLogger{cfg.Logger.With("component", "nats-server")}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("jobs: embedded nats server in %q did not start within 30s (is the folder writable and not used by another process?)", cfg.DataDir)
	}
	return srv, nil
}

// setup creates or updates the stream, the consumer and the status bucket.
func (q *Queue) setup(ctx context.Context) error {
	js, err := jetstream.New(q.nc)
	if err != nil {
		return fmt.Errorf("jobs: jetstream on %s: %w", q.target(), err)
	}
	q.js = js
	// Work-queue retention: a message is deleted once acknowledged, so the
	// stream holds exactly the unfinished jobs and does not grow; JetStream
	// also refuses a second consumer that could take the same jobs.
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "sharecard jobs not finished yet",
		Subjects:    []string{Subject, CallbackSubject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  DuplicateWindow,
		Replicas:    q.cfg.Replicas,
		Discard:     jetstream.DiscardOld,
	})
	if err != nil {
		return fmt.Errorf("jobs: create stream %s on %s: %w (is JetStream enabled on the server?)", StreamName, q.target(), err)
	}
	if err := q.createConsumer(ctx); err != nil {
		return err
	}
	if q.srv != nil {
		if err := q.releaseOrphans(ctx); err != nil {
			return err
		}
	}
	q.kv, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      BucketName,
		Description: "sharecard job statuses by id",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    q.cfg.Replicas,
	})
	if err != nil {
		return fmt.Errorf("jobs: create key-value bucket %s on %s: %w", BucketName, q.target(), err)
	}
	return nil
}

// createConsumer creates or updates the durable consumers all workers
// share: one for jobs, one for callbacks.
func (q *Queue) createConsumer(ctx context.Context) error {
	var err error
	if q.cbCons, err = q.consumer(ctx, CallbackConsumerName, "sharecard callback deliveries", CallbackSubject); err != nil {
		return err
	}
	q.cons, err = q.consumer(ctx, ConsumerName, "sharecard job workers", Subject)
	return err
}

// consumer creates or updates the durable pull consumer name of subject.
func (q *Queue) consumer(ctx context.Context, name, description, subject string) (jetstream.Consumer, error) {
	c, err := q.js.CreateOrUpdateConsumer(ctx, StreamName, jetstream.ConsumerConfig{
		Durable:       name,
		Description:   description,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       q.cfg.AckWait,
		MaxDeliver:    -1, // attempts are counted in the status bucket, see Run and RunCallbacks
		FilterSubject: subject,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: create consumer %s on stream %s: %w", name, StreamName, err)
	}
	return c, nil
}

// releaseOrphans makes jobs that a previous run of this process had taken
// but not finished (it was killed) available at once instead of after
// AckWait. Only for the embedded server: it has just started, so no other
// process can be working on those jobs. Recreating the consumer forgets its
// deliveries; the unfinished messages are still in the work-queue stream
// and are delivered again from the start.
func (q *Queue) releaseOrphans(ctx context.Context) error {
	released := false
	for _, c := range []struct {
		name string
		cons jetstream.Consumer
	}{{ConsumerName, q.cons}, {CallbackConsumerName, q.cbCons}} {
		info, err := c.cons.Info(ctx)
		if err != nil {
			return fmt.Errorf("jobs: read consumer %s: %w", c.name, err)
		}
		if info.NumAckPending == 0 {
			continue
		}
		q.log.Info("jobs: releasing work left unfinished by the previous run", "consumer", c.name, "messages", info.NumAckPending)
		if err := q.js.DeleteConsumer(ctx, StreamName, c.name); err != nil {
			return fmt.Errorf("jobs: delete consumer %s to release unfinished work: %w", c.name, err)
		}
		released = true
	}
	if !released {
		return nil
	}
	return q.createConsumer(ctx)
}

// Enqueue stores a job durably: it returns only after the JetStream server
// acknowledged the message on file storage (synced to disk with the embedded
// server). id is a content key chosen by the caller: 1 to MaxIDLength ASCII
// letters, digits, '-', '_' or '='; otherwise the error wraps ErrInvalidID.
//
// Enqueueing an id that is queued, running or done does not create a second
// job; created reports whether this call stored a new job. A job that failed
// is enqueued again as a new attempt series. The message id (Nats-Msg-Id)
// makes a concurrent or repeated publication a no-op within DuplicateWindow;
// the status bucket covers the time after it.
func (q *Queue) Enqueue(ctx context.Context, id string, payload []byte) (created bool, err error) {
	if !validID(id) {
		return false, fmt.Errorf("%w: %q must be 1 to %d letters, digits, '-', '_' or '='", ErrInvalidID, id, MaxIDLength)
	}
	if q.isClosed() {
		return false, ErrClosed
	}
	if limit := q.MaxPayload(); int64(len(payload)) > limit {
		return false, fmt.Errorf("%w: job %s has %d bytes, the nats server accepts about %d (raise max_payload on the server or send less)", ErrTooLarge, id, len(payload), limit)
	}
	if q.embeddedDown() && !q.Ready() {
		return false, fmt.Errorf("%w: the embedded nats server in %s cannot store jobs (is its disk full?); it recovers by itself once it can", ErrUnavailable, q.cfg.DataDir)
	}
	bounded, cancel := context.WithTimeout(ctx, q.cfg.EnqueueTimeout)
	defer cancel()
	created, err = q.enqueue(bounded, id, payload)
	if err != nil && ctx.Err() == nil && q.srv != nil {
		q.broken.Store(true)
	}
	switch {
	case err == nil, errors.Is(err, ErrUnavailable), ctx.Err() != nil:
	case bounded.Err() != nil:
		// Our bound, not the caller's, ran out: the server does not answer.
		err = fmt.Errorf("%w: %s did not store job %s within %s (Config.EnqueueTimeout): %w", ErrUnavailable, q.target(), id, q.cfg.EnqueueTimeout, err)
	default:
		// The server answered with an error (out of resources, no stream):
		// the job is not stored, and a retry may well succeed.
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return created, err
}

// enqueue is Enqueue once the id and size are checked.
func (q *Queue) enqueue(ctx context.Context, id string, payload []byte) (created bool, err error) {
	rec, rev, err := q.load(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	gen := uint64(1)
	if rec != nil {
		switch rec.State {
		case StateDone, StateRunning:
			// Done: never again. Running: the message is in the stream
			// until the worker saves the outcome, so nothing is lost.
			return false, nil
		case StateFailed:
			gen = rec.Gen + 1
		default:
			// Queued: publish again under the same message id. Normally
			// a duplicate; it restores the job if its message is gone.
			gen = rec.Gen
		}
	}
	msg := &nats.Msg{Subject: Subject, Data: payload, Header: nats.Header{}}
	msg.Header.Set(headerID, id)
	msg.Header.Set(headerGen, strconv.FormatUint(gen, 10))
	ack, err := q.js.PublishMsg(ctx, msg,
		jetstream.WithMsgID(id+"#"+strconv.FormatUint(gen, 10)),
		jetstream.WithExpectStream(StreamName))
	if err != nil {
		return false, fmt.Errorf("jobs: store job %s in stream %s: %w", id, StreamName, err)
	}
	if ack.Duplicate {
		return false, nil
	}
	now := time.Now().UTC()
	next := record{Status: Status{ID: id, State: StateQueued, Created: now, Updated: now}, Gen: gen}
	if rec != nil {
		next.Created = rec.Created
	}
	val, err := next.encode()
	switch {
	case err != nil:
	case rec == nil:
		_, err = q.kv.Create(ctx, id, val)
	case rec.State == StateFailed:
		_, err = q.kv.Update(ctx, id, val, rev)
	}
	// A conflict means a worker already took the job and wrote a newer
	// status; that one must stay. Other errors are harmless too: the job
	// is stored and the worker writes its status when it starts.
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		q.log.Warn("jobs: job stored but its queued status was not saved", "job", id, "err", err)
	}
	return true, nil
}

// Status returns what is known about job id; the error wraps ErrNotFound
// for an id that was never enqueued (or whose first attempt has not been
// picked up after a failed status write).
func (q *Queue) Status(ctx context.Context, id string) (Status, error) {
	if !validID(id) {
		return Status{}, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	rec, _, err := q.load(ctx, id)
	if err != nil {
		return Status{}, err
	}
	return rec.Status, nil
}

// load reads the record of id and its revision.
func (q *Queue) load(ctx context.Context, id string) (*record, uint64, error) {
	e, err := q.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("jobs: read status of job %s from bucket %s: %w", id, BucketName, err)
	}
	var rec record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return nil, 0, fmt.Errorf("jobs: status of job %s in bucket %s is not valid JSON: %w", id, BucketName, err)
	}
	rec.ID = id
	return &rec, e.Revision(), nil
}

// Stats reports counts for metrics. They are approximate:
//   - running is the number of handlers executing in this process now;
//   - queued is the number of unfinished jobs in the stream (waiting for a
//     worker, waiting for a retry, or running on another process) minus
//     running; with one process it is exact up to in-flight changes;
//   - failed is the number of jobs this process marked failed since Open,
//     a monotonic count suited to a Prometheus counter.
func (q *Queue) Stats(ctx context.Context) (queued, running, failed int, err error) {
	info, err := q.cons.Info(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("jobs: read consumer %s: %w", ConsumerName, err)
	}
	running = int(q.running.Load())
	queued = max(int(info.NumPending)+info.NumAckPending-running, 0)
	return queued, running, int(q.failed.Load()), nil
}

// MaxPayload is the largest payload Enqueue accepts, in bytes: the NATS
// server's max_payload less 1 KiB for the message headers.
func (q *Queue) MaxPayload() int64 { return q.nc.MaxPayload() - 1024 }

// Ready reports whether the queue is open, connected and JetStream answers
// (within one second). With the embedded server it also writes a small
// probe to its disk, and restarts JetStream when it is off or its files
// failed to write (a full disk leaves nats-server's streams refusing every
// write, even once space is back): the queue recovers by itself.
func (q *Queue) Ready() bool {
	if q.isClosed() || !q.nc.IsConnected() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if q.embeddedDown() {
		return q.restartJetStream()
	}
	if q.srv != nil {
		if err := q.probe(ctx); err != nil {
			q.log.Warn("jobs: the embedded nats server cannot write to its disk", "dir", q.cfg.DataDir, "err", err)
			q.broken.Store(true)
			return false
		}
	}
	_, err := q.js.AccountInfo(ctx)
	return err == nil
}

// embeddedDown reports whether the embedded server's JetStream is off or
// failed to store something, so that it needs restarting (see Ready).
func (q *Queue) embeddedDown() bool {
	return q.srv != nil && (q.broken.Load() || !q.srv.JetStreamEnabled())
}

// probeKey is the status-bucket key of Ready's probe writes: not a valid
// job id, so Status never reads it.
const probeKey = "probe.ready"

// probe writes a small value to the status bucket.
func (q *Queue) probe(ctx context.Context) error {
	_, err := q.kv.Put(ctx, probeKey, []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	return err
}

// restartJetStream switches JetStream of the embedded server off and on
// again, which reopens its files, at most once per restartEvery, and
// reports whether it works again (a probe write succeeds).
func (q *Queue) restartJetStream() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || time.Since(q.lastRestart) < restartEvery {
		return false
	}
	q.lastRestart = time.Now()
	if q.srv.JetStreamEnabled() {
		if err := q.srv.ShutdownJetStream(); err != nil {
			q.log.Warn("jobs: cannot stop JetStream of the embedded nats server to restart it", "err", err)
			return false
		}
	}
	err := q.srv.EnableJetStream(&server.JetStreamConfig{StoreDir: q.cfg.DataDir, SyncAlways: true, Strict: true, CompressOK: true})
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = q.probe(ctx)
		cancel()
	}
	if err != nil {
		q.log.Warn("jobs: JetStream of the embedded nats server does not work (a full disk?); will retry", "dir", q.cfg.DataDir, "err", err)
		return false
	}
	q.broken.Store(false)
	q.log.Info("jobs: JetStream of the embedded nats server restarted", "dir", q.cfg.DataDir)
	return true
}

// restartEvery spaces the attempts to restart JetStream.
const restartEvery = time.Second

// ClientURL returns the nats:// URL of the embedded server on 127.0.0.1, so
// another Queue (or the nats CLI) can connect to it; with an external server
// it returns the server this queue is connected to.
func (q *Queue) ClientURL() string {
	if q.srv != nil {
		return q.srv.ClientURL()
	}
	return q.nc.ConnectedUrl()
}

// Close stops taking jobs, waits for the handlers that are running to return
// and their statuses to be saved (a handler only stops early if the context
// given to Run is cancelled), then closes the connection and stops the
// embedded server. Calling Close again does nothing; calling it from a
// handler deadlocks. A pull request that was in flight when Close was called
// may leave one job to another process only after AckWait.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.stop)
	q.mu.Unlock()
	q.runs.Wait()
	err := q.nc.FlushTimeout(5 * time.Second)
	q.nc.Close()
	q.shutdownServer()
	if err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("jobs: flush before close: %w", err)
	}
	return nil
}

// shutdownServer stops the embedded server, if any, and waits for it.
func (q *Queue) shutdownServer() {
	if q.srv != nil {
		q.srv.Shutdown()
		q.srv.WaitForShutdown()
	}
}

// isClosed reports whether Close was called.
func (q *Queue) isClosed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// encode returns the JSON stored in the status bucket for rec.
func (rec record) encode() ([]byte, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("jobs: encode status of job %s: %w", rec.ID, err)
	}
	return b, nil
}

// serverLogger routes the embedded server's log lines to slog. Notices are
// debug level: the server is an implementation detail of the queue.
type serverLogger struct{ log *slog.Logger }

func (l serverLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLogger) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Debugf(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Tracef(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }

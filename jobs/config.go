// Package jobs is a durable job queue on NATS JetStream for work that must
// survive a crash, such as rendering the images a CMS webhook asked for.
//
// A job is a caller-chosen id (a content key) and an opaque payload. Enqueue
// stores it in a JetStream stream on disk before returning; Run hands each
// job to a handler, retries failures with backoff and records the outcome in
// a JetStream key-value bucket that Status reads. By default Open starts an
// embedded nats-server, so a single binary needs no other process; with
// Config.URL several processes share one external NATS server or cluster and
// split the work between them.
//
// A job whose Task asks for it (Outcome.Callback) has its result delivered
// to a callback URL apart from the job, by RunCallbacks on workers of their
// own, with their own attempts and deadline; Status.Callback shows where
// that delivery is. Failures wrapping ErrTransient are retried for
// Config.RetryFor (hours), others MaxAttempts times, and ErrPermanent ones
// not at all.
//
// Delivery is at least once: a job whose handler was interrupted (process
// killed, connection lost) is handed out again, so handlers must be
// idempotent. A job that finished is never run again for the same id unless
// it failed and is enqueued anew.
package jobs

import (
	"encoding/json"
	"errors"
	"log/slog"
	"time"
)

// Names of the JetStream objects the queue creates or binds to. Every process
// sharing a NATS server uses the same names, which is how replicas share work.
const (
	// StreamName is the JetStream stream holding jobs that are not finished.
	StreamName = "SHARECARD_JOBS"
	// Subject is the subject jobs are published on.
	Subject = "sharecard.jobs"
	// ConsumerName is the durable pull consumer shared by all workers.
	ConsumerName = "sharecard-workers"
	// CallbackSubject is the subject, in the same stream, of the callbacks
	// of finished jobs: their own messages, taken by their own consumer, so
	// a slow callback never holds a job worker.
	CallbackSubject = "sharecard.callbacks"
	// CallbackConsumerName is the durable pull consumer of callbacks.
	CallbackConsumerName = "sharecard-callbacks"
	// BucketName is the key-value bucket holding one status per job id.
	BucketName = "SHARECARD_JOB_STATUS"
	// DuplicateWindow is how long JetStream remembers a published job id to
	// drop a second publication of it. Beyond it the status bucket still
	// prevents a finished job from running again.
	DuplicateWindow = 24 * time.Hour
)

// Default values used for zero fields of Config.
const (
	DefaultMaxAttempts      = 5
	DefaultAckWait          = 2 * time.Minute
	DefaultWorkers          = 1
	DefaultRetryFor         = 6 * time.Hour
	DefaultMaxBackoff       = 5 * time.Minute
	DefaultEnqueueTimeout   = 5 * time.Second
	DefaultCallbackWorkers  = 2
	DefaultCallbackAttempts = 10
	DefaultCallbackRetryFor = time.Hour
)

// DefaultBackoff returns the pauses between attempts used when
// Config.Backoff is empty: 1 s, 5 s, 30 s, then 2 min for every later attempt.
func DefaultBackoff() []time.Duration {
	return []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}
}

// Config says where the queue lives and how jobs are retried. The zero value
// is not usable on its own only because DataDir (or URL) must be set.
type Config struct {
	// URL of an external NATS server or cluster, such as
	// "nats://nats:4222" (comma-separated for several seed servers). Empty
	// starts an embedded nats-server with JetStream storing in DataDir,
	// listening on a random port of 127.0.0.1 (see Queue.ClientURL).
	URL string
	// DataDir is the folder where the embedded server keeps its JetStream
	// files, for example ./data/nats. Required when URL is empty; created if
	// missing. Ignored with an external server.
	DataDir string
	// MaxAttempts is how many times a job's handler runs before the job is
	// marked failed. Zero means DefaultMaxAttempts.
	MaxAttempts int
	// AckWait is how long a delivered job may go without a sign of progress
	// before JetStream hands it to another worker. Run sends progress
	// signals every AckWait/3 while a handler runs, so it only matters when
	// a process dies mid-job. Zero means DefaultAckWait. All processes
	// sharing a server should use the same value (the last to start wins).
	AckWait time.Duration
	// Backoff lists the pauses before the second, third... attempt; the last
	// entry repeats. Empty means DefaultBackoff().
	Backoff []time.Duration
	// Workers is how many jobs this process handles at once. Zero means
	// DefaultWorkers.
	Workers int
	// RetryFor is how long a job whose attempts fail with a transient error
	// (one wrapping ErrTransient: the store unreachable or full, a photo
	// host down, a timeout) keeps being retried, counted from its first
	// attempt, with pauses doubling from one second up to MaxBackoff; such
	// failures do not count against MaxAttempts. Zero means
	// DefaultRetryFor (6 hours).
	RetryFor time.Duration
	// MaxBackoff caps the pause between attempts after transient failures,
	// and between callback attempts. Zero means DefaultMaxBackoff (5 min).
	MaxBackoff time.Duration
	// EnqueueTimeout bounds Enqueue when the server does not answer (a
	// full disk under the embedded server, a partitioned cluster): the
	// error then wraps ErrUnavailable instead of hanging. Zero means
	// DefaultEnqueueTimeout (5 s).
	EnqueueTimeout time.Duration
	// CallbackWorkers is how many callbacks this process delivers at once
	// (see RunCallbacks). Zero means DefaultCallbackWorkers.
	CallbackWorkers int
	// CallbackAttempts is how many times a callback is tried before it is
	// marked failed. Zero means DefaultCallbackAttempts.
	CallbackAttempts int
	// CallbackRetryFor is the total deadline of a callback, from the job's
	// end: no attempt starts after it. Zero means DefaultCallbackRetryFor
	// (1 hour).
	CallbackRetryFor time.Duration
	// Replicas is the JetStream replication factor of the stream and the
	// status bucket, for an external clustered server. Zero means 1.
	Replicas int
	// Logger receives the queue's and the embedded server's log lines. Nil
	// discards them.
	Logger *slog.Logger
}

// withDefaults returns cfg with zero fields replaced by their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	if len(cfg.Backoff) == 0 {
		cfg.Backoff = DefaultBackoff()
	} else {
		cfg.Backoff = append([]time.Duration(nil), cfg.Backoff...)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.RetryFor <= 0 {
		cfg.RetryFor = DefaultRetryFor
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.EnqueueTimeout <= 0 {
		cfg.EnqueueTimeout = DefaultEnqueueTimeout
	}
	if cfg.CallbackWorkers <= 0 {
		cfg.CallbackWorkers = DefaultCallbackWorkers
	}
	if cfg.CallbackAttempts <= 0 {
		cfg.CallbackAttempts = DefaultCallbackAttempts
	}
	if cfg.CallbackRetryFor <= 0 {
		cfg.CallbackRetryFor = DefaultCallbackRetryFor
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// backoff returns the pause after the given failed attempt (1-based).
func (cfg Config) backoff(attempt int) time.Duration {
	i := attempt - 1
	if i >= len(cfg.Backoff) {
		i = len(cfg.Backoff) - 1
	}
	if i < 0 {
		i = 0
	}
	return max(cfg.Backoff[i], 0)
}

// expBackoff returns the pause after the n-th (1-based) transient failure:
// one second, doubling, at most MaxBackoff.
func (cfg Config) expBackoff(n int) time.Duration {
	d := time.Second
	for i := 1; i < n && d < cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, cfg.MaxBackoff)
}

// State is where a job is in its life.
type State string

// The states of a job. A job goes queued → running → done, or back to
// queued after a failed attempt that will be retried, or to failed after the
// last attempt.
const (
	StateQueued  State = "queued"
	StateRunning State = "running"
	StateDone    State = "done"
	StateFailed  State = "failed"
)

// Status is what is known about one job.
type Status struct {
	// ID is the id the job was enqueued with.
	ID string `json:"id"`
	// State is queued, running, done or failed.
	State State `json:"state"`
	// Attempts counts the handler runs started for the job, including one
	// in progress.
	Attempts int `json:"attempts"`
	// Error is the error of the last failed attempt, if any (also set while
	// a retry is queued).
	Error string `json:"error,omitempty"`
	// Result is what the handler returned, once the job is done.
	Result json.RawMessage `json:"result,omitempty"`
	// Created is when the job was first enqueued; Updated when its status
	// last changed.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Callback is the delivery of the result to a callback URL, for a
	// done job whose handler asked for one (see Outcome); nil otherwise.
	// The job is done (rendered) whatever becomes of its callback.
	Callback *Callback `json:"callback,omitempty"`
}

// CallbackState is where a callback is: pending (to be tried, or tried
// and to be retried), delivered, or failed (attempts or deadline spent).
type CallbackState string

// The states of a callback.
const (
	CallbackPending   CallbackState = "pending"
	CallbackDelivered CallbackState = "delivered"
	CallbackFailed    CallbackState = "failed"
)

// Callback is the delivery of a done job's result, apart from the job.
type Callback struct {
	// URL is where the result is delivered.
	URL string `json:"url"`
	// State is pending, delivered or failed.
	State CallbackState `json:"state"`
	// Attempts counts the delivery attempts made.
	Attempts int `json:"attempts"`
	// Error is the last attempt's error, if it failed.
	Error string `json:"error,omitempty"`
	// Updated is when the callback's state last changed.
	Updated time.Time `json:"updated"`
}

// Errors callers can branch on with errors.Is.
var (
	// ErrNotFound is returned by Status for an id that was never enqueued.
	ErrNotFound = errors.New("jobs: job not found")
	// ErrInvalidID is returned by Enqueue for an id that cannot be a key.
	ErrInvalidID = errors.New("jobs: invalid job id")
	// ErrTooLarge is returned by Enqueue for a payload over the server's
	// maximum message size.
	ErrTooLarge = errors.New("jobs: payload too large")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("jobs: queue closed")
	// ErrPermanent, wrapped in a handler's error, marks the job failed at
	// once: retrying cannot help (bad input, a refused photo URL).
	ErrPermanent = errors.New("jobs: permanent failure")
	// ErrTransient, wrapped in a handler's error, means the failure should
	// pass by itself (a store or photo host down, a full disk, a
	// timeout): the job is retried for Config.RetryFor, not MaxAttempts
	// times.
	ErrTransient = errors.New("jobs: transient failure")
	// ErrUnavailable is returned (wrapped) by Enqueue when the NATS server
	// does not store the job within Config.EnqueueTimeout, or JetStream is
	// disabled (as nats-server does on a full disk). A server answers 503.
	ErrUnavailable = errors.New("jobs: queue unavailable")
)

// MaxIDLength is the longest accepted job id, in bytes.
const MaxIDLength = 200

// validID reports whether id is 1 to MaxIDLength ASCII letters, digits, '-',
// '_' or '='. Such an id is usable as-is as a key-value key.
func validID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '=':
		default:
			return false
		}
	}
	return true
}

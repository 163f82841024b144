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
	// BucketName is the key-value bucket holding one status per job id.
	BucketName = "SHARECARD_JOB_STATUS"
	// DuplicateWindow is how long JetStream remembers a published job id to
	// drop a second publication of it. Beyond it the status bucket still
	// prevents a finished job from running again.
	DuplicateWindow = 24 * time.Hour
)

// Default values used for zero fields of Config.
const (
	DefaultMaxAttempts = 5
	DefaultAckWait     = 2 * time.Minute
	DefaultWorkers     = 1
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

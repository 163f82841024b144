package server

import (
	"net/netip"
	"runtime"
	"time"

	"github.com/sharecard/sharecard/render/photo"
)

// Config holds the service's settings. The zero value of each field means
// its default.
type Config struct {
	// Workers is how many renders run at once (default: one per CPU).
	Workers int
	// QueueDepth is how many renders may wait for a worker; beyond it
	// requests get 503 with Retry-After (default: 4 per worker).
	QueueDepth int
	// MaxQueueWait is how long an on-demand card or a POST /v1/render may
	// wait for a render worker before the request gets 503 with
	// Retry-After (default 2 s). Webhook jobs wait without this bound.
	MaxQueueWait time.Duration
	// MaxBodyBytes caps request bodies, photo uploads included (default 50 MB).
	MaxBodyBytes int64
	// MaxArticleBytes caps an article in POST /v1/render: a JSON or YAML
	// body, or the article part of a multipart form (default 1 MiB). A
	// photo comes on top of it with its own cap, Limits.MaxBytes: as a
	// multipart part of at most that many bytes, or as a data: URI in a
	// JSON/YAML body, counted at its base64 length (4/3 of the bytes).
	MaxArticleBytes int64
	// MaxHookBytes caps a webhook body (default: the job queue's payload
	// limit, see jobs.Queue.MaxPayload, or 8 MiB when the queue does not
	// tell; at most MaxBodyBytes). A job carries only the mapped article,
	// so a body under the queue's limit fits in one job unless its text
	// grows when mapped; such a webhook gets 413 naming the limit.
	MaxHookBytes int64
	// MinUploadRate is the slowest a request body may arrive, in bytes per
	// second after UploadGrace (default 16 KiB/s): a slower body is cut
	// off with 408 and the connection closed, so trickling clients do not
	// hold connections and pool places.
	MinUploadRate int64
	// UploadGrace is the time a body has before MinUploadRate applies
	// (default 5 s).
	UploadGrace time.Duration
	// Timeout is the deadline of one request (default 60 s).
	Timeout time.Duration
	// SignKey is the HMAC-SHA256 key of /v1/card URLs; without it every
	// card request is refused.
	SignKey []byte
	// SignKeyPrevious is the key before SignKey, during a rotation: card
	// URLs signed with either verify (new ones are signed with SignKey).
	SignKeyPrevious []byte
	// HookSecrets are the HMAC-SHA256 keys of webhook sources, by source
	// name ("ghost", "wordpress", ...). A source without a secret is refused.
	HookSecrets map[string][]byte
	// HookMappings map article fields to JSON pointers in a source's
	// payload, for CMSs without a built-in mapping (ghost, wordpress).
	HookMappings map[string]map[string]string
	// HookCallbacks are URLs the manifest is POSTed to when a source's job
	// is done (retried with backoff).
	HookCallbacks map[string]string
	// Hooks are the webhook sources of a hooks.yaml file (see ParseHooks),
	// by name; they take precedence over HookSecrets, HookMappings and
	// HookCallbacks, which still configure the sources Hooks does not name.
	Hooks map[string]*HookSource
	// TrustedProxies are the proxies (load balancers, CDNs) whose
	// X-Forwarded-For is believed for the client IP in the request log;
	// from any other peer the header is ignored (see ParseTrustedProxies).
	TrustedProxies []netip.Prefix
	// BaseURL prefixes image URLs in manifests, e.g. https://cards.example.com;
	// empty gives root-relative URLs.
	BaseURL string
	// DefaultLayout is used when an article names none (default "standard").
	DefaultLayout string
	// Limits bound each photo.
	Limits photo.Limits
	// HealthCacheFor is how long /readyz (and the readiness gauges) reuse
	// the outcome of a store or job queue check (default 2 s), so a busy
	// probe does not hammer the store.
	HealthCacheFor time.Duration
	// HealthTimeout bounds one store check of /readyz (default 2 s).
	HealthTimeout time.Duration
	// CallbackTimeout bounds one attempt to POST a job's manifest to its
	// callback URL (default 10 s); the attempts and their total deadline
	// are the job queue's (see jobs.Config.CallbackRetryFor).
	CallbackTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.QueueDepth <= 0 {
		c.QueueDepth = 4 * c.Workers
	}
	if c.MaxQueueWait <= 0 {
		c.MaxQueueWait = 2 * time.Second
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 50 << 20
	}
	if c.MaxArticleBytes <= 0 {
		c.MaxArticleBytes = 1 << 20
	}
	if c.MinUploadRate <= 0 {
		c.MinUploadRate = 16 << 10
	}
	if c.UploadGrace <= 0 {
		c.UploadGrace = 5 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.HealthCacheFor <= 0 {
		c.HealthCacheFor = 2 * time.Second
	}
	if c.HealthTimeout <= 0 {
		c.HealthTimeout = 2 * time.Second
	}
	if c.CallbackTimeout <= 0 {
		c.CallbackTimeout = 10 * time.Second
	}
	if c.DefaultLayout == "" {
		c.DefaultLayout = "standard"
	}
	return c
}

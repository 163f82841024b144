package server

import (
	"runtime"
	"sharecard/render/photo"
	"time"
)

// Config holds the service's settings. The zero value of each field means
// its default.
type Config struct {
	// Workers is how many renders run at once (default: one per CPU).
	Workers int
	// QueueDepth is how many renders may wait for a worker; beyond it
	// requests get 503 with Retry-After (default: 4 per worker).
	QueueDepth int
	// MaxQueueWait is how long an on-demand card may wait for a render
	// worker before the request gets 503 with Retry-After (default 2 s).
	// Webhook jobs and POST /v1/render wait without this bound.
	MaxQueueWait time.Duration
	// MaxBodyBytes caps request bodies, photo uploads included (default 50 MB).
	MaxBodyBytes int64
	// Timeout is the deadline of one request (default 60 s).
	Timeout time.Duration
	// SignKey is the HMAC-SHA256 key of /v1/card URLs; without it every
	// card request is refused.
	SignKey []byte
	// HookSecrets are the HMAC-SHA256 keys of webhook sources, by source
	// name ("ghost", "wordpress", ...). A source without a secret is refused.
	HookSecrets map[string][]byte
	// HookMappings map article fields to JSON pointers in a source's
	// payload, for CMSs without a built-in mapping (ghost, wordpress).
	HookMappings map[string]map[string]string
	// HookCallbacks are URLs the manifest is POSTed to when a source's job
	// is done (retried with backoff).
	HookCallbacks map[string]string
	// BaseURL prefixes image URLs in manifests, e.g. https://cards.example.com;
	// empty gives root-relative URLs.
	BaseURL string
	// DefaultLayout is used when an article names none (default "standard").
	DefaultLayout string
	// Limits bound each photo.
	Limits photo.Limits
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
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.DefaultLayout == "" {
		c.DefaultLayout = "standard"
	}
	return c
}

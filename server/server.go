// Package server is sharecard's HTTP service: CMS webhooks, on-demand cards
// for og:image URLs, and the stored images, on top of the same render
// engine as the CLI.
//
// Routes:
//
//	POST /v1/render                          render an article (JSON, YAML or multipart)
//	GET  /v1/images/{key}/{preset}.{ext}     stored images, immutable
//	GET  /v1/card/{layout}/{preset}.{ext}    signed on-demand card
//	POST /v1/hooks/{source}                  CMS webhooks, rendered in the background
//	GET  /v1/jobs/{id}                       a webhook job's state and manifest
//	GET  /healthz, /readyz, /metrics, /openapi.json
//
// A wrong method gets 405 with Allow; /metrics and /openapi.json may move
// to an admin listener of their own (see Server.Public and Server.Admin).
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/store"
)

// Fetcher downloads photos given by URL; it must refuse private addresses
// (see package fetch).
type Fetcher interface {
	Get(ctx context.Context, url string) ([]byte, error)
}

// Layouts returns the current layouts by name; it is called per request so
// a reloaded set takes effect at once.
type Layouts func() map[string]*layout.Layout

// Server is the HTTP handler. It is safe for concurrent use.
type Server struct {
	cfg     Config
	engine  *render.Engine
	layouts Layouts
	store   store.Store
	fetcher Fetcher
	log     *slog.Logger
	pool    *pool
	metrics *metrics
	all     http.Handler // every route (ServeHTTP)
	public  http.Handler // all but the admin routes (Public)
	admin   http.Handler // the admin routes (Admin)
	hooks   *hooks       // nil without a job queue
	flight  coalescer    // identical concurrent renders share one (coalesce.go)
	tracing *tracing     // nil without a tracer provider (tracing.go)

	callbackClient *http.Client

	draining    atomic.Bool
	storeHealth healthCache
	queueHealth healthCache
}

// healthCache keeps the outcome of a health check for a while, so that a
// busy /readyz (or a metrics scrape) does not hammer the store: one check
// runs at a time and the others take the last outcome.
type healthCache struct {
	mu      sync.Mutex
	at      time.Time
	err     error
	running bool
}

// get returns the last outcome of check if it is younger than ttl or a
// check is running; otherwise it runs check.
func (h *healthCache) get(ttl time.Duration, check func() error) error {
	h.mu.Lock()
	if !h.at.IsZero() && (time.Since(h.at) < ttl || h.running) {
		err := h.err
		h.mu.Unlock()
		return err
	}
	h.running = true
	h.mu.Unlock()
	err := check()
	h.mu.Lock()
	h.at, h.err, h.running = time.Now(), err, false
	h.mu.Unlock()
	return err
}

// Deps are what the server is built from.
type Deps struct {
	Engine   *render.Engine
	Layouts  Layouts
	Store    store.Store
	Fetcher  Fetcher
	Queue    Queue // optional: without it, webhooks answer 503
	Logger   *slog.Logger
	Registry *prometheus.Registry // metrics are registered here; nil makes a private one
	// TracerProvider, when set, traces requests (continuing a client's
	// traceparent) with spans for fetch, decode, render and store (see
	// NewTracerProvider); nil traces nothing.
	TracerProvider trace.TracerProvider
}

// New builds the server. It refuses incomplete dependencies.
func New(cfg Config, d Deps) (*Server, error) {
	cfg = cfg.withDefaults()
	if d.Engine == nil || d.Layouts == nil || d.Store == nil || d.Fetcher == nil {
		return nil, errors.New("server: engine, layouts, store and fetcher are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		cfg: cfg, engine: d.Engine, layouts: d.Layouts, store: d.Store, fetcher: d.Fetcher,
		log: d.Logger, pool: newPool(cfg.Workers, cfg.QueueDepth),
		callbackClient: &http.Client{Timeout: cfg.CallbackTimeout},
		tracing:        newTracing(d.TracerProvider),
	}
	if s.tracing != nil {
		s.fetcher = tracedFetcher{Fetcher: s.fetcher, tracer: s.tracing.tracer}
		s.store = tracedStore{Store: s.store, tracer: s.tracing.tracer}
	}
	var err error
	if s.metrics, err = newMetrics(d.Registry, s); err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	if d.Queue != nil {
		s.hooks = &hooks{s: s, queue: d.Queue}
		s.metrics.watchQueue(d.Registry, d.Queue)
	}
	s.routes(d.Registry)
	return s, nil
}

// ServeHTTP serves a request: every route, the admin ones (/metrics,
// /openapi.json) included. With a separate admin listener, serve Public
// and Admin instead.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.all.ServeHTTP(w, r) }

// Public is the handler for the public listener when the admin routes
// (/metrics, /openapi.json) have a listener of their own: every route but
// those.
func (s *Server) Public() http.Handler { return s.public }

// Admin is the handler for a separate admin listener: /metrics,
// /openapi.json, /healthz and /readyz.
func (s *Server) Admin() http.Handler { return s.admin }

// route is one entry of the route table.
type route struct {
	pattern, name string
	h             http.HandlerFunc
	admin         bool // served by Admin, not by Public
	public        bool // served by Public too (probes: /healthz, /readyz)
}

// routeTable lists every route as "METHOD path" with its metric label; the
// OpenAPI document is checked against it in a test.
func (s *Server) routeTable() []route {
	return []route{
		{pattern: "POST /v1/render", name: "render", h: s.handleRender},
		{pattern: "GET /v1/images/{key}/{file}", name: "images", h: s.handleImage},
		{pattern: "GET /v1/card/{layout}/{file}", name: "card", h: s.handleCard},
		{pattern: "POST /v1/hooks/{source}", name: "hooks", h: s.handleHook},
		{pattern: "GET /v1/jobs/{id}", name: "jobs", h: s.handleJob},
		{pattern: "GET /healthz", name: "healthz", admin: true, public: true, h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "ok")
		}},
		{pattern: "GET /readyz", name: "readyz", admin: true, public: true, h: s.handleReady},
		{pattern: "GET /openapi.json", name: "openapi", admin: true, h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(openAPI)
		}},
	}
}

// routes builds the three routers: all routes, the public ones and the
// admin ones. /metrics is not instrumented, so scrapes do not count
// themselves.
func (s *Server) routes(reg *prometheus.Registry) {
	all, public, admin := http.NewServeMux(), http.NewServeMux(), http.NewServeMux()
	for _, rt := range s.routeTable() {
		h := s.tracing.handler(rt.pattern, s.instrument(rt.name, rt.h))
		all.Handle(rt.pattern, h)
		if !rt.admin || rt.public {
			public.Handle(rt.pattern, h)
		}
		if rt.admin {
			admin.Handle(rt.pattern, h)
		}
	}
	mh := metricsHandler(reg)
	all.Handle("GET /metrics", mh)
	admin.Handle("GET /metrics", mh)
	s.all = s.router(all)
	s.public = s.router(public)
	s.admin = s.router(admin)
}

// routeMethods are the methods a 405's Allow header may name.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// router serves mux's routes and answers everything else with a problem
// and a request id: 405 with Allow when the path is served for other
// methods, else 404.
func (s *Server) router(mux *http.ServeMux) http.Handler {
	unmatched := s.instrument("unmatched", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range routeMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Not found", Detail: fmt.Sprintf("no route for %s %s; see /openapi.json", r.Method, r.URL.Path)})
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.problem(w, r, &Problem{Status: http.StatusMethodNotAllowed, Title: "Method not allowed",
			Detail: fmt.Sprintf("%s does not take %s; use %s (see /openapi.json)", r.URL.Path, r.Method, strings.Join(allow, " or "))})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The mux serves what it matches itself, so that it sets the
		// request's pattern and path values.
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		unmatched.ServeHTTP(w, r)
	})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if why := s.notReady(r.Context()); why != "" {
		s.problem(w, r, &Problem{Status: http.StatusServiceUnavailable, Title: "Not ready", Detail: why, RetryAfter: 5})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ready")
}

// notReady says why the server should not get traffic, or "" when it
// should: it is draining, the job queue is not connected, or the store
// cannot take objects (unreachable, or its disk full). The store and queue
// checks are cached for Config.HealthCacheFor.
func (s *Server) notReady(ctx context.Context) string {
	if s.draining.Load() {
		return "draining: the server is shutting down"
	}
	if err := s.storeErr(ctx); err != nil {
		return "store: " + err.Error()
	}
	if err := s.queueErr(); err != nil {
		return err.Error()
	}
	return ""
}

// storeErr is the cached outcome of the store's Ping (nil for a store
// that cannot be pinged).
func (s *Server) storeErr(ctx context.Context) error {
	p, ok := s.store.(store.Pinger)
	if !ok {
		return nil
	}
	return s.storeHealth.get(s.cfg.HealthCacheFor, func() error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.HealthTimeout)
		defer cancel()
		return p.Ping(ctx)
	})
}

// queueErr is the cached readiness of the job queue (nil without one).
func (s *Server) queueErr() error {
	if s.hooks == nil {
		return nil
	}
	return s.queueHealth.get(s.cfg.HealthCacheFor, func() error {
		if !s.hooks.queue.Ready() {
			return errors.New("the job queue is not connected or JetStream does not answer")
		}
		return nil
	})
}

// MarkDraining makes /readyz answer 503 "draining" so that load balancers
// stop sending traffic, while every route is still served as before. It
// is the first step of a graceful shutdown; see Drain.
func (s *Server) MarkDraining() { s.draining.Store(true) }

// Drain is the second step of a graceful shutdown: /readyz answers 503,
// no new render is admitted (503 "Shutting down" with Retry-After), and
// the renders waiting for a worker are answered the same way. Renders
// running, requests still sending their body or downloading their photo,
// and webhook jobs' renders finish. The returned channel is closed once
// every admitted render has finished; the caller then shuts the HTTP
// server down.
func (s *Server) Drain() <-chan struct{} {
	s.MarkDraining()
	return s.pool.drain()
}

// layout returns the named layout or a 4xx problem.
func (s *Server) layout(name string) (*layout.Layout, error) {
	if name == "" {
		name = s.cfg.DefaultLayout
	}
	l, ok := s.layouts()[name]
	if !ok {
		return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Unknown layout", Field: "layout",
			Detail: fmt.Sprintf("no layout %q; available: %v", name, layout.Names(s.layouts()))}
	}
	return l, nil
}

// LayoutNames are the names of the layouts in service, sorted.
func (s *Server) LayoutNames() []string { return layout.Names(s.layouts()) }

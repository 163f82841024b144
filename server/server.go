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
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sharecard/render"
	"sharecard/render/layout"
	"sharecard/store"
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
	mux     *http.ServeMux
	hooks   *hooks // nil without a job queue

	callbackClient *http.Client
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
		callbackClient: &http.Client{Timeout: 15 * time.Second},
	}
	var err error
	if s.metrics, err = newMetrics(d.Registry, s.pool); err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	if d.Queue != nil {
		s.hooks = &hooks{s: s, queue: d.Queue}
		s.metrics.watchQueue(d.Registry, d.Queue)
	}
	s.routes(d.Registry)
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// routeTable lists every route as "METHOD path" with its metric label; the
// OpenAPI document is checked against it in a test.
func (s *Server) routeTable() []struct {
	pattern, route string
	h              http.HandlerFunc
} {
	return []struct {
		pattern, route string
		h              http.HandlerFunc
	}{
		{"POST /v1/render", "render", s.handleRender},
		{"GET /v1/images/{key}/{file}", "images", s.handleImage},
		{"GET /v1/card/{layout}/{file}", "card", s.handleCard},
		{"POST /v1/hooks/{source}", "hooks", s.handleHook},
		{"GET /v1/jobs/{id}", "jobs", s.handleJob},
		{"GET /healthz", "healthz", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "ok")
		}},
		{"GET /readyz", "readyz", s.handleReady},
		{"GET /openapi.json", "openapi", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(openAPI)
		}},
	}
}

func (s *Server) routes(reg *prometheus.Registry) {
	s.mux = http.NewServeMux()
	for _, rt := range s.routeTable() {
		s.mux.Handle(rt.pattern, s.instrument(rt.route, rt.h))
	}
	s.mux.Handle("GET /metrics", metricsHandler(reg))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Not found", Detail: fmt.Sprintf("no route for %s %s; see /openapi.json", r.Method, r.URL.Path)})
	})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.hooks != nil && !s.hooks.queue.Ready() {
		s.problem(w, r, &Problem{Status: http.StatusServiceUnavailable, Title: "Not ready", Detail: "the job queue is not connected"})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ready")
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

package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/sharecard/sharecard/internal/version"
	"github.com/sharecard/sharecard/render"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	stages   *prometheus.HistogramVec
	renders  *prometheus.CounterVec
	cache    *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, s *Server) (*metrics, error) {
	p := s.pool
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharecard_http_requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sharecard_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sharecard_render_stage_seconds", Help: "Time per render stage (per-preset stages summed per job).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"stage"}),
		renders: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharecard_renders_total", Help: "Render jobs by result (ok, error)."}, []string{"result"}),
		cache:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharecard_cache_total", Help: "Lookups of rendered images in the store by route and result (hit, miss)."}, []string{"route", "result"}),
	}
	waiting := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sharecard_render_pool_waiting", Help: "Renders waiting for a worker."}, func() float64 { return float64(p.waiting.Load()) })
	running := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sharecard_render_pool_running", Help: "Renders running."}, func() float64 { return float64(p.running.Load()) })
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	draining := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sharecard_draining", Help: "1 while the server shuts down (/readyz answers 503)."}, func() float64 { return b2f(s.draining.Load()) })
	ready := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sharecard_ready", Help: "1 when /readyz answers 200: not draining, store and job queue healthy."}, func() float64 {
		return b2f(s.notReady(context.Background()) == "")
	})
	storeUp := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sharecard_store_up", Help: "1 when the image store takes new objects (reachable, disk not full)."}, func() float64 {
		return b2f(s.storeErr(context.Background()) == nil)
	})
	bi := version.Get()
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "sharecard_build_info", Help: "Always 1; the labels say which build runs: module version, commit and Go version (as `sharecard version` prints)."},
		[]string{"version", "commit", "goversion"})
	build.WithLabelValues(bi.Version, bi.Short(), bi.Go).Set(1)
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.stages, m.renders, m.cache, waiting, running, draining, ready, storeUp, build, photoCollector{s.engine}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe records the stage times of one render.
func (m *metrics) observe(t render.Timings, err error) {
	if err != nil {
		m.renders.WithLabelValues("error").Inc()
		return
	}
	m.renders.WithLabelValues("ok").Inc()
	for stage, d := range map[string]time.Duration{"decode": t.Decode, "resample": t.Resample, "detect": t.Detect, "plan": t.Plan, "draw": t.Draw, "encode": t.Encode} {
		m.stages.WithLabelValues(stage).Observe(d.Seconds())
	}
}

// watchQueue exports the job queue's counts, read once per scrape.
func (m *metrics) watchQueue(reg *prometheus.Registry, q Queue) {
	_ = reg.Register(queueCollector{q}) // a second server on the same registry keeps the first's
}

var jobsDesc = prometheus.NewDesc("sharecard_jobs", "Webhook jobs by state (failed: since this process started).", []string{"state"}, nil)

// queueCollector asks the queue for its counts once per scrape.
type queueCollector struct{ q Queue }

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	queued, running, failed, err := c.q.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for state, n := range map[string]int{"queued": queued, "running": running, "failed": failed} {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
	}
}

var (
	photosDecodedDesc = prometheus.NewDesc("sharecard_photos_decoded_total", "Photos decoded (with --photo-cache, a card of a photo prepared before decodes nothing).", nil, nil)
	photoCacheDesc    = prometheus.NewDesc("sharecard_photo_cache_total", "Asks for a prepared photo (decoded, shrunk, subjects found) by result: hit, miss.", []string{"result"}, nil)
	photoEvictedDesc  = prometheus.NewDesc("sharecard_photo_cache_evictions_total", "Prepared photos dropped from the cache to stay within --photo-cache.", nil, nil)
	photoBytesDesc    = prometheus.NewDesc("sharecard_photo_cache_bytes", "Bytes of prepared photos kept, and the bound (--photo-cache) as limit.", []string{"kind"}, nil)
	photoCountDesc    = prometheus.NewDesc("sharecard_photo_cache_photos", "Prepared photos kept.", nil, nil)
)

// photoCollector exports the engine's photo decodes and its cache of
// prepared photos, read once per scrape.
type photoCollector struct{ e *render.Engine }

func (c photoCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{photosDecodedDesc, photoCacheDesc, photoEvictedDesc, photoBytesDesc, photoCountDesc} {
		ch <- d
	}
}

func (c photoCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(photosDecodedDesc, prometheus.CounterValue, float64(c.e.PhotosDecoded()))
	var st render.PhotoCacheStats
	if c.e.Photos != nil {
		st = c.e.Photos.Stats()
	}
	ch <- prometheus.MustNewConstMetric(photoCacheDesc, prometheus.CounterValue, float64(st.Hits), "hit")
	ch <- prometheus.MustNewConstMetric(photoCacheDesc, prometheus.CounterValue, float64(st.Misses), "miss")
	ch <- prometheus.MustNewConstMetric(photoEvictedDesc, prometheus.CounterValue, float64(st.Evictions))
	ch <- prometheus.MustNewConstMetric(photoBytesDesc, prometheus.GaugeValue, float64(st.Bytes), "used")
	ch <- prometheus.MustNewConstMetric(photoBytesDesc, prometheus.GaugeValue, float64(st.MaxBytes), "limit")
	ch <- prometheus.MustNewConstMetric(photoCountDesc, prometheus.GaugeValue, float64(st.Photos))
}

func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

type ctxKey int

const requestIDKey ctxKey = 0

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom hands copies (http.ServeContent's io.CopyN) to the underlying
// writer's ReadFrom: a pooled buffer instead of a new 32 KB one, and
// sendfile(2) when the source is a file.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(w.ResponseWriter, r)
	}
	w.bytes += n
	return n, err
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument wraps a route: request id, deadline, body cap, metrics and
// one log line per request.
func (s *Server) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), requestIDKey, id), s.cfg.Timeout)
		defer cancel()
		r = r.WithContext(ctx)
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(d.Seconds())
		attrs := []slog.Attr{slog.String("id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes),
			slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("route", route),
			slog.String("client_ip", clientIP(r, s.cfg.TrustedProxies)), slog.String("user_agent", r.UserAgent())}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
		}
		s.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
	})
}

package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/store"
)

// tracerName names the spans' instrumentation scope.
const tracerName = "github.com/sharecard/sharecard/server"

// NewTracerProvider makes an OpenTelemetry tracer provider that sends
// spans by OTLP over HTTP, batched, for Deps.TracerProvider, and the
// function that flushes and stops it. The exporter reads the standard
// variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, ...); the resource names the
// service sharecard at version, and OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES override it.
func NewTracerProvider(ctx context.Context, version string) (trace.TracerProvider, func(context.Context) error, error) {
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "sharecard"), attribute.String("service.version", version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, nil, fmt.Errorf("OpenTelemetry resource (check OTEL_RESOURCE_ATTRIBUTES): %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}

// tracing is the server's use of a tracer provider; a nil *tracing traces
// nothing, so that without --otel nothing changes.
type tracing struct {
	tp     trace.TracerProvider
	tracer trace.Tracer
}

func newTracing(tp trace.TracerProvider) *tracing {
	if tp == nil {
		return nil
	}
	return &tracing{tp: tp, tracer: tp.Tracer(tracerName)}
}

// handler wraps a route in a server span named by its pattern, which
// continues a trace a client sent in traceparent.
func (t *tracing) handler(pattern string, h http.Handler) http.Handler {
	if t == nil {
		return h
	}
	return otelhttp.NewHandler(h, pattern, otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
		otelhttp.WithSpanNameFormatter(func(op string, _ *http.Request) string { return op }))
}

// end ends span, recording err.
func end(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// traceRender records a finished render as a "render" span, from its
// start (now less its total time) to now, with a "decode" child for the
// photo's decode, which comes first; the later stages, summed over the
// presets that render in parallel, are attributes in milliseconds.
func (t *tracing) traceRender(ctx context.Context, res *render.Result, err error) {
	if t == nil {
		return
	}
	now := time.Now()
	var tm render.Timings
	if res != nil {
		tm = res.Timings
	}
	start := now.Add(-tm.Total)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	ctx, span := t.tracer.Start(ctx, "render", trace.WithTimestamp(start), trace.WithAttributes(
		attribute.Float64("sharecard.resample_ms", ms(tm.Resample)), attribute.Float64("sharecard.detect_ms", ms(tm.Detect)),
		attribute.Float64("sharecard.plan_ms", ms(tm.Plan)), attribute.Float64("sharecard.draw_ms", ms(tm.Draw)),
		attribute.Float64("sharecard.encode_ms", ms(tm.Encode))))
	if res != nil {
		span.SetAttributes(attribute.Int("sharecard.outputs", len(res.Outputs)))
	}
	if tm.Decode > 0 {
		_, dec := t.tracer.Start(ctx, "decode", trace.WithTimestamp(start))
		dec.End(trace.WithTimestamp(start.Add(tm.Decode)))
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End(trace.WithTimestamp(now))
}

// tracedFetcher makes a "fetch" span per photo download.
type tracedFetcher struct {
	Fetcher
	tracer trace.Tracer
}

func (f tracedFetcher) Get(ctx context.Context, url string) ([]byte, error) {
	ctx, span := f.tracer.Start(ctx, "fetch", trace.WithSpanKind(trace.SpanKindClient))
	b, err := f.Fetcher.Get(ctx, url)
	span.SetAttributes(attribute.Int("sharecard.bytes", len(b)))
	end(span, err)
	return b, err
}

// tracedStore makes a "store.<op>" span per store call; a miss
// (store.ErrNotFound) is not an error.
type tracedStore struct {
	store.Store
	tracer trace.Tracer
}

func (s tracedStore) start(ctx context.Context, op, key string) (context.Context, trace.Span) {
	return s.tracer.Start(ctx, "store."+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attribute.String("sharecard.key", key)))
}

func (s tracedStore) Put(ctx context.Context, key string, data []byte, contentType string) error {
	ctx, span := s.start(ctx, "put", key)
	err := s.Store.Put(ctx, key, data, contentType)
	span.SetAttributes(attribute.Int("sharecard.bytes", len(data)))
	end(span, err)
	return err
}

func (s tracedStore) Open(ctx context.Context, key string) (*store.Object, error) {
	ctx, span := s.start(ctx, "open", key)
	obj, err := s.Store.Open(ctx, key)
	end(span, notMiss(err))
	return obj, err
}

func (s tracedStore) Stat(ctx context.Context, key string) (store.Info, error) {
	ctx, span := s.start(ctx, "stat", key)
	info, err := s.Store.Stat(ctx, key)
	end(span, notMiss(err))
	return info, err
}

// Ping passes the check on; a store that cannot be pinged is healthy, as
// it is to the server without tracing.
func (s tracedStore) Ping(ctx context.Context) error {
	if p, ok := s.Store.(store.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func notMiss(err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sharecard/sharecard/store"
)

// TestTracing renders with a photo from a loopback server under a
// client's traceparent: one trace holds the server span, fetch, render
// with decode, and the store calls; the request log names the trace.
func TestTracing(t *testing.T) {
	newTestServer(t, Config{}) // loads the shared engine and layouts
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	deps := testDeps(t, st, nil)
	deps.TracerProvider = tp
	srv, err := New(Config{SignKey: []byte("k")}, deps)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv.log = slog.New(slog.NewJSONHandler(&logs, nil))
	photo := readFile(t, "../samples/long-headline/photo.jpg")
	photoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(photo) }))
	defer photoSrv.Close()

	const parent = "4bf92f3577b34da6a3ce929d0e0e4736"
	body, _ := json.Marshal(map[string]any{"headline": "Traced", "photo": photoSrv.URL + "/p.jpg"})
	r := httptest.NewRequest("POST", "/v1/render?presets=og", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Traceparent", "00-"+parent+"-00f067aa0ba902b7-01")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var names []string
	for _, s := range exp.GetSpans() {
		if s.SpanContext.TraceID().String() != parent {
			t.Errorf("span %s in trace %s, want %s", s.Name, s.SpanContext.TraceID(), parent)
		}
		names = append(names, s.Name)
	}
	for _, want := range []string{"POST /v1/render", "fetch", "render", "decode", "store.put"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %q span; got %v", want, names)
		}
	}
	if !strings.Contains(logs.String(), `"trace_id":"`+parent+`"`) {
		t.Errorf("the request log does not name the trace:\n%s", logs.String())
	}
	// A store miss is not an error.
	for _, s := range exp.GetSpans() {
		if strings.HasPrefix(s.Name, "store.") && s.Status.Code.String() == "Error" {
			t.Errorf("%s span is an error: %s", s.Name, s.Status.Description)
		}
	}
}

// TestTracing_Off: without a tracer provider the server adds no span to
// a request's context and wraps neither fetcher nor store.
func TestTracing_Off(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	if srv.tracing != nil {
		t.Fatal("tracing on without a provider")
	}
	if _, ok := srv.store.(tracedStore); ok {
		t.Error("store wrapped")
	}
	if _, ok := srv.fetcher.(tracedFetcher); ok {
		t.Error("fetcher wrapped")
	}
	var seen trace.SpanContext
	h := srv.tracing.handler("GET /x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = trace.SpanContextFromContext(r.Context())
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	if seen.IsValid() {
		t.Error("a span without tracing")
	}
}

package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRoutes_WrongMethod: a path served for other methods answers 405
// with Allow and a request id, through every router.
func TestRoutes_WrongMethod(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	for _, tc := range []struct {
		name, method, path string
		h                  http.Handler
		status             int
		allow              string
	}{
		{"GetRender", "GET", "/v1/render", srv, 405, "POST"},
		{"DeleteImage", "DELETE", "/v1/images/0123/og.jpg", srv, 405, "GET, HEAD"},
		{"PostHealthz", "POST", "/healthz", srv, 405, "GET, HEAD"},
		{"PutHook", "PUT", "/v1/hooks/ghost", srv, 405, "POST"},
		{"PostMetrics", "POST", "/metrics", srv, 405, "GET, HEAD"},
		{"PublicPostRender", "GET", "/v1/render", srv.Public(), 405, "POST"},
		{"AdminPostOpenAPI", "POST", "/openapi.json", srv.Admin(), 405, "GET, HEAD"},
		{"UnknownPath", "GET", "/nope", srv, 404, ""},
		{"UnknownPathPost", "POST", "/nope", srv, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tc.h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			id := w.Header().Get("X-Request-Id")
			if id == "" {
				t.Errorf("no X-Request-Id")
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			p := decodeProblem(t, w.Result())
			if p.Instance != id {
				t.Errorf("instance %q, want the request id %q", p.Instance, id)
			}
			if p.Type != ProblemType(p.Title) {
				t.Errorf("type %q for %q", p.Type, p.Title)
			}
		})
	}
}

// TestRoutes_AdminSplit: with a separate admin listener, /metrics and
// /openapi.json move to it, the API stays on the public one, and both
// answer the probes.
func TestRoutes_AdminSplit(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	for _, tc := range []struct {
		path            string
		all, pub, admin int
	}{
		{"/metrics", 200, 404, 200},
		{"/openapi.json", 200, 404, 200},
		{"/healthz", 200, 200, 200},
		{"/readyz", 200, 200, 200},
		{"/v1/jobs/x", 503, 503, 404}, // no job queue here; not routed on admin
		{"/v1/images/0123456789abcdef0123456789abcdef/og.jpg", 404, 404, 404},
	} {
		t.Run(tc.path, func(t *testing.T) {
			for _, h := range []struct {
				name string
				h    http.Handler
				want int
			}{{"all", srv, tc.all}, {"public", srv.Public(), tc.pub}, {"admin", srv.Admin(), tc.admin}} {
				w := httptest.NewRecorder()
				h.h.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
				if w.Code != h.want {
					t.Errorf("%s: status %d, want %d", h.name, w.Code, h.want)
				}
			}
		})
	}
	// The API is not on the admin listener at all.
	w := httptest.NewRecorder()
	srv.Admin().ServeHTTP(w, httptest.NewRequest("POST", "/v1/render", nil))
	if w.Code != 404 {
		t.Errorf("admin POST /v1/render: %d, want 404", w.Code)
	}
}

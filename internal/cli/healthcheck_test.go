package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthURL(t *testing.T) {
	tests := []struct {
		addr, want, err string
	}{
		{"", "http://127.0.0.1:8080/healthz", ""},
		{":8080", "http://127.0.0.1:8080/healthz", ""},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/healthz", ""},
		{"[::]:9000", "http://127.0.0.1:9000/healthz", ""},
		{"[::1]:9000", "http://[::1]:9000/healthz", ""},
		{"10.0.0.5:80", "http://10.0.0.5:80/healthz", ""},
		{"8080", "", "not a listen address"},
		{"host:", "", "no usable port"},
		{"a/b:80", "", "unusable host"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := healthURL(tt.addr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("healthURL(%q) = %q, %v; want an error containing %q", tt.addr, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("healthURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
			}
		})
	}
}

func FuzzHealthURL(f *testing.F) {
	for _, s := range []string{"", ":8080", "[::1]:1", "x:y", "a/b:80", "%:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		u, err := healthURL(addr)
		if err != nil {
			return
		}
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatalf("healthURL(%q) = %q, which is not a request URL: %v", addr, u, err)
		}
		if req.URL.Path != "/healthz" {
			t.Fatalf("healthURL(%q) = %q: path %q, want /healthz", addr, u, req.URL.Path)
		}
	})
}

func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			w.Write([]byte("ok\n"))
		default:
			http.Error(w, "draining", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name   string
		args   []string
		addr   string
		code   int
		stderr string
	}{
		{"healthy from SHARECARD_ADDR", nil, addr, 0, ""},
		{"healthy from -url", []string{"-url", srv.URL + "/healthz"}, "", 0, ""},
		{"503", []string{"-url", srv.URL + "/readyz"}, "", 1, "503 Service Unavailable: draining"},
		{"nobody listening", []string{"-url", closedURL + "/healthz"}, "", 1, "GET " + closedURL},
		{"bad SHARECARD_ADDR", nil, "8080", 2, "SHARECARD_ADDR"},
		{"bad flag", []string{"-nope"}, "", 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := healthcheck(tt.args, tt.addr, &stderr); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("stderr %q, want it to contain %q", stderr.String(), tt.stderr)
			}
		})
	}
}

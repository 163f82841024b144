package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sharecard/sharecard/internal/syncbuf"
)

// TestServe_AdminAddr: with --admin-addr, /metrics and /openapi.json are
// served there and not on --addr; the API stays on --addr; both answer
// the probes. The startup line names the version, the store, the NATS
// mode and the layouts.
func TestServe_AdminAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncbuf.Buffer{}
	data := t.TempDir()
	base, done := startServeInProcess(t, ctx, logs, "--data", data, "--layouts", t.TempDir()+"/none",
		"--admin-addr", "127.0.0.1:0", "--trusted-proxies", "127.0.0.0/8", "--drain-delay", "0")
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	m := regexp.MustCompile(`"admin_addr":"(127\.0\.0\.1:[0-9]+)"`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no admin_addr in the startup line:\n%s", logs.String())
	}
	admin := "http://" + m[1]
	for _, tc := range []struct {
		url  string
		want int
	}{
		{base + "/metrics", 404},
		{base + "/openapi.json", 404},
		{base + "/healthz", 200},
		{base + "/v1/jobs/nope", 404},
		{admin + "/metrics", 200},
		{admin + "/openapi.json", 200},
		{admin + "/healthz", 200},
		{admin + "/readyz", 200},
		{admin + "/v1/jobs/nope", 404},
	} {
		if got, body := getStatus(t, tc.url); got != tc.want {
			t.Errorf("GET %s: %d, want %d\n%s", tc.url, got, tc.want, body)
		}
	}
	var start map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"sharecard serving"`) {
			if err := json.Unmarshal([]byte(line), &start); err != nil {
				t.Fatal(err)
			}
		}
	}
	// commit is empty in test binaries, which carry no VCS information.
	for _, k := range []string{"version", "go", "store", "nats", "layouts"} {
		if v, ok := start[k]; !ok || v == "" {
			t.Errorf("startup line lacks %s: %v", k, start)
		}
	}
	if start["nats"] != "embedded" {
		t.Errorf("nats %v, want embedded", start["nats"])
	}
	if ls, _ := start["layouts"].([]any); len(ls) == 0 {
		t.Errorf("layouts %v", start["layouts"])
	}
}

func TestServe_TrustedProxiesBad(t *testing.T) {
	err := cmdServe(context.Background(), []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--layouts", t.TempDir() + "/none",
		"--trusted-proxies", "10.0.0.0/8,lb.internal"}, nil, &syncbuf.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `--trusted-proxies: trusted proxies: "lb.internal"`) {
		t.Fatalf("err %v", err)
	}
	if !errors.As(err, new(usageError)) {
		t.Errorf("err %T, want a usage error (exit 2)", err)
	}
}

// TestServe_OTel: with OTEL_EXPORTER_OTLP_ENDPOINT set (a loopback
// collector), serve sends the spans of a request by OTLP/HTTP, at the
// latest when it stops.
func TestServe_OTel(t *testing.T) {
	var posts atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/traces" && r.Method == "POST" {
			if b, _ := io.ReadAll(r.Body); len(b) > 0 {
				posts.Add(1)
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncbuf.Buffer{}
	base, done := startServeInProcess(t, ctx, logs, "--data", t.TempDir(), "--layouts", t.TempDir()+"/none", "--drain-delay", "0")
	if !strings.Contains(logs.String(), `"otel":true`) {
		t.Errorf("startup line does not say otel is on:\n%s", logs.String())
	}
	if got, body := getStatus(t, base+"/healthz"); got != 200 {
		t.Fatalf("healthz %d: %s", got, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if posts.Load() == 0 {
		t.Fatalf("the collector got no spans\n%s", logs.String())
	}
}

// TestServe_AdminAddrStudio: with --admin-addr the studio is served on
// the admin listener only.
func TestServe_AdminAddrStudio(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncbuf.Buffer{}
	base, done := startServeInProcess(t, ctx, logs, "--data", t.TempDir(), "--layouts", copyLayouts(t),
		"--studio", "--admin-addr", "127.0.0.1:0", "--drain-delay", "0")
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	m := regexp.MustCompile(`"admin_addr":"(127\.0\.0\.1:[0-9]+)"`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no admin_addr in the startup line:\n%s", logs.String())
	}
	if got, _ := getStatus(t, base+"/studio/"); got != 404 {
		t.Errorf("public /studio/: %d, want 404", got)
	}
	if got, body := getStatus(t, "http://"+m[1]+"/studio/"); got != 200 {
		t.Errorf("admin /studio/: %d, want 200\n%s", got, body)
	}
}

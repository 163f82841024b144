// Package e2e tests `sharecard serve` end to end: TestMain builds the real
// binary once, and each test starts it as a child process on loopback
// (127.0.0.1, a port the kernel picks), talks to it over HTTP, and reads its
// JSON logs when something fails. Photos come from httptest servers on
// loopback; nothing in this package sends a packet off the machine.
//
// The slow tests (kill -9, replicas, S3, overload) are skipped under -short.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/syncbuf"
	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/server"
)

// Secrets the servers under test run with.
const (
	signKey    = "e2e-sign-key"
	hookSecret = "e2e-ghost-secret"
)

// binary is the sharecard executable TestMain built.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sharecard-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "sharecard")
	// go test puts $GOROOT/bin first in the PATH of test binaries.
	goTool, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the go command is needed to build the server binary:", err)
		return 1
	}
	// The server binary is built without -race even when the tests run
	// with it: the race detector would slow every render several times.
	build := exec.Command(goTool, "build", "-o", binary, "..")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build of the sharecard binary failed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// testCtx bounds the requests of a test: it ends with the test, or at
// giveUpAt.
func testCtx(t *testing.T) context.Context {
	if ctx, ok := testCtxs.Load(t); ok {
		return ctx.(context.Context)
	}
	ctx, cancel := t.Context(), context.CancelFunc(func() {})
	if at, ok := testwait.GiveUpAt(t); ok {
		ctx, cancel = context.WithDeadline(ctx, at)
	}
	if prev, loaded := testCtxs.LoadOrStore(t, ctx); loaded {
		cancel()
		return prev.(context.Context)
	}
	t.Cleanup(func() {
		testCtxs.Delete(t)
		cancel()
	})
	return ctx
}

var testCtxs sync.Map // *testing.T → its testCtx

// skipSlow skips a test under -short.
func skipSlow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow end-to-end test (skipped under -short)")
	}
}

// proc is a running `sharecard serve`.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:port
	logs *syncbuf.Buffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, once done is closed
}

// childEnv is the test's environment without the variables that would
// change how the server runs, plus env.
func childEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "SHARECARD_") || strings.HasPrefix(upper, "AWS_") || strings.HasSuffix(upper, "_PROXY") {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// startServe runs `sharecard serve --addr 127.0.0.1:0 args...` with the
// sign key and the ghost hook secret in its environment (env adds or
// overrides variables), waits until /readyz answers 200, and stops the
// process (SIGTERM, then SIGKILL) when the test ends. args must include
// --data.
func startServe(t *testing.T, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	// No drain delay: nothing balances load in front of a test server.
	full := map[string]string{"SHARECARD_SIGN_KEY": signKey, "SHARECARD_HOOK_SECRET_GHOST": hookSecret, "SHARECARD_DRAIN_DELAY": "0s"}
	for k, v := range env {
		full[k] = v
	}
	p := &proc{t: t, name: name, logs: &syncbuf.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = childEnv(full)
	p.cmd.Dir = t.TempDir() // no ./layouts there: the built-in layouts
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("log of %s (%s):\n%s", name, strings.Join(p.cmd.Args[1:], " "), p.logTail(6000))
		}
	})
	p.url = "http://" + p.waitListening()
	p.waitReady()
	return p
}

var servingLine = regexp.MustCompile(`"msg":"sharecard serving","addr":"(127\.0\.0\.1:[0-9]+)"`)

// waitListening returns the address the server logged it listens on.
func (p *proc) waitListening() string {
	p.t.Helper()
	stop := testwait.GiveUp(p.t)
	for {
		if m := servingLine.FindStringSubmatch(p.logs.String()); m != nil {
			return m[1]
		}
		select {
		case <-p.done:
			p.t.Fatalf("%s exited before listening (%v):\n%s", p.name, p.err, p.logTail(8000))
		case <-stop:
			p.t.Fatalf("%s did not log its address before the test timeout:\n%s", p.name, p.logTail(8000))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitReady polls /readyz until it answers 200.
func (p *proc) waitReady() {
	p.t.Helper()
	stop := testwait.GiveUp(p.t)
	for {
		req, _ := http.NewRequestWithContext(testCtx(p.t), http.MethodGet, p.url+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			p.t.Fatalf("%s exited before it was ready (%v):\n%s", p.name, p.err, p.logTail(8000))
		case <-stop:
			p.t.Fatalf("%s: /readyz not 200 before the test timeout (last: %v):\n%s", p.name, err, p.logTail(8000))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for the exit; it kills the process only
// when go test's -timeout is a few seconds away (later than giveUpAt, so
// a test that gave up still lets its servers shut down).
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	var kill <-chan time.Time
	if d, ok := p.t.Deadline(); ok {
		kill = time.After(time.Until(d) - min(time.Until(d)/2, 5*time.Second))
	}
	select {
	case <-p.done:
	case <-kill:
		p.t.Errorf("%s did not exit after SIGTERM before the test timeout; killing it", p.name)
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill9 kills the process with SIGKILL and waits for it.
func (p *proc) kill9() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("kill -9 %s: %v", p.name, err)
	}
	<-p.done
}

// logTail is the end of the process's output.
func (p *proc) logTail(n int) string {
	s := p.logs.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// client talks to the servers under test; it never uses a proxy. Its
// requests carry testCtx: they are not bounded by a time of their own.
var client = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 32}}

// result is a finished HTTP exchange.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) String() string {
	b := r.body
	if len(b) > 600 {
		b = append(b[:600:600], "…"...)
	}
	return fmt.Sprintf("%d %s", r.status, b)
}

// problem decodes a problem+json answer, failing the test on another type.
func (r result) problem(t *testing.T) server.Problem {
	t.Helper()
	var p server.Problem
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("answer %s has Content-Type %q, want application/problem+json", r, ct)
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r, err)
	}
	return p
}

// do sends a request and reads the whole answer.
func do(t *testing.T, method, url, ctype string, body []byte, header ...string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

func get(t *testing.T, url string) result { t.Helper(); return do(t, http.MethodGet, url, "", nil) }

// metrics returns the value of a Prometheus series of the process: the sum
// of the series named name whose labels include every "key=value" given;
// 0 when there is none (a counter not yet incremented). A scrape asks the
// job queue for its counts within a second, which a loaded machine may
// exceed (the scrape then fails, and the next one asks again): it scrapes
// until one answers.
func (p *proc) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	var r result
	testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
		r = get(t, p.url+"/metrics")
		return r.status == http.StatusOK, fmt.Sprintf("%s /metrics: %s", p.name, r)
	})
	return sumMetric(t, string(r.body), name, labels...)
}

var labelPair = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)

func sumMetric(t *testing.T, text, name string, labels ...string) float64 {
	t.Helper()
	var sum float64
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		metric, rawLabels, _ := strings.Cut(series, "{")
		if metric != name {
			continue
		}
		have := map[string]string{}
		for _, m := range labelPair.FindAllStringSubmatch(rawLabels, -1) {
			have[m[1]] = m[2]
		}
		match := true
		for _, l := range labels {
			k, v, _ := strings.Cut(l, "=")
			if have[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		f, err := strconv.ParseFloat(strings.Fields(value)[0], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += f
	}
	return sum
}

// renders is how many renders the process completed.
func (p *proc) renders(t *testing.T) float64 {
	t.Helper()
	return p.metric(t, "sharecard_renders_total", "result=ok")
}

// photoServer serves one photo on loopback and counts the requests.
type photoServer struct {
	*httptest.Server
	requests atomic.Int64
	arrived  chan string   // receives each request's path, when not full
	held     chan struct{} // answers wait until it is closed, if not nil
	once     sync.Once
}

// newPhotoServer serves data at every path. Paths ending in /redirect
// redirect to the "to" query parameter. With held, the photo answers wait
// until release is called (or the client goes away): a test decides when
// a download in flight ends, instead of guessing how long it takes.
func newPhotoServer(t *testing.T, data []byte, held bool) *photoServer {
	t.Helper()
	ps := &photoServer{arrived: make(chan string, 64)}
	if held {
		ps.held = make(chan struct{})
	}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.requests.Add(1)
		select {
		case ps.arrived <- r.URL.Path:
		default:
		}
		if strings.HasSuffix(r.URL.Path, "/redirect") {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		if ps.held != nil {
			select {
			case <-ps.held:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(data)
	}))
	t.Cleanup(func() {
		ps.release() // Close waits for the answers in progress
		ps.Close()
	})
	return ps
}

// release lets the held answers, and every later one, go.
func (ps *photoServer) release() {
	if ps.held != nil {
		ps.once.Do(func() { close(ps.held) })
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Photos used by the tests (paths from the e2e folder).
const (
	smallPhoto = "../render/testdata/photos/two-presenters-150px.jpg"
	photo      = "../samples/long-headline/photo.jpg"
	bigPhoto   = "../render/testdata/photos/dandelions-5312x2988-large.jpg"
	bombPhoto  = "../render/testdata/tricky/decompression-bomb-50000x50000.png"
	ghostPost  = "../server/testdata/ghost-post-published.json"
)

// manifest decodes a manifest answer.
func manifest(t *testing.T, r result) publish.Manifest {
	t.Helper()
	var m publish.Manifest
	if r.status != http.StatusOK {
		t.Fatalf("want a manifest, got %s", r)
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("manifest %s: %v", r, err)
	}
	if len(m.Images) == 0 {
		t.Fatalf("manifest without images: %s", r)
	}
	return m
}

// checkImages fetches every image of a manifest from base and checks its
// bytes against the manifest's size and SHA-256.
func checkImages(t *testing.T, base string, m publish.Manifest) {
	t.Helper()
	for _, img := range m.Images {
		if !strings.HasPrefix(img.URL, "/v1/images/") {
			t.Errorf("image %s has URL %q, want /v1/images/…", img.File, img.URL)
			continue
		}
		r := get(t, base+img.URL)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %s", img.URL, r)
			continue
		}
		if len(r.body) != img.Bytes || sha256Hex(r.body) != img.SHA256 {
			t.Errorf("GET %s: %d bytes sha256 %s; manifest says %d bytes sha256 %s", img.URL, len(r.body), sha256Hex(r.body), img.Bytes, img.SHA256)
		}
		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: Cache-Control %q, want immutable", img.URL, cc)
		}
	}
}

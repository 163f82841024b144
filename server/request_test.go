package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/store"
)

// rawConn sends head (a request line and headers, without the blank line)
// and then body on a fresh loopback connection, and returns the connection
// with a reader, its reads bounded by the test's give-up time.
func rawConn(t *testing.T, ts *httptest.Server, head string, body []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if at, ok := testwait.GiveUpAt(t); ok {
		conn.SetReadDeadline(at)
	}
	if _, err := io.WriteString(conn, head+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(body); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

// readClosed reads an answer and then expects the server to close the
// connection without reading the rest of the body (which the client never
// sends): it waits for that, bounded by the test's give-up time.
func readClosed(t *testing.T, br *bufio.Reader) (*http.Response, Problem) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	var p Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("answer %d: %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	// Closed: EOF, or a reset when the client was still sending (the
	// server closed with unread bytes of the body); a timeout means open.
	if _, err := br.ReadByte(); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after the answer the connection is still open (%v); want it closed", err)
	}
	return resp, p
}

// TestRender_BusyRefusedBeforeBody fills the render pool and sends a render
// whose body never comes (declared by Content-Length, or chunked): the
// answer is 503 with Retry-After and Connection: close at once, and the
// server closes the connection instead of reading (draining) the body.
// Before, the server read the whole body, then answered 503.
func TestRender_BusyRefusedBeforeBody(t *testing.T) {
	srv, ts := newTestServer(t, Config{Workers: 1, QueueDepth: 1})
	for range 2 {
		tk, err := srv.pool.reserve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(tk.release)
	}
	for name, framing := range map[string]string{
		"content-length": "Content-Length: 10000000",
		"chunked":        "Transfer-Encoding: chunked",
	} {
		t.Run(name, func(t *testing.T) {
			_, br := rawConn(t, ts, "POST /v1/render?preset=og HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+framing, nil)
			resp, p := readClosed(t, br)
			if resp.StatusCode != 503 || p.Status != 503 || resp.Header.Get("Retry-After") == "" || !resp.Close {
				t.Errorf("status %d, Retry-After %q, close %v; want 503 with Retry-After and Connection: close", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Close)
			}
		})
	}
}

// TestRender_QueueWaitBound: a render that has its place in the pool but
// finds every worker busy waits MaxQueueWait, then gets 503 (before, POST
// /v1/render waited without a bound).
func TestRender_QueueWaitBound(t *testing.T) {
	srv, ts := newTestServer(t, Config{Workers: 1, QueueDepth: 4, MaxQueueWait: 50 * time.Millisecond})
	tk, err := srv.pool.reserve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.wait(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	defer tk.release()
	resp := post(t, ts.URL+"/v1/render?preset=og", "application/json", []byte(`{"headline": "waits for the only worker"}`))
	if p := decodeProblem(t, resp); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("status %d %+v; want 503 with Retry-After", resp.StatusCode, p)
	}
}

// TestRender_BodyCaps: an article is capped at MaxArticleBytes, a photo at
// Limits.MaxBytes (a data: photo counted against the photo cap, not the
// article's); over either the answer is 413 naming the limit, and a body
// declared too large is refused before it is read.
func TestRender_BodyCaps(t *testing.T) {
	cfg := Config{MaxArticleBytes: 1000, Limits: photo.Limits{MaxBytes: 3000}}
	_, ts := newTestServer(t, cfg)
	dataPhoto := func(n int) string {
		return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, n))
	}
	form := func(article string, photoBytes int) (string, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		aw, _ := mw.CreateFormField("article")
		io.WriteString(aw, article)
		if photoBytes > 0 {
			pw, _ := mw.CreateFormFile("photo", "p.jpg")
			pw.Write(bytes.Repeat([]byte{0xff}, photoBytes))
		}
		mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	}
	long := `{"headline": "x", "summary": "` + strings.Repeat("word ", 300) + `"}`
	type bodyCase struct {
		name, ctype string
		body        []byte
		status      int
		field       string
		detail      string
	}
	tests := []bodyCase{
		{"article over its cap", "application/json", []byte(long), 413, "body", "limit of 1000"},
		{"data: photo under the photo cap", "application/json", []byte(`{"headline": "x", "photo": "` + dataPhoto(2500) + `"}`), 422, "photo", ""},
		{"data: photo over the photo cap", "application/json", []byte(`{"headline": "x", "photo": "` + dataPhoto(3500) + `"}`), 413, "photo", "limit of 3000"},
		{"body over both caps", "application/json", bytes.Repeat([]byte(" "), 6000), 413, "", "data: photo of 3000 bytes"},
	}
	ct, b := form(long, 0)
	tests = append(tests, bodyCase{"multipart article over its cap", ct, b, 413, "article", "limit of 1000"})
	ct, b = form(`headline: x`, 3500)
	tests = append(tests, bodyCase{"multipart photo over its cap", ct, b, 413, "photo", "limit of 3000"})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, ts.URL+"/v1/render?preset=og", tc.ctype, tc.body)
			p := decodeProblem(t, resp)
			if resp.StatusCode != tc.status || p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("got %d %+v; want %d field %q detail containing %q", resp.StatusCode, p, tc.status, tc.field, tc.detail)
			}
		})
	}
	// Declared too large: refused before any of the body is sent.
	_, br := rawConn(t, ts, "POST /v1/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 6000", nil)
	if resp, p := readClosed(t, br); resp.StatusCode != 413 || !strings.Contains(p.Detail, "limit of 5256") {
		t.Errorf("declared 6000 bytes: %d %+v; want 413 naming the limit", resp.StatusCode, p)
	}
}

// trickle writes one byte of the body every 10 ms until the server closes
// the connection, at most n bytes.
func trickle(conn net.Conn, n int) {
	for range n {
		if _, err := conn.Write([]byte(" ")); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSlowBody_Cut: a body trickling at 100 bytes/s, below the minimum
// upload rate, is cut with 408 and the connection closed, on the render
// and the webhook routes. Before, the server waited as long as the client
// kept sending.
func TestSlowBody_Cut(t *testing.T) {
	cfg := Config{MinUploadRate: 1000, UploadGrace: 100 * time.Millisecond}
	_, rts := newTestServer(t, cfg)
	_, hts, _ := newHookServerConfig(t, cfg)
	sig := SignHook([]byte("hook-secret"), nil, time.Now())
	for name, tc := range map[string]struct {
		ts   *httptest.Server
		head string
	}{
		"render": {rts, "POST /v1/render?preset=og HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000"},
		"hook":   {hts, "POST /v1/hooks/ghost HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n" + SignatureHeader + ": " + sig},
	} {
		t.Run(name, func(t *testing.T) {
			conn, br := rawConn(t, tc.ts, tc.head, []byte(`{"headline": "`))
			done := make(chan struct{})
			go func() { defer close(done); trickle(conn, 100000) }()
			resp, p := readClosed(t, br)
			conn.Close()
			<-done
			if resp.StatusCode != http.StatusRequestTimeout || !resp.Close || !strings.Contains(p.Detail, "slower than 1000 bytes/s") {
				t.Errorf("got %d close %v %+v; want 408 naming the rate, connection closed", resp.StatusCode, resp.Close, p)
			}
		})
	}
}

// TestSlowBody_RequestDeadline: a body fast enough for the minimum rate
// still has to arrive within the request's deadline (else a client just
// above the rate could hold a pool place for an hour).
func TestSlowBody_RequestDeadline(t *testing.T) {
	_, ts := newTestServer(t, Config{MinUploadRate: 1, UploadGrace: time.Hour, Timeout: 300 * time.Millisecond})
	conn, br := rawConn(t, ts, "POST /v1/render?preset=og HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000", []byte(`{"headline": "`))
	done := make(chan struct{})
	go func() { defer close(done); trickle(conn, 100000) }()
	resp, p := readClosed(t, br)
	conn.Close()
	<-done
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(p.Detail, "deadline") {
		t.Errorf("got %d %+v; want 408 naming the request deadline", resp.StatusCode, p)
	}
}

// newHookServerConfig is newHookServer with cfg (its HookSecrets set).
func newHookServerConfig(t *testing.T, cfg Config) (*Server, *httptest.Server, *jobs.Queue) {
	t.Helper()
	newTestServer(t, Config{}) // loads the shared engine
	q, err := jobs.Open(context.Background(), jobs.Config{DataDir: t.TempDir(), AckWait: 5 * time.Second, Backoff: []time.Duration{50 * time.Millisecond}, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv, ts := newHookServerWith(t, cfg, q)
	t.Cleanup(func() { q.Close() })
	return srv, ts, q
}

// newHookServerWith starts a server taking webhooks into q (not run).
func newHookServerWith(t *testing.T, cfg Config, q Queue) (*Server, *httptest.Server) {
	t.Helper()
	newTestServer(t, Config{}) // loads the shared engine
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.HookSecrets = map[string][]byte{"ghost": []byte("hook-secret")}
	srv, err := New(cfg, testDeps(t, st, q))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts
}

// TestHooks_CheckedBeforeBody: a webhook with a stale, future or malformed
// signature, or a declared length over the cap (the queue's payload limit),
// is refused before its body is read; the body never comes. Before, the
// server read the body first, up to 50 MB.
func TestHooks_CheckedBeforeBody(t *testing.T) {
	_, ts, q := newHookServerConfig(t, Config{})
	secret, now := []byte("hook-secret"), time.Now()
	tests := []struct {
		name, sig string
		length    int64
		status    int
		detail    string
	}{
		{"stale", SignHook(secret, nil, now.Add(-time.Hour)), 1000, 401, "old"},
		{"future", SignHook(secret, nil, now.Add(time.Hour)), 1000, 401, "in the future"},
		{"malformed", "t=1,v1=zz", 1000, 401, ""},
		{"short mac", fmt.Sprintf("t=%d,v1=abcd", now.Unix()), 1000, 401, "64 hex digits"},
		{"too long", SignHook(secret, nil, now), q.MaxPayload() + 1, 413, fmt.Sprintf("limit of %d", q.MaxPayload())},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, br := rawConn(t, ts, fmt.Sprintf("POST /v1/hooks/ghost HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s: %s", tc.length, SignatureHeader, tc.sig), nil)
			resp, p := readClosed(t, br)
			if resp.StatusCode != tc.status || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("got %d %+v; want %d with %q", resp.StatusCode, p, tc.status, tc.detail)
			}
		})
	}
}

// fakeQueue is a job queue that refuses payloads over limit as the real
// one does (an error wrapping jobs.ErrTooLarge), without telling its limit
// (see tellingQueue).
type fakeQueue struct {
	limit    int64
	enqueued atomic.Int64
}

func (q *fakeQueue) Enqueue(ctx context.Context, id string, payload []byte) (bool, error) {
	q.enqueued.Add(1)
	if int64(len(payload)) > q.limit {
		return false, fmt.Errorf("%w: job %s has %d bytes, the nats server accepts about %d", jobs.ErrTooLarge, id, len(payload), q.limit)
	}
	return true, nil
}
func (q *fakeQueue) Status(context.Context, string) (jobs.Status, error) {
	return jobs.Status{}, jobs.ErrNotFound
}
func (q *fakeQueue) Stats(context.Context) (int, int, int, error) { return 0, 0, 0, nil }
func (q *fakeQueue) Ready() bool                                  { return true }

// tellingQueue is a fakeQueue that tells its payload limit.
type tellingQueue struct{ *fakeQueue }

func (q tellingQueue) MaxPayload() int64 { return q.limit }

// TestHooks_PayloadTooLarge: a signed webhook whose job is larger than the
// queue accepts answers 413 naming the limit (before: 500, which a CMS
// retries for ever); when the queue tells its limit, before enqueueing.
func TestHooks_PayloadTooLarge(t *testing.T) {
	// The mapped article is larger than the body when HTML entities turn
	// into characters JSON escapes ("&lt;" into "\u003c").
	body := []byte(`{"post": {"current": {"title": "` + strings.Repeat("&lt;", 200) + `"}}}`)
	for name, q := range map[string]interface {
		Queue
		count() int64
	}{
		"queue refuses": countingQueue{&fakeQueue{limit: 1000}},
		"limit known":   tellingCountingQueue{tellingQueue{&fakeQueue{limit: 1000}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, ts := newHookServerWith(t, Config{}, q)
			resp := postHook(t, ts.URL+"/v1/hooks/ghost", body, SignHook([]byte("hook-secret"), body, time.Now()))
			p := decodeProblem(t, resp)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(p.Detail, "1000") {
				t.Errorf("got %d %+v; want 413 naming the limit 1000", resp.StatusCode, p)
			}
			if _, known := q.(tellingCountingQueue); known && q.count() != 0 {
				t.Errorf("enqueued %d times; want the size checked before", q.count())
			}
		})
	}
}

type countingQueue struct{ *fakeQueue }

func (q countingQueue) count() int64 { return q.enqueued.Load() }

type tellingCountingQueue struct{ tellingQueue }

func (q tellingCountingQueue) count() int64 { return q.enqueued.Load() }

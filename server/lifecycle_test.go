package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/s3test"
	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/store"
)

// getBody is get with the default client, the body as text.
func getBody(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, b := get(t, http.DefaultClient, u)
	return resp, string(b)
}

// TestDrain_AnswersQueuedRenders: with the only worker busy, a card render
// waits for it; Drain answers that render 503 with Retry-After at once
// (before, it waited for the worker and a shutdown cut it off), refuses
// new renders the same way and turns /readyz to 503 "draining", while
// /healthz still answers and a webhook job's render still runs. The
// channel Drain returns is closed once the last admitted render ends.
func TestDrain_AnswersQueuedRenders(t *testing.T) {
	srv, ts := newTestServer(t, Config{Workers: 1, MaxQueueWait: time.Hour})
	busy, err := srv.pool.reserve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := busy.wait(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	defer busy.release()

	cardURL := func(headline string) string {
		return SignCardURL([]byte("test-key"), ts.URL, "standard", "og", "jpeg", url.Values{"headline": {headline}})
	}
	queued := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(cardURL("Waiting for a worker"))
		if err != nil {
			t.Error(err)
			close(queued)
			return
		}
		resp.Body.Close()
		queued <- resp
	}()
	testwait.Until(t, 5*time.Millisecond, func() (bool, string) {
		return srv.pool.waiting.Load() == 1, "the card did not wait for the worker"
	})
	if resp, body := getBody(t, ts.URL+"/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz before the drain: %d %s", resp.StatusCode, body)
	}

	idle := srv.Drain()
	select {
	case resp := <-queued:
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("the render waiting at the drain got %v; want 503 with Retry-After", resp)
		}
	case <-testwait.GiveUp(t):
		t.Fatal("the render waiting for a worker was not answered by the drain")
	}
	resp, body := getBody(t, cardURL("Asked after the drain"))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "shutting down") {
		t.Errorf("a new render after the drain: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, body := getBody(t, ts.URL+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("readyz while draining: %d %s", resp.StatusCode, body)
	}
	if resp, body := getBody(t, ts.URL+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz while draining: %d %s", resp.StatusCode, body)
	}
	select {
	case <-idle:
		t.Fatal("idle before the running render ended")
	default:
	}
	busy.release()
	// A job that started before the shutdown still gets a worker.
	release, err := srv.pool.acquire(asJob(context.Background()))
	if err != nil {
		t.Fatalf("a job's render after the drain: %v", err)
	}
	release()
	select {
	case <-idle:
	case <-testwait.GiveUp(t):
		t.Fatal("Drain's channel not closed after the last render ended")
	}
	if m, body := getBody(t, ts.URL+"/metrics"); m.StatusCode != http.StatusOK || !strings.Contains(body, "sharecard_draining 1") || !strings.Contains(body, "sharecard_ready 0") || !strings.Contains(body, "sharecard_store_up 1") {
		t.Errorf("metrics while draining: %d, want sharecard_draining 1, sharecard_ready 0, sharecard_store_up 1", m.StatusCode)
	}
}

// TestCallbacks_ApartFromJobs: a callback URL that never answers does not
// hold the only job worker: the job is done (rendered) with its callback
// pending, a second job renders meanwhile, and the callback is delivered
// when the receiver answers. A receiver that keeps failing leaves its job
// done with the callback failed after its attempts. Before, the callback
// ran inside the job, blocked the worker and failed a rendered job.
func TestCallbacks_ApartFromJobs(t *testing.T) {
	newTestServer(t, Config{}) // loads the shared engine
	hang := make(chan struct{})
	var hangs, fails atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/fail" {
			fails.Add(1)
			http.Error(w, "receiver broken", http.StatusInternalServerError)
			return
		}
		if hangs.Add(1) == 1 {
			select {
			case <-hang:
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	defer close(hang)

	q, err := jobs.Open(context.Background(), jobs.Config{DataDir: t.TempDir(), AckWait: 5 * time.Second, Workers: 1,
		CallbackWorkers: 2, CallbackAttempts: 2, MaxBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{
		HookSecrets:     map[string][]byte{"ghost": []byte("s1"), "wordpress": []byte("s2")},
		HookCallbacks:   map[string]string{"ghost": receiver.URL + "/hang", "wordpress": receiver.URL + "/fail"},
		CallbackTimeout: time.Hour,
	}, testDeps(t, st, q))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { q.RunTasks(ctx, srv.JobTask) })
	wg.Go(func() { q.RunCallbacks(ctx, srv.DeliverCallback) })
	ts := httptest.NewServer(srv)
	defer func() {
		ts.Close()
		cancel()
		wg.Wait()
		q.Close()
	}()

	submit := func(source, secret, title string) string {
		t.Helper()
		body := []byte(`{"post": {"current": {"title": "` + title + `"}}}`)
		if source == "wordpress" {
			body = []byte(`{"title": {"rendered": "` + title + `"}}`)
		}
		resp := postHook(t, ts.URL+"/v1/hooks/"+source, body, SignHook([]byte(secret), body, time.Now()))
		var out struct{ Job string }
		if resp.StatusCode != http.StatusAccepted || json.NewDecoder(resp.Body).Decode(&out) != nil {
			t.Fatalf("webhook %s: %d", source, resp.StatusCode)
		}
		return out.Job
	}
	status := func(id string) jobs.Status {
		s, err := q.Status(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	waitFor := func(id, what string, ok func(jobs.Status) bool) jobs.Status {
		t.Helper()
		var st jobs.Status
		testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
			st = status(id)
			b, _ := json.Marshal(st.Callback)
			return ok(st), fmt.Sprintf("job %s: %s, state %s, callback %s, error %q", id, what, st.State, b, st.Error)
		})
		return st
	}

	first := submit("ghost", "s1", "Callback hangs")
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) { return hangs.Load() == 1, "the callback was not called" })
	st1 := status(first)
	if st1.State != jobs.StateDone || st1.Callback == nil || st1.Callback.State != jobs.CallbackPending || len(st1.Result) == 0 {
		t.Fatalf("first job while its callback hangs: %+v; want done, manifest saved, callback pending", st1)
	}
	second := submit("ghost", "s1", "Rendered while the callback hangs")
	waitFor(second, "renders while the first callback hangs", func(s jobs.Status) bool { return s.State == jobs.StateDone })

	hang <- struct{}{}
	st1 = waitFor(first, "callback delivered once the receiver answers", func(s jobs.Status) bool {
		return s.Callback != nil && s.Callback.State == jobs.CallbackDelivered
	})
	if st1.State != jobs.StateDone || st1.Callback.URL != receiver.URL+"/hang" {
		t.Errorf("first job after delivery: %+v", st1)
	}

	broken := submit("wordpress", "s2", "Receiver broken")
	stb := waitFor(broken, "callback failed after its attempts", func(s jobs.Status) bool {
		return s.Callback != nil && s.Callback.State == jobs.CallbackFailed
	})
	if stb.State != jobs.StateDone || stb.Callback.Attempts != 2 || !strings.Contains(stb.Callback.Error, "500") || fails.Load() != 2 {
		t.Errorf("job with a broken receiver: %+v (%d calls); want done, callback failed after 2 attempts", stb, fails.Load())
	}
	// The job's status route shows the callback.
	resp, body := getBody(t, ts.URL+"/v1/jobs/"+broken)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"callback":{"url":`) || !strings.Contains(body, `"state":"failed"`) {
		t.Errorf("GET /v1/jobs/%s: %d %s", broken, resp.StatusCode, body)
	}
}

// TestS3Outage stops the S3 server mid-run: a stored image answers 503 with
// Retry-After (before: 404 "no such image"), /readyz answers 503 naming
// the store, and a webhook's job keeps being retried (before: failed for
// good after 5 attempts in 4 minutes) until the store is back, when it
// completes and /readyz answers 200 again.
func TestS3Outage(t *testing.T) {
	newTestServer(t, Config{}) // loads the shared engine
	s3 := s3test.Start(t, "outage")
	for _, k := range []string{"AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	for k, v := range s3.Env() {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_REGION", s3test.Region)
	st, err := store.NewS3(context.Background(), "s3://outage/cards")
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.Open(context.Background(), jobs.Config{DataDir: t.TempDir(), AckWait: time.Minute, MaxAttempts: 2, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{HookSecrets: map[string][]byte{"ghost": []byte("s1")}, HealthCacheFor: time.Millisecond}, testDeps(t, st, q))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { q.RunTasks(ctx, srv.JobTask) })
	ts := httptest.NewServer(srv)
	defer func() {
		ts.Close()
		cancel()
		wg.Wait()
		q.Close()
	}()

	resp := post(t, ts.URL+"/v1/render?presets=og", "application/json", []byte(`{"headline": "Stored before the outage"}`))
	var m struct{ Images []struct{ URL string } }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&m) != nil || len(m.Images) != 1 {
		t.Fatalf("render before the outage: %d", resp.StatusCode)
	}
	image := ts.URL + m.Images[0].URL
	if r, _ := getBody(t, image); r.StatusCode != http.StatusOK {
		t.Fatalf("image before the outage: %d", r.StatusCode)
	}

	s3.Stop(t)
	if r, body := getBody(t, image); r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("stored image during the outage: %d %q %s; want 503 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"), body)
	}
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		r, body := getBody(t, ts.URL+"/readyz")
		return r.StatusCode == http.StatusServiceUnavailable && strings.Contains(body, "store"), fmt.Sprintf("readyz during the outage: %d %s", r.StatusCode, body)
	})
	body := []byte(`{"post": {"current": {"title": "Webhook during the outage"}}}`)
	hook := postHook(t, ts.URL+"/v1/hooks/ghost", body, SignHook([]byte("s1"), body, time.Now()))
	var accepted struct{ Job string }
	if hook.StatusCode != http.StatusAccepted || json.NewDecoder(hook.Body).Decode(&accepted) != nil {
		t.Fatalf("webhook during the outage: %d", hook.StatusCode)
	}
	// More failed attempts than MaxAttempts, and the job is still queued.
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		s, err := q.Status(context.Background(), accepted.Job)
		return err == nil && s.Attempts > 3 && s.State == jobs.StateQueued, fmt.Sprintf("job during the outage: %+v %v", s, err)
	})

	s3.Restart(t)
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		s, err := q.Status(context.Background(), accepted.Job)
		return err == nil && s.State == jobs.StateDone, fmt.Sprintf("job after the outage: %+v %v", s, err)
	})
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		r, body := getBody(t, ts.URL+"/readyz")
		return r.StatusCode == http.StatusOK, "readyz after the outage: " + body
	})
}

// fullDisk is a Local store whose disk is full: Put and Ping fail with
// ErrNoSpace, as store.Local's do on ENOSPC (see the store's tests, which
// fill a real tmpfs when they run as root).
type fullDisk struct {
	*store.Local
	full atomic.Bool
}

func (f *fullDisk) Put(ctx context.Context, key string, data []byte, ct string) error {
	if f.full.Load() {
		return fmt.Errorf("put %s: %w", key, store.ErrNoSpace)
	}
	return f.Local.Put(ctx, key, data, ct)
}

func (f *fullDisk) Ping(ctx context.Context) error {
	if f.full.Load() {
		return fmt.Errorf("write probe: %w", store.ErrNoSpace)
	}
	return f.Local.Ping(ctx)
}

// TestFullDisk_NotReady: with the store's disk full a render answers 507
// with a message (before: 500) and /readyz 503 naming the store; once
// space is back both recover.
func TestFullDisk_NotReady(t *testing.T) {
	newTestServer(t, Config{}) // loads the shared engine
	l, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := &fullDisk{Local: l}
	srv, err := New(Config{HealthCacheFor: time.Millisecond}, testDeps(t, st, nil))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	st.full.Store(true)
	resp := post(t, ts.URL+"/v1/render?presets=og", "application/json", []byte(`{"headline": "Disk full"}`))
	if p := decodeProblem(t, resp); resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(p.Detail, "space") {
		t.Errorf("render on a full disk: %d %+v; want 507 saying so", resp.StatusCode, p)
	}
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		r, body := getBody(t, ts.URL+"/readyz")
		return r.StatusCode == http.StatusServiceUnavailable && strings.Contains(body, "space"), fmt.Sprintf("readyz on a full disk: %d %s", r.StatusCode, body)
	})
	st.full.Store(false)
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		r, body := getBody(t, ts.URL+"/readyz")
		return r.StatusCode == http.StatusOK, "readyz once space is back: " + body
	})
	if resp := post(t, ts.URL+"/v1/render?presets=og", "application/json", []byte(`{"headline": "Disk full"}`)); resp.StatusCode != http.StatusOK {
		t.Errorf("render once space is back: %d", resp.StatusCode)
	}
}

// stuckQueue is a job queue whose server does not store jobs (a full disk
// under the embedded server): Enqueue fails as jobs.Queue's does after
// its EnqueueTimeout.
type stuckQueue struct{}

func (stuckQueue) Enqueue(context.Context, string, []byte) (bool, error) {
	return false, fmt.Errorf("%w: did not store the job within 5s", jobs.ErrUnavailable)
}
func (stuckQueue) Status(context.Context, string) (jobs.Status, error) {
	return jobs.Status{}, jobs.ErrNotFound
}
func (stuckQueue) Stats(context.Context) (int, int, int, error) { return 0, 0, 0, nil }
func (stuckQueue) Ready() bool                                  { return false }

// TestHooks_QueueUnavailable: a webhook the queue cannot store answers 503
// with Retry-After (before: a 60 s hang, then 504), and /readyz reports the
// queue.
func TestHooks_QueueUnavailable(t *testing.T) {
	newTestServer(t, Config{})
	l, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{HookSecrets: map[string][]byte{"ghost": []byte("s1")}}, testDeps(t, l, stuckQueue{}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	body := []byte(`{"post": {"current": {"title": "Queue stuck"}}}`)
	resp := postHook(t, ts.URL+"/v1/hooks/ghost", body, SignHook([]byte("s1"), body, time.Now()))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("webhook with the queue stuck: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if r, body := getBody(t, ts.URL+"/readyz"); r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "job queue") {
		t.Errorf("readyz with the queue stuck: %d %s", r.StatusCode, body)
	}
}

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/server"
)

// waitRequest waits until the photo server has received a request.
func waitRequest(t *testing.T, ps *photoServer, what string) {
	t.Helper()
	select {
	case <-ps.arrived:
	case <-testwait.GiveUp(t):
		t.Fatalf("%s: the photo server got no request before the test timeout", what)
	}
}

// TestKill9 kills the server with SIGKILL while a webhook's job is in
// flight (the photo server holds its answer until the kill), starts it
// again on the same data folder, and checks the job completes.
func TestKill9(t *testing.T) {
	skipSlow(t)
	data := t.TempDir()
	photos := newPhotoServer(t, readFile(t, smallPhoto), true)
	first := startServe(t, "first", nil, "--data", data, "--allow-nets", "127.0.0.0/8")

	body := ghostPayload(t, photos.URL+"/slow.jpg", "Survives kill -9")
	id := accepted(t, hook(t, first, body, server.SignHook([]byte(hookSecret), body, time.Now())))
	// The job is running: its photo download has started and is held.
	waitRequest(t, photos, "first run")
	first.kill9()
	if ee := (*exec.ExitError)(nil); !errors.As(first.err, &ee) || ee.ExitCode() != -1 {
		t.Fatalf("the first server was not killed by a signal: %v", first.err)
	}
	if strings.Contains(first.logs.String(), `"msg":"shutting down`) {
		t.Fatal("the first server shut down cleanly; it should have been killed")
	}
	photos.release() // for the second process

	second := startServe(t, "second", nil, "--data", data, "--allow-nets", "127.0.0.0/8")
	st, m := waitJob(t, second, id)
	if n := photos.requests.Load(); n < 2 {
		t.Errorf("the photo server got %d requests; the job should have run once in each process", n)
	}
	if st.Attempts != 2 {
		t.Errorf("job done after %d attempts, want 2 (the killed one and the one after the restart)", st.Attempts)
	}
	if r := second.renders(t); r != 1 {
		t.Errorf("the second process rendered %v times, want 1", r)
	}
	checkImages(t, second.url, m)
	t.Logf("job %s done after %d attempts; photo requested %d times", id, st.Attempts, photos.requests.Load())
}

// TestReplicas runs two servers against one NATS server (started by the
// test), each with its own data folder but one shared image store, sends
// webhooks to both, and checks every job is rendered exactly once.
func TestReplicas(t *testing.T) {
	skipSlow(t)
	q, err := jobs.Open(context.Background(), jobs.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("start the NATS server for the replicas: %v", err)
	}
	t.Cleanup(func() { q.Close() }) // after the replicas stopped (cleanups run last-in first-out)
	natsURL := q.ClientURL()
	if !strings.HasPrefix(natsURL, "nats://127.0.0.1:") {
		t.Fatalf("NATS client URL %q is not on 127.0.0.1", natsURL)
	}
	images := t.TempDir()
	replicas := []*proc{
		startServe(t, "replica-a", nil, "--data", t.TempDir(), "--store", images, "--nats", natsURL, "--allow-nets", "127.0.0.0/8"),
		startServe(t, "replica-b", nil, "--data", t.TempDir(), "--store", images, "--nats", natsURL, "--allow-nets", "127.0.0.0/8"),
	}
	photos := newPhotoServer(t, readFile(t, smallPhoto), false)

	const n = 6
	ids := make([]string, n)
	for i := range n {
		body := ghostPayload(t, photos.URL+fmt.Sprintf("/replica-%d.jpg", i), fmt.Sprintf("Replica story number %d", i+1))
		ids[i] = accepted(t, hook(t, replicas[i%2], body, server.SignHook([]byte(hookSecret), body, time.Now())))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			t.Fatalf("two distinct posts got the same job id %s", id)
		}
		seen[id] = true
		// Asked of the other replica: the status is shared too.
		st, m := waitJob(t, replicas[(i+1)%2], id)
		if st.Attempts != 1 {
			t.Errorf("job %d (%s) done after %d attempts, want 1", i, id, st.Attempts)
		}
		// Both replicas serve every image: they share the store.
		for _, p := range replicas {
			r := get(t, p.url+m.Images[0].URL)
			if r.status != http.StatusOK || sha256Hex(r.body) != m.Images[0].SHA256 {
				t.Errorf("%s: GET %s: %d, sha256 %s; want 200 with %s", p.name, m.Images[0].URL, r.status, sha256Hex(r.body), m.Images[0].SHA256)
			}
		}
	}
	a, b := replicas[0].renders(t), replicas[1].renders(t)
	if a+b != n {
		t.Errorf("renders: %v in replica a + %v in replica b = %v, want %d (each job once)", a, b, a+b, n)
	}
	if a == 0 || b == 0 {
		t.Errorf("renders: %v in replica a, %v in replica b; both should take jobs", a, b)
	}
	if fetched := photos.requests.Load(); fetched != n {
		t.Errorf("the photo server got %d requests for %d jobs", fetched, n)
	}
	t.Logf("renders: replica a %v, replica b %v", a, b)
}

// TestSIGTERM sends SIGTERM while a render request and a webhook job are
// in flight (the photo server holds both downloads until the server says
// it is shutting down): the request still gets its 200, the job finishes,
// and the process exits 0.
func TestSIGTERM(t *testing.T) {
	data := t.TempDir()
	slow := newPhotoServer(t, readFile(t, smallPhoto), true)
	p := startServe(t, "sigterm", nil, "--data", data, "--allow-nets", "127.0.0.0/8")

	body := ghostPayload(t, slow.URL+"/job.jpg", "Finished before exit")
	id := accepted(t, hook(t, p, body, server.SignHook([]byte(hookSecret), body, time.Now())))
	waitRequest(t, slow, "job")

	var wg sync.WaitGroup
	var res result
	wg.Go(func() {
		article, _ := json.Marshal(map[string]any{"headline": "Rendered during shutdown", "photo": slow.URL + "/request.jpg"})
		req, _ := http.NewRequestWithContext(testCtx(t), http.MethodPost, p.url+"/v1/render?presets=og,thumb-square", strings.NewReader(string(article)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			res = result{status: -1, body: []byte(err.Error())}
			return
		}
		defer resp.Body.Close()
		var m json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&m)
		res = result{status: resp.StatusCode, header: resp.Header, body: m}
	})
	waitRequest(t, slow, "render request")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Both downloads are still held: let them go once the server is
	// draining, so the request and the job are in flight at shutdown.
	testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
		return strings.Contains(p.logs.String(), `"msg":"shutting down: draining requests"`), "no \"shutting down\" log line after SIGTERM"
	})
	slow.release()
	wg.Wait()
	if res.status != http.StatusOK {
		t.Errorf("the request in flight at SIGTERM got %s, want 200", res)
	}
	select {
	case <-p.done:
	case <-testwait.GiveUp(t):
		t.Fatal("the server did not exit after SIGTERM before the test timeout")
	}
	if p.err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", p.err)
	}
	if !strings.Contains(p.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no \"stopped\" log line")
	}

	// The job finished before the exit: a restart finds it done and does
	// not download its photo again (a job queued before the marker would
	// have been taken first).
	fetched := slow.requests.Load()
	again := startServe(t, "after-sigterm", nil, "--data", data, "--allow-nets", "127.0.0.0/8")
	r := get(t, again.url+"/v1/jobs/"+id)
	if !strings.Contains(string(r.body), `"state":"done"`) {
		t.Errorf("after SIGTERM and a restart the job is %s; it should have been finished before the exit", r)
	}
	markerJob(t, again, "Marker after the restart")
	if n := slow.requests.Load(); n != fetched {
		t.Errorf("the job ran again after the restart (%d more photo requests)", n-fetched)
	}
}

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/store"
)

// newHookServer starts a server with an embedded NATS job queue and its
// job runner, all on loopback.
func newHookServer(t *testing.T) (*Server, *httptest.Server, *jobs.Queue) {
	t.Helper()
	newTestServer(t, Config{}) // loads the shared engine
	q, err := jobs.Open(context.Background(), jobs.Config{DataDir: t.TempDir(), AckWait: 5 * time.Second, Backoff: []time.Duration{50 * time.Millisecond}, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{HookSecrets: map[string][]byte{"ghost": []byte("hook-secret"), "wordpress": []byte("wp-secret")}}, testDeps(t, st, q))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); q.Run(ctx, srv.HandleJob) }()
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		q.Close()
	})
	return srv, ts, q
}

func postHook(t *testing.T, url string, body []byte, sig string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestHooks_Signatures: a good signature is accepted with 202 and a job id;
// a wrong one, a missing one and a replay older than 5 minutes are 401.
func TestHooks_Signatures(t *testing.T) {
	_, ts, _ := newHookServer(t)
	body := []byte(`{"post": {"current": {"title": "Signed hook"}}}`)
	secret := []byte("hook-secret")
	now := time.Now()
	tests := []struct {
		name   string
		sig    string
		status int
	}{
		{"good", SignHook(secret, body, now), http.StatusAccepted},
		{"wrong secret", SignHook([]byte("guess"), body, now), http.StatusUnauthorized},
		{"missing", "", http.StatusUnauthorized},
		{"replayed", SignHook(secret, body, now.Add(-6*time.Minute)), http.StatusUnauthorized},
		{"from the future", SignHook(secret, body, now.Add(6*time.Minute)), http.StatusUnauthorized},
		{"body changed", SignHook(secret, append([]byte(" "), body...), now), http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := postHook(t, ts.URL+"/v1/hooks/ghost", body, tc.sig)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != http.StatusAccepted {
				if p := decodeProblem(t, resp); p.Field != SignatureHeader {
					t.Errorf("problem field %q", p.Field)
				}
			}
		})
	}
	if resp := postHook(t, ts.URL+"/v1/hooks/drupal", body, SignHook(secret, body, now)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown source: %d", resp.StatusCode)
	}
	// A scrape asks the queue for its counts within a second, which a
	// loaded machine may exceed (the scrape then fails, and the next one
	// is asked again): scrape until one answers.
	testwait.Until(t, 20*time.Millisecond, func() (bool, string) {
		m, err := http.Get(ts.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(m.Body)
		m.Body.Close()
		if m.StatusCode != http.StatusOK {
			return false, fmt.Sprintf("/metrics: status %d: %.300s", m.StatusCode, text)
		}
		for _, state := range []string{"queued", "running", "failed"} {
			if !strings.Contains(string(text), `sharecard_jobs{state="`+state+`"}`) {
				t.Errorf("/metrics lacks sharecard_jobs{state=%q}", state)
			}
		}
		return true, ""
	})
}

// jobState is GET /v1/jobs/{id}.
type jobState struct {
	State    string           `json:"state"`
	Attempts int              `json:"attempts"`
	Error    string           `json:"error"`
	Manifest publish.Manifest `json:"manifest"`
}

// waitJob polls a job's status until it is done or failed.
func waitJob(t *testing.T, ts *httptest.Server, statusURL string) jobState {
	t.Helper()
	var st jobState
	testwait.Until(t, 20*time.Millisecond, func() (bool, string) {
		r, err := http.Get(ts.URL + statusURL)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		st = jobState{}
		if err := json.NewDecoder(r.Body).Decode(&st); err != nil {
			t.Fatalf("job status %s: %v", statusURL, err)
		}
		return st.State == "done" || st.State == "failed", fmt.Sprintf("job %s still %q (%d attempts, error %q)", statusURL, st.State, st.Attempts, st.Error)
	})
	return st
}

// TestHooks_Ghost sends Ghost's post.published payload and follows the job
// to its manifest; publishing the same post again does not render again.
func TestHooks_Ghost(t *testing.T) {
	srv, ts, _ := newHookServer(t)
	photo := readFile(t, "../samples/long-headline/photo.jpg")
	photoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(photo) }))
	defer photoSrv.Close()
	raw, err := os.ReadFile("testdata/ghost-post-published.json")
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.ReplaceAll(raw, []byte("PHOTO_URL"), []byte(photoSrv.URL+"/feature.jpg"))
	resp := postHook(t, ts.URL+"/v1/hooks/ghost", body, SignHook([]byte("hook-secret"), body, time.Now()))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d: %+v", resp.StatusCode, decodeProblem(t, resp))
	}
	var accepted struct {
		Job    string `json:"job"`
		Status string `json:"status"`
	}
	json.NewDecoder(resp.Body).Decode(&accepted)
	st := waitJob(t, ts, accepted.Status)
	if st.State != "done" {
		t.Fatalf("job state %q: %s", st.State, st.Error)
	}
	m := st.Manifest
	if m.Article.Headline != "Occupying US forces withdraw from K1 Air Base & hand it to Iraqi army" || m.Article.Section != "Iraq" ||
		m.Article.Caption != "The handover ceremony near Kirkuk on March 29, 2020." || len(m.Images) < 15 {
		t.Fatalf("manifest: %+v, %d images", m.Article, len(m.Images))
	}
	img, err := http.Get(ts.URL + m.Images[0].URL)
	if err != nil || img.StatusCode != 200 {
		t.Fatalf("image %s: %v %v", m.Images[0].URL, err, img.StatusCode)
	}
	img.Body.Close()
	// Publishing the same post again is the same job: no second render.
	before := renders(srv)
	again := postHook(t, ts.URL+"/v1/hooks/ghost", body, SignHook([]byte("hook-secret"), body, time.Now()))
	var second struct {
		Job     string `json:"job"`
		Created bool   `json:"created"`
	}
	json.NewDecoder(again.Body).Decode(&second)
	// A marker job queued after the re-publish fails at once, without a
	// render (its photo address is refused); the one worker takes jobs in
	// order, so once the marker failed, a render the re-publish had
	// started would have been counted.
	marker := []byte(`{"post": {"current": {"title": "Marker", "feature_image": "http://169.254.169.254/marker.jpg"}}}`)
	mresp := postHook(t, ts.URL+"/v1/hooks/ghost", marker, SignHook([]byte("hook-secret"), marker, time.Now()))
	var markerJob struct {
		Status string `json:"status"`
	}
	json.NewDecoder(mresp.Body).Decode(&markerJob)
	if mst := waitJob(t, ts, markerJob.Status); mresp.StatusCode != http.StatusAccepted || mst.State != "failed" || !strings.Contains(mst.Error, "forbidden") {
		t.Fatalf("marker job: status %d, state %q, error %q; want a job failed on its refused photo", mresp.StatusCode, mst.State, mst.Error)
	}
	if again.StatusCode != http.StatusAccepted || second.Job != accepted.Job || second.Created || renders(srv) != before {
		t.Errorf("re-publish: status %d, job %s created %v, renders %v -> %v", again.StatusCode, second.Job, second.Created, before, renders(srv))
	}
	if r, _ := http.Get(ts.URL + "/v1/jobs/" + strings.Repeat("0", 32)); r == nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown job: %v", r)
	}
}

func TestMapPayload_Custom(t *testing.T) {
	custom := map[string]string{"headline": "/data/heading", "section": "/data/desk"}
	a, err := mapPayload("arc", []byte(`{"data": {"heading": "Custom CMS", "desk": "Metro"}}`), custom)
	if err != nil || a.Headline != "Custom CMS" || a.Section != "Metro" {
		t.Errorf("custom mapping: %+v %v", a, err)
	}
	if _, err := mapPayload("arc", []byte(`{"data": {"heading": {"nested": "object"}}}`), custom); err == nil || problemFor(err).Status != 422 {
		t.Errorf("an object where the headline should be: %v", err)
	}
}

// verifyHook checks a webhook's signature and age as the handler does, in
// its two steps: the header before the body, the MAC after.
func verifyHook(secret []byte, header string, body []byte, now time.Time) error {
	h := http.Header{}
	h.Set(SignatureHeader, header)
	sr, err := parseSignature(SchemeSharecard, h, now)
	if err != nil {
		return err
	}
	return sr.check([][]byte{secret}, body)
}

// TestVerifyHook_SkewMessages: a signature too old is called a replay, one
// from the future says how far ahead it is (not "-5m0s old").
func TestVerifyHook_SkewMessages(t *testing.T) {
	secret, body := []byte("s"), []byte(`{}`)
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"old", now.Add(-6 * time.Minute), "is 6m0s old"},
		{"future", now.Add(6 * time.Minute), "is 6m0s in the future"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := verifyHook(secret, SignHook(secret, body, tc.at), body, now)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "-") {
				t.Fatalf("error %v; want it to say %q", err, tc.want)
			}
		})
	}
	if err := verifyHook(secret, SignHook(secret, body, now.Add(time.Minute)), body, now); err != nil {
		t.Errorf("a minute of clock skew is refused: %v", err)
	}
}

// startHooks starts a server with cfg, an embedded job queue, its job
// runner and its callback runner, all on loopback.
func startHooks(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	newTestServer(t, Config{}) // loads the shared engine
	q, err := jobs.Open(context.Background(), jobs.Config{DataDir: t.TempDir(), AckWait: 5 * time.Second, Workers: 1,
		CallbackWorkers: 1, CallbackAttempts: 2, MaxBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, testDeps(t, st, q))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { q.RunTasks(ctx, srv.JobTask) })
	wg.Go(func() { q.RunCallbacks(ctx, srv.DeliverCallback) })
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		wg.Wait()
		q.Close()
	})
	return ts
}

func postSigned(t *testing.T, url string, body []byte, h http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestHooks_CMSSigned: Ghost's realistic post.published payload signed
// with Ghost's own header (first tag internal) and the WordPress plugin's
// payload signed with sharecard's scheme are rendered; the callback of
// the ghost source is signed with Standard Webhooks and carries the
// manifest; a WordPress draft is answered "ignored" and makes no job.
func TestHooks_CMSSigned(t *testing.T) {
	photo := readFile(t, "../samples/long-headline/photo.jpg")
	photoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(photo) }))
	defer photoSrv.Close()
	type delivery struct {
		header http.Header
		body   []byte
	}
	got := make(chan delivery, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Clone(), b}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	hooksYAML := "sources:\n  ghost:\n    scheme: ghost\n    secret_env: [GHOST_NEW, GHOST_OLD]\n    callback: {url: " + receiver.URL + "/done}\n"
	srcs, err := ParseHooks("hooks.yaml", []byte(hooksYAML), env(map[string]string{"GHOST_NEW": "ghost-new", "GHOST_OLD": "ghost-old"}))
	if err != nil {
		t.Fatal(err)
	}
	ts := startHooks(t, Config{Hooks: srcs, HookSecrets: map[string][]byte{"wordpress": []byte("wp-secret")}})
	fill := func(file string) []byte {
		return bytes.ReplaceAll(readFile(t, "testdata/hooks/"+file), []byte("PHOTO_URL"), []byte(photoSrv.URL+"/feature.jpg"))
	}

	ghost := fill("ghost-post-published.json")
	// Signed with the old secret, still listed while it rotates.
	resp := postSigned(t, ts.URL+"/v1/hooks/ghost", ghost, http.Header{GhostSignatureHeader: {SignGhost([]byte("ghost-old"), ghost, time.Now())}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("ghost: status %d: %+v", resp.StatusCode, decodeProblem(t, resp))
	}
	var accepted struct{ Job, Status string }
	json.NewDecoder(resp.Body).Decode(&accepted)
	st := waitJob(t, ts, accepted.Status)
	if st.State != "done" || st.Manifest.Article.Section != "Weather" || !st.Manifest.Article.Breaking {
		t.Fatalf("ghost job: %s %s, article %+v", st.State, st.Error, st.Manifest.Article)
	}
	var d delivery
	select {
	case d = <-got:
	case <-testwait.GiveUp(t):
		t.Fatal("no callback")
	}
	h := http.Header{}
	for _, k := range []string{StandardIDHeader, StandardTimestampHeader, StandardSignatureHeader} {
		h.Set(k, d.header.Get(k))
	}
	if h.Get(StandardIDHeader) != accepted.Job {
		t.Errorf("callback webhook-id %q, want the job id %s", h.Get(StandardIDHeader), accepted.Job)
	}
	if err := verify(SchemeStandard, [][]byte{[]byte("ghost-new")}, h, d.body, time.Now()); err != nil {
		t.Errorf("callback signature: %v (headers %v)", err, d.header)
	}
	var m publish.Manifest
	if err := json.Unmarshal(d.body, &m); err != nil || m.Article.Headline != st.Manifest.Article.Headline {
		t.Errorf("callback body: %v %.200s", err, d.body)
	}

	// Ghost's header with a secret the source does not list.
	bad := postSigned(t, ts.URL+"/v1/hooks/ghost", ghost, http.Header{GhostSignatureHeader: {SignGhost([]byte("ghost-retired"), ghost, time.Now())}})
	if p := decodeProblem(t, bad); bad.StatusCode != http.StatusUnauthorized || p.Field != GhostSignatureHeader {
		t.Errorf("retired secret: %d %+v", bad.StatusCode, p)
	}
	// sharecard's scheme is not accepted when the file says ghost.
	other := postHook(t, ts.URL+"/v1/hooks/ghost", ghost, SignHook([]byte("ghost-new"), ghost, time.Now()))
	if p := decodeProblem(t, other); other.StatusCode != http.StatusUnauthorized || !strings.Contains(p.Detail, "X-Ghost-Signature header is missing") {
		t.Errorf("other scheme: %d %+v", other.StatusCode, p)
	}

	wp := fill("wordpress-plugin.json")
	resp = postHook(t, ts.URL+"/v1/hooks/wordpress", wp, SignHook([]byte("wp-secret"), wp, time.Now()))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("wordpress: status %d: %+v", resp.StatusCode, decodeProblem(t, resp))
	}
	json.NewDecoder(resp.Body).Decode(&accepted)
	if st := waitJob(t, ts, accepted.Status); st.State != "done" || st.Manifest.Article.Section != "City" || st.Manifest.Article.Credit != "Photo: M. Santos" {
		t.Fatalf("wordpress job: %s %s, article %+v", st.State, st.Error, st.Manifest.Article)
	}
	draft := bytes.Replace(wp, []byte(`"status": "publish"`), []byte(`"status": "draft"`), 1)
	resp = postHook(t, ts.URL+"/v1/hooks/wordpress", draft, SignHook([]byte("wp-secret"), draft, time.Now()))
	var ignored struct {
		Ignored bool
		Reason  string
		Job     string
	}
	json.NewDecoder(resp.Body).Decode(&ignored)
	if resp.StatusCode != http.StatusOK || !ignored.Ignored || ignored.Job != "" || !strings.Contains(ignored.Reason, "publish") {
		t.Errorf("draft: %d %+v", resp.StatusCode, ignored)
	}
}

// mapPayload maps body with the built-in source called source, or with
// mapping (article field -> JSON pointer) when it is not nil.
func mapPayload(source string, body []byte, mapping map[string]string) (*article.Article, error) {
	c := Config{HookSecrets: map[string][]byte{source: nil}, HookMappings: map[string]map[string]string{}}
	if mapping != nil {
		c.HookMappings[source] = mapping
	}
	src, _ := c.hookSource(source)
	a, ignored, err := mapSource(src, body)
	if err == nil && ignored != "" {
		err = &Problem{Status: http.StatusUnprocessableEntity, Title: "Webhook ignored", Detail: ignored}
	}
	return a, err
}

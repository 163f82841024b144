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
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/jobs"
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

func TestMapPayload_WordPress(t *testing.T) {
	body := []byte(`{"title": {"rendered": "Storm &#8211; coast road closed"}, "link": "https://wp.example/storm/",
		"date_gmt": "2024-02-01T09:30:00", "excerpt": {"rendered": "<p>The road is shut.</p>\n"},
		"jetpack_featured_media_url": "https://wp.example/wp-content/uploads/storm.jpg"}`)
	a, err := mapPayload("wordpress", body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Headline != "Storm – coast road closed" || a.Summary != "The road is shut." || a.Photo != "https://wp.example/wp-content/uploads/storm.jpg" || a.URL != "https://wp.example/storm/" {
		t.Errorf("article: %+v", a)
	}
	if _, err := mapPayload("wordpress", []byte(`{"link": "x"}`), nil); err == nil || problemFor(err).Status != 422 {
		t.Errorf("payload without a title: %v", err)
	}
	custom := map[string]string{"headline": "/data/heading", "section": "/data/desk"}
	a, err = mapPayload("arc", []byte(`{"data": {"heading": "Custom CMS", "desk": "Metro"}}`), custom)
	if err != nil || a.Headline != "Custom CMS" || a.Section != "Metro" {
		t.Errorf("custom mapping: %+v %v", a, err)
	}
}

// verifyHook checks a webhook's signature and age as the handler does, in
// its two steps: the header before the body, the MAC after.
func verifyHook(secret []byte, header string, body []byte, now time.Time) error {
	ts, sig, err := parseHookSignature(header, now)
	if err != nil {
		return err
	}
	return checkHookMAC(secret, ts, sig, body)
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

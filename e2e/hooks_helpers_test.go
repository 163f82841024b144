package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/server"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ghostPayload is the sample Ghost post.published payload with its photo
// URL and title replaced.
func ghostPayload(t *testing.T, photoURL, title string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, ghostPost), &doc); err != nil {
		t.Fatalf("%s: %v", ghostPost, err)
	}
	cur := doc["post"].(map[string]any)["current"].(map[string]any)
	if cur["feature_image"] != "PHOTO_URL" {
		t.Fatalf("%s: feature_image is %v, want the PHOTO_URL placeholder", ghostPost, cur["feature_image"])
	}
	cur["feature_image"] = photoURL
	if title != "" {
		cur["title"] = title
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hook posts a signed (or not, with sig "") webhook for the ghost source.
func hook(t *testing.T, p *proc, body []byte, sig string) result {
	t.Helper()
	var h []string
	if sig != "" {
		h = []string{server.SignatureHeader, sig}
	}
	return do(t, http.MethodPost, p.url+"/v1/hooks/ghost", "application/json", body, h...)
}

// accepted checks a 202 answer and returns the job id.
func accepted(t *testing.T, r result) string {
	t.Helper()
	if r.status != http.StatusAccepted {
		t.Fatalf("webhook: %s, want 202", r)
	}
	var a struct {
		Job    string `json:"job"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(r.body, &a); err != nil || a.Job == "" {
		t.Fatalf("webhook answer %s: no job id (%v)", r, err)
	}
	if loc := r.header.Get("Location"); loc != "/v1/jobs/"+a.Job {
		t.Errorf("webhook Location %q, want /v1/jobs/%s", loc, a.Job)
	}
	return a.Job
}

// jobStatus is GET /v1/jobs/{id}.
type jobStatus struct {
	ID       string          `json:"id"`
	State    string          `json:"state"`
	Attempts int             `json:"attempts"`
	Error    string          `json:"error"`
	Manifest json.RawMessage `json:"manifest"`
}

// jobState reads GET /v1/jobs/{id}.
func jobState(t *testing.T, p *proc, id string) jobStatus {
	t.Helper()
	r := get(t, p.url+"/v1/jobs/"+id)
	if r.status != http.StatusOK {
		t.Fatalf("GET /v1/jobs/%s: %s", id, r)
	}
	var st jobStatus
	if err := json.Unmarshal(r.body, &st); err != nil {
		t.Fatalf("job status %s: %v", r, err)
	}
	return st
}

// waitJob polls a job until it is done, failing the test when it fails.
func waitJob(t *testing.T, p *proc, id string) (jobStatus, publish.Manifest) {
	t.Helper()
	var st jobStatus
	testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
		st = jobState(t, p, id)
		if st.State == "failed" {
			t.Fatalf("job %s failed after %d attempts: %s", id, st.Attempts, st.Error)
		}
		return st.State == "done", fmt.Sprintf("job %s still %s (attempts %d, error %q)", id, st.State, st.Attempts, st.Error)
	})
	var m publish.Manifest
	if err := json.Unmarshal(st.Manifest, &m); err != nil || len(m.Images) == 0 {
		t.Fatalf("job %s is done but its manifest is unusable (%v): %.300s", id, err, st.Manifest)
	}
	return st, m
}

// markerJob sends a webhook whose job fails at once without a render (its
// photo is at the cloud metadata address, which the fetcher refuses) and
// waits for that failure. The server's one job worker takes jobs in
// order, so once the marker failed, every job queued before it has been
// taken: a test reads the effects of those jobs after the marker instead
// of waiting a while.
func markerJob(t *testing.T, p *proc, title string) {
	t.Helper()
	body := ghostPayload(t, "http://169.254.169.254/marker.jpg", title)
	id := accepted(t, hook(t, p, body, server.SignHook([]byte(hookSecret), body, time.Now())))
	var st jobStatus
	testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
		st = jobState(t, p, id)
		return st.State == "failed" || st.State == "done", fmt.Sprintf("marker job %s still %s", id, st.State)
	})
	if st.State != "failed" || !strings.Contains(st.Error, "forbidden address") {
		t.Fatalf("marker job %s: state %s, error %q; want it failed on its refused photo address", id, st.State, st.Error)
	}
}

// expectProblem checks a problem+json answer's status, field and that its
// detail (or error list) contains each of want.
func expectProblem(t *testing.T, what string, r result, status int, field string, want ...string) server.Problem {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: %s, want %d", what, r, status)
		return server.Problem{}
	}
	p := r.problem(t)
	if p.Status != status || p.Field != field {
		t.Errorf("%s: problem status %d field %q, want %d field %q (%+v)", what, p.Status, p.Field, status, field, p)
	}
	text := p.Detail + " " + strings.Join(p.Errors, " ")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: problem detail %q does not say %q", what, text, w)
		}
	}
	return p
}

package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/server"
)

// Payloads as the CMSs send them (PHOTO_URL is replaced).
const (
	ghostPublished = "../server/testdata/hooks/ghost-post-published.json"
	wordpressPost  = "../server/testdata/hooks/wordpress-plugin.json"
)

// TestHooks_GhostAndWordPress runs `sharecard serve --hooks FILE` and
// sends it Ghost's post.published payload (first tag internal) signed
// with X-Ghost-Signature as Ghost signs it, and the WordPress plugin's
// payload signed with X-Sharecard-Signature, each with its source's
// secret read from the environment. Both are rendered; the Ghost job's
// callback arrives signed with Standard Webhooks; a WordPress draft is
// ignored.
func TestHooks_GhostAndWordPress(t *testing.T) {
	skipSlow(t)
	ps := newPhotoServer(t, readFile(t, photo), false)
	type delivery struct {
		header http.Header
		body   []byte
	}
	calls := make(chan delivery, 8)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case calls <- delivery{r.Header.Clone(), b}:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	hooksFile := filepath.Join(t.TempDir(), "hooks.yaml")
	data, err := os.ReadFile("../integrations/hooks/ghost.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The shipped example, with its callback turned on.
	data = append(data, []byte("    callback: {url: \""+receiver.URL+"/sharecard\", secret_env: E2E_CALLBACK_SECRET}\n")...)
	wp, err := os.ReadFile("../integrations/hooks/wordpress.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, bytes.TrimPrefix(wp, wp[:bytes.Index(wp, []byte("sources:\n"))+len("sources:\n")])...)
	if err := os.WriteFile(hooksFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const ghostSecret, wpSecret, cbSecret = "ghost-admin-secret", "wp-plugin-secret", "callback-secret"
	srv := startServe(t, "cms", map[string]string{
		"SHARECARD_HOOKS": hooksFile, "SHARECARD_GHOST_SECRET": ghostSecret,
		"SHARECARD_WORDPRESS_SECRET": wpSecret, "E2E_CALLBACK_SECRET": cbSecret,
	}, "--data", t.TempDir(), "--allow-nets", "127.0.0.0/8")

	post := func(source string, body []byte, header ...string) result {
		t.Helper()
		return do(t, http.MethodPost, srv.url+"/v1/hooks/"+source, "application/json", body, header...)
	}
	ghost := bytes.ReplaceAll(readFile(t, ghostPublished), []byte("PHOTO_URL"), []byte(ps.URL+"/content/images/flood.jpg"))
	id := accepted(t, post("ghost", ghost, server.GhostSignatureHeader, server.SignGhost([]byte(ghostSecret), ghost, time.Now())))
	_, m := waitJob(t, srv, id)
	if m.Article.Section != "Weather" || !m.Article.Breaking || m.Article.Headline != "Flood barriers hold as the river peaks & crews work through the night" {
		t.Errorf("ghost article: %+v", m.Article)
	}
	var d delivery
	select {
	case d = <-calls:
	case <-testwait.GiveUp(t):
		t.Fatal("the ghost job's callback did not arrive")
	}
	if got := d.header.Get(server.StandardIDHeader); got != id {
		t.Errorf("callback webhook-id %q, want the job id %s", got, id)
	}
	want := server.SignStandard(id, d.body, time.Unix(mustInt(t, d.header.Get(server.StandardTimestampHeader)), 0), []byte(cbSecret))
	if d.header.Get(server.StandardSignatureHeader) != want.Get(server.StandardSignatureHeader) {
		t.Errorf("callback signature %q, want %q", d.header.Get(server.StandardSignatureHeader), want.Get(server.StandardSignatureHeader))
	}
	var cm publish.Manifest
	if err := json.Unmarshal(d.body, &cm); err != nil || cm.Article.Headline != m.Article.Headline || len(cm.Images) != len(m.Images) {
		t.Errorf("callback manifest: %v %.300s", err, d.body)
	}
	// The sharecard scheme is not Ghost's: the file says scheme: ghost.
	expectProblem(t, "ghost with another scheme", post("ghost", ghost, server.SignatureHeader, server.SignHook([]byte(ghostSecret), ghost, time.Now())),
		http.StatusUnauthorized, server.GhostSignatureHeader, "X-Ghost-Signature header is missing")
	// A replay of Ghost's request after the window.
	expectProblem(t, "ghost replayed", post("ghost", ghost, server.GhostSignatureHeader, server.SignGhost([]byte(ghostSecret), ghost, time.Now().Add(-10*time.Minute))),
		http.StatusUnauthorized, server.GhostSignatureHeader, "refused as replays")

	wpBody := bytes.ReplaceAll(readFile(t, wordpressPost), []byte("PHOTO_URL"), []byte(ps.URL+"/wp-content/uploads/tram.jpg"))
	id = accepted(t, post("wordpress", wpBody, server.SignatureHeader, server.SignHook([]byte(wpSecret), wpBody, time.Now())))
	if _, m := waitJob(t, srv, id); m.Article.Section != "City" || !m.Article.Breaking || m.Article.Credit != "Photo: M. Santos" {
		t.Errorf("wordpress article: %+v", m.Article)
	}
	draft := bytes.Replace(wpBody, []byte(`"status": "publish"`), []byte(`"status": "draft"`), 1)
	r := post("wordpress", draft, server.SignatureHeader, server.SignHook([]byte(wpSecret), draft, time.Now()))
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"ignored":true`) || strings.Contains(string(r.body), `"job"`) {
		t.Errorf("draft: %s, want 200 ignored without a job", r)
	}
}

// TestHooks_BadHooksFile: serve refuses to start with a broken hooks
// file and says where the problem is.
func TestHooks_BadHooksFile(t *testing.T) {
	hooksFile := filepath.Join(t.TempDir(), "hooks.yaml")
	if err := os.WriteFile(hooksFile, []byte("sources:\n  ghost:\n    scheme: ghost\n    secret_env: NOT_SET_ANYWHERE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(testCtx(t), binary, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--hooks", hooksFile)
	cmd.Env = childEnv(map[string]string{"SHARECARD_SIGN_KEY": signKey})
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "hooks.yaml:4:17: sources.ghost.secret_env: the environment variable NOT_SET_ANYWHERE is unset or empty") {
		t.Errorf("serve with a bad hooks file: %v\n%s", err, out)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatalf("%q is not a number: %v", s, err)
	}
	return n
}

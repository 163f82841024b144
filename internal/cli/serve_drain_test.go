package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/syncbuf"
	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/server"
)

// heldPhotos is a loopback photo server whose answers wait until release.
type heldPhotos struct {
	*httptest.Server
	requests atomic.Int64
	released chan struct{}
}

func newHeldPhotos(t *testing.T, photo []byte) *heldPhotos {
	h := &heldPhotos{released: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		select {
		case <-h.released:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(photo)
	}))
	t.Cleanup(func() {
		h.release()
		h.Close()
	})
	return h
}

func (h *heldPhotos) release() {
	select {
	case <-h.released:
	default:
		close(h.released)
	}
}

// startServe runs `sharecard serve` in this process until ctx ends and
// returns its URL and a channel that gets cmdServe's result.
func startServeInProcess(t *testing.T, ctx context.Context, logs *syncbuf.Buffer, args ...string) (string, <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- cmdServe(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), io.Discard, logs)
	}()
	line := regexp.MustCompile(`"msg":"sharecard serving","addr":"(127\.0\.0\.1:[0-9]+)"`)
	var addr string
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		select {
		case err := <-done:
			t.Fatalf("serve returned before listening: %v\n%s", err, logs.String())
		default:
		}
		if m := line.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
			return true, ""
		}
		return false, "serve did not log its address:\n" + logs.String()
	})
	return "http://" + addr, done
}

func getStatus(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		return -1, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe_Drain cancels serve's context (SIGTERM) while a card render is
// in flight (its photo download held): /readyz turns 503 "draining" while
// the other routes still answer, a new render is refused with 503 and
// Retry-After, the one in flight gets its 200, and serve returns nil (exit
// 0). Before, the listener closed at once and the exit status depended on
// a fixed 60 s shutdown timeout.
func TestServe_Drain(t *testing.T) {
	photo, err := os.ReadFile("render/testdata/photos/two-presenters-150px.jpg")
	if err != nil {
		t.Fatal(err)
	}
	photos := newHeldPhotos(t, photo)
	key := "drain-test-key"
	t.Setenv("SHARECARD_SIGN_KEY", key)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncbuf.Buffer{}
	base, done := startServeInProcess(t, ctx, logs, "--data", t.TempDir(), "--layouts", t.TempDir()+"/none",
		"--allow-nets", "127.0.0.0/8", "--workers", "2", "--drain-delay", "0", "--drain-timeout", "10m")
	testwait.Until(t, 20*time.Millisecond, func() (bool, string) {
		code, body := getStatus(t, base+"/readyz")
		return code == http.StatusOK, "readyz: " + body
	})

	card := func(headline, photoURL string) string {
		q := url.Values{"headline": {headline}}
		if photoURL != "" {
			q.Set("photo", photoURL)
		}
		return server.SignCardURL([]byte(key), base, "standard", "og", "jpeg", q)
	}
	type answer struct {
		code  int
		ctype string
		err   error
	}
	inflight := make(chan answer, 1)
	go func() {
		// Not following a redirect to the stored image: after this answer
		// the server may be gone (a CDN asks another replica).
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(card("In flight at SIGTERM", photos.URL+"/held.jpg"))
		if err != nil {
			inflight <- answer{err: err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ctype := resp.Header.Get("Content-Type")
		if resp.StatusCode == http.StatusFound {
			ctype = resp.Header.Get("Location")
		}
		inflight <- answer{code: resp.StatusCode, ctype: ctype}
	}()
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		return photos.requests.Load() == 1, "the card's photo was not requested"
	})

	cancel() // SIGTERM
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		code, body := getStatus(t, base+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "draining"), "readyz during the drain: " + body
	})
	if code, body := getStatus(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz during the drain: %d %s", code, body)
	}
	resp, err := http.Get(card("Asked during the drain", ""))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "shutting down") {
		t.Errorf("a new render during the drain: %d, Retry-After %q, %s; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned with a render in flight: %v", err)
	default:
	}

	photos.release()
	select {
	case a := <-inflight:
		// 200 with the image, or 302 to the stored image once rendered.
		if a.err != nil || !(a.code == http.StatusOK && a.ctype == "image/jpeg" || a.code == http.StatusFound && strings.Contains(a.ctype, "/v1/images/")) {
			t.Errorf("the render in flight at SIGTERM got %d %q %v; want 200 image/jpeg or 302 to /v1/images/", a.code, a.ctype, a.err)
		}
	case <-testwait.GiveUp(t):
		t.Fatal("the render in flight got no answer")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after SIGTERM; want nil (exit 0)", err)
		}
	case <-testwait.GiveUp(t):
		t.Fatalf("serve did not return after SIGTERM:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Errorf("no \"stopped\" log line:\n%s", logs.String())
	}
}

// TestServe_BadDrainTimeout: a duration variable that does not parse stops
// serve with exit 2 naming it.
func TestServe_BadDrainTimeout(t *testing.T) {
	t.Setenv("SHARECARD_DRAIN_TIMEOUT", "90")
	code, _, stderr := runCLI(t, "serve", "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, `SHARECARD_DRAIN_TIMEOUT="90"`) {
		t.Fatalf("exit %d, stderr %q; want 2 naming SHARECARD_DRAIN_TIMEOUT", code, stderr)
	}
}

// TestRender_RemovesStaleTemp: `sharecard render` removes the unfinished
// article folder that a killed run left in --out (its process is gone)
// and says so; the articles stay. Before, nothing removed it.
func TestRender_RemovesStaleTemp(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(out, publish.TempPrefix+strconv.Itoa(cmd.Process.Pid)+"-story-1")
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale, "manifest.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "render", "--out", out, "--preset", "og", "samples/long-headline/article.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the unfinished folder of a killed run is still there: %v", err)
	}
	if !strings.Contains(stderr, "left unfinished by an earlier run") {
		t.Errorf("stderr does not report the removal:\n%s", stderr)
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 1 {
		t.Errorf("--out holds %d entries, want the one article", len(ents))
	}
}

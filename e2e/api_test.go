package e2e

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"mime/multipart"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/server"
)

// multipartBody is a form with an article part and, unless photo is nil, a
// photo part.
func multipartBody(t *testing.T, article string, photo []byte) (ctype string, body []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	aw, err := mw.CreateFormField("article")
	if err != nil {
		t.Fatal(err)
	}
	aw.Write([]byte(article))
	if photo != nil {
		pw, err := mw.CreateFormFile("photo", "photo.jpg")
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(photo)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

func imageSize(t *testing.T, what string, data []byte) (w, h int) {
	t.Helper()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not a decodable image (%d bytes): %v", what, len(data), err)
	}
	return cfg.Width, cfg.Height
}

// TestAPI runs one server process (photo URLs may point at loopback) and
// checks the public routes through it.
func TestAPI(t *testing.T) {
	srv := startServe(t, "api", nil, "--data", t.TempDir(), "--allow-nets", "127.0.0.0/8")
	photoBytes := readFile(t, photo)
	photos := newPhotoServer(t, photoBytes, false)

	t.Run("render by URL", func(t *testing.T) {
		before := photos.requests.Load()
		body, _ := json.Marshal(map[string]any{"headline": "Rendered from a photo URL", "section": "E2E", "photo": photos.URL + "/by-url.jpg"})
		r := do(t, http.MethodPost, srv.url+"/v1/render?preset=og", "application/json", body)
		if r.status != http.StatusOK {
			t.Fatalf("POST /v1/render?preset=og: %s", r)
		}
		if w, h := imageSize(t, "og image", r.body); w != 1200 || h != 630 {
			t.Errorf("og image is %dx%d, want 1200x630", w, h)
		}
		if ct, cl := r.header.Get("Content-Type"), r.header.Get("Content-Length"); ct != "image/jpeg" || cl != strconv.Itoa(len(r.body)) {
			t.Errorf("Content-Type %q Content-Length %q for %d bytes", ct, cl, len(r.body))
		}
		if r.header.Get("ETag") == "" {
			t.Error("no ETag on the image")
		}
		if n := photos.requests.Load() - before; n != 1 {
			t.Errorf("the photo server got %d requests, want 1", n)
		}
	})

	t.Run("render by upload", func(t *testing.T) {
		ctype, body := multipartBody(t, "headline: Rendered from an upload\nsection: E2E\n", photoBytes)
		r := do(t, http.MethodPost, srv.url+"/v1/render?presets=og,thumb-square", ctype, body)
		m := manifest(t, r)
		if len(m.Images) != 2 {
			t.Fatalf("manifest has %d images, want og and thumb-square: %s", len(m.Images), r)
		}
		if m.Article == nil || m.Article.Headline != "Rendered from an upload" {
			t.Errorf("manifest article %+v", m.Article)
		}
		if m.Photo == nil || m.Photo.Width == 0 || m.Photo.Height == 0 {
			t.Errorf("manifest photo %+v", m.Photo)
		}
		checkImages(t, srv.url, m)
		og := get(t, srv.url+m.Images[0].URL)
		if w, h := imageSize(t, "og", og.body); w != m.Images[0].Width || h != m.Images[0].Height {
			t.Errorf("og is %dx%d, manifest says %dx%d", w, h, m.Images[0].Width, m.Images[0].Height)
		}
		// Conditional and range requests, as a CDN sends them.
		etag := og.header.Get("ETag")
		if r := do(t, http.MethodGet, srv.url+m.Images[0].URL, "", nil, "If-None-Match", etag); r.status != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d, want 304", etag, r.status)
		}
		if r := do(t, http.MethodGet, srv.url+m.Images[0].URL, "", nil, "Range", "bytes=0-99"); r.status != http.StatusPartialContent || len(r.body) != 100 {
			t.Errorf("Range bytes=0-99: %d with %d bytes, want 206 with 100", r.status, len(r.body))
		}
	})

	// A card URL printed by `sharecard sign`, with a loopback photo.
	goodCard := signCard(t, srv.url, signKey, "--headline", "Signed card from the CLI", "--section", "E2E", "--photo", photos.URL+"/card.jpg")
	var firstCard result

	t.Run("signed card", func(t *testing.T) {
		firstCard = get(t, goodCard)
		if firstCard.status != http.StatusOK || firstCard.header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("good signature: %s", firstCard)
		}
		if w, h := imageSize(t, "card", firstCard.body); w != 1200 || h != 630 {
			t.Errorf("card is %dx%d, want 1200x630", w, h)
		}
		otherKey := signCard(t, srv.url, "not-the-server-key", "--headline", "Signed card from the CLI", "--section", "E2E", "--photo", photos.URL+"/card.jpg")
		cut := strings.Index(goodCard, "&sig=")
		if cut < 0 {
			t.Fatalf("signed URL %q has no &sig=", goodCard)
		}
		for name, u := range map[string]string{
			"tampered headline": strings.Replace(goodCard, "Signed+card", "Signed+cart", 1),
			"tampered photo":    strings.Replace(goodCard, "card.jpg", "cart.jpg", 1),
			"other preset":      strings.Replace(goodCard, "/og.jpg", "/x-summary.jpg", 1),
			"added parameter":   goodCard + "&breaking=true",
			"missing signature": goodCard[:cut],
			"empty signature":   goodCard[:cut] + "&sig=",
			"other key":         otherKey,
		} {
			if u == goodCard {
				t.Fatalf("%s: the URL did not change", name)
			}
			expectProblem(t, name, get(t, u), http.StatusForbidden, "sig")
		}
	})

	t.Run("second card served from the store", func(t *testing.T) {
		if firstCard.status != http.StatusOK {
			t.Skip("the first card request failed")
		}
		renders, hits := srv.renders(t), srv.metric(t, "sharecard_cache_total", "route=card", "result=hit")
		photoReqs := photos.requests.Load()
		second := get(t, goodCard)
		if second.status != http.StatusOK || !bytes.Equal(second.body, firstCard.body) {
			t.Fatalf("second request: %d with %d bytes; want 200 with the first request's %d bytes", second.status, len(second.body), len(firstCard.body))
		}
		if e1, e2 := firstCard.header.Get("ETag"), second.header.Get("ETag"); e1 == "" || e1 != e2 {
			t.Errorf("ETag %q then %q, want the same", e1, e2)
		}
		if now := srv.renders(t); now != renders {
			t.Errorf("sharecard_renders_total went from %v to %v: the second request rendered", renders, now)
		}
		if now := srv.metric(t, "sharecard_cache_total", "route=card", "result=hit"); now != hits+1 {
			t.Errorf("card cache hits went from %v to %v, want +1", hits, now)
		}
		if n := photos.requests.Load() - photoReqs; n != 0 {
			t.Errorf("the photo was downloaded %d more times", n)
		}
	})

	t.Run("webhook signatures", func(t *testing.T) {
		body := ghostPayload(t, photos.URL+"/sig.jpg", "Signature check")
		now := time.Now()
		tests := []struct {
			name   string
			sig    string
			status int
			detail string
		}{
			{"wrong secret", server.SignHook([]byte("wrong-secret"), body, now), 401, "does not match"},
			{"replayed 6 minutes later", server.SignHook([]byte(hookSecret), body, now.Add(-6*time.Minute)), 401, "replays"},
			{"signed for another body", server.SignHook([]byte(hookSecret), append([]byte(" "), body...), now), 401, "does not match"},
			{"missing", "", 401, "missing"},
			{"garbage", "t=abc,v1=xyz", 401, ""},
		}
		jobsBefore := srv.metric(t, "sharecard_http_requests_total", "route=hooks", "code=202")
		for _, tc := range tests {
			expectProblem(t, tc.name, hook(t, srv, body, tc.sig), tc.status, server.SignatureHeader, tc.detail)
		}
		if n := srv.metric(t, "sharecard_http_requests_total", "route=hooks", "code=202"); n != jobsBefore {
			t.Errorf("a badly signed webhook was accepted: 202s went from %v to %v", jobsBefore, n)
		}
		// The good one is accepted (and rendered in the next subtest's way).
		id := accepted(t, hook(t, srv, body, server.SignHook([]byte(hookSecret), body, now)))
		waitJob(t, srv, id)
		// An unknown source is refused whatever its signature.
		r := do(t, http.MethodPost, srv.url+"/v1/hooks/drupal", "application/json", body, server.SignatureHeader, server.SignHook([]byte(hookSecret), body, now))
		expectProblem(t, "unknown source", r, http.StatusNotFound, "source")
	})

	t.Run("ghost post.published", func(t *testing.T) {
		body := ghostPayload(t, photos.URL+"/ghost.jpg", "")
		r := hook(t, srv, body, server.SignHook([]byte(hookSecret), body, time.Now()))
		id := accepted(t, r)
		st, m := waitJob(t, srv, id)
		if st.Attempts != 1 {
			t.Errorf("job done after %d attempts, want 1", st.Attempts)
		}
		a := m.Article
		if a == nil || a.Headline != "Occupying US forces withdraw from K1 Air Base & hand it to Iraqi army" || a.Section != "Iraq" {
			t.Errorf("the Ghost payload mapped to %+v", a)
		}
		checkImages(t, srv.url, m)
		// The same post again is the same job: no second render.
		renders := srv.renders(t)
		again := hook(t, srv, body, server.SignHook([]byte(hookSecret), body, time.Now()))
		if id2 := accepted(t, again); id2 != id || !strings.Contains(string(again.body), `"created":false`) {
			t.Errorf("re-published post: %s; want job %s with created false", again, id)
		}
		waitJob(t, srv, id)
		// A job the re-publish had queued would be taken before the
		// marker's.
		markerJob(t, srv, "Marker after the re-publish")
		if now := srv.renders(t); now != renders {
			t.Errorf("re-publishing rendered again: renders %v -> %v", renders, now)
		}
	})

	t.Run("request log, jobs, openapi", func(t *testing.T) {
		r := do(t, http.MethodGet, srv.url+"/v1/jobs/0123456789abcdef0123456789abcdef", "", nil, "X-Request-Id", "e2e-trace-42")
		expectProblem(t, "unknown job", r, http.StatusNotFound, "")
		if id := r.header.Get("X-Request-Id"); id != "e2e-trace-42" {
			t.Errorf("X-Request-Id %q, want the client's e2e-trace-42", id)
		}
		// One JSON log line per request, with its id (written just after
		// the answer).
		testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
			for _, line := range strings.Split(srv.logs.String(), "\n") {
				var entry struct {
					Msg, ID, Path string
					Status        int
				}
				if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "request" && entry.ID == "e2e-trace-42" {
					if entry.Status != 404 || !strings.HasPrefix(entry.Path, "/v1/jobs/") {
						t.Fatalf("request log line %s, want status 404 and path /v1/jobs/…", line)
					}
					return true, ""
				}
			}
			return false, "no JSON log line {msg: request, id: e2e-trace-42, status: 404, path: /v1/jobs/…}:\n" + srv.logTail(3000)
		})
		var doc struct {
			OpenAPI string                     `json:"openapi"`
			Paths   map[string]json.RawMessage `json:"paths"`
		}
		o := get(t, srv.url+"/openapi.json")
		if err := json.Unmarshal(o.body, &doc); o.status != 200 || err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Paths["/v1/render"] == nil {
			t.Errorf("/openapi.json: %d, openapi %q, %d paths (%v)", o.status, doc.OpenAPI, len(doc.Paths), err)
		}
		if h := get(t, srv.url+"/healthz"); h.status != 200 {
			t.Errorf("/healthz: %s", h)
		}
		for _, name := range []string{"sharecard_http_request_duration_seconds_count", "sharecard_render_stage_seconds_count"} {
			if v := srv.metric(t, name); v == 0 {
				t.Errorf("metric %s is missing or zero after renders", name)
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		ctype, bomb := multipartBody(t, `{"headline": "A bomb"}`, readFile(t, bombPhoto))
		renders := srv.renders(t)
		expectProblem(t, "decompression bomb upload", do(t, http.MethodPost, srv.url+"/v1/render", ctype, bomb), http.StatusRequestEntityTooLarge, "photo", "megapixels")
		if now := srv.metric(t, "sharecard_renders_total", "result=ok"); now != renders {
			t.Errorf("the bomb was rendered: renders %v -> %v", renders, now)
		}
		tests := []struct {
			name, ctype, body string
			status            int
			field, detail     string
		}{
			{"malformed JSON", "application/json", "{\n  \"headline\": \"x\"\n  \"section\": \"y\"\n}", 422, "body", "body:3:3"},
			{"unterminated JSON", "application/json", "{\n  \"headline\": \"x\",\n  \"section\": \"y\n}", 422, "body", "body:3:16"},
			{"misspelt field", "application/json", `{"headlin": "x"}`, 422, "headline", `did you mean "headline"`},
			{"wrong type", "application/json", `{"headline": "x", "breaking": "maybe"}`, 422, "breaking", ""},
			{"malformed YAML", "application/yaml", "headline: x\nsection: [unclosed\n", 422, "", "body:"},
			{"unsupported type", "text/plain", "headline: x", 415, "", "application/json"},
		}
		for _, tc := range tests {
			expectProblem(t, tc.name, do(t, http.MethodPost, srv.url+"/v1/render", tc.ctype, []byte(tc.body)), tc.status, tc.field, tc.detail)
		}
		// A webhook with a good signature but a payload without a title.
		body := []byte(`{"post": {"current": {"feature_image": null}}}`)
		expectProblem(t, "ghost payload without a title", hook(t, srv, body, server.SignHook([]byte(hookSecret), body, time.Now())), 422, "/post/current/title")
	})
}

// signCard runs `sharecard sign` with key and returns the URL it prints.
func signCard(t *testing.T, base, key string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"sign", "--base-url", base}, args...)...)
	cmd.Env = childEnv(map[string]string{"SHARECARD_SIGN_KEY": key})
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sharecard sign: %v\n%s", err, stderr.String())
	}
	u := strings.TrimSpace(string(out))
	if !strings.HasPrefix(u, base+"/v1/card/standard/og.jpg?") || !strings.Contains(u, "&sig=") {
		t.Fatalf("sharecard sign printed %q, want %s/v1/card/standard/og.jpg?…&sig=…", u, base)
	}
	return u
}

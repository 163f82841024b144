package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// wpPost is the plain post data the plugin's sharecard_payload takes.
type wpPost struct {
	ID            int               `json:"id"`
	Status        string            `json:"status"`
	Title         string            `json:"title"`
	Excerpt       string            `json:"excerpt"`
	Link          string            `json:"link"`
	DateGMT       string            `json:"date_gmt"`
	ModifiedGMT   string            `json:"modified_gmt"`
	Locale        string            `json:"locale"`
	AuthorName    string            `json:"author_name"`
	Categories    []string          `json:"categories"`
	Tags          []string          `json:"tags"`
	FeaturedImage map[string]string `json:"featured_image"`
	Breaking      bool              `json:"breaking"`
}

// TestWordPressPlugin runs the plugin's pure functions with php-cli
// (integrations/wordpress/tests/harness.php stubs WordPress): its card URLs
// pass the Go verifier, its webhook signature is the server's, and its
// body has the agreed shape and maps to the article through the
// wordpress mapping.
func TestWordPressPlugin(t *testing.T) {
	php := signerTool(t, "php")
	const (
		key    = "wp-sign-key"
		secret = "wp-hook-secret"
		ts     = int64(1796637600)
	)
	posts := []struct {
		name        string
		post        wpPost
		wantArticle map[string]any // fields of the mapped article; nil: ignored
	}{
		{"tricky title with image", wpPost{ID: 123, Status: "publish",
			Title: "Rates &amp; <em>rents</em> rise ~ * ' ( ) + = # &#8220;again&#8221;", Excerpt: "<p>The bank <strong>raised</strong> rates.</p>",
			Link: "https://news.example/2026/12/rates/", DateGMT: "2026-12-07 10:00:00", ModifiedGMT: "2026-12-07 10:05:00",
			Locale: "en_GB", AuthorName: "Ann Lee", Categories: []string{"Economy", "World"}, Tags: []string{"rates", "breaking"},
			FeaturedImage: map[string]string{"url": "https://news.example/wp-content/uploads/bank.jpg", "alt_text": "The bank's front", "caption": "", "credit": "Photo: AFP"}},
			map[string]any{"Headline": "Rates & rents rise ~ * ' ( ) + = # \u201cagain\u201d", "Section": "Economy", "Photo": "https://news.example/wp-content/uploads/bank.jpg",
				"PhotoAlt": "The bank's front", "Credit": "Photo: AFP", "Lang": "en", "Breaking": true, "URL": "https://news.example/2026/12/rates/"}},
		{"arabic, no image", wpPost{ID: 7, Status: "publish", Title: "ارتفاع أسعار الفائدة", Link: "https://news.example/ar/7",
			DateGMT: "2026-12-07 11:00:00", Locale: "ar", AuthorName: "سارة", Categories: []string{"اقتصاد"}},
			map[string]any{"Headline": "ارتفاع أسعار الفائدة", "Section": "اقتصاد", "Lang": "ar", "Breaking": false}},
		{"decomposed e acute and emoji", wpPost{ID: 8, Status: "publish", Title: "Cafe\u0301 🎉 東京", Link: "https://news.example/8", Locale: "fr_FR"},
			map[string]any{"Headline": "Cafe\u0301 🎉 東京", "Lang": "fr"}},
		{"draft", wpPost{ID: 9, Status: "draft", Title: "Not yet", Link: "https://news.example/?p=9"}, nil},
	}
	in := map[string]any{
		"settings":    map[string]any{"base_url": "https://cards.example/", "sign_key": key, "layout": "breaking", "twitter_preset": "x-summary"},
		"hook_secret": secret, "t": ts,
		"sanitize": []map[string]any{
			{"base_url": "https://cards.example.com/", "layout": "split", "og_preset": "og", "twitter_preset": "og", "format": "webp", "sign_key": "", "hook_enabled": "1"},
			{"base_url": "cards example", "layout": "Split", "og_preset": "og", "twitter_preset": "og", "format": "gif"},
		},
	}
	var list []wpPost
	for _, p := range posts {
		list = append(list, p.post)
	}
	in["posts"] = list
	input, _ := json.Marshal(in)
	cmd := exec.Command(php, filepath.Join("..", "integrations", "wordpress", "tests", "harness.php"))
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("harness: %v\n%s", err, stderr.Bytes())
	}
	var got struct {
		Registered []string `json:"registered"`
		Results    []struct {
			Body       string `json:"body"`
			Signature  string `json:"signature"`
			OGURL      string `json:"og_url"`
			TwitterURL string `json:"twitter_url"`
		} `json:"results"`
		Sanitized []struct {
			Settings map[string]any `json:"settings"`
			Errors   []string       `json:"errors"`
		} `json:"sanitized"`
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got.Results) != len(posts) || len(got.Sanitized) != 2 {
		t.Fatalf("harness output: %v\n%s", err, out)
	}

	for _, h := range []string{"wpseo_opengraph_image", "wpseo_twitter_image", "rank_math/opengraph/facebook/image", "rank_math/opengraph/twitter/image", "transition_post_status", "admin_menu"} {
		if !slices.Contains(got.Registered, h) {
			t.Errorf("the plugin does not hook %s (hooks: %v)", h, got.Registered)
		}
	}

	for i, p := range posts {
		r := got.Results[i]
		t.Run(p.name, func(t *testing.T) {
			// Card URLs: signed for the Go verifier, on the configured
			// layout and presets.
			for _, c := range []struct{ u, path string }{{r.OGURL, "/v1/card/breaking/og.jpg"}, {r.TwitterURL, "/v1/card/breaking/x-summary.jpg"}} {
				u, err := url.Parse(c.u)
				if err != nil || u.Host != "cards.example" || u.Path != c.path {
					t.Errorf("card URL %q: %v; want https://cards.example%s?...", c.u, err, c.path)
					continue
				}
				q, err := url.ParseQuery(u.RawQuery)
				if err != nil {
					t.Fatal(err)
				}
				if ok, err := verifyCardSig([][]byte{[]byte(key)}, u.Path, q, q.Get("sig")); !ok || err != nil {
					t.Errorf("card URL %s does not verify: %v", c.u, err)
				}
				if a, err := cardArticle(q); err != nil {
					t.Errorf("card URL %s: %v", c.u, err)
				} else if want, _ := p.wantArticle["Headline"].(string); a.Headline == "" || want != "" && a.Headline != norm.NFC.String(want) {
					// The card URL carries the canonical, NFC, text.
					t.Errorf("card headline %q, want %q", a.Headline, p.wantArticle["Headline"])
				}
			}
			// The webhook's signature is the server's own scheme.
			if want := SignHook([]byte(secret), []byte(r.Body), time.Unix(ts, 0)); r.Signature != want {
				t.Errorf("signature %q, want %q", r.Signature, want)
			}
			checkWordPressShape(t, []byte(r.Body))
			// The body through the server's wordpress mapping.
			a, err := mapPayload("wordpress", []byte(r.Body), nil)
			if p.wantArticle == nil {
				var pr *Problem
				if !errors.As(err, &pr) || pr.Status != http.StatusUnprocessableEntity || !strings.Contains(pr.Detail, "publish") {
					t.Errorf("a draft maps to %+v, %v; want ignored (status is not publish)", a, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("mapping: %v\nbody %s", err, r.Body)
			}
			fields, _ := json.Marshal(a)
			for f, want := range p.wantArticle {
				var gotV any
				switch f {
				case "Headline":
					gotV = a.Headline
				case "Section":
					gotV = a.Section
				case "Photo":
					gotV = a.Photo
				case "Caption":
					gotV = a.Caption
				case "PhotoAlt":
					gotV = a.PhotoAlt
				case "Credit":
					gotV = a.Credit
				case "Lang":
					gotV = a.Lang
				case "Breaking":
					gotV = a.Breaking
				case "URL":
					gotV = a.URL
				}
				if gotV != want {
					t.Errorf("article %s = %#v, want %#v (article %s)", f, gotV, want, fields)
				}
			}
		})
	}

	good, bad := got.Sanitized[0], got.Sanitized[1]
	if len(good.Errors) != 0 || good.Settings["base_url"] != "https://cards.example.com" || good.Settings["layout"] != "split" ||
		good.Settings["format"] != "webp" || good.Settings["sign_key"] != key || good.Settings["hook_enabled"] != true {
		t.Errorf("good settings form: %+v (an empty key field must keep the saved key)", good)
	}
	if len(bad.Errors) != 2 || !strings.Contains(strings.Join(bad.Errors, "\n"), "https://cards.example.com") ||
		bad.Settings["base_url"] != "https://cards.example/" || bad.Settings["layout"] != "breaking" || bad.Settings["format"] != "jpg" {
		t.Errorf("bad settings form: %+v; want the old values kept and two errors", bad)
	}
}

// checkWordPressShape checks a webhook body has exactly the agreed shape
// (docs: the WordPress plugin): types of every field, nothing else.
func checkWordPressShape(t *testing.T, body []byte) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	want := map[string]string{"id": "number", "status": "string", "title": "string", "excerpt": "string", "link": "string",
		"date_gmt": "date", "modified_gmt": "date", "lang": "string", "author": "object", "categories": "strings", "tags": "strings",
		"featured_image": "object", "breaking": "bool"}
	for k := range m {
		if _, ok := want[k]; !ok {
			t.Errorf("body has %q, not in the agreed shape", k)
		}
	}
	for k, kind := range want {
		v, ok := m[k]
		if !ok {
			t.Errorf("body lacks %q", k)
			continue
		}
		good := false
		switch kind {
		case "number":
			_, good = v.(float64)
		case "string":
			_, good = v.(string)
		case "date":
			s, isStr := v.(string)
			_, err := time.Parse("2006-01-02T15:04:05", s)
			good = isStr && (s == "" || err == nil)
		case "bool":
			_, good = v.(bool)
		case "strings":
			list, isList := v.([]any)
			good = isList
			for _, e := range list {
				_, isStr := e.(string)
				good = good && isStr
			}
		case "object":
			obj, isObj := v.(map[string]any)
			good = isObj
			keys := []string{"name"}
			if k == "featured_image" {
				keys = []string{"url", "alt_text", "caption", "credit"}
			}
			for _, f := range keys {
				_, isStr := obj[f].(string)
				good = good && isStr
			}
		}
		if !good {
			t.Errorf("body %s = %#v, want %s", k, v, kind)
		}
	}
}

// TestWordPressPlugin_RealWordPress runs the plugin inside Debian's
// wordpress package on a throw-away MariaDB (integrations/wordpress/tests/
// wp-run.php): publishing a post sends the signed webhook to a loopback
// receiver, and the post's <head> carries og:image and twitter:image card
// URLs that the Go verifier accepts.
func TestWordPressPlugin_RealWordPress(t *testing.T) {
	php := signerTool(t, "php")
	installDB, mariadbd, client := signerTool(t, "mariadb-install-db"), signerTool(t, "mariadbd"), signerTool(t, "mariadb")
	wpDir := os.Getenv("SHARECARD_WORDPRESS_DIR")
	if wpDir == "" {
		wpDir = "/usr/share/wordpress"
	}
	if _, err := os.Stat(filepath.Join(wpDir, "wp-settings.php")); err != nil {
		if os.Getenv("SHARECARD_REQUIRE_TOOLS") == "1" {
			t.Fatalf("WordPress is not in %s (Debian: apt-get install wordpress php-mysql mariadb-server; or set SHARECARD_WORDPRESS_DIR)", wpDir)
		}
		t.Skipf("WordPress is not in %s; skipping (Debian: apt-get install wordpress php-mysql mariadb-server)", wpDir)
	}
	const key, secret = "wp-sign-key", "wp-hook-secret"
	dir := t.TempDir()
	sock := filepath.Join(dir, "sock")

	// A private MariaDB on a socket, no network.
	user := []string{}
	if os.Geteuid() == 0 {
		user = []string{"--user=root"}
	}
	if out, err := exec.Command(installDB, append([]string{"--datadir=" + filepath.Join(dir, "db"), "--auth-root-authentication-method=normal", "--skip-test-db"}, user...)...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	var dbLog bytes.Buffer
	db := exec.Command(mariadbd, append([]string{"--no-defaults", "--datadir=" + filepath.Join(dir, "db"), "--socket=" + sock, "--skip-networking", "--pid-file=" + filepath.Join(dir, "pid")}, user...)...)
	db.Stdout, db.Stderr = &dbLog, &dbLog
	if err := db.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Process.Kill(); _ = db.Wait() })
	var created bool
	for i := 0; i < 1800 && !created; i++ { // up to three minutes on a loaded machine
		created = exec.Command(client, "-S", sock, "-u", "root", "-e", "CREATE DATABASE wp").Run() == nil
		if !created {
			time.Sleep(100 * time.Millisecond) // waiting for the server to listen
		}
	}
	if !created {
		t.Fatalf("MariaDB did not start:\n%s", dbLog.Bytes())
	}

	// The receiver of the webhook.
	type hook struct {
		sig  string
		body []byte
	}
	hooks := make(chan hook, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && r.URL.Path == "/v1/hooks/wordpress" {
			hooks <- hook{r.Header.Get("X-Sharecard-Signature"), body}
			w.WriteHeader(http.StatusAccepted)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(recv.Close)

	content := filepath.Join(dir, "wp-content", "plugins")
	if err := os.MkdirAll(content, 0o755); err != nil {
		t.Fatal(err)
	}
	plugin, _ := filepath.Abs(filepath.Join("..", "integrations", "wordpress", "sharecard"))
	if err := os.Symlink(plugin, filepath.Join(content, "sharecard")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(php, filepath.Join("..", "integrations", "wordpress", "tests", "wp-run.php"))
	cmd.Env = append(os.Environ(), "WP_DIR="+wpDir, "WP_DB_SOCKET="+sock, "WP_CONTENT="+filepath.Join(dir, "wp-content"),
		"SHARECARD_BASE="+recv.URL, "SHARECARD_KEY="+key, "SHARECARD_SECRET="+secret)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var got struct {
		Head         string `json:"head"`
		HookResponse any    `json:"hook_response"`
	}
	if err != nil || json.Unmarshal(out, &got) != nil {
		t.Fatalf("wp-run.php: %v\nstdout %s\nstderr %s", err, out, stderr.Bytes())
	}
	if got.HookResponse != float64(http.StatusAccepted) {
		t.Errorf("the webhook answered %v, want 202\nstderr %s", got.HookResponse, stderr.Bytes())
	}

	// The webhook: signed as the server checks, in the agreed shape,
	// mapped to the post's article.
	var h hook
	select {
	case h = <-hooks:
	default:
		t.Fatalf("no webhook arrived\nstderr %s", stderr.Bytes())
	}
	ts, _, _ := strings.Cut(strings.TrimPrefix(h.sig, "t="), ",")
	sec, _ := strconv.ParseInt(ts, 10, 64)
	if want := SignHook([]byte(secret), h.body, time.Unix(sec, 0)); h.sig != want {
		t.Errorf("webhook signature %q, want %q", h.sig, want)
	}
	checkWordPressShape(t, h.body)
	a, err := mapPayload("wordpress", h.body, nil)
	if err != nil {
		t.Fatalf("mapping: %v\n%s", err, h.body)
	}
	if !strings.HasPrefix(a.Headline, "Rates & rents rise ~ *") || a.Section != "Économie" || !a.Breaking {
		t.Errorf("article %+v from %s", a, h.body)
	}

	// The page's card URLs.
	for _, tag := range []string{`property="og:image" content="`, `name="twitter:image" content="`} {
		_, rest, ok := strings.Cut(got.Head, tag)
		if !ok {
			t.Errorf("<head> has no %s...\n%s", tag, got.Head)
			continue
		}
		raw, _, _ := strings.Cut(rest, `"`)
		u, err := url.Parse(html.UnescapeString(raw))
		if err != nil {
			t.Fatal(err)
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := verifyCardSig([][]byte{[]byte(key)}, u.Path, q, q.Get("sig")); !ok || err != nil || !strings.HasPrefix(q.Get("headline"), "Rates & rents") {
			t.Errorf("%s%s: verify %v %v", tag, u, ok, err)
		}
	}
}

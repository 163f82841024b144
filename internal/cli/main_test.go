package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRender_Sample(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "render", "--out", dir, "--preset", "og,instagram-story,thumb-square,google-article-16x9,google-article-4x3,google-article-1x1", "samples/k1-air-base/article.yaml")
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	slugDir := filepath.Join(dir, "k1-air-base-iraq-handover")
	var m publish.Manifest
	data, err := os.ReadFile(filepath.Join(slugDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if len(m.Images) != 6 || m.Layout != "standard" || m.Article.Headline == "" {
		t.Fatalf("manifest: %d images, layout %q", len(m.Images), m.Layout)
	}
	for _, img := range m.Images {
		f, err := os.Open(filepath.Join(slugDir, img.File))
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != img.Width || cfg.Height != img.Height {
			t.Errorf("%s: %v, %dx%d vs manifest %dx%d", img.File, err, cfg.Width, cfg.Height, img.Width, img.Height)
		}
		if img.Crop == nil || img.Crop.W <= 0 || len(img.SHA256) != 64 || img.Alt == "" || img.Warnings == nil {
			t.Errorf("%s: incomplete manifest entry %+v", img.File, img)
		}
	}
	og := m.Images[0]
	if og.Preset != "og" || og.Bytes > 300000 {
		t.Errorf("og: %+v, want ≤ 300000 bytes", og)
	}
	meta, err := os.ReadFile(filepath.Join(slugDir, "meta.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<meta property="og:image" content="og.jpg">`, `og:image:width" content="1200"`, `og:image:type" content="image/jpeg"`, `twitter:card`, `twitter:image:alt`, `"@type": "NewsArticle"`, `google-article-4x3.jpg`} {
		if !strings.Contains(string(meta), want) {
			t.Errorf("meta.html lacks %s:\n%s", want, meta)
		}
	}
	// No temporary files left behind.
	entries, _ := os.ReadDir(slugDir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestRender_Errors(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	photo, err := os.ReadFile("render/testdata/tricky/truncated-half-baseline.jpg")
	if err != nil {
		t.Fatal(err)
	}
	write("bad/truncated.jpg", string(photo))
	bomb, err := os.ReadFile("render/testdata/tricky/decompression-bomb-50000x50000.png")
	if err != nil {
		t.Fatal(err)
	}
	write("bomb/bomb.png", string(bomb))
	tests := []struct {
		name    string
		args    []string
		code    int
		stderr  []string
		outDirs int // folders expected in --out
	}{
		{"misspelt key", []string{write("a/article.yaml", "headlne: Hello\n")}, 1,
			[]string{"a/article.yaml:1:1", `did you mean "headline"`}, 0},
		{"truncated photo", []string{write("bad/article.yaml", "headline: Hello\nphoto: truncated.jpg\n")}, 1,
			[]string{"bad/article.yaml", "photo truncated.jpg", "truncated"}, 0},
		{"decompression bomb", []string{write("bomb/article.yaml", "headline: Hello\nphoto: bomb.png\n")}, 1,
			[]string{"50000x50000", "megapixels"}, 0},
		{"missing photo", []string{write("nophoto/article.yaml", "headline: Hello\nphoto: nope.jpg\n")}, 1,
			[]string{"photo nope.jpg", "no such file"}, 0},
		{"unknown preset", []string{"--preset", "ogg", write("ok/article.yaml", "headline: Hello\n")}, 2,
			[]string{`"ogg"`, `did you mean "og"`}, 0},
		{"unknown layout", []string{"--layout", "nope", write("ok2/article.yaml", "headline: Hello\n")}, 1,
			[]string{`unknown layout "nope"`, "standard"}, 0},
		{"one bad, one good", []string{write("mix/bad.yaml", "headline: [\n"), write("mix/good.yaml", "headline: Fine\n")}, 1,
			[]string{"mix/bad.yaml", "1 of 2 articles failed"}, 1},
		{"bad format flag", []string{"--format", "gif", write("ok3/article.yaml", "headline: Hello\n")}, 2,
			[]string{"--format", "unknown image format"}, 0},
		{"no articles", []string{}, 2, []string{"at least one article"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"render", "--out", out, "--preset", "og"}, tc.args...)
			code, _, stderr := runCLI(t, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != tc.outDirs {
				t.Errorf("%d folders written, want %d (no partial output)", len(entries), tc.outDirs)
			}
		})
	}
}

func TestPresets_Command(t *testing.T) {
	code, stdout, _ := runCLI(t, "presets")
	if code != 0 || !strings.Contains(stdout, "instagram-story") || !strings.Contains(stdout, "1080x1920") {
		t.Fatalf("presets: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "presets", "--json")
	var ps []preset.Preset
	if code != 0 || json.Unmarshal([]byte(stdout), &ps) != nil || len(ps) < 40 {
		t.Fatalf("presets --json: exit %d, %d presets", code, len(ps))
	}
}

func TestCheck_Command(t *testing.T) {
	code, stdout, stderr := runCLI(t, "check")
	if code != 0 || !strings.Contains(stdout, "standard") {
		t.Fatalf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: bad\nvariants:\n  - layers:\n      - type: txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "check", dir)
	if code != 1 || !strings.Contains(stdout, "bad.yaml:4:") || !strings.Contains(stdout, `did you mean "text"`) {
		t.Fatalf("check bad: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestUsage(t *testing.T) {
	if code, _, stderr := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, _ := runCLI(t); code != 2 {
		t.Fatalf("no args: exit %d", code)
	}
}

// TestRender_BaseURL checks that --base-url is the public URL of the
// --out folder: meta.html links each image under the article's folder,
// with or without a trailing slash on the flag.
func TestRender_BaseURL(t *testing.T) {
	for _, base := range []string{"https://cdn.example.com/cards", "https://cdn.example.com/cards/"} {
		dir := t.TempDir()
		code, stdout, stderr := runCLI(t, "render", "--out", dir, "--preset", "og", "--base-url", base, "samples/long-headline/article.yaml")
		if code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		matches, _ := filepath.Glob(filepath.Join(dir, "*", "meta.html"))
		if len(matches) != 1 {
			t.Fatalf("meta.html files: %v", matches)
		}
		meta, err := os.ReadFile(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		want := "https://cdn.example.com/cards/" + filepath.Base(filepath.Dir(matches[0])) + "/og.jpg"
		if !strings.Contains(string(meta), `content="`+want+`"`) {
			t.Errorf("--base-url %s: meta.html does not link %s:\n%s", base, want, meta)
		}
	}
}

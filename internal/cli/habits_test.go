package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRender_Habits: what people type works: flags after the article, "-"
// for standard input, an unknown preset reported once as a usage mistake,
// and each message names its file once.
func TestRender_Habits(t *testing.T) {
	t.Run("flags after the article", func(t *testing.T) {
		dir := t.TempDir()
		code, stdout, stderr := runCLI(t, "render", "samples/k1-air-base/article.yaml", "--out", dir, "--preset", "thumb-square")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "k1-air-base-iraq-handover", "thumb-square.jpg")); err != nil {
			t.Errorf("no image in --out %s: %v\n%s", dir, err, stdout)
		}
	})
	t.Run("article on standard input", func(t *testing.T) {
		dir := t.TempDir()
		old := stdin
		defer func() { stdin = old }()
		stdin = strings.NewReader("headline: Storm closes schools\nurl: https://example.com/storm\n")
		code, stdout, stderr := runCLI(t, "render", "-", "--out", dir, "--preset", "thumb-square")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.HasPrefix(stdout, "standard input -> ") {
			t.Errorf("stdout %q, want it to name standard input", stdout)
		}
		if _, err := os.Stat(filepath.Join(dir, "storm", "thumb-square.jpg")); err != nil {
			t.Errorf("no image: %v", err)
		}
		if code, _, stderr := runCLI(t, "render", "-", "-", "--out", dir); code != 2 || !strings.Contains(stderr, "once") {
			t.Errorf("\"-\" twice: exit %d, %q", code, stderr)
		}
	})
	t.Run("unknown preset: exit 2, said once", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr := runCLI(t, "render", "samples/k1-air-base/article.yaml", "samples/long-headline/article.yaml", "--out", dir, "--preset", "og,nope")
		if code != 2 || strings.Count(stderr, "nope") != 1 {
			t.Errorf("exit %d, stderr %q: want 2 and one mention of nope", code, stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("wrote %d entries for a usage mistake", len(entries))
		}
	})
	t.Run("a parse error names its file once", func(t *testing.T) {
		dir := t.TempDir()
		bad := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(bad, []byte("headlin: Storm\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, "render", bad, "--out", dir)
		if code != 1 || !strings.Contains(stderr, bad+":1:1: headlin: unknown key") {
			t.Errorf("exit %d, stderr %q: want 1 and the problem at %s:1:1", code, stderr, bad)
		}
		for line := range strings.SplitSeq(stderr, "\n") {
			if strings.Count(line, bad) > 1 {
				t.Errorf("the path twice in %q", line)
			}
		}
	})
}

// TestCheckLint_Paths: check and lint take files and folders, and check
// reads ./layouts by default.
func TestCheckLint_Paths(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check"}, 0, "layouts: 3 layout(s) OK"},
		{[]string{"check", "layouts"}, 0, "layouts: 3 layout(s) OK"},
		{[]string{"check", "layouts/split.yaml"}, 0, "1 layout(s) OK: [split]"},
		{[]string{"check", "nope"}, 2, "no such file or folder"},
		{[]string{"check", "README.md"}, 2, "layout files (*.yaml) or folders"},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
			t.Errorf("%q: exit %d, %q %q; want %d and %q", tc.args, code, stdout, stderr, tc.code, tc.want)
		}
	}
	// lint with a folder and a flag after it.
	code, _, stderr := runCLI(t, "lint", "layouts", "--preset", "og")
	if code != 0 || !strings.Contains(stderr, "3 layout(s) clean") {
		t.Errorf("lint layouts --preset og: exit %d, %q", code, stderr)
	}
}

// TestHookSecrets: an environment secret "whsec_<base64>" is the key it
// encodes (as in hooks.yaml); other values are the key as written; a
// whsec_ value that is not base64 is a usage mistake naming the variable.
func TestHookSecrets(t *testing.T) {
	t.Setenv("SHARECARD_HOOK_SECRET_GHOST", "plain-secret")
	t.Setenv("SHARECARD_HOOK_SECRET_WORDPRESS", "whsec_c2VjcmV0")
	got, err := hookSecrets()
	if err != nil || string(got["ghost"]) != "plain-secret" || string(got["wordpress"]) != "secret" {
		t.Fatalf("hookSecrets() = %q, %v", got, err)
	}
	t.Setenv("SHARECARD_HOOK_SECRET_ARC", "whsec_!!")
	if _, err := hookSecrets(); err == nil || !strings.Contains(err.Error(), "SHARECARD_HOOK_SECRET_ARC") {
		t.Errorf("bad whsec_: %v, want an error naming the variable", err)
	}
}

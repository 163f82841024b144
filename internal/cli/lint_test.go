package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// A headline measured against the whole canvas runs under the story UI.
const unsafeLayout = `name: unsafe
variants:
  - background: "#0A2540"
    layers:
      - type: text
        field: headline
        box: {left: 5%, right: 5%, top: 2%, height: 30%}
        size: {max: 5, min: 2.5}
        max_lines: 8
`

// A misspelt key: the file does not parse, so only that is reported.
const misspeltLayout = `name: misspelt
variants:
  - layers:
      - type: photo
        bleeed: true
`

const goodLayout = `name: good
variants:
  - background: "#0A2540"
    layers:
      - type: text
        field: headline
        in: safe
        box: {left: 6%, right: 6%, top: 10%, bottom: 10%}
        size: {max: 6, min: 2.5}
        max_lines: 8
        color: "#FFFFFF"
`

func TestLint_Command(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"unsafe.yaml": unsafeLayout, "misspelt.yaml": misspeltLayout, "good.yaml": goodLayout} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One sample without a photo keeps the test fast; the built-in samples
	// are linted in package lint.
	samples := filepath.Join(dir, "samples")
	if err := os.MkdirAll(filepath.Join(samples, "plain"), 0o755); err != nil {
		t.Fatal(err)
	}
	article := "headline: Occupying US forces withdraw from K1 Air Base in northern Iraq, hand it over to Iraqi army\nsection: Iraq\n"
	if err := os.WriteFile(filepath.Join(samples, "plain", "article.yaml"), []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	unsafe, misspelt := filepath.ToSlash(filepath.Join(dir, "unsafe.yaml")), filepath.ToSlash(filepath.Join(dir, "misspelt.yaml"))
	good := filepath.ToSlash(filepath.Join(dir, "good.yaml"))

	code, stdout, stderr := runCLI(t, "lint", "--preset", "og,instagram-story", "--samples", samples, "--layouts", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	want := []string{
		misspelt + `:5:9: variants[0].layers[0].bleeed: unknown key "bleeed" (did you mean "bleed"?)`,
		unsafe + ":5:9: text box of layer `headline` (text) leaves the safe area on instagram-story (1080x1920): ",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), stdout)
	}
	located := regexp.MustCompile(`^[^:]+:\d+:\d+: \S`)
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) || !located.MatchString(lines[i]) {
			t.Errorf("line %d is\n  %s\nwant it to start with\n  %s", i+1, lines[i], w)
		}
	}
	if !sort.StringsAreSorted(lines) {
		t.Errorf("lines are not sorted:\n%s", stdout)
	}
	if !strings.Contains(stderr, "2 problem(s) in 2 layout file(s)") {
		t.Errorf("stderr lacks the summary: %s", stderr)
	}

	// A file named on the command line is linted alone.
	code, stdout, stderr = runCLI(t, "lint", "--preset", "og,instagram-story", "--samples", samples, good)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "1 layout(s) clean on 2 preset(s) and 1 sample(s)") {
		t.Fatalf("lint good.yaml: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

func TestLint_Usage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown flag", []string{"lint", "--bogus"}, 2, "flag provided but not defined"},
		{"not a layout file", []string{"lint", "README.md"}, 2, "layout files (*.yaml)"},
		{"missing file", []string{"lint", "--preset", "og", "nope/missing.yaml"}, 2, "nope/missing.yaml: no such file or folder"},
		{"unknown preset", []string{"lint", "--preset", "ogg"}, 2, `did you mean "og"`},
		{"no samples", []string{"lint", "--preset", "og", "--samples", "nope"}, 1, "no sample articles"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tc.code, stderr, tc.stderr)
			}
		})
	}
}

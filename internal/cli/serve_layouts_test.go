package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/layoutset"
	"github.com/sharecard/sharecard/render/text"
)

// copyLayouts copies the built-in layouts and their logo into a new folder.
func copyLayouts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"standard.yaml", "split.yaml", "breaking.yaml", "logo.png", "logo-white.png", "logo-dark.png"} {
		data, err := os.ReadFile(filepath.Join("layouts", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A saved layout that would put its headline under a story's app header
// is refused by the gate serve and studio use, with file:line:col, and the
// last good version stays in use.
func TestLayoutGate_RefusesAndKeepsLastGood(t *testing.T) {
	fset, err := text.LoadFonts(fonts.FS)
	if err != nil {
		t.Fatal(err)
	}
	gate, err := layoutGate(fset)
	if err != nil {
		t.Fatal(err)
	}
	dir := copyLayouts(t)
	set, err := layoutset.Open(dir, fset, gate)
	if err != nil {
		t.Fatal(err)
	}
	if p := set.Problems(); len(p) != 0 {
		t.Fatalf("built-in layouts refused by the gate:\n%s", strings.Join(p, "\n"))
	}
	good := set.Layouts()["breaking"]
	if good == nil {
		t.Fatal("no breaking layout loaded")
	}

	// The same file with the story headline measured on the canvas from
	// the very top: on instagram-story it lies under the app's header.
	src, err := os.ReadFile(filepath.Join(dir, "breaking.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const from = "        in: safe\n        box: {left: 7%, right: 7%, top: 57%, bottom: 8%}"
	const to = "        in: canvas\n        box: {left: 7%, right: 7%, top: 0, bottom: 9%}"
	if !strings.Contains(string(src), from) {
		t.Fatalf("breaking.yaml no longer has the story headline box %q; update the test", from)
	}
	bad := strings.Replace(string(src), from, to, 1)
	// The layer starts at its "- type: text" line, column 9 (after "- ").
	layerStart := strings.LastIndex(bad[:strings.Index(bad, to)], "- type: text")
	at := fmt.Sprintf("breaking.yaml:%d:9:", strings.Count(bad[:layerStart], "\n")+1)
	if err := os.WriteFile(filepath.Join(dir, "breaking.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := set.Reload(); err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(set.Problems(), "\n")
	for _, want := range []string{"breaking.yaml:", "leaves the safe area", "instagram-story", "`in: safe`"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems lack %q:\n%s", want, problems)
		}
	}
	if !strings.Contains(problems, at) {
		t.Errorf("problems do not point at the headline layer (%s):\n%s", at, problems)
	}
	if got := set.Layouts()["breaking"]; got != good {
		t.Errorf("the refused file replaced the last good layout (digest %s, want %s)", got.Digest, good.Digest)
	}

	// Fixing the file clears the problem and takes the new version.
	if err := os.WriteFile(filepath.Join(dir, "breaking.yaml"), append(src, []byte("\n# saved again\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := set.Reload(); err != nil {
		t.Fatal(err)
	}
	if p := set.Problems(); len(p) != 0 {
		t.Errorf("fixed file still refused:\n%s", strings.Join(p, "\n"))
	}
	if got := set.Layouts()["breaking"]; got == good || got.Digest == good.Digest {
		t.Error("the fixed file was not taken")
	}
}

// serve refuses to start with a layout that parses but fails the gate,
// naming the file, line and column.
func TestServe_RefusesBadLayoutAtStart(t *testing.T) {
	dir := copyLayouts(t)
	src, err := os.ReadFile(filepath.Join(dir, "breaking.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(src), "        in: safe\n        box: {left: 7%, right: 7%, top: 57%, bottom: 8%}", "        in: canvas\n        box: {left: 7%, right: 7%, top: 0, bottom: 9%}", 1)
	if bad == string(src) {
		t.Fatal("breaking.yaml no longer has the story headline box; update the test")
	}
	if err := os.WriteFile(filepath.Join(dir, "breaking.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	f := serveFlags{layoutDir: dir, dataDir: t.TempDir(), maxMP: 100}
	_, err = buildServer(context.Background(), f, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "fail their checks") || !strings.Contains(err.Error(), "breaking.yaml:") {
		t.Fatalf("buildServer with a broken layout: err = %v, want one naming breaking.yaml:line:col", err)
	}
}

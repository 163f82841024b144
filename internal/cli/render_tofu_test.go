package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/publish"
)

// sign is a character no built-in font has (Sutton SignWriting).
const sign = "\U0001D800"

// writeArticles writes article files into a new folder and returns their
// paths.
func writeArticles(t *testing.T, srcs ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, src := range srcs {
		p := filepath.Join(dir, string(rune('a'+i))+".yaml")
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestRender_MissingGlyphsFail: an article with a character no font has
// fails (exit 1) naming the field, the character and its code point, and
// nothing is written for it; the other articles of the run are written.
func TestRender_MissingGlyphsFail(t *testing.T) {
	out := t.TempDir()
	files := writeArticles(t,
		"headline: Troll "+sign+" sighted\nurl: https://example.com/news/troll\nlang: en\n",
		"headline: Storm closes the harbour\nurl: https://example.com/news/storm\nlang: en\n")
	code, stdout, stderr := runCLI(t, append([]string{"render", "--out", out, "--preset", "og,x-summary"}, files...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	want := files[0] + ": headline: no font has U+1D800 (" + sign + ")"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "troll")); !os.IsNotExist(err) {
		t.Errorf("a folder was written for the failing article (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(out, "storm", "og.jpg")); err != nil {
		t.Errorf("the good article was not written: %v", err)
	}
}

// TestRender_AllowMissingGlyphs: with --allow-missing-glyphs the article
// is written, with a warning naming the character, said once for all
// presets in the manifest.
func TestRender_AllowMissingGlyphs(t *testing.T) {
	out := t.TempDir()
	files := writeArticles(t, "headline: Troll "+sign+" sighted\ncard_headline: Troll "+sign+"\nurl: https://example.com/news/troll\nlang: en\n")
	code, stdout, stderr := runCLI(t, "render", "--allow-missing-glyphs", "--out", out, "--preset", "og,x-summary", files[0])
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	want := "warning: card_headline: no font has U+1D800 (" + sign + "); drawn as boxes (all presets)"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr does not warn %q:\n%s", want, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "troll", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m publish.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, w := range m.Warnings {
		if strings.Contains(w.Text, "U+1D800") {
			n++
			if !w.All || len(w.Presets) != 2 {
				t.Errorf("manifest warning %+v: want it for both presets", w)
			}
		}
	}
	if n != 1 {
		t.Errorf("manifest warnings %+v: want the missing glyph once", m.Warnings)
	}
	for _, img := range m.Images {
		for _, w := range img.Warnings {
			if strings.Contains(w, "U+1D800") {
				t.Errorf("image %s repeats the article-wide warning %q", img.Preset, w)
			}
		}
	}
}

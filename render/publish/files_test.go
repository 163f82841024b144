package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
)

// TestFiles renders a job and checks the folder's file set: every image
// under its file name with the bytes rendered, a manifest that lists them
// and a meta.html with the base URL.
func TestFiles(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	a := rendertest.Headline(t, "short")
	res, err := eng.Render(context.Background(), render.Job{Article: a, Layout: lays["standard"], Presets: rendertest.Presets(t, "og", "thumb-square")})
	if err != nil {
		t.Fatal(err)
	}
	files := publish.Files(a, "standard", res, "https://cards.example.com/x")
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	if got := strings.Join(names, " "); got != "manifest.json meta.html og.jpg thumb-square.jpg" {
		t.Fatalf("files %s", got)
	}
	for _, o := range res.Outputs {
		if string(files[o.FileName()]) != string(o.Data) {
			t.Errorf("%s: bytes differ from the output", o.FileName())
		}
	}
	var m publish.Manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.Engine != render.Version || len(m.Images) != 2 {
		t.Errorf("manifest engine %q, %d images", m.Engine, len(m.Images))
	}
	if !strings.Contains(string(files["meta.html"]), "https://cards.example.com/x/og.jpg") {
		t.Errorf("meta.html does not link og.jpg under the base URL:\n%s", files["meta.html"])
	}
	if strings.Contains(string(files["meta.html"]), "WARNING") {
		t.Errorf("meta.html with absolute URLs warns:\n%s", files["meta.html"])
	}
	// Without a base URL the links are relative, which Open Graph ignores:
	// meta.html says so.
	rel := string(publish.Files(a, "standard", res, "")["meta.html"])
	if !strings.Contains(rel, `content="og.jpg"`) || !strings.Contains(rel, "WARNING: the image URLs below are relative") || !strings.Contains(rel, "base-url flag") {
		t.Errorf("meta.html with relative URLs does not warn:\n%s", rel)
	}
}

func TestGroupWarnings(t *testing.T) {
	out := func(id string, warns ...string) render.Output {
		return render.Output{Preset: preset.Preset{ID: id}, Warnings: warns}
	}
	tests := []struct {
		name string
		outs []render.Output
		want []string
	}{
		{"none", []render.Output{out("og"), out("x")}, []string{}},
		{"all presets", []render.Output{out("og", "w"), out("x", "w")}, []string{"w (all presets)"}},
		{"some presets, first-seen order", []render.Output{out("og", "b"), out("x", "a", "b"), out("y")}, []string{"b (og, x)", "a (x)"}},
		{"one preset of one", []render.Output{out("og", "w")}, []string{"w (og)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := publish.GroupWarnings(tc.outs); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSlugs(t *testing.T) {
	var s publish.Slugs
	steps := []struct{ slug, file, want string }{
		{"storm", "a.yaml", "storm"},
		{"storm", "b.yaml", "storm-2"},
		{"storm", "a.yaml", "storm"}, // the same file keeps its name
		{"storm-2", "c.yaml", "storm-2-2"},
		{"storm", "d.yaml", "storm-3"},
	}
	for _, st := range steps {
		if got := s.Claim(st.slug, st.file); got != st.want {
			t.Errorf("Claim(%q, %q) = %q, want %q", st.slug, st.file, got, st.want)
		}
	}
	// Concurrent claims hand out distinct names.
	var wg sync.WaitGroup
	names := make([]string, 20)
	for i := range names {
		wg.Go(func() { names[i] = s.Claim("race", fmt.Sprintf("r%d.yaml", i)) })
	}
	wg.Wait()
	slices.Sort(names)
	if len(slices.Compact(names)) != 20 {
		t.Errorf("concurrent claims gave the same name twice: %v", names)
	}
}

// TestWriteDir checks that a folder is written whole, replaces an older
// one whole (no stale file survives), and that a failed write leaves the
// old folder as it was and no temporary folder behind.
func TestWriteDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "story")
	if err := publish.WriteDir(dir, map[string][]byte{"og.jpg": []byte("one"), "contact-sheet.png": []byte("sheet")}); err != nil {
		t.Fatal(err)
	}
	if err := publish.WriteDir(dir, map[string][]byte{"og.jpg": []byte("two"), "meta.html": []byte("m")}); err != nil {
		t.Fatal(err)
	}
	assertFolder(t, dir, map[string]string{"og.jpg": "two", "meta.html": "m"})
	err := publish.WriteDir(dir, map[string][]byte{"og.jpg": []byte("three"), "../escape": []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "not a plain file name") {
		t.Fatalf("a file name with a path: error %v", err)
	}
	assertFolder(t, dir, map[string]string{"og.jpg": "two", "meta.html": "m"})
	ents, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "story" {
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		t.Errorf("the parent folder holds %v, want only story", got)
	}
}

func assertFolder(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(want) {
		t.Errorf("%s holds %d files, want %d", dir, len(ents), len(want))
	}
	for name, body := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != body {
			t.Errorf("%s: %q, %v; want %q", name, b, err, body)
		}
	}
}

func ExampleSlugs() {
	var s publish.Slugs
	fmt.Println(s.Claim("storm-closes-coast-road", "one.yaml"))
	fmt.Println(s.Claim("storm-closes-coast-road", "two.yaml"))
	// Output:
	// storm-closes-coast-road
	// storm-closes-coast-road-2
}

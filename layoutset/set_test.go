package layoutset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/text"
)

const goodLayout = `name: %s
variants:
  - layers:
      - type: photo
      - type: text
        field: headline
        box: {left: 5%%, right: 5%%, bottom: 5%%, height: 40%%}
        size: {max: 8, min: 4}
        color: "#FFFFFF"
`

// brokenLayout has an unknown key on line 5, column 9.
const brokenLayout = `name: %s
variants:
  - layers:
      - type: photo
        colour: "#FFFFFF"
`

func layoutText(tmpl, name string) string { return strings.ReplaceAll(tmpl, "%s", name) }

func write(t *testing.T, dir, name, tmpl, layoutName string) {
	t.Helper()
	data := strings.ReplaceAll(layoutText(tmpl, layoutName), "%%", "%")
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace saves the way many editors do: write a temporary file, then
// rename it over the old one.
func replace(t *testing.T, dir, name, tmpl, layoutName string) {
	t.Helper()
	write(t, dir, ".tmp-"+name+"~", tmpl, layoutName)
	if err := os.Rename(filepath.Join(dir, ".tmp-"+name+"~"), filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

var fontsOnce = sync.OnceValues(func() (*text.FontSet, error) { return text.LoadFonts(fonts.FS) })

func loadFonts(t *testing.T) *text.FontSet {
	t.Helper()
	f, err := fontsOnce()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func names(s *Set) string {
	return strings.Join(layout.Names(s.Layouts()), ",")
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", goodLayout, "alpha")
	write(t, dir, "b.yml", brokenLayout, "beta")
	write(t, dir, "c.yaml", goodLayout, "alpha") // same name as a.yaml
	write(t, dir, "notes.txt", "not a layout", "")
	s, err := Open(dir, loadFonts(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(s); got != "alpha" {
		t.Errorf("layouts = %q, want alpha", got)
	}
	if got := s.Layouts()["alpha"].File; got != filepath.ToSlash(filepath.Join(dir, "a.yaml")) {
		t.Errorf("alpha comes from %s, want a.yaml", got)
	}
	probs := strings.Join(s.Problems(), "\n")
	for _, want := range []string{"b.yml:5:9:", `unknown key "colour"`, `c.yaml: layout name "alpha" is already used by`} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q:\n%s", want, probs)
		}
	}
	if s.Version() != 1 {
		t.Errorf("version = %d after Open, want 1", s.Version())
	}

	if _, err := Open(filepath.Join(dir, "missing"), nil, nil); err == nil || !strings.Contains(err.Error(), "read layouts folder") {
		t.Errorf("Open(missing folder) error = %v", err)
	}
}

func TestGate(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", goodLayout, "alpha")
	refuse := false
	gate := func(l *layout.Layout) []string {
		if refuse {
			return []string{l.File + ":1:1: refused by the gate"}
		}
		return nil
	}
	s, err := Open(dir, loadFonts(t), gate)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Layouts()["alpha"]
	refuse = true
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if s.Layouts()["alpha"] != first {
		t.Error("a refused version replaced the last good one")
	}
	if p := s.Problems(); len(p) != 1 || !strings.HasSuffix(p[0], "a.yaml:1:1: refused by the gate") {
		t.Errorf("problems = %q", p)
	}
}

// wait waits for notifications until cond holds.
func wait(t *testing.T, c <-chan struct{}, what string, cond func() bool) {
	t.Helper()
	stop := testwait.GiveUp(t)
	for {
		select {
		case <-c:
			if cond() {
				return
			}
		case <-stop:
			t.Fatalf("gave up before the test timeout waiting for %s", what)
		}
	}
}

// loadCounter counts, through the gate, how many times each layout was
// parsed: a reload that changes nothing is visible there only.
type loadCounter struct {
	mu sync.Mutex
	n  map[string]int // by layout file name
}

func (c *loadCounter) gate(l *layout.Layout) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[filepath.Base(l.File)]++
	return nil
}

func (c *loadCounter) loads(file string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[file]
}

// watching opens the set of dir and follows its saves until the test
// ends, returning the set, its reload events and its parse counts; Watch
// must end cleanly.
func watching(t *testing.T, dir string) (*Set, <-chan struct{}, *loadCounter) {
	t.Helper()
	loads := &loadCounter{n: map[string]int{}}
	s, err := Open(dir, loadFonts(t), loads.gate)
	if err != nil {
		t.Fatal(err)
	}
	events, stop := s.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
		stop()
	})
	return s, events, loads
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", goodLayout, "alpha")
	s, events, loads := watching(t, dir)

	steps := []struct {
		name  string
		edit  func()
		check func() bool
	}{
		{"a new file", func() { write(t, dir, "b.yaml", goodLayout, "beta") },
			func() bool { return names(s) == "alpha,beta" && len(s.Problems()) == 0 }},
		{"a broken save", func() { write(t, dir, "b.yaml", brokenLayout, "beta") },
			func() bool {
				p := s.Problems()
				return names(s) == "alpha,beta" && len(p) == 1 && strings.Contains(p[0], "b.yaml:5:9:")
			}},
		{"a fix saved by rename", func() { replace(t, dir, "b.yaml", goodLayout, "gamma") },
			func() bool { return names(s) == "alpha,gamma" && len(s.Problems()) == 0 }},
		{"a rename of the layout", func() { replace(t, dir, "a.yaml", goodLayout, "delta") },
			func() bool { return names(s) == "delta,gamma" }},
		{"a deleted file", func() {
			if err := os.Remove(filepath.Join(dir, "b.yaml")); err != nil {
				t.Fatal(err)
			}
		}, func() bool { return names(s) == "delta" }},
		{"a broken file", func() { write(t, dir, "c.yaml", brokenLayout, "c") },
			func() bool {
				p := s.Problems()
				return names(s) == "delta" && len(p) == 1 && strings.Contains(p[0], "c.yaml:5:9:")
			}},
		{"a broken file deleted", func() {
			if err := os.Remove(filepath.Join(dir, "c.yaml")); err != nil {
				t.Fatal(err)
			}
		}, func() bool { return names(s) == "delta" && len(s.Problems()) == 0 }},
	}
	for _, st := range steps {
		before := s.Version()
		st.edit()
		wait(t, events, st.name, func() bool { return s.Version() > before && st.check() })
	}

	// Swap files of an editor and saves without a change are not news:
	// once the unchanged a.yaml has been parsed again and that reload has
	// finished, the version is the same.
	before, parsed := s.Version(), loads.loads("a.yaml")
	write(t, dir, ".a.yaml.swp", "junk", "")
	replace(t, dir, "a.yaml", goodLayout, "delta")
	testwait.Until(t, Debounce/10, func() (bool, string) {
		return loads.loads("a.yaml") != parsed, "waiting for the unchanged a.yaml to be parsed again"
	})
	// Taking the lock waits for the reload that parsed it to finish.
	s.reloading.Lock()
	s.reloading.Unlock() //lint:ignore SA2001 the lock is taken only to wait for the reload
	if s.Version() != before {
		t.Errorf("a swap file or an unchanged save counted as a change")
	}
}

func TestWatchDebounces(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", goodLayout, "alpha")
	s, events, _ := watching(t, dir)
	before := s.Version()
	// Five saves in a row, well within one Debounce of each other.
	for i := range 5 {
		write(t, dir, "a.yaml", goodLayout, []string{"a", "b", "c", "d", "e"}[i])
	}
	wait(t, events, "the reload", func() bool { return names(s) == "e" })
	// The last save is loaded: a later reload finds nothing new, so the
	// count is final.
	if n := s.Version() - before; n > 2 {
		t.Errorf("5 quick saves gave %d reloads, want 1 or 2", n)
	}
}

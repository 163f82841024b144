package publish

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
)

// Files returns the file set of one article's folder: every image under
// its FileName, manifest.json and meta.html (image links under baseURL,
// the public URL of the article's folder; relative when empty).
func Files(a *article.Article, layout string, res *render.Result, baseURL string) map[string][]byte {
	m := New(a, layout, res)
	files := map[string][]byte{"manifest.json": m.JSON(), "meta.html": m.MetaHTML(baseURL)}
	for _, o := range res.Outputs {
		files[o.FileName()] = o.Data
	}
	return files
}

// GroupWarnings returns the outputs' warnings once each, in order of first
// appearance, each followed by the presets it concerns, or "(all presets)"
// when it concerns every one of several. A warning whose text is the same
// for several presets (a fallback-font notice, a character no font has)
// is one entry.
func GroupWarnings(outs []render.Output) []string {
	groups := Warnings(outs)
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		if g.All && len(g.Presets) > 1 {
			out = append(out, g.Text+" (all presets)")
		} else {
			out = append(out, g.Text+" ("+strings.Join(g.Presets, ", ")+")")
		}
	}
	return out
}

// Warning is one warning of an article's images, once, with the presets
// it concerns.
type Warning struct {
	Text    string   `json:"text"`
	Presets []string `json:"presets"`
	// All is set when the warning concerns every image of the article.
	All bool `json:"all,omitempty"`
}

// Warnings returns the outputs' warnings once each, in order of first
// appearance, with the presets each concerns (a preset once, even when
// the warning comes from two of its layers).
func Warnings(outs []render.Output) []Warning {
	byText := map[string]int{}
	var out []Warning
	for _, o := range outs {
		for _, w := range o.Warnings {
			i, ok := byText[w]
			if !ok {
				i = len(out)
				byText[w] = i
				out = append(out, Warning{Text: w})
			}
			if ps := out[i].Presets; len(ps) == 0 || ps[len(ps)-1] != o.Preset.ID {
				out[i].Presets = append(out[i].Presets, o.Preset.ID)
			}
		}
	}
	for i := range out {
		out[i].All = len(out[i].Presets) == len(outs)
	}
	return out
}

// Slugs hands out the folder names of a run's articles: an article gets
// its slug, and a second article with the same slug gets slug-2, slug-3
// and so on, so no article overwrites another. It is safe for concurrent
// use.
type Slugs struct {
	mu     sync.Mutex
	taken  map[string]bool   // folder names handed out
	byFile map[string]string // article file -> its folder name
}

// Claim returns the folder name for the article read from file whose slug
// is slug. Claiming again for the same file gives the same name.
func (s *Slugs) Claim(slug, file string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken == nil {
		s.taken, s.byFile = map[string]bool{}, map[string]string{}
	}
	if name, ok := s.byFile[file]; ok {
		return name
	}
	name := slug
	for i := 2; s.taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", slug, i)
	}
	s.taken[name] = true
	s.byFile[file] = name
	return name
}

// WriteDir writes files as the folder dir, atomically as a whole: they are
// written and synced into a new folder beside dir, which then takes dir's
// place, so a reader or a crash sees the old folder or the new one, never
// a mix or half an image. A folder already at dir is replaced. A failed
// write (a full disk) removes what it wrote; the temporary folder of a
// process killed meanwhile, named TempPrefix<pid>-..., is removed by the
// next RemoveStale.
func WriteDir(dir string, files map[string][]byte) (err error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, TempPrefix+strconv.Itoa(os.Getpid())+"-"+filepath.Base(dir)+"-*")
	if err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if filepath.Base(n) != n || n == "." || n == ".." {
			return fmt.Errorf("write %s: %q is not a plain file name", dir, n)
		}
		if err := writeSynced(filepath.Join(tmp, n), files[n]); err != nil {
			return err
		}
	}
	if err := syncDir(tmp); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	// Swap: move an old folder aside, put the new one in place, then
	// remove the old one. os.Rename cannot replace a non-empty folder.
	var old string
	if _, err := os.Lstat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir) // put the old folder back
		}
		return fmt.Errorf("write %s: %w", dir, err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return syncDir(parent)
}

// TempPrefix starts the names of WriteDir's temporary folders, followed by
// the writing process's id.
const TempPrefix = ".sharecard-tmp-"

// StaleAge is how old a temporary folder must be for RemoveStale to take
// it for a leftover when the process that made it seems alive (its id may
// have been reused): far longer than writing one article takes.
const StaleAge = time.Hour

// legacyAge is how old a temporary folder of an older sharecard (named
// .<folder>.<random>.tmp, without a process id) must be to be removed.
const legacyAge = 10 * time.Minute

// fileWriter returns where writeSynced writes; tests replace it to inject
// a full disk.
var fileWriter = func(f *os.File) io.Writer { return f }

// RemoveStale removes, from the output folder out, the temporary folders
// of WriteDir calls that never finished (the process was killed, or the
// machine went down): those whose process is gone, or older than StaleAge,
// and those of older versions older than ten minutes. A folder being
// written by another run that is still going is kept. It returns the
// names removed; a missing out is not an error.
func RemoveStale(out string) ([]string, error) {
	ents, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("clean %s: %w", out, err)
	}
	var removed []string
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || !stale(name, e) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(out, name)); err != nil {
			return removed, fmt.Errorf("clean %s: remove the unfinished %s: %w", out, name, err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// stale reports whether the folder name (with entry e) is an unfinished
// WriteDir's that nobody is writing any more.
func stale(name string, e fs.DirEntry) bool {
	age := func() time.Duration {
		info, err := e.Info()
		if err != nil {
			return 0
		}
		return time.Since(info.ModTime())
	}
	if rest, ok := strings.CutPrefix(name, TempPrefix); ok {
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 {
			return age() > StaleAge
		}
		if pid == os.Getpid() {
			return false // this process's own, being written
		}
		return !processAlive(pid) || age() > StaleAge
	}
	// Older versions: ".<folder>.<random>.tmp", and ".tmp.old" beside it.
	if strings.HasPrefix(name, ".") && (strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".tmp.old")) {
		return age() > legacyAge
	}
	return false
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := fileWriter(f).Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// syncDir flushes a folder's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

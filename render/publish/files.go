package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"sharecard/render"
	"sharecard/render/article"
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
// when it concerns every one of several.
func GroupWarnings(outs []render.Output) []string {
	byWarning := map[string][]string{}
	var order []string
	for _, o := range outs {
		for _, w := range o.Warnings {
			if byWarning[w] == nil {
				order = append(order, w)
			}
			byWarning[w] = append(byWarning[w], o.Preset.ID)
		}
	}
	out := make([]string, 0, len(order))
	for _, w := range order {
		ids := byWarning[w]
		if len(ids) == len(outs) && len(ids) > 1 {
			out = append(out, w+" (all presets)")
		} else {
			out = append(out, w+" ("+strings.Join(ids, ", ")+")")
		}
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
// a mix or half an image. A folder already at dir is replaced.
func WriteDir(dir string, files map[string][]byte) (err error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".*.tmp")
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

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
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

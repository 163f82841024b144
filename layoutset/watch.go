package layoutset

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Debounce is how long Watch waits after the last change in the folder
// before it reloads: editors often write a file in several steps (write a
// temporary file, rename it over the old one, change its mode).
const Debounce = 100 * time.Millisecond

// Watch follows changes in the folder until ctx is done, then returns nil.
// It watches the folder rather than the files, so editors that save by
// writing a new file and renaming it over the old one are followed. Changes
// are gathered for Debounce; then the changed layout files are reloaded (a
// file that is gone removes its layout), or every file when something else
// changed (a logo, or the folder itself). It returns an error when the
// folder cannot be watched.
func (s *Set) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch layouts: %w", err)
	}
	defer w.Close()
	if err := w.Add(s.dir); err != nil {
		return fmt.Errorf("watch layouts folder %s: %w", s.dir, err)
	}
	// An edit made between Open and now would otherwise be missed; when
	// there was none, nobody is told.
	if err := s.Reload(); err != nil {
		return err
	}

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	pending := map[string]bool{}
	all := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Op == fsnotify.Chmod {
				continue // a change of mode alone changes no content
			}
			name := filepath.Base(ev.Name)
			switch {
			case filepath.Clean(ev.Name) == filepath.Clean(s.dir) || isAsset(name):
				all = true
			case isLayoutFile(name):
				pending[name] = true
			default:
				continue // editor swap and backup files
			}
			timer.Reset(Debounce)
		case _, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// Events may have been lost (queue overflow): read everything.
			all = true
			timer.Reset(Debounce)
		case <-timer.C:
			if all {
				_ = s.Reload() // an unreadable folder keeps the last good layouts
			} else {
				names := make([]string, 0, len(pending))
				for n := range pending {
					names = append(names, n)
				}
				s.reload(names, false)
			}
			pending = map[string]bool{}
			all = false
		}
	}
}

// isAsset reports whether a file may be an image a layout uses (a logo).
func isAsset(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		return true
	}
	return false
}

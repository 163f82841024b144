// Package layoutset keeps the layouts of a folder loaded while designers edit
// them: it watches the folder, reloads what changed, keeps the last good
// version of each file when the latest one is refused, and tells
// subscribers after every reload.
package layoutset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/text"
)

// Set is the live set of layouts of one folder. All methods are safe for
// concurrent use.
type Set struct {
	dir   string
	fonts *text.FontSet
	gate  func(*layout.Layout) []string

	reloading sync.Mutex // one reload at a time, so an older read never wins

	mu      sync.Mutex
	files   map[string]*fileState // by file name inside dir
	version uint64
	subs    map[chan struct{}]struct{}
}

// fileState is what is known about one layout file.
type fileState struct {
	good     *layout.Layout // last version that parsed and passed the gate; nil if none
	problems []string       // why the latest version was refused; nil when it was accepted
}

// Open loads every *.yaml and *.yml file at the top of dir. fonts, when not
// nil, is used to reject unknown font families. gate, when not nil, is
// asked about every layout that parses; a non-empty answer (lines of the
// form "file:line:col: message") refuses that version of the file, and the
// last good one stays in use. gate runs on the goroutine that reloads,
// one layout at a time.
//
// Open fails only when dir cannot be read; broken files are reported by
// Problems. Call Watch to follow later edits.
func Open(dir string, fonts *text.FontSet, gate func(*layout.Layout) []string) (*Set, error) {
	s := &Set{dir: dir, fonts: fonts, gate: gate, files: map[string]*fileState{}, subs: map[chan struct{}]struct{}{}}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	s.version = 1
	return s, nil
}

// Dir returns the folder the set was opened on.
func (s *Set) Dir() string { return s.dir }

// Reload reads every layout file of the folder again, drops files that are
// gone, and notifies subscribers when anything changed. It fails only when
// the folder cannot be read.
func (s *Set) Reload() error {
	s.reloading.Lock()
	defer s.reloading.Unlock()
	names, err := s.layoutFiles()
	if err != nil {
		return err
	}
	s.reloadLocked(names, true)
	return nil
}

// layoutFiles lists the layout file names at the top of the folder.
func (s *Set) layoutFiles() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("read layouts folder: %w (check the --layouts path)", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isLayoutFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// isLayoutFile reports whether a file name is a layout file's.
func isLayoutFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return (ext == ".yaml" || ext == ".yml") && !strings.HasPrefix(name, ".")
}

// reload parses the named files (a file that no longer exists is removed).
// With all set, known files missing from names are removed too.
func (s *Set) reload(names []string, all bool) {
	s.reloading.Lock()
	defer s.reloading.Unlock()
	s.reloadLocked(names, all)
}

// reloadLocked is reload for callers that hold reloading.
func (s *Set) reloadLocked(names []string, all bool) {
	parsed := map[string]*fileState{}
	for _, name := range names {
		st, ok := s.load(name)
		if ok {
			parsed[name] = st
		} else {
			parsed[name] = nil // gone
		}
	}
	s.mu.Lock()
	before := s.signatureLocked()
	if all {
		for name := range s.files {
			if _, ok := parsed[name]; !ok {
				delete(s.files, name)
			}
		}
	}
	for name, st := range parsed {
		switch {
		case st == nil:
			delete(s.files, name)
		case st.good == nil && s.files[name] != nil:
			// Refused: keep the last good version with the new problems.
			s.files[name].problems = st.problems
		default:
			s.files[name] = st
		}
	}
	s.checkNames()
	if s.signatureLocked() == before {
		s.mu.Unlock()
		return // saved without a change: nothing to tell
	}
	s.version++
	subs := make([]chan struct{}, 0, len(s.subs))
	for c := range s.subs {
		subs = append(subs, c)
	}
	s.mu.Unlock()
	for _, c := range subs {
		select {
		case c <- struct{}{}:
		default: // a notification is already pending
		}
	}
}

// signatureLocked sums up the set's state: the digest of every file's
// layout in use and its problems. Callers hold mu.
func (s *Set) signatureLocked() string {
	var b strings.Builder
	for _, name := range sortedKeys(s.files) {
		st := s.files[name]
		b.WriteString(name)
		if st.good != nil {
			b.WriteString(" " + st.good.Digest)
		}
		for _, p := range st.problems {
			b.WriteString("\n" + p)
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// load parses one file; ok is false when the file does not exist any more.
func (s *Set) load(name string) (st *fileState, ok bool) {
	display := filepath.ToSlash(filepath.Join(s.dir, name))
	fi, err := os.Stat(filepath.Join(s.dir, name))
	if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.IsDir()) {
		return nil, false
	}
	if err != nil {
		return &fileState{problems: []string{fmt.Sprintf("%s: %v", display, err)}}, true
	}
	// layout.Load on a view of the folder that holds only this layout file
	// gives messages with the folder in the file name and resolves the
	// logo and images relative to the folder.
	lays, err := layout.Load(oneFile{fsys: os.DirFS(s.dir), name: name}, filepath.ToSlash(s.dir), s.fonts)
	if err != nil {
		return &fileState{problems: errorLines(err)}, true
	}
	var lay *layout.Layout
	for _, l := range lays {
		lay = l
	}
	if lay == nil {
		return &fileState{problems: []string{display + ": no layout found in the file"}}, true
	}
	if s.gate != nil {
		if probs := s.gate(lay); len(probs) > 0 {
			return &fileState{problems: probs}, true
		}
	}
	return &fileState{good: lay}, true
}

// checkNames refuses, with a problem, a file whose layout name another file
// already uses (the file sorting first keeps the name). Callers hold mu.
func (s *Set) checkNames() {
	owner := map[string]string{}
	for _, name := range sortedKeys(s.files) {
		st := s.files[name]
		if st.good == nil {
			continue
		}
		if prev, dup := owner[st.good.Name]; dup {
			msg := fmt.Sprintf("%s: layout name %q is already used by %s: give each layout file its own name",
				st.good.File, st.good.Name, filepath.ToSlash(filepath.Join(s.dir, prev)))
			if !hasString(st.problems, msg) {
				st.problems = append(st.problems, msg)
			}
			continue
		}
		owner[st.good.Name] = name
	}
}

// errorLines splits a (joined) error into its lines.
func errorLines(err error) []string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Layouts returns the last good version of every layout file, by layout
// name. The map is a fresh copy; the layouts are immutable and shared.
func (s *Set) Layouts() map[string]*layout.Layout {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]*layout.Layout{}
	for _, name := range sortedKeys(s.files) {
		if l := s.files[name].good; l != nil {
			if _, dup := out[l.Name]; !dup {
				out[l.Name] = l
			}
		}
	}
	return out
}

// Problems returns why the latest version of some files was refused, one
// message a line ("file:line:col: message" where the position is known),
// files in name order. It is empty when every file is in use as saved.
func (s *Set) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, name := range sortedKeys(s.files) {
		out = append(out, s.files[name].problems...)
	}
	return out
}

// Version counts changes: it is 1 when Open returns and grows by one with
// each reload that changed a layout or a problem.
func (s *Set) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// Subscribe returns a channel that receives a value after every reload
// that changed something (several reloads in a row may be reported once: a receiver reads the
// current state, it does not count events), and a function that ends the
// subscription. The channel is never closed.
func (s *Set) Subscribe() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs[c] = struct{}{}
	s.mu.Unlock()
	return c, func() {
		s.mu.Lock()
		delete(s.subs, c)
		s.mu.Unlock()
	}
}

// oneFile is a view of a folder whose listing holds a single file; every
// file stays readable, for the assets the layout refers to.
type oneFile struct {
	fsys fs.FS
	name string
}

func (o oneFile) Open(name string) (fs.File, error) { return o.fsys.Open(name) }

func (o oneFile) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return fs.ReadDir(o.fsys, name)
	}
	entries, err := fs.ReadDir(o.fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Name() == o.name {
			return []fs.DirEntry{e}, nil
		}
	}
	return nil, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

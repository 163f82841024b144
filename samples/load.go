package samples

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/photo"
)

// Sample is an article with its photo, ready to render.
type Sample struct {
	// Name is the sample's folder name, e.g. "long-headline", or the path
	// of an article file loaded from outside the samples.
	Name string
	// File is the article file as messages show it, e.g.
	// "samples/long-headline/article.yaml".
	File string
	// Article is the parsed article.
	Article *article.Article
	// Photo is the encoded photo; nil when the article names none.
	Photo []byte
}

// Names lists the samples of fsys: its folders that hold an article.yaml,
// sorted. Folders whose name starts with a dot are left out. Pass FS for
// the built-in samples.
func Names(fsys fs.FS) ([]string, error) {
	files, err := fs.Glob(fsys, "*/article.yaml")
	if err != nil {
		return nil, fmt.Errorf("list the samples: %w", err)
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		if name := path.Dir(f); !strings.HasPrefix(name, ".") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// Load reads sample name of fsys: name/article.yaml and the photo it names
// (relative to the article, at most photo.DefaultMaxBytes). dir is the
// folder fsys stands for in messages and in the sample's File, such as
// "samples". It is the one loader of samples: the CLI, lint and the studio
// all read them through it.
func Load(fsys fs.FS, dir, name string) (*Sample, error) {
	file := path.Join(dir, name, "article.yaml")
	a, ph, err := article.LoadFS(fsys, path.Join(name, "article.yaml"), file, photo.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return &Sample{Name: name, File: file, Article: a, Photo: ph}, nil
}

// LoadFile reads any article file on disk and the photo it names
// (relative to the article's folder unless absolute, at most
// photo.DefaultMaxBytes). The sample's Name and File are the path as given.
func LoadFile(file string) (*Sample, error) {
	a, ph, err := article.LoadFile(file, photo.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return &Sample{Name: file, File: file, Article: a, Photo: ph}, nil
}

// Choose loads every sample of fsys (dir is its folder in messages, as for
// [Load]) and picks the one spec asks for, returning the samples by name
// and the name of the chosen one. spec is a sample's name, or the path of
// an article file on disk (anything with a slash or an extension): that
// file is loaded and listed under its path, unless it is the File of one of
// the samples, which is then chosen.
//
// A sample that does not load is left out and reported to warn, when not
// nil; if spec names it, its error is returned instead.
func Choose(fsys fs.FS, dir, spec string, warn func(name string, err error)) (all map[string]*Sample, current string, err error) {
	names, err := Names(fsys)
	if err != nil {
		return nil, "", err
	}
	all = make(map[string]*Sample, len(names)+1)
	failed := map[string]error{}
	for _, n := range names {
		s, err := Load(fsys, dir, n)
		if err != nil {
			if warn != nil {
				warn(n, err)
			}
			failed[n] = err
			continue
		}
		all[n] = s
	}
	if !strings.ContainsAny(spec, `/\`) && path.Ext(spec) == "" {
		if all[spec] == nil {
			// A sample folder that did not load says why (a broken article
			// or photo); otherwise the name is unknown.
			if err := failed[spec]; err != nil {
				return nil, "", err
			}
			return nil, "", fmt.Errorf("no sample %q: give an article file, or one of %s", spec, strings.Join(names, ", "))
		}
		return all, spec, nil
	}
	s, err := LoadFile(spec)
	if err != nil {
		return nil, "", err
	}
	for n, other := range all {
		if filepath.Clean(filepath.FromSlash(other.File)) == filepath.Clean(s.File) {
			return all, n, nil
		}
	}
	all[spec] = s
	return all, spec, nil
}

package samples

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

	"sharecard/render/article"
	"sharecard/render/photo"
)

// Names lists the samples of fsys: its folders that hold an article.yaml,
// sorted. Pass FS for the built-in samples.
func Names(fsys fs.FS) ([]string, error) {
	files, err := fs.Glob(fsys, "*/article.yaml")
	if err != nil {
		return nil, fmt.Errorf("list the samples: %w", err)
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, path.Dir(f))
	}
	sort.Strings(names)
	return names, nil
}

// Load reads sample name of fsys (name/article.yaml and the photo it
// names, at most photo.DefaultMaxBytes). dir is the folder fsys stands for
// in messages, such as "samples". It is the one loader of samples: the CLI,
// lint and the studio all read them through it.
func Load(fsys fs.FS, dir, name string) (*article.Article, []byte, error) {
	file := path.Join(name, "article.yaml")
	return article.LoadFS(fsys, file, path.Join(dir, file), photo.DefaultMaxBytes)
}

package studio

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"sharecard/render/article"
	"sharecard/render/photo"
)

// Sample is an article to preview, read from a file.
type Sample struct {
	// File is the article file's path.
	File string
	// Article is the parsed article.
	Article *article.Article
	// Photo is the encoded photo, nil when the article has none.
	Photo []byte
}

// LoadSample reads the sample article named by spec: either the name of a
// folder of samplesDir ("k1-air-base" reads
// samplesDir/k1-air-base/article.yaml) or the path of any article file. The
// photo is read relative to the article file, up to maxBytes bytes.
func LoadSample(spec, samplesDir string, maxBytes int64) (*Sample, error) {
	file := spec
	if !strings.ContainsAny(spec, `/\`) && filepath.Ext(spec) == "" {
		file = filepath.Join(samplesDir, spec, "article.yaml")
		if _, err := os.Stat(file); err != nil {
			return nil, fmt.Errorf("sample %q: no %s (give a folder name of %s or an article file)", spec, file, samplesDir)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read article: %w", err)
	}
	return parseSample(file, data, maxBytes, func(photo string) (io.ReadCloser, error) {
		if !filepath.IsAbs(photo) {
			photo = filepath.Join(filepath.Dir(file), photo)
		}
		return os.Open(photo)
	})
}

// LoadSampleFS reads the sample called name (a folder holding article.yaml
// and the photo it names) from fsys, such as the samples embedded in the
// binary.
func LoadSampleFS(fsys fs.FS, name string, maxBytes int64) (*Sample, error) {
	file := path.Join(name, "article.yaml")
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("sample %q: %w", name, err)
	}
	return parseSample(path.Join("samples", file), data, maxBytes, func(photo string) (io.ReadCloser, error) {
		return fsys.Open(path.Join(name, photo))
	})
}

// parseSample parses the article file (its bytes data) and reads the
// photo it names with open, up to maxBytes bytes (photo.DefaultMaxBytes
// when 0 or less).
func parseSample(file string, data []byte, maxBytes int64, open func(photo string) (io.ReadCloser, error)) (*Sample, error) {
	a, err := article.Parse(file, data)
	if err != nil {
		return nil, err
	}
	s := &Sample{File: file, Article: a}
	if a.Photo == "" {
		return s, nil
	}
	f, err := open(a.Photo)
	if err != nil {
		return nil, fmt.Errorf("%s: photo: %w", file, err)
	}
	defer f.Close()
	if maxBytes <= 0 {
		maxBytes = photo.DefaultMaxBytes
	}
	if s.Photo, err = io.ReadAll(io.LimitReader(f, maxBytes+1)); err != nil {
		return nil, fmt.Errorf("%s: photo: %w", file, err)
	}
	if int64(len(s.Photo)) > maxBytes {
		return nil, fmt.Errorf("%s: photo %s is larger than %d MB: make it smaller", file, a.Photo, maxBytes>>20)
	}
	return s, nil
}

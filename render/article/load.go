package article

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// ErrPhotoTooLarge means an article's photo file is over the byte limit
// given to a loader.
var ErrPhotoTooLarge = errors.New("photo file too large")

// LoadFile reads and parses the article file at path and reads the photo
// it names (relative to the article's folder unless absolute), refusing a
// photo larger than maxPhoto bytes before reading it all. The photo is nil
// when the article names none. Errors name the file.
func LoadFile(file string, maxPhoto int64) (*Article, []byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("read article: %w", unwrapPath(err))
	}
	return load(file, data, maxPhoto, func(p string) (io.ReadCloser, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(file), p)
		}
		return os.Open(p)
	})
}

// LoadReader is LoadFile for an article read from r (standard input, say),
// named display in messages; a relative photo path is read from dir. An
// article over maxArticle bytes is refused rather than read on.
func LoadReader(r io.Reader, display, dir string, maxArticle, maxPhoto int64) (*Article, []byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxArticle+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read article from %s: %w", display, err)
	}
	if int64(len(data)) > maxArticle {
		return nil, nil, fmt.Errorf("%s: the article is over %d bytes; an article is a few kilobytes of YAML or JSON (is this the photo?)", display, maxArticle)
	}
	return load(display, data, maxPhoto, func(p string) (io.ReadCloser, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return os.Open(p)
	})
}

// LoadFS is LoadFile for an article at name in fsys; its photo is read
// from fsys too. display is the article's name in messages, such as
// "samples/long-headline/article.yaml".
func LoadFS(fsys fs.FS, name, display string, maxPhoto int64) (*Article, []byte, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, nil, fmt.Errorf("read article %s: %w", display, unwrapPath(err))
	}
	return load(display, data, maxPhoto, func(p string) (io.ReadCloser, error) {
		return fsys.Open(path.Join(path.Dir(name), p))
	})
}

// load parses an article and reads its photo with open, capped.
func load(file string, data []byte, maxPhoto int64, open func(photo string) (io.ReadCloser, error)) (*Article, []byte, error) {
	a, err := Parse(file, data)
	if err != nil {
		return nil, nil, err
	}
	if a.Photo == "" {
		return a, nil, nil
	}
	f, err := open(a.Photo)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: photo %s: %w", file, a.Photo, unwrapPath(err))
	}
	defer f.Close()
	photo, err := io.ReadAll(io.LimitReader(f, maxPhoto+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: photo %s: %w", file, a.Photo, err)
	}
	if int64(len(photo)) > maxPhoto {
		return nil, nil, fmt.Errorf("%s: photo %s is larger than %d MB (make it smaller): %w", file, a.Photo, max(1, maxPhoto>>20), ErrPhotoTooLarge)
	}
	return a, photo, nil
}

// unwrapPath drops the operation from a path error, keeping the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

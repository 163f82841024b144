package lint

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // sample photos are JPEG
	_ "image/png"
	"io/fs"
	"path"

	"sharecard/render/article"
	"sharecard/samples"
)

// Sample is an article the layouts are tried with, and its photo.
type Sample struct {
	// Name is the sample's folder name, e.g. "long-headline".
	Name    string
	Article *article.Article
	// Photo is the encoded photo; nil when the article has none.
	Photo []byte
	// Size is the photo's size in pixels as stored (EXIF rotation is not
	// applied); zero without a photo. [Static] plans with it.
	Size image.Point
}

// DefaultSamples returns the samples built into the binary (the repository's
// samples/ folder).
func DefaultSamples() ([]Sample, error) {
	return LoadSamples(samples.FS, "samples")
}

// LoadSamples reads every */article.yaml of fsys and the photo each names
// (relative to the article file). dir is the folder name shown in messages.
// Samples come sorted by name.
func LoadSamples(fsys fs.FS, dir string) ([]Sample, error) {
	files, err := fs.Glob(fsys, "*/article.yaml")
	if err != nil {
		return nil, fmt.Errorf("list samples: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no sample articles (*/article.yaml) found in %s", dir)
	}
	out := make([]Sample, 0, len(files))
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read sample %s: %w", path.Join(dir, f), err)
		}
		a, err := article.Parse(path.Join(dir, f), data)
		if err != nil {
			return nil, err
		}
		s := Sample{Name: path.Dir(f), Article: a}
		if a.Photo != "" {
			p := path.Join(path.Dir(f), a.Photo)
			if s.Photo, err = fs.ReadFile(fsys, p); err != nil {
				return nil, fmt.Errorf("sample %s: read photo %s: %w", s.Name, path.Join(dir, p), err)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(s.Photo))
			if err != nil {
				return nil, fmt.Errorf("sample %s: photo %s: %w", s.Name, path.Join(dir, p), err)
			}
			s.Size = image.Pt(cfg.Width, cfg.Height)
		}
		out = append(out, s)
	}
	return out, nil
}

package lint

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // sample photos are JPEG
	_ "image/png"
	"io/fs"

	"sharecard/samples"
)

// Sample is an article the layouts are tried with, and its photo.
type Sample struct {
	samples.Sample
	// Size is the photo's size in pixels as stored (EXIF rotation is not
	// applied); zero without a photo. [Static] plans with it.
	Size image.Point
}

// DefaultSamples returns the samples built into the binary (the repository's
// samples/ folder).
func DefaultSamples() ([]Sample, error) {
	return LoadSamples(samples.FS, "samples")
}

// LoadSamples reads every sample of fsys with [samples.Load]: each folder's
// article.yaml and the photo it names. dir is the folder name shown in
// messages. Samples come sorted by name.
func LoadSamples(fsys fs.FS, dir string) ([]Sample, error) {
	names, err := samples.Names(fsys)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no sample articles (*/article.yaml) found in %s", dir)
	}
	out := make([]Sample, 0, len(names))
	for _, n := range names {
		sm, err := samples.Load(fsys, dir, n)
		if err != nil {
			return nil, err
		}
		s := Sample{Sample: *sm}
		if s.Photo != nil {
			cfg, _, err := image.DecodeConfig(bytes.NewReader(s.Photo))
			if err != nil {
				return nil, fmt.Errorf("%s: photo %s: %w", s.File, s.Article.Photo, err)
			}
			s.Size = image.Pt(cfg.Width, cfg.Height)
		}
		out = append(out, s)
	}
	return out, nil
}

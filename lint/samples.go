package lint

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // sample photos are JPEG
	_ "image/png"
	"io/fs"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/samples"
)

// Sample is an article the layouts are tried with, and its photo.
type Sample struct {
	samples.Sample
	// Size is the photo's size in pixels as stored (EXIF rotation is not
	// applied); zero without a photo. [Static] plans with it.
	Size image.Point
	// TextOnly marks a sample that tries the layouts' text only, such as a
	// headline of the corpus: it is planned and checked by the rules that
	// need no pixels (safe area, fit, glyphs), never painted, so [Check]
	// spends its contrast and face checks on the samples with photos.
	TextOnly bool
}

// DefaultSamples returns the samples built into the binary: those of the
// repository's samples/ folder, then the headline corpus as [CorpusSamples]
// gives it.
func DefaultSamples() ([]Sample, error) {
	out, err := LoadSamples(samples.FS, "samples")
	if err != nil {
		return nil, err
	}
	return append(out, CorpusSamples()...), nil
}

// CorpusSamples returns lint's headline corpus: every entry of
// [corpus.All], a headline in each language of the BBC World Service plus
// Hebrew and Greek, as a text-only sample without a photo named
// "corpus:<id>" (e.g. "corpus:zh-hant").
func CorpusSamples() []Sample {
	es := corpus.All()
	out := make([]Sample, 0, len(es))
	for _, e := range es {
		a, err := e.Article()
		if err != nil {
			// The corpus is embedded and its tests parse every entry.
			panic(err)
		}
		out = append(out, Sample{Sample: samples.Sample{Name: "corpus:" + e.ID, File: e.Name(), Article: a}, TextOnly: true})
	}
	return out
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

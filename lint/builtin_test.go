package lint

import (
	"bytes"
	"context"
	"image"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

// spread is a set of presets covering each kind of canvas: wide, square,
// tall with and without safe-area insets, TV with overscan, thumbnails.
var spread = []string{"og", "x-summary", "instagram-story", "instagram-reel-cover", "pinterest-pin",
	"ctv-hero-fhd", "roku-fullscreen-fhd", "tvos-app-icon", "thumb-16x9", "thumb-square"}

func lookupAll(t testing.TB, ids ...string) []preset.Preset {
	t.Helper()
	ps, err := preset.Select(strings.Join(ids, ","), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestBuiltinLayoutsClean lints the shipped layouts with the shipped
// samples on every preset: the check CI runs without the race detector,
//
//	go test -run TestBuiltinLayoutsClean ./lint/
//
// With -short the presets of spread are checked. Under the race detector,
// which makes rendering about ten times slower, the point is concurrency,
// not coverage: three canvases and the sample with the small photo.
func TestBuiltinLayoutsClean(t *testing.T) {
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	samples, err := DefaultSamples()
	if err != nil {
		t.Fatal(err)
	}
	var presets []preset.Preset // nil: all
	switch {
	case raceOn:
		presets = lookupAll(t, "og", "instagram-reel-cover", "thumb-16x9")
		samples = []Sample{sample(t, "long-headline")}
		t.Logf("race detector: %d presets, 1 sample; every preset is checked by go test -run TestBuiltinLayoutsClean ./lint/", len(presets))
	case testing.Short():
		presets = lookupAll(t, spread...)
		t.Logf("-short: %d presets; every preset is checked without -short", len(presets))
	}
	got, err := Check(context.Background(), eng, lays, Options{Samples: samples, Presets: presets})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("built-in layouts have %d problems:\n%s", len(got), list(got))
	}
	for _, name := range layout.Names(lays) {
		if ps := Static(lays[name], eng.Fonts, samples...); len(ps) > 0 {
			t.Errorf("Static finds problems in %s that Check does not:\n%s", name, list(ps))
		}
	}
}

// TestCropsAsShipped: lint checks the plans the engine ships. For every
// built-in layout and sample on a spread of presets, the plan lint checks,
// its crop above all, equals the plan of Engine.Render's output for the
// same job.
func TestCropsAsShipped(t *testing.T) {
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	samples, err := DefaultSamples()
	if err != nil {
		t.Fatal(err)
	}
	// The k1 samples (a large photo, with and without a focus point, left
	// to right and right to left) are where crops drifted by a source pixel
	// or two when lint prepared photos itself. Under the race detector,
	// where decoding their photo takes about ten seconds each time, the
	// sample with the small photo stands in for them on three canvases;
	// every sample is compared without it.
	base := lookupAll(t, spread...)
	if raceOn {
		base = lookupAll(t, "og", "instagram-story", "thumb-square")
		samples = []Sample{sample(t, "long-headline")}
	}
	// The corpus's headlines have no photo, so nothing to crop.
	samples = slices.DeleteFunc(samples, func(s Sample) bool { return s.TextOnly })
	ctx := context.Background()
	ck := newChecker(eng, samples)
	photos := 0
	for _, name := range layout.Names(lays) {
		l := lays[name]
		presets := presetsFor(base, l)
		for si, s := range samples {
			res, err := eng.Render(ctx, render.Job{Article: s.Article, Photo: s.Photo, Layout: l, Presets: presets, Format: preset.FormatJPEG})
			if err != nil {
				t.Fatalf("%s with %s: %v", name, s.Name, err)
			}
			for _, g := range groupPresets(presets) {
				pl, _, planErr, err := ck.plan(ctx, l, presets, g.preset, si)
				if err != nil || planErr != nil {
					t.Fatalf("%s with %s on %s: %v %v", name, s.Name, g.preset.ID, err, planErr)
				}
				for k, p := range g.members {
					shipped := res.Outputs[g.order[k]].Plan
					// Identity assets and typographic small-photo
					// variants draw no photo.
					if s.Photo != nil && (pl.Crop == nil || shipped.Crop == nil) && !noPhoto(l, pl) {
						t.Fatalf("%s with %s on %s: no crop (lint %v, shipped %v)", name, s.Name, p.ID, pl.Crop, shipped.Crop)
					}
					if pl.Crop != nil {
						photos++
					}
					if !reflect.DeepEqual(pl.Crop, shipped.Crop) {
						t.Errorf("%s with %s on %s: lint crops %+v, the engine ships %+v", name, s.Name, p.ID, pl.Crop, shipped.Crop)
						continue
					}
					same := *pl
					same.Preset = p.ID
					if !reflect.DeepEqual(&same, shipped) {
						t.Errorf("%s with %s on %s: lint checks another plan than the engine ships", name, s.Name, p.ID)
					}
				}
			}
		}
	}
	if photos == 0 {
		t.Fatal("no crops compared: the samples have no photo")
	}
}

// TestPaintMeasuringMatchesDraw: the linter measures the pixels the engine
// ships, so its drawing must be the engine's, byte for byte.
func TestPaintMeasuringMatchesDraw(t *testing.T) {
	eng := engine(t)
	s := sample(t, "long-headline")
	lays := builtinLayouts(t, eng)
	ck := newChecker(eng, []Sample{s})
	ctx := context.Background()
	for _, l := range []*layout.Layout{testLayout(t, "contrast-good.yaml"), lays["standard"], lays["split"]} {
		presets := []preset.Preset{smallCard, smallStory}
		for _, p := range presets {
			pl, prep, planErr, err := ck.plan(ctx, l, presets, p, 0)
			if err != nil || planErr != nil {
				t.Fatal(err, planErr)
			}
			px := paint.Pixels{Photo: prep.Pyramid, Images: l.Images, Fonts: eng.Fonts}
			calls := 0
			got := paintMeasuring(pl, px, func(int, *image.NRGBA) { calls++ })
			want, warns := paint.Draw(pl, px)
			if !bytes.Equal(got.Image().Pix, want.Pix) {
				t.Errorf("%s on %s: paintMeasuring paints other pixels than Draw", l.Name, p.ID)
			}
			if !reflect.DeepEqual(got.Warnings(), warns) {
				t.Errorf("%s on %s: warnings %q, Draw's %q", l.Name, p.ID, got.Warnings(), warns)
			}
			if texts := countText(pl); calls != texts {
				t.Errorf("%s on %s: %d calls before glyphs, want one per text layer (%d)", l.Name, p.ID, calls, texts)
			}
		}
	}
}

// noPhoto reports whether pl's variant of l draws no photo (an identity
// asset, a typographic small-photo variant).
func noPhoto(l *layout.Layout, pl *plan.Plan) bool {
	v := variantOf(l, pl)
	if v == nil {
		return false
	}
	for _, ly := range v.Layers {
		if ly.Kind == layout.LayerPhoto {
			return false
		}
	}
	return true
}

func countText(p *plan.Plan) int {
	n := 0
	for _, l := range p.Layers {
		if l.Text != nil {
			n++
		}
	}
	return n
}

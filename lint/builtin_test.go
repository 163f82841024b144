package lint

import (
	"bytes"
	"context"
	"image"
	"testing"

	"sharecard/render/layout"
	"sharecard/render/paint"
	"sharecard/render/photo"
	"sharecard/render/plan"
	"sharecard/render/preset"
)

// TestBuiltinLayoutsClean lints the shipped layouts with the shipped
// samples. Every preset is checked in a normal run; with -short or the race
// detector a subset covering each kind of canvas (wide, square, tall with
// and without safe-area insets, TV with overscan, thumbnails) is. A full run
// takes about 15 s on two cores.
func TestBuiltinLayoutsClean(t *testing.T) {
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	samples, err := DefaultSamples()
	if err != nil {
		t.Fatal(err)
	}
	var presets []preset.Preset // nil: all
	ids := []string{"og", "x-summary", "instagram-story", "instagram-reel-cover", "pinterest-pin",
		"ctv-hero-fhd", "roku-fullscreen-fhd", "tvos-app-icon", "thumb-16x9", "thumb-square"}
	if raceOn {
		// Under the race detector the point is concurrency, not coverage:
		// a few canvases and the sample with the small photo.
		ids = []string{"og", "instagram-reel-cover", "thumb-16x9"}
		samples = []Sample{sample(t, "long-headline")}
	}
	if testing.Short() || raceOn {
		for _, id := range ids {
			p, ok := preset.Lookup(id)
			if !ok {
				t.Fatalf("no preset %s", id)
			}
			presets = append(presets, p)
		}
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

// TestDrawLayersMatchesDraw: the linter measures the pixels the engine
// ships, so its drawing must be the engine's, byte for byte.
func TestDrawLayersMatchesDraw(t *testing.T) {
	eng := engine(t)
	s := sample(t, "long-headline")
	l := layout(t, "contrast-good.yaml")
	ph, err := photo.Decode(bytes.NewReader(s.Photo), photo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	pyr := photo.NewPyramid(ph.Image)
	lays := builtinLayouts(t, eng)
	for _, l := range []*layout.Layout{l, lays["standard"], lays["split"]} {
		for _, p := range []preset.Preset{smallCard, smallStory} {
			plan, err := plan.Card(s.Article, l, p, plan.PhotoInfo{Size: pyr.Bounds().Size()}, eng.Fonts)
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			got := paint.DrawLayers(plan, pyr, func(int, *image.NRGBA) { calls++ })
			want, _ := paint.Draw(plan, pyr)
			if !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("%s on %s: DrawLayers paints other pixels than Draw", l.Name, p.ID)
			}
			if texts := countText(plan); calls != texts {
				t.Errorf("%s on %s: %d calls before glyphs, want one per text layer (%d)", l.Name, p.ID, calls, texts)
			}
		}
	}
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

package render_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/layout"
)

// TestRender_MissingGlyphs: text with a character no font has fails the
// render with a *MissingGlyphsError naming the field and the character,
// unless the job or the layout allows it; then the images are made, with
// a warning.
func TestRender_MissingGlyphs(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	a, err := article.Parse("a.yaml", []byte("headline: Fine\ncaption: Sign \U0001D800 here\nsection: Sign \U0001D800\nlang: en\n"))
	if err != nil {
		t.Fatal(err)
	}
	presets := rendertest.Presets(t, "og", "x-summary")
	job := render.Job{Article: a, Layout: lays["standard"], Presets: presets}
	_, err = eng.Render(context.Background(), job)
	var mg *render.MissingGlyphsError
	if !errors.As(err, &mg) || !errors.Is(err, render.ErrMissingGlyphs) {
		t.Fatalf("err = %v, want a *MissingGlyphsError", err)
	}
	if mg.Field != "section" || !slices.Equal(mg.Runes, []rune{0x1D800}) || !strings.HasPrefix(mg.Error(), "section: no font has U+1D800 (\U0001D800)") {
		t.Errorf("error %+v: %q", mg, mg.Error())
	}
	if _, err := eng.PlanCard(job, nil, presets[0]); !errors.As(err, &mg) {
		t.Errorf("PlanCard: err = %v, want a *MissingGlyphsError", err)
	}

	allowed := job
	allowed.AllowMissingGlyphs = true
	fromLayout := job
	src, err := layouts.FS.ReadFile("standard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse("standard.yaml", append(src, "typography: {allow_missing_glyphs: true}\n"...), layouts.FS, eng.Fonts)
	if err != nil {
		t.Fatal(err)
	}
	fromLayout.Layout = l
	for name, j := range map[string]render.Job{"job": allowed, "layout": fromLayout} {
		res, err := eng.Render(context.Background(), j)
		if err != nil {
			t.Fatalf("allowed by the %s: %v", name, err)
		}
		for _, o := range res.Outputs {
			if !slices.ContainsFunc(o.Warnings, func(w string) bool { return strings.HasPrefix(w, "section: no font has U+1D800") }) {
				t.Errorf("allowed by the %s: %s warnings %q lack the missing glyph", name, o.Preset.ID, o.Warnings)
			}
		}
	}
}

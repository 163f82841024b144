package publish_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
)

// TestManifestWarningsOnce: a warning every image has (a fallback-font
// notice) is listed once for the article, with its presets, and not in
// each image; a warning of some images stays with them too, and is
// listed once for the article with those presets.
func TestManifestWarningsOnce(t *testing.T) {
	const serif = "headline: no serif face for Devanagari; used Noto Sans Devanagari"
	out := func(id string, warns ...string) render.Output {
		return render.Output{Preset: preset.Preset{ID: id}, Format: preset.FormatJPEG, Warnings: warns}
	}
	res := &render.Result{Outputs: []render.Output{
		out("og", serif, "headline shrunk to its minimum size (30 px) to fit", serif),
		out("x-summary", serif),
		out("thumb-square", serif, "headline shrunk to its minimum size (30 px) to fit"),
	}}
	m := publish.New(nil, "standard", res)
	want := []publish.Warning{
		{Text: serif, Presets: []string{"og", "x-summary", "thumb-square"}, All: true},
		{Text: "headline shrunk to its minimum size (30 px) to fit", Presets: []string{"og", "thumb-square"}},
	}
	if !reflect.DeepEqual(m.Warnings, want) {
		t.Errorf("manifest warnings = %+v, want %+v", m.Warnings, want)
	}
	for _, img := range m.Images {
		if slices.Contains(img.Warnings, serif) {
			t.Errorf("image %s repeats the article-wide notice", img.Preset)
		}
	}
	if got := m.Images[0].Warnings; !slices.Equal(got, []string{"headline shrunk to its minimum size (30 px) to fit"}) {
		t.Errorf("og warnings = %q", got)
	}
	if got := publish.GroupWarnings(res.Outputs); !slices.Equal(got, []string{serif + " (all presets)", "headline shrunk to its minimum size (30 px) to fit (og, thumb-square)"}) {
		t.Errorf("GroupWarnings = %q", got)
	}
}

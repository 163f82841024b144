package text_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/render/text"
)

// TestLayeredFontChecks covers what lint and the layout parser use to
// check a layout's font files: describing a file, the characters it
// lacks, the text of a script, and the errors of With.
func TestLayeredFontChecks(t *testing.T) {
	sans, err := fonts.FS.ReadFile("NotoSans-Bold.ttf")
	if err != nil {
		t.Fatal(err)
	}
	info, err := text.DescribeFont("Brand.ttf", sans)
	if err != nil || info != (text.FontInfo{Family: "Noto Sans", Weight: 700}) {
		t.Errorf("DescribeFont = %+v, %v", info, err)
	}
	if _, err := text.DescribeFont("page.ttf", []byte("<!doctype html>")); err == nil || !strings.Contains(err.Error(), "page.ttf") {
		t.Errorf("DescribeFont of HTML: err = %v, want one naming the file", err)
	}
	missing, err := text.MissingRunes(sans, "Ærø: ضوء 東京 Ærø")
	if err != nil || !slices.Equal(missing, []rune("ضوء東京")) {
		t.Errorf("MissingRunes = %q, %v; want the Arabic and Han letters once each", string(missing), err)
	}
	if got := text.RunesOfScripts("Tokyo 東京 は ضوء", []string{"Hani", "Hira"}); got != "東京は" {
		t.Errorf("RunesOfScripts = %q", got)
	}
	for _, code := range []string{"Arabic", "Zzzz1", "Qaaa", ""} {
		if _, err := text.ParseScriptCode(code); err == nil {
			t.Errorf("ParseScriptCode(%q) accepted", code)
		}
	}
	base, err := text.LoadFonts(fonts.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := base.With([]text.FontFile{{Name: "a.ttf", Data: sans, Scripts: []string{"Arabic"}}}); err == nil {
		t.Error("With accepted an unknown script code")
	}
	if _, err := base.With([]text.FontFile{{Name: "NotoSans-Bold.ttf", Data: sans}}); err == nil {
		t.Error("With accepted a name the set already has")
	}
	set, err := base.With([]text.FontFile{{Name: "layouts/Brand.ttf", Data: sans}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(set.Families(), base.Families()) {
		t.Errorf("families %v, want those of the base %v (the file replaces Noto Sans 700)", set.Families(), base.Families())
	}
	b, err := set.Fit("Storm", text.Style{Family: "Noto Sans", Weight: 700, MaxSize: 40}, 400, 100)
	if err != nil || !slices.Equal(b.Fonts, []string{"layouts/Brand.ttf"}) {
		t.Errorf("Fit in the layered set: fonts %v, %v; want the layout's file", b.Fonts, err)
	}
}

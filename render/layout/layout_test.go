package layout_test

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/preset"
)

func TestLoadLayouts_BuiltIn(t *testing.T) {
	lays, err := layout.Load(layouts.FS, "layouts", rendertest.Fonts(t))
	if err != nil {
		t.Fatalf("built-in layouts do not load:\n%v", err)
	}
	for _, name := range []string{"standard", "split"} {
		l, ok := lays[name]
		if !ok {
			t.Fatalf("layout %q missing; have %v", name, layout.Names(lays))
		}
		// Every built-in preset must find a variant.
		for _, p := range preset.All() {
			if _, err := l.VariantFor(p.Width, p.Height); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

const validLayout = `name: test
brand:
  colors:
    red: "#C8102E"
  fonts:
    headline: {family: Noto Sans, weight: 700}
variants:
  - name: all
    layers:
      - type: photo
      - type: text
        field: headline
        color: red
`

func TestParseLayout_Errors(t *testing.T) {
	fset := rendertest.Fonts(t)
	tests := []struct {
		name string
		yaml string
		want []string // substrings that must all appear in the error
	}{
		{"misspelt top key", strings.Replace(validLayout, "variants:", "variant:", 1),
			[]string{`l.yaml:7:1: variant: unknown key "variant" (did you mean "variants"?)`}},
		{"misspelt layer key", strings.Replace(validLayout, "field: headline", "feild: headline", 1),
			[]string{`l.yaml:12:9:`, `unknown key "feild" (did you mean "field"?)`}},
		{"unknown article field", strings.Replace(validLayout, "field: headline", "field: headlin", 1),
			[]string{`l.yaml:12:16:`, `unknown article field "headlin" (did you mean "headline"?)`}},
		{"bad colour", strings.Replace(validLayout, `"#C8102E"`, `"#C8102"`, 1),
			[]string{`l.yaml:4:10: brand.colors.red:`, `want a colour such as`}},
		{"unknown colour name", strings.Replace(validLayout, "color: red", "color: rde", 1),
			[]string{`l.yaml:13:16:`, `unknown colour "rde"`, `did you mean "red"?`}},
		{"unknown font family", strings.Replace(validLayout, "family: Noto Sans,", "family: Noto Sanz,", 1),
			[]string{`l.yaml:6:24: brand.fonts.headline.family: font family "Noto Sanz" is not in fonts/ (did you mean "Noto Sans"?)`}},
		{"missing logo file", strings.Replace(validLayout, "brand:\n", "brand:\n  logo: nope.png\n", 1),
			[]string{`l.yaml:3:9: brand.logo: cannot read image "nope.png"`}},
		{"unknown layer type", strings.Replace(validLayout, "type: photo", "type: foto", 1),
			[]string{`l.yaml:10:15:`, `unknown layer type "foto" (did you mean "photo"?)`}},
		{"wrong type", strings.Replace(validLayout, "      - type: text\n", "      - type: text\n        max_lines: many\n", 1),
			[]string{`l.yaml:12:20:`, `want a whole number, found "many"`}},
		{"out of range", strings.Replace(validLayout, "      - type: text\n", "      - type: text\n        max_lines: 9\n", 1),
			[]string{`must be between 1 and 8 (got 9)`}},
		{"key for another layer type", strings.Replace(validLayout, "      - type: photo\n", "      - type: photo\n        field: headline\n", 1),
			[]string{`unknown key "field"`}},
		{"missing name", strings.Replace(validLayout, "name: test\n", "", 1),
			[]string{`name is required`}},
		{"bad yaml", "name: [unclosed\n", []string{`l.yaml:2:`, `invalid YAML/JSON syntax`}},
		{"empty", "", []string{`l.yaml: the file is empty`}},
		// Aliases: a list item that is an alias was "found an unresolved
		// alias"; every alias now gets one message saying they are not
		// supported.
		{"alias as a layer", strings.Replace(validLayout, "      - type: photo\n", "      - &p\n        type: photo\n      - *p\n", 1),
			[]string{`l.yaml:12:9: aliases (*p) are not supported in layouts; write the value of &p out in full here`}},
		{"alias as a value", strings.Replace(strings.Replace(validLayout, `red: "#C8102E"`, `red: &c "#C8102E"`, 1), "color: red", "color: *c", 1),
			[]string{`l.yaml:13:16: aliases (*c) are not supported in layouts`}},
		{"several problems at once", strings.Replace(strings.Replace(validLayout, "field: headline", "feild: headline", 1), "type: photo", "type: foto", 1),
			[]string{`unknown key "feild"`, `unknown layer type "foto"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assets := fstest.MapFS{}
			_, err := layout.Parse("l.yaml", []byte(tc.yaml), assets, fset)
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseLayout_Valid(t *testing.T) {
	src := strings.Replace(validLayout, "      - type: photo\n", "      - type: photo\n        backdrop: red\n", 1)
	l, err := layout.Parse("l.yaml", []byte(src), fstest.MapFS{}, rendertest.Fonts(t))
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "test" || len(l.Variants) != 1 || len(l.Variants[0].Layers) != 2 {
		t.Fatalf("unexpected layout: %+v", l)
	}
	if ph := l.Variants[0].Layers[0]; ph.Backdrop != layout.BackdropColor || ph.BackdropColor != l.Brand.Colors["red"] {
		t.Errorf("photo backdrop by brand colour name compiled wrong: %+v", ph)
	}
	txt := l.Variants[0].Layers[1]
	if txt.Kind != layout.LayerText || txt.Field != "headline" || txt.Color != (l.Brand.Colors["red"]) || txt.Line != 12 {
		t.Errorf("text layer compiled wrong: %+v", txt)
	}
}

func TestBoxSpecResolve(t *testing.T) {
	f := func(v float64) *layout.Length { return &layout.Length{V: v, Unit: layout.UnitFrac} }
	px := func(v float64) *layout.Length { return &layout.Length{V: v, Unit: layout.UnitPx} }
	ref := image.Rect(0, 0, 100, 50)
	tests := []struct {
		name string
		box  layout.BoxSpec
		want [4]int
	}{
		{"empty is the whole reference", layout.BoxSpec{}, [4]int{0, 0, 100, 50}},
		{"left+width", layout.BoxSpec{Left: f(0.1), Width: f(0.5)}, [4]int{10, 0, 60, 50}},
		{"right+width", layout.BoxSpec{Right: px(10), Width: px(20)}, [4]int{70, 0, 90, 50}},
		{"bottom+height", layout.BoxSpec{Bottom: f(0), Height: f(0.2)}, [4]int{0, 40, 100, 50}},
		{"width alone is centred", layout.BoxSpec{Width: f(0.5)}, [4]int{25, 0, 75, 50}},
		{"top+bottom", layout.BoxSpec{Top: f(0.1), Bottom: f(0.1)}, [4]int{0, 5, 100, 45}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.box.Resolve(ref, 50)
			got := [4]int{r.Min.X, r.Min.Y, r.Max.X, r.Max.Y}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzParseLayout(f *testing.F) {
	f.Add([]byte(validLayout))
	f.Add([]byte(composeLayout))
	for _, name := range []string{"standard.yaml", "split.yaml"} {
		data, err := layouts.FS.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: x\nvariants: [{layers: [{type: text, text: hi, size: {max: 1, min: 2}}]}]"))
	f.Add([]byte("{"))
	fset := rendertest.Fonts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := layout.Parse("f.yaml", data, layouts.FS, fset)
		if err != nil {
			if !strings.Contains(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if l.Name == "" || len(l.Variants) == 0 {
			t.Fatalf("accepted a layout without name or variants: %+v", l)
		}
		for _, v := range l.Variants {
			if len(v.Layers) == 0 {
				t.Fatalf("accepted a variant without layers")
			}
		}
	})
}

// composeLayout has a variant per purpose, small-photo variants and
// layers with placements and logo contrast.
const composeLayout = `name: c
brand:
  colors:
    red: "#C8102E"
  logo: logo.png
variants:
  - name: icon
    purpose: identity
    layers:
      - {type: image, src: logo}
  - name: clean-small
    purpose: clean
    small_photo: true
    layers:
      - {type: image, src: logo}
  - name: clean
    purpose: clean
    layers:
      - type: photo
  - name: tall-small
    max_aspect: 1
    small_photo: true
    layers:
      - {type: text, field: headline}
  - name: tall
    max_aspect: 1
    layers:
      - type: photo
  - name: wide
    layers:
      - type: photo
      - type: text
        field: headline
        box: {left: 5%, width: 40%, bottom: 5%, height: 40%}
        placements:
          - {right: 5%, width: 40%, bottom: 5%, height: 40%}
          - {left: 5%, width: 40%, top: 5%, height: 40%}
      - type: image
        src: logo
        contrast: auto
        src_on_light: logo.png
        plate: red
        box: {left: 5%, top: 5%, height: 8%, width: 30%}
`

func TestChooseVariant(t *testing.T) {
	l, err := layout.Parse("c.yaml", []byte(composeLayout), layouts.FS, rendertest.Fonts(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		want layout.Want
		name string
	}{
		{layout.Want{Width: 1200, Height: 630}, "wide"},
		{layout.Want{Width: 1200, Height: 630, Purpose: "card"}, "wide"},
		// No wide small-photo card variant: the wide one serves.
		{layout.Want{Width: 1200, Height: 630, SmallPhoto: true}, "wide"},
		{layout.Want{Width: 1080, Height: 1350}, "tall"},
		{layout.Want{Width: 1080, Height: 1350, SmallPhoto: true}, "tall-small"},
		{layout.Want{Width: 1920, Height: 1080, Purpose: "clean"}, "clean"},
		{layout.Want{Width: 1920, Height: 1080, Purpose: "clean", SmallPhoto: true}, "clean-small"},
		{layout.Want{Width: 400, Height: 240, Purpose: "identity"}, "icon"},
		{layout.Want{Width: 400, Height: 240, Purpose: "identity", SmallPhoto: true}, "icon"},
	}
	for _, tc := range tests {
		v, err := l.Choose(tc.want)
		if err != nil {
			t.Errorf("%+v: %v", tc.want, err)
			continue
		}
		if v.Name != tc.name {
			t.Errorf("%+v: variant %q, want %q", tc.want, v.Name, tc.name)
		}
	}
	if v, _ := l.VariantFor(1080, 1350); v.Name != "tall" {
		t.Errorf("VariantFor chose %q, want the card variant tall", v.Name)
	}
	// A layout without clean variants falls back to its card variants.
	plain, err := layout.Parse("l.yaml", []byte(validLayout), fstest.MapFS{}, rendertest.Fonts(t))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := plain.Choose(layout.Want{Width: 1920, Height: 1080, Purpose: "clean"}); err != nil || v.Name != "all" {
		t.Errorf("clean preset on a card-only layout: %v, %v", v, err)
	}
	if _, err := l.Choose(layout.Want{Width: 0, Height: 10}); err == nil {
		t.Error("no error for a canvas without area")
	}

	kp, err := layout.Parse("l.yaml", []byte(strings.Replace(validLayout, "variants:\n",
		"presets: [{id: p, purpose: clean, width: 1280, height: 720, keep_out: [{right: 0, bottom: 0, width: 160px, height: 10%}]}]\nvariants:\n", 1)), fstest.MapFS{}, rendertest.Fonts(t))
	if err != nil {
		t.Fatal(err)
	}
	if p := kp.Presets[0]; p.Purpose != "clean" || len(p.KeepOut) != 1 || p.KeepOut[0] != image.Rect(1120, 648, 1280, 720) {
		t.Errorf("layout preset compiled wrong: purpose %q, keep-out %v", p.Purpose, p.KeepOut)
	}

	wide := l.Variants[len(l.Variants)-1]
	head, logo := wide.Layers[1], wide.Layers[2]
	if len(head.Placements) != 2 || head.Placements[1].Top == nil {
		t.Errorf("placements compiled wrong: %+v", head.Placements)
	}
	if !logo.Contrast || logo.SrcOnLight == nil || logo.SrcOnLightName != "logo.png" || !logo.HasPlate || logo.Plate != l.Brand.Colors["red"] {
		t.Errorf("image contrast compiled wrong: %+v", logo)
	}
}

func TestParseLayout_ComposeErrors(t *testing.T) {
	fset := rendertest.Fonts(t)
	layer := func(extra string) string {
		return strings.Replace(validLayout, "      - type: photo\n", "      - type: photo\n"+extra, 1)
	}
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown purpose", strings.Replace(validLayout, "  - name: all\n", "  - name: all\n    purpose: cleen\n", 1),
			[]string{`l.yaml:9:14: variants[0].purpose: unknown purpose "cleen": want card, clean or identity (did you mean "clean"?)`}},
		{"small_photo not a bool", strings.Replace(validLayout, "  - name: all\n", "  - name: all\n    small_photo: sometimes\n", 1),
			[]string{`l.yaml:9:18: variants[0].small_photo: want true or false`}},
		{"placements not a list", layer("      - {type: text, text: x, placements: {left: 5%}}\n"),
			[]string{`l.yaml:11:43: variants[0].layers[1].placements: want a non-empty list of boxes`}},
		{"placement with a bad key", layer("      - type: text\n        text: x\n        placements:\n          - {lft: 5%}\n"),
			[]string{`l.yaml:14:14: variants[0].layers[1].placements[0].lft: unknown key "lft" (did you mean "left"?)`}},
		{"placement with a bad length", layer("      - type: text\n        text: x\n        placements:\n          - {left: wide}\n"),
			[]string{`l.yaml:14:20: variants[0].layers[1].placements[0].left: want a length`}},
		{"placements on a photo", strings.Replace(validLayout, "      - type: photo\n", "      - type: photo\n        placements: [{left: 0}]\n", 1),
			[]string{`l.yaml:11:9: variants[0].layers[0].placements: unknown key "placements"`}},
		{"bad image contrast", layer("      - {type: image, src: x.png, contrast: bright}\n"),
			[]string{`l.yaml:11:45: variants[0].layers[1].contrast: want auto or none, found "bright"`}},
		{"plate without contrast", layer("      - {type: image, src: x.png, plate: red}\n"),
			[]string{`l.yaml:11:42: variants[0].layers[1].plate: plate is used only with contrast: auto`}},
		{"bad plate colour", layer("      - {type: image, src: x.png, contrast: auto, plate: redd}\n"),
			[]string{`l.yaml:11:58: variants[0].layers[1].plate: unknown colour "redd"`}},
		{"src_on_light logo", layer("      - {type: image, src: x.png, contrast: auto, src_on_light: logo}\n"),
			[]string{`variants[0].layers[1].src_on_light: want a file next to the layout`}},
		{"src_on_light missing file", layer("      - {type: image, src: x.png, contrast: auto, src_on_light: dark.png}\n"),
			[]string{`variants[0].layers[1].src_on_light: cannot read image "dark.png"`}},
		{"keep-out zone outside the canvas", strings.Replace(validLayout, "variants:\n", "presets: [{id: p, width: 100, height: 100, keep_out: [{left: 200px, width: 10px}]}]\nvariants:\n", 1),
			[]string{`l.yaml:7:55: presets[0].keep_out[0]: the zone is empty or outside the 100x100 canvas`}},
		{"keep-out with a bad key", strings.Replace(validLayout, "variants:\n", "presets: [{id: p, width: 100, height: 100, keep_out: [{size: 10px}]}]\nvariants:\n", 1),
			[]string{`presets[0].keep_out[0].size: unknown key "size"`}},
		{"bad preset purpose", strings.Replace(validLayout, "variants:\n", "presets: [{id: p, width: 100, height: 100, purpose: icon}]\nvariants:\n", 1),
			[]string{`l.yaml:7:53: presets[0].purpose: unknown purpose "icon"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assets := fstest.MapFS{"x.png": &fstest.MapFile{Data: tinyPNG(t)}}
			_, err := layout.Parse("l.yaml", []byte(tc.yaml), assets, fset)
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 4, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

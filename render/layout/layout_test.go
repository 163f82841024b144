package layout_test

import (
	"image"
	"strings"
	"testing"
	"testing/fstest"

	"sharecard/layouts"
	"sharecard/render/internal/rendertest"
	"sharecard/render/layout"
	"sharecard/render/preset"
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

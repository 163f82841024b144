package layout_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sharecard/sharecard/render/layout"
)

// readFont reads a built-in font file, to stand for a brand font.
func readFont(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../fonts/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestParseFontFiles checks the font files a layout names beside it: a
// good file gives the role the file's family and weight and is listed in
// FontFiles; each kind of mistake is an error at the line and column of
// the value, naming the key.
func TestParseFontFiles(t *testing.T) {
	sans := readFont(t, "NotoSans-Bold.ttf")
	arabic := readFont(t, "NotoSansArabic-Bold.ttf")
	assets := fstest.MapFS{
		"brand/Sans-Bold.ttf":   {Data: sans},
		"brand/Arabic-Bold.ttf": {Data: arabic},
		"brand/notafont.ttf":    {Data: []byte("<html>not a font</html>")},
		"brand/logo.woff2":      {Data: sans},
		"outside.ttf":           {Data: sans},
	}
	const tail = "variants: [{layers: [{type: text, field: headline}]}]\n"
	t.Run("valid", func(t *testing.T) {
		src := "name: b\nbrand:\n  fonts:\n    headline: {file: Sans-Bold.ttf}\n  script_fonts:\n    Arab: Arabic-Bold.ttf\n    Jpan: Sans-Bold.ttf\n" + tail
		l, err := layout.Parse("brand/b.yaml", []byte(src), assets, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := l.Brand.Fonts["headline"]
		if got != (layout.FontRef{Family: "Noto Sans", Weight: 700, File: "layouts/brand/Sans-Bold.ttf"}) {
			t.Errorf("headline role = %+v", got)
		}
		if len(l.FontFiles) != 2 || l.FontFiles[0].Name != "layouts/brand/Sans-Bold.ttf" || l.FontFiles[1].Name != "layouts/brand/Arabic-Bold.ttf" {
			t.Fatalf("FontFiles = %v", l.FontFiles)
		}
		if s := strings.Join(l.FontFiles[0].Scripts, ","); s != "Hani,Hira,Kana" {
			t.Errorf("Sans-Bold.ttf scripts = %s, want Hani,Hira,Kana (Jpan)", s)
		}
		if s := strings.Join(l.FontFiles[1].Scripts, ","); s != "Arab" {
			t.Errorf("Arabic-Bold.ttf scripts = %s, want Arab", s)
		}
		if l.Variants[0].Layers[0].Font != got {
			t.Errorf("the text layer's font is %+v, want the headline role", l.Variants[0].Layers[0].Font)
		}
	})
	errs := []struct {
		name, fonts, want string
	}{
		{"missing file", "  fonts:\n    headline: {file: Missing.ttf}\n",
			`brand/b.yaml:4:22: brand.fonts.headline.file: cannot read font file "Missing.ttf" beside the layout: file does not exist`},
		{"outside the folder", "  fonts:\n    headline: {file: ../../outside.ttf}\n",
			`brand/b.yaml:4:22: brand.fonts.headline.file: font file "../../outside.ttf" must be a path inside the layouts folder`},
		{"absolute path", "  fonts:\n    headline: {file: /etc/fonts/x.ttf}\n",
			`brand/b.yaml:4:22: brand.fonts.headline.file: font file "/etc/fonts/x.ttf" must be a path inside the layouts folder`},
		{"not a font", "  fonts:\n    headline: {file: notafont.ttf}\n",
			`brand/b.yaml:4:22: brand.fonts.headline.file: `},
		{"not ttf or otf", "  fonts:\n    headline: {file: logo.woff2}\n",
			`brand/b.yaml:4:22: brand.fonts.headline.file: font file "logo.woff2": want a TrueType (.ttf) or OpenType (.otf) file`},
		{"family of another font", "  fonts:\n    headline: {file: Sans-Bold.ttf, family: Brand Serif}\n",
			`brand/b.yaml:4:45: brand.fonts.headline.family: the font file is of family "Noto Sans", not "Brand Serif"`},
		{"neither family nor file", "  fonts:\n    headline: {weight: 700}\n",
			`brand/b.yaml:4:15: brand.fonts.headline.family: family (a built-in font family) or file (a font file beside the layout) is required`},
		{"unknown script", "  script_fonts:\n    Arabic: Arabic-Bold.ttf\n",
			`brand/b.yaml:4:5: brand.script_fonts.Arabic: unknown script "Arabic"`},
		{"script font missing", "  script_fonts:\n    Arab: Nope.otf\n",
			`brand/b.yaml:4:11: brand.script_fonts.Arab: cannot read font file "Nope.otf" beside the layout: file does not exist`},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			src := "name: b\nbrand:\n" + tc.fonts + tail
			_, err := layout.Parse("brand/b.yaml", []byte(src), assets, nil)
			if err == nil {
				t.Fatalf("parsed; want an error %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain\n%s", err, tc.want)
			}
		})
	}
}

// TestParseTypography checks the typography switches: defaults, both set,
// and a wrong value reported at its line.
func TestParseTypography(t *testing.T) {
	const tail = "variants: [{layers: [{type: photo}]}]\n"
	l, err := layout.Parse("t.yaml", []byte("name: t\n"+tail), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Typography != (layout.Typography{}) {
		t.Errorf("default typography = %+v, want quotes on and missing glyphs refused", l.Typography)
	}
	l, err = layout.Parse("t.yaml", []byte("name: t\ntypography:\n  quotes: false\n  allow_missing_glyphs: true\n"+tail), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (layout.Typography{StraightQuotes: true, AllowMissingGlyphs: true}); l.Typography != want {
		t.Errorf("typography = %+v, want %+v", l.Typography, want)
	}
	_, err = layout.Parse("t.yaml", []byte("name: t\ntypography:\n  quotes: curly\n  allow_missing: true\n"+tail), nil, nil)
	for _, want := range []string{
		`t.yaml:3:11: typography.quotes: want true or false, found the text "curly"`,
		`t.yaml:4:3: typography.allow_missing: unknown key "allow_missing"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error:\n%v\nwant it to contain\n%s", err, want)
		}
	}
}

// TestParseOutput checks the output key: its defaults, both chroma
// spellings, and line-numbered errors for values it does not take.
func TestParseOutput(t *testing.T) {
	const tail = "variants:\n  - layers:\n      - type: photo\n"
	tests := []struct {
		src  string
		want layout.Output
		err  string
	}{
		{"", layout.Output{}, ""},
		{"output:\n  jpeg_chroma: \"4:4:4\"\n", layout.Output{Chroma444: true}, ""},
		{"output:\n  jpeg_chroma: \"420\"\n  progressive: true\n", layout.Output{Progressive: true}, ""},
		{"output:\n  jpeg_chroma: 4:1:1\n", layout.Output{}, `t.yaml:3:16: output.jpeg_chroma: "4:1:1" is not a chroma subsampling: use "4:4:4"`},
		{"output:\n  progressive: sometimes\n", layout.Output{}, `t.yaml:3:16: output.progressive: want true or false, found the text "sometimes"`},
		{"output:\n  quality: 90\n", layout.Output{}, `t.yaml:3:3: output.quality: unknown key "quality"`},
	}
	for _, tt := range tests {
		l, err := layout.Parse("t.yaml", []byte("name: t\n"+tt.src+tail), nil, nil)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: got %v, want %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if l.Output != tt.want {
			t.Errorf("%q: output %+v, want %+v", tt.src, l.Output, tt.want)
		}
	}
}

package text

import (
	"io/fs"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"sharecard/fonts"
)

// testFonts returns the embedded font set, parsed once per test binary.
// (The tests of this package cannot use rendertest.Fonts: rendertest
// imports this package.)
var testFonts = sync.OnceValues(func() (*FontSet, error) { return LoadFonts(fonts.FS) })

// mustFonts returns the embedded font set or stops the test.
func mustFonts(t testing.TB) *FontSet {
	t.Helper()
	s, err := testFonts()
	if err != nil {
		t.Fatalf("LoadFonts(fonts.FS): %v", err)
	}
	return s
}

func TestLoadFontsFamilies(t *testing.T) {
	s := mustFonts(t)
	want := []string{"Noto Sans", "Noto Sans Arabic", "Noto Serif"}
	if got := s.Families(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Families() = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"Noto Sans", true}, {"Noto Sans Arabic", true}, {"Noto Serif", true},
		{"noto sans", false}, {"Helvetica", false}, {"", false},
	} {
		if got := s.HasFamily(tc.name); got != tc.want {
			t.Errorf("HasFamily(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLoadFontsWeights(t *testing.T) {
	s := mustFonts(t)
	tests := []struct {
		family string
		weight int
		file   string
	}{
		{"Noto Sans", 400, "NotoSans-Regular.ttf"},
		{"Noto Sans", 700, "NotoSans-Bold.ttf"},
		{"Noto Sans", 500, "NotoSans-Regular.ttf"},
		{"Noto Sans", 900, "NotoSans-Bold.ttf"},
		{"Noto Serif", 400, "NotoSerif-Bold.ttf"}, // only weight of the family
		{"Noto Sans Arabic", 700, "NotoSansArabic-Bold.ttf"},
	}
	for _, tc := range tests {
		i := s.lookup(tc.family, tc.weight)
		if i < 0 || s.fonts[i].file != tc.file {
			got := "none"
			if i >= 0 {
				got = s.fonts[i].file
			}
			t.Errorf("lookup(%q, %d) = %s, want %s", tc.family, tc.weight, got, tc.file)
		}
	}
}

func TestLoadFontsErrors(t *testing.T) {
	good, err := fs.ReadFile(fonts.FS, "NotoSans-Regular.ttf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fsys fs.FS
		want string
	}{
		{"empty folder", fstest.MapFS{"README.md": {Data: []byte("hi")}}, "no .ttf or .otf font file"},
		{"broken font named", fstest.MapFS{
			"Good.ttf":   {Data: good},
			"broken.TTF": {Data: []byte("not a font at all")},
		}, "broken.TTF"},
		{"truncated font", fstest.MapFS{"half.otf": {Data: good[:len(good)/50]}}, "half.otf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFonts(tc.fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadFonts error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestLoadFontsIgnoresOtherFiles(t *testing.T) {
	s, err := LoadFonts(os.DirFS("../../fonts")) // also holds OFL.txt, README.md, embed.go
	if err != nil {
		t.Fatal(err)
	}
	if len(s.fonts) != 5 {
		t.Errorf("loaded %d fonts from ../../fonts, want 5", len(s.fonts))
	}
}

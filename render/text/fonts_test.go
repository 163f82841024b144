package text

import (
	"io/fs"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/sharecard/sharecard/fonts"
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
	got := s.Families()
	if !sort.StringsAreSorted(got) {
		t.Errorf("Families() = %q, not sorted", got)
	}
	for _, want := range []string{"Noto Sans", "Noto Sans Arabic", "Noto Serif", "Noto Sans Hebrew",
		"Noto Sans Devanagari", "Noto Serif Devanagari", "Noto Nastaliq Urdu", "Noto Sans CJK SC",
		"Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Color Emoji"} {
		if !slices.Contains(got, want) {
			t.Errorf("Families() = %q, want it to hold %q", got, want)
		}
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
		// Its OS/2 weight class says 400; fsSelection says bold.
		{"Noto Nastaliq Urdu", 700, "NotoNastaliqUrdu-Bold.ttf"},
		{"Noto Nastaliq Urdu", 400, "NotoNastaliqUrdu-Regular.ttf"},
		{"Noto Serif Myanmar", 400, "NotoSerifMyanmar-Bold.ttf"}, // only weight, bold by fsSelection
		{"Noto Sans CJK SC", 700, "NotoSansCJK-Bold.ttc#2"},
		{"Noto Sans CJK JP", 400, "NotoSansCJK-Regular.ttc#0"},
	}
	for _, tc := range tests {
		i := s.lookup(tc.family, tc.weight)
		if i < 0 || s.fonts[i].name != tc.file {
			got := "none"
			if i >= 0 {
				got = s.fonts[i].name
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
		{"empty folder", fstest.MapFS{"README.md": {Data: []byte("hi")}}, "no .ttf, .otf or .ttc font file"},
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
	emb := mustFonts(t)
	if len(s.fonts) != len(emb.fonts) {
		t.Errorf("loaded %d fonts from ../../fonts, want %d as from fonts.FS", len(s.fonts), len(emb.fonts))
	}
}

// TestLoadFontsIsLazy checks that LoadFonts parses no font, and that
// shaping text parses only the fonts of the scripts it uses.
func TestLoadFontsIsLazy(t *testing.T) {
	s, err := LoadFonts(fonts.FS)
	if err != nil {
		t.Fatal(err)
	}
	parsed := func() []string {
		var out []string
		for _, fe := range s.fonts {
			if fe.font != nil {
				out = append(out, fe.name)
			}
		}
		return out
	}
	if n := s.parsed.Load(); n != 0 {
		t.Fatalf("LoadFonts parsed %d fonts (%q), want none", n, parsed())
	}
	steps := []struct {
		text, lang string
		want       []string // all fonts parsed after this step
	}{
		{"Storm hits the coast", "en", []string{"NotoSans-Bold.ttf"}},
		{"Storm hits the coast again", "en", []string{"NotoSans-Bold.ttf"}},
		{"भारी बारिश", "hi", []string{"NotoSans-Bold.ttf", "NotoSansDevanagari-Bold.ttf"}},
		{"大雨", "zh-Hans", []string{"NotoSans-Bold.ttf", "NotoSansCJK-Bold.ttc#2", "NotoSansDevanagari-Bold.ttf"}},
	}
	for _, st := range steps {
		if _, err := s.Fit(st.text, Style{Family: "Noto Sans", Weight: 700, MaxSize: 50, Lang: st.lang}, 800, 400); err != nil {
			t.Fatal(err)
		}
		got := parsed()
		sort.Strings(got)
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("after setting %q: parsed fonts %q, want %q", st.text, got, st.want)
		}
		if int(s.parsed.Load()) != len(st.want) {
			t.Errorf("after setting %q: %d parses, want %d (each font parsed once)", st.text, s.parsed.Load(), len(st.want))
		}
	}
}

// TestCheckParsesAll checks that Check parses every font of the set and
// names a file that cannot be parsed.
func TestCheckParsesAll(t *testing.T) {
	s, err := LoadFonts(fonts.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check() = %v", err)
	}
	if n := int(s.parsed.Load()); n != len(s.fonts) {
		t.Errorf("Check parsed %d fonts, want all %d", n, len(s.fonts))
	}
}

// BenchmarkLoadFonts measures indexing the embedded fonts (no parsing).
func BenchmarkLoadFonts(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadFonts(fonts.FS); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLazyParseConcurrent sets text of several scripts from many
// goroutines on a fresh set: each font is parsed once (run with -race).
func TestLazyParseConcurrent(t *testing.T) {
	s, err := LoadFonts(fonts.FS)
	if err != nil {
		t.Fatal(err)
	}
	texts := []struct{ text, lang string }{
		{"Storm hits the coast", "en"}, {"暴雨袭击", "zh-Hans"}, {"大雨の被害", "ja"},
		{"भारी बारिश", "hi"}, {"گرمی کی لہر", "ur"}, {"Fans 🎉🇮🇶", "en"},
	}
	var wg sync.WaitGroup
	for g := 0; g < 12; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tc := texts[g%len(texts)]
			tb, err := s.Fit(tc.text, Style{Family: "Noto Sans", Weight: 700, MaxSize: 40, Lang: tc.lang}, 600, 200)
			if err != nil {
				t.Error(err)
				return
			}
			if len(tb.Missing) > 0 {
				t.Errorf("%q: missing %q", tc.text, string(tb.Missing))
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, fe := range s.fonts {
		if fe.font != nil {
			n++
		}
	}
	if int(s.parsed.Load()) != n {
		t.Errorf("%d parses for %d parsed fonts, want each parsed once", s.parsed.Load(), n)
	}
}

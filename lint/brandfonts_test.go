package lint

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/text"
	"github.com/sharecard/sharecard/samples"
)

func TestBrandFontCoverage(t *testing.T) {
	latin, err := os.ReadFile("../layouts/fonts/NotoSerifDisplay-Bold-Latin.ttf")
	if err != nil {
		t.Fatal(err)
	}
	arabic, err := os.ReadFile("../layouts/fonts/NotoKufiArabic-Bold-Arabic.ttf")
	if err != nil {
		t.Fatal(err)
	}
	// A Latin letter the subset lacks, found rather than assumed.
	lacks, err := text.MissingRunes(latin, "əɓɗƙőŁẞạờṃ")
	if err != nil || len(lacks) == 0 {
		t.Fatalf("the Latin subset has every test letter (%v): pick others", err)
	}
	gap := lacks[0]
	assets := fstest.MapFS{"brand/Display.ttf": {Data: latin}, "brand/Kufi.ttf": {Data: arabic}}
	src := "name: b\nbrand:\n  fonts:\n    headline: {file: Display.ttf}\n  script_fonts:\n    Arab: Kufi.ttf\nvariants: [{layers: [{type: text, field: headline}]}]\n"
	l, err := layout.Parse("brand/b.yaml", []byte(src), assets, nil)
	if err != nil {
		t.Fatal(err)
	}
	sample := func(name, headline string) Sample {
		return Sample{Sample: samples.Sample{Name: name, Article: &article.Article{Headline: headline}}}
	}
	tests := []struct {
		name, headline string
		want           string // a problem containing this, or "" for none
	}{
		{"english", "Storm closes the harbour", ""},
		{"arabic", "العاصفة تغلق الميناء", ""},      // the Arabic script font has it; the Latin face is not asked
		{"chinese", "风暴关闭港口", ""},                   // no face of the layout has Han: the built-in one sets it
		{"emoji", "Storm closes the harbour 🌊", ""}, // emoji come from the emoji face
		{"gap", "Storm closes the harbour " + string(gap), "lacks U+"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := brandFontProblems(l, []Sample{sample(tc.name, tc.headline)})
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("problems %v, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Message, tc.want) || !strings.Contains(got[0].Message, "sample "+tc.name) ||
				!strings.Contains(got[0].Message, "layouts/brand/Display.ttf") || got[0].Rule != RuleGlyphs {
				t.Errorf("problems %v, want one glyphs problem naming the font, U+%04X and the sample", got, gap)
			}
		})
	}
}

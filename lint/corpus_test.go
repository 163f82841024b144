package lint

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/render/text"
)

// TestDefaultSamplesHoldTheCorpus: lint tries the layouts with the
// samples/ folder and every corpus headline, the latter text-only.
func TestDefaultSamplesHoldTheCorpus(t *testing.T) {
	all, err := DefaultSamples()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Sample{}
	for _, s := range all {
		byName[s.Name] = s
	}
	for _, e := range corpus.All() {
		s, ok := byName["corpus:"+e.ID]
		if !ok {
			t.Errorf("no sample for corpus entry %s", e.ID)
			continue
		}
		if !s.TextOnly || s.Photo != nil || s.Article.Lang != e.Lang || s.File != corpus.File+"#"+e.ID {
			t.Errorf("corpus sample %s: text only %v, photo %v, lang %q, file %q", e.ID, s.TextOnly, s.Photo != nil, s.Article.Lang, s.File)
		}
	}
	if s, ok := byName["long-headline"]; !ok || s.TextOnly {
		t.Errorf("the samples/ folder's long-headline is missing or text-only: %+v", s)
	}
}

// TestGlyphsRule: with fonts that lack a script, the corpus headline in
// that script is a glyphs problem naming the sample, its language and the
// characters; the layout gate leaves the corpus out.
func TestGlyphsRule(t *testing.T) {
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	// Latin fonts only: Devanagari and Hangul are missing.
	latin := fstest.MapFS{}
	for _, name := range []string{"NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSerif-Bold.ttf"} {
		data, err := fs.ReadFile(fonts.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		latin[name] = &fstest.MapFile{Data: data}
	}
	fset, err := text.LoadFonts(latin)
	if err != nil {
		t.Fatal(err)
	}
	var samples []Sample
	for _, s := range CorpusSamples() {
		if s.Name == "corpus:hi" || s.Name == "corpus:en" {
			samples = append(samples, s)
		}
	}
	got := Static(lays["standard"], fset, samples...)
	var glyphs []string
	for _, p := range got {
		if p.Rule == RuleGlyphs {
			glyphs = append(glyphs, p.String())
		}
	}
	if len(glyphs) == 0 {
		t.Fatalf("no glyphs problem with Latin fonts and a Hindi headline:\n%s", list(got))
	}
	for _, g := range glyphs {
		for _, want := range []string{"layouts/standard.yaml:", "no font has some characters of layer", "corpus:hi sample (lang hi)", "U+09", "add a font"} {
			if !strings.Contains(g, want) {
				t.Errorf("glyphs problem lacks %q: %s", want, g)
			}
		}
		if strings.Contains(g, "corpus:en") {
			t.Errorf("the English headline has every glyph: %s", g)
		}
	}
	if got := Gate(fset, samples)(lays["standard"]); len(got) != 0 {
		t.Errorf("the gate checks the corpus, which it leaves out for speed:\n%s", strings.Join(got, "\n"))
	}
	// With every built-in font, the corpus has all its glyphs.
	for _, p := range Static(lays["standard"], eng.Fonts, CorpusSamples()...) {
		if p.Rule == RuleGlyphs {
			t.Errorf("built-in fonts: %s", p)
		}
	}
}

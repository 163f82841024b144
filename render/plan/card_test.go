package plan_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

var loadFonts = sync.OnceValues(func() (*text.FontSet, error) { return text.LoadFonts(fonts.FS) })

func builtinFonts(t *testing.T) *text.FontSet {
	t.Helper()
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// ogPreset is a 1200×630 card with no safe-area insets.
var ogPreset = preset.Preset{ID: "og", Width: 1200, Height: 630, Format: preset.FormatPNG, Formats: []preset.Format{preset.FormatPNG}}

// textLayout is a layout with a brand block and one text layer per field.
func textLayout(t *testing.T, file string, assets string, head string, fields ...string) *layout.Layout {
	t.Helper()
	src := "name: t\n" + head + "variants:\n  - layers:\n"
	for i, f := range fields {
		src += "      - {type: text, field: " + f + ", box: {left: 5%, right: 5%, top: " + []string{"5%", "55%"}[i] + ", height: 40%}}\n"
	}
	var l *layout.Layout
	var err error
	if assets != "" {
		l, err = layout.Parse(file, []byte(src), os.DirFS(assets), builtinFonts(t))
	} else {
		l, err = layout.Parse(file, []byte(src), nil, builtinFonts(t))
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func parseArticle(t *testing.T, src string) *article.Article {
	t.Helper()
	a, err := article.Parse("a.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// cardText returns the text set for the layer of field in the plan.
func cardText(t *testing.T, pl *plan.Plan, layer int) *text.Block {
	t.Helper()
	if layer >= len(pl.Layers) || pl.Layers[layer].Text == nil {
		t.Fatalf("plan has no text layer %d: %+v", layer, pl.Layers)
	}
	return pl.Layers[layer].Text
}

func joined(b *text.Block) string {
	var parts []string
	for _, ln := range b.Lines {
		parts = append(parts, ln.Text)
	}
	return strings.Join(parts, " ")
}

// TestCardUsesCardHeadline: a layer bound to the headline shows the
// article's card_headline when it has one, and the headline otherwise.
func TestCardUsesCardHeadline(t *testing.T) {
	l := textLayout(t, "t.yaml", "", "", "headline")
	for _, tc := range []struct{ src, want string }{
		{"headline: Parliament votes to extend the emergency powers for another six months\ncard_headline: Emergency powers extended\n", "Emergency powers extended"},
		{"headline: Parliament votes to extend the emergency powers\n", "Parliament votes to extend the emergency powers"},
	} {
		pl, err := plan.Card(parseArticle(t, tc.src), l, ogPreset, plan.PhotoInfo{}, builtinFonts(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := joined(cardText(t, pl, 0)); got != tc.want {
			t.Errorf("card shows %q, want %q", got, tc.want)
		}
	}
}

// TestCardQuotes: straight quotes in the text become the language's
// quotation marks on the card, unless the layout keeps them straight.
func TestCardQuotes(t *testing.T) {
	cases := []struct {
		head, lang, want string
	}{
		{"", "en", "Mayor: “We won’t close the road”"},
		{"", "de", "Bürgermeister: „Wir schließen nicht“"},
		{"typography: {quotes: false}\n", "en", `Mayor: "We won't close the road"`},
	}
	for _, tc := range cases {
		l := textLayout(t, "t.yaml", "", tc.head, "headline")
		h := `'Mayor: "We won''t close the road"'`
		if tc.lang == "de" {
			h = `'Bürgermeister: "Wir schließen nicht"'`
		}
		a := parseArticle(t, "headline: "+h+"\nlang: "+tc.lang+"\n")
		pl, err := plan.Card(a, l, ogPreset, plan.PhotoInfo{}, builtinFonts(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := joined(cardText(t, pl, 0)); got != tc.want {
			t.Errorf("%s%s: card shows %q, want %q", tc.head, tc.lang, got, tc.want)
		}
	}
}

// TestCardMissingGlyphs: a character no font has is recorded in the plan
// with its article field (card_headline when the card headline holds
// it), once, and warned about with its code point.
func TestCardMissingGlyphs(t *testing.T) {
	const sign = "\U0001D800" // Sutton SignWriting: no built-in font has it
	l := textLayout(t, "t.yaml", "", "", "headline", "caption")
	cases := []struct {
		src  string
		want []plan.MissingGlyphs
	}{
		{"headline: Signs " + sign + " and " + sign + "\n", []plan.MissingGlyphs{{Field: "headline", Runes: []rune{0x1D800}}}},
		{"headline: Fine\ncard_headline: Card " + sign + "\ncaption: Also " + sign + "\n", []plan.MissingGlyphs{
			{Field: "card_headline", Runes: []rune{0x1D800}}, {Field: "caption", Runes: []rune{0x1D800}}}},
		{"headline: Fine\n", nil},
	}
	for _, tc := range cases {
		pl, err := plan.Card(parseArticle(t, tc.src), l, ogPreset, plan.PhotoInfo{}, builtinFonts(t))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(pl.Missing, tc.want, func(a, b plan.MissingGlyphs) bool { return a.Field == b.Field && slices.Equal(a.Runes, b.Runes) }) {
			t.Errorf("%q: Missing = %v, want %v", tc.src, pl.Missing, tc.want)
		}
		for _, m := range tc.want {
			want := m.Field + ": no font has U+1D800 (" + sign + ")"
			if !slices.ContainsFunc(pl.Warnings, func(w string) bool { return strings.HasPrefix(w, want) }) {
				t.Errorf("%q: warnings %q, want one starting %q", tc.src, pl.Warnings, want)
			}
		}
	}
}

// TestCardBrandFonts: a layout's font files, beside it in the layouts
// folder, are used for the text: a role's file for its layers, and a
// script font for the letters of its script. Built-in Noto files copied
// under other names stand for brand fonts.
func TestCardBrandFonts(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "brand"), 0o755); err != nil {
		t.Fatal(err)
	}
	for src, dst := range map[string]string{"NotoSans-Bold.ttf": "brand/BrandSans-Bold.ttf", "NotoSansArabic-Bold.ttf": "brand/BrandArabic.ttf"} {
		data, err := fonts.FS.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, brand, article, want string
	}{
		{"role file", "brand:\n  fonts:\n    headline: {file: BrandSans-Bold.ttf}\n",
			"headline: Storm closes the harbour\nlang: en\n", "layouts/brand/BrandSans-Bold.ttf"},
		{"script font under a serif role", "brand:\n  fonts:\n    headline: {family: Noto Serif, weight: 700}\n  script_fonts:\n    Arab: BrandArabic.ttf\n",
			"headline: العاصفة تغلق الميناء\nlang: ar\n", "layouts/brand/BrandArabic.ttf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := textLayout(t, "brand/b.yaml", dir, tc.brand, "headline")
			if l.Fonts == nil {
				t.Fatal("the layout has no font set of its own")
			}
			pl, err := plan.Card(parseArticle(t, tc.article), l, ogPreset, plan.PhotoInfo{}, builtinFonts(t))
			if err != nil {
				t.Fatal(err)
			}
			b := cardText(t, pl, 0)
			n := 0
			for _, ln := range b.Lines {
				for _, g := range ln.Glyphs {
					if f := b.Fonts[g.Font]; f != tc.want {
						t.Errorf("a glyph of %q is drawn from %s, want %s", ln.Text, f, tc.want)
					}
					n++
				}
			}
			if n == 0 {
				t.Fatal("no glyphs")
			}
		})
	}
	// The built-in font set is not changed by a layout's fonts.
	if fs := builtinFonts(t); slices.ContainsFunc(fs.Families(), func(f string) bool { return strings.Contains(f, "Brand") }) {
		t.Errorf("built-in families changed: %v", fs.Families())
	}
}

// TestCardSerifFallbackNotice: Arabic under a serif role, with no serif
// Arabic face in the set, is set in the sans face, and the plan says so
// in one warning (not again as a general fallback notice).
func TestCardSerifFallbackNotice(t *testing.T) {
	l := textLayout(t, "t.yaml", "", "brand:\n  fonts:\n    headline: {family: Noto Serif, weight: 700}\n", "headline")
	pl, err := plan.Card(parseArticle(t, "headline: العاصفة تغلق الميناء\nlang: ar\n"), l, ogPreset, plan.PhotoInfo{}, builtinFonts(t))
	if err != nil {
		t.Fatal(err)
	}
	want := "headline: no serif face for Arabic; used Noto Sans Arabic"
	if !slices.Equal(pl.Warnings, []string{want}) {
		t.Errorf("warnings %q, want just %q", pl.Warnings, want)
	}
}

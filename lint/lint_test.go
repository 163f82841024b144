package lint

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/internal/enginetest"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

func engine(t testing.TB) *render.Engine { return enginetest.Engine(t) }

// builtinLayouts parses the shipped layouts.
func builtinLayouts(t testing.TB, eng *render.Engine) map[string]*layout.Layout {
	return enginetest.BuiltinLayouts(t, eng)
}

// testLayout parses testdata/name.
func testLayout(t testing.TB, name string) *layout.Layout {
	t.Helper()
	file := "testdata/" + name
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse(file, data, os.DirFS("."), engine(t).Fonts)
	if err != nil {
		t.Fatalf("%s does not parse: %v", file, err)
	}
	return l
}

// sample returns one of the built-in samples.
func sample(t testing.TB, name string) Sample {
	t.Helper()
	all, err := DefaultSamples()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no sample %q", name)
	return Sample{}
}

// want is a problem a test expects: its place, rule and words of its message.
type want struct {
	at    string // "file:line:col"
	rule  string
	words []string
}

// expect checks that got holds exactly the wanted problems, in order.
func expect(t *testing.T, got []Problem, wants ...want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(wants), list(got))
	}
	for i, w := range wants {
		p := got[i]
		if !strings.HasPrefix(p.String(), w.at+": ") || p.Rule != w.rule {
			t.Errorf("problem %d is %s (%s), want it at %s (%s)", i, p, p.Rule, w.at, w.rule)
		}
		for _, word := range w.words {
			if !strings.Contains(p.Message, word) {
				t.Errorf("problem %d lacks %q: %s", i, word, p)
			}
		}
	}
}

func list(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s [%s %v]\n", p, p.Rule, p.Presets)
	}
	return b.String()
}

func TestParseProblems(t *testing.T) {
	data, err := os.ReadFile("testdata/parse-bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, perr := layout.Parse("testdata/parse-bad.yaml", data, os.DirFS("."), engine(t).Fonts)
	if perr == nil {
		t.Fatal("parse-bad.yaml parses")
	}
	wants := []want{
		{"testdata/parse-bad.yaml:5:10", RuleParse, []string{"brand.colors.bad", "colour"}},
		{"testdata/parse-bad.yaml:6:9", RuleParse, []string{"brand.logo", "missing-logo.png"}},
		{"testdata/parse-bad.yaml:11:16", RuleParse, []string{"unknown article field", `"headline"`}},
		{"testdata/parse-bad.yaml:12:9", RuleParse, []string{`unknown key "colour"`, `"color"`}},
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"as parsed", perr},
		{"wrapped as the CLI does", fmt.Errorf("layouts:\n%w", perr)},
		{"joined with a plain error", errors.Join(perr, errors.New(`layouts/x.yaml: layout name "a" is already used by layouts/y.yaml`))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := wants
			if strings.HasPrefix(tc.name, "joined") {
				ws = append([]want{{"layouts/x.yaml", RuleParse, []string{"already used"}}}, ws...)
			}
			expect(t, ParseProblems(tc.err), ws...)
		})
	}
	if got := ParseProblems(nil); got != nil {
		t.Errorf("ParseProblems(nil) = %v, want nil", got)
	}
}

func TestStaticSafeArea(t *testing.T) {
	s := sample(t, "k1-air-base")
	got := Static(testLayout(t, "safe-bad.yaml"), engine(t).Fonts, s)
	expect(t, got,
		want{"testdata/safe-bad.yaml:9:9", RuleSafeArea, []string{"text box of layer `headline` (text) leaves the safe area", "instagram-story", "px past its top edge", "`in: safe`"}},
		want{"testdata/safe-bad.yaml:14:9", RuleSafeArea, []string{"picture of the image layer leaves the safe area", "px past its bottom edge"}},
	)
	for _, p := range got {
		if !contains(p.Presets, "instagram-story") || contains(p.Presets, "og") {
			t.Errorf("%s: presets %v, want instagram-story and not og (no safe-area insets)", p, p.Presets)
		}
	}
	// Stories keep 269 px at the top for the platform's UI: a box starting
	// at 2% of 1920 px (38 px) reaches 231 px into that band.
	if !strings.Contains(got[0].Message, ": 231 px past its top edge;") {
		t.Errorf("want the worst overshoot, 231 px at the top, in %s", got[0])
	}
	expect(t, Static(testLayout(t, "safe-good.yaml"), engine(t).Fonts, s))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestStaticFit(t *testing.T) {
	s := sample(t, "long-headline")
	expect(t, Static(testLayout(t, "fit-bad.yaml"), engine(t).Fonts, s),
		want{"testdata/fit-bad.yaml:4:9", RuleFit, []string{"layer `headline` (text) does not fit its box", "long-headline", "ellipsis", "size.min"}},
	)
	expect(t, Static(testLayout(t, "fit-good.yaml"), engine(t).Fonts, s))
}

// checkOne runs Check on one test layout with one sample at small presets.
func checkOne(t *testing.T, file, sampleName string, presets ...preset.Preset) []Problem {
	t.Helper()
	l := testLayout(t, file)
	got, err := Check(context.Background(), engine(t), map[string]*layout.Layout{l.Name: l},
		Options{Samples: []Sample{sample(t, sampleName)}, Presets: presets})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Small canvases keep the rendering rules fast.
var (
	smallCard  = preset.Preset{ID: "small-card", Width: 600, Height: 315, Format: preset.FormatJPEG}
	smallStory = preset.Preset{ID: "small-story", Width: 360, Height: 640, Format: preset.FormatJPEG, Safe: preset.Insets{Top: 90, Bottom: 128}}
)

func TestCheckContrast(t *testing.T) {
	got := checkOne(t, "contrast-bad.yaml", "long-headline", smallCard, smallStory)
	expect(t, got,
		want{"testdata/contrast-bad.yaml:6:9", RuleContrast, []string{"text of layer `section` (text) is below WCAG AA contrast", "on 2 presets (small-card, small-story)", "1.9:1", "small text", "needs 4.5:1", "`contrast: auto`"}},
		want{"testdata/contrast-bad.yaml:13:9", RuleContrast, []string{"layer `credit` (text)", "3.5:1", "needs 4.5:1"}},
		want{"testdata/contrast-bad.yaml:23:9", RuleContrast, []string{"layer `headline` (text)", "1.1:1", "needs 4.5:1"}},
	)
	// The same grey as large text (31 px) needs only 3:1, and the white
	// headline on the pale panel passes thanks to its automatic scrim.
	expect(t, checkOne(t, "contrast-good.yaml", "long-headline", smallCard, smallStory))
}

func TestCheckFace(t *testing.T) {
	got := checkOne(t, "face-bad.yaml", "long-headline", smallCard)
	expect(t, got,
		want{"testdata/face-bad.yaml:6:9", RuleFace, []string{"the box layer covers a face on small-card (600x315)", "of the face in the long-headline sample's photo"}},
	)
	expect(t, checkOne(t, "face-good.yaml", "long-headline", smallCard))
}

func TestStaticCredit(t *testing.T) {
	s := sample(t, "k1-air-base")
	got := Static(testLayout(t, "credit-bad.yaml"), engine(t).Fonts, s)
	expect(t, got,
		want{"testdata/credit-bad.yaml:8:9", RuleCredit, []string{"variant tall shows the photo without its credit", "facebook-story", "Aitzol Berasategi", "field: credit"}},
		want{"testdata/credit-bad.yaml:18:9", RuleCredit, []string{"layer `credit` (text) of variant wide is left out while the photo is shown", "og", "min_short_side"}},
	)
	expect(t, Static(testLayout(t, "credit-good.yaml"), engine(t).Fonts, s))
	// Without a credit there is nothing to drop.
	a := *s.Article
	a.Credit = ""
	s.Article = &a
	expect(t, Static(testLayout(t, "credit-bad.yaml"), engine(t).Fonts, s))
}

func TestCheckLogoContrast(t *testing.T) {
	got := checkOne(t, "logo-bad.yaml", "long-headline", smallCard, smallStory)
	expect(t, got,
		want{"testdata/logo-bad.yaml:8:9", RuleContrast, []string{"the image layer is below 3:1 contrast", "on 2 presets", "`contrast: auto`"}},
	)
	expect(t, checkOne(t, "logo-good.yaml", "long-headline", smallCard, smallStory))
}

func TestKeepOutHits(t *testing.T) {
	l := testLayout(t, "safe-good.yaml")
	yt, _ := preset.Lookup("youtube-thumb")
	x, _ := preset.Lookup("x-summary-large")
	textAt := func(r image.Rectangle) plan.PlannedLayer {
		return plan.PlannedLayer{Kind: layout.LayerText, Source: "testdata/safe-good.yaml:8:9", Box: r, Declared: r,
			TextX: float64(r.Min.X), TextY: float64(r.Min.Y),
			Text: &text.Block{Size: 20, Height: float64(r.Dy()), Lines: []text.Line{{Text: "x", Width: float64(r.Dx())}}}}
	}
	logoAt := func(r image.Rectangle) plan.PlannedLayer {
		return plan.PlannedLayer{Kind: layout.LayerImage, Source: "testdata/safe-good.yaml:14:9", Box: r, Declared: r, ImageRect: r}
	}
	tests := []struct {
		name  string
		p     preset.Preset
		layer plan.PlannedLayer
		want  string // words of the detail; "" for no hit
	}{
		{"credit over the duration badge", yt, textAt(image.Rect(900, 650, 1250, 700)), "226x50 px of it inside the keep-out zone bottom-right 1024,612-1280,720"},
		{"credit beside the badge", yt, textAt(image.Rect(600, 650, 1000, 700)), ""},
		{"logo over X's domain label", x, logoAt(image.Rect(40, 540, 300, 590)), "bottom-left 0,510-480,600"},
		{"logo at the top", x, logoAt(image.Rect(40, 20, 300, 70)), ""},
		{"no zones", preset.Preset{ID: "og", Width: 1200, Height: 630}, logoAt(image.Rect(0, 580, 300, 630)), ""},
		{"a box layer is not checked", yt, plan.PlannedLayer{Kind: layout.LayerBox, Box: image.Rect(0, 0, 1280, 720)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := &plan.Plan{Preset: tt.p.ID, Width: tt.p.Width, Height: tt.p.Height, Layers: []plan.PlannedLayer{tt.layer}}
			hs := keepOutHits(l, pl, tt.p, &pl.Layers[0])
			if tt.want == "" {
				if len(hs) != 0 {
					t.Errorf("hits %+v, want none", hs)
				}
				return
			}
			if len(hs) != 1 || !strings.Contains(hs[0].detail, tt.want) || hs[0].rule != RuleKeepOut {
				t.Errorf("hits %+v, want one keep-out hit with %q", hs, tt.want)
			}
		})
	}
}

package rendertest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// loadFonts parses the embedded fonts once per test binary.
var loadFonts = sync.OnceValues(func() (*text.FontSet, error) { return text.LoadFonts(fonts.FS) })

// loadFinder reads the embedded face model once per test binary.
var loadFinder = sync.OnceValues(photo.NewFinder)

// loadLayouts parses the built-in layouts once per test binary.
var loadLayouts = sync.OnceValues(func() (map[string]*layout.Layout, error) {
	fset, err := loadFonts()
	if err != nil {
		return nil, err
	}
	return layout.Load(layouts.FS, "layouts", fset)
})

// Fonts returns the font set of the repository's fonts folder, parsed once
// per test binary and shared read-only, or stops the test.
func Fonts(tb testing.TB) *text.FontSet {
	tb.Helper()
	s, err := loadFonts()
	if err != nil {
		tb.Fatalf("text.LoadFonts(fonts.FS): %v", err)
	}
	return s
}

// Finder returns the face and detail finder with the embedded model, made
// once per test binary (it is safe for concurrent use), or stops the test.
func Finder(tb testing.TB) *photo.Finder {
	tb.Helper()
	f, err := loadFinder()
	if err != nil {
		tb.Fatalf("photo.NewFinder: %v", err)
	}
	return f
}

// Layouts returns the built-in layouts by name, parsed once per test
// binary with [Fonts]; do not modify them.
func Layouts(tb testing.TB) map[string]*layout.Layout {
	tb.Helper()
	Fonts(tb)
	lays, err := loadLayouts()
	if err != nil {
		tb.Fatalf("built-in layouts: %v", err)
	}
	return lays
}

// Engine returns a new engine with the shared [Fonts] and [Finder] (the
// caller may set its other fields) and the built-in layouts.
func Engine(tb testing.TB) (*render.Engine, map[string]*layout.Layout) {
	tb.Helper()
	return &render.Engine{Fonts: Fonts(tb), Finder: Finder(tb)}, Layouts(tb)
}

// headlines are articles of the kinds newsrooms send: short, typical, very
// long, Arabic (with a Latin word inside), and one long unbreakable word.
var headlines = map[string]article.Article{
	"short":   {Headline: "Storm closes schools", Section: "Weather", Credit: "Photo: Agency"},
	"seed":    {Headline: "Occupying US forces withdraw from K1 Air Base in northern Iraq, hand it over to Iraqi army", Section: "Iraq", Credit: "Stand-in photo: Aitzol Berasategi, CC BY 4.0"},
	"long":    {Headline: "Astronaut Eileen Collins, the first woman to pilot and later command a Space Shuttle, looks back on decades of spaceflight, the crews she led, the risks they took after Columbia, and what the next generation of explorers will need as NASA prepares to send people back to the Moon and, one day, on to Mars", Section: "Science", Breaking: true},
	"arabic":  {Headline: "القوات الأمريكية تنسحب من قاعدة K1 الجوية شمال العراق وتسلمها للجيش العراقي", Section: "العراق", Lang: "ar"},
	"oneword": {Headline: "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung", Section: "Wirtschaft", Lang: "de"},
}

// HeadlineNames lists the sample headlines, sorted: short, seed (the K1
// story), long, arabic and oneword.
func HeadlineNames() []string { return slices.Sorted(maps.Keys(headlines)) }

// Headline returns a fresh copy of the sample article name (see
// [HeadlineNames]) or stops the test.
func Headline(tb testing.TB, name string) *article.Article {
	tb.Helper()
	a, ok := headlines[name]
	if !ok {
		tb.Fatalf("no sample headline %q (have %v)", name, HeadlineNames())
	}
	return &a
}

// Presets returns the built-in presets of ids, in that order, or stops the
// test.
func Presets(tb testing.TB, ids ...string) []preset.Preset {
	tb.Helper()
	ps, err := preset.Select(strings.Join(ids, ","), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return ps
}

// LayerOf returns the layer of l that planned layer pld of p was planned
// from: the one of p's variant written at pld.Source. It stops the test if
// there is none.
func LayerOf(tb testing.TB, l *layout.Layout, p *plan.Plan, pld *plan.PlannedLayer) *layout.Layer {
	tb.Helper()
	for vi := range l.Variants {
		v := &l.Variants[vi]
		if v.Name != p.Variant {
			continue
		}
		for i := range v.Layers {
			ly := &v.Layers[i]
			if fmt.Sprintf("%s:%d:%d", l.File, ly.Line, ly.Col) == pld.Source {
				return ly
			}
		}
	}
	tb.Fatalf("layout %s, variant %s: no layer at %s", l.Name, p.Variant, pld.Source)
	return nil
}

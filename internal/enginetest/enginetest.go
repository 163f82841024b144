// Package enginetest gives the tests outside render/ (lint, corpuscheck,
// compositioncheck) the engine and the layouts exactly as sharecard ships
// them, parsed once per test binary.
//
// Rule: test fixtures only; nothing in the product imports it.
package enginetest

import (
	"sync"
	"testing"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
)

// The fonts and the face model are parsed once for all tests (the engine
// is read-only).
var engineOnce = sync.OnceValues(func() (*render.Engine, error) { return render.NewEngine(fonts.FS) })

// Engine returns the engine with the built-in fonts and models.
func Engine(t testing.TB) *render.Engine {
	t.Helper()
	eng, err := engineOnce()
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// BuiltinLayouts parses the shipped layouts with eng's fonts.
func BuiltinLayouts(t testing.TB, eng *render.Engine) map[string]*layout.Layout {
	t.Helper()
	lays, err := layout.Load(layouts.FS, "layouts", eng.Fonts)
	if err != nil {
		t.Fatalf("built-in layouts do not parse:\n%v", err)
	}
	return lays
}

package corpuscheck

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/internal/enginetest"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
)

func engine(t testing.TB) *render.Engine { return enginetest.Engine(t) }

// builtinLayouts parses the shipped layouts.
func builtinLayouts(t testing.TB, eng *render.Engine) map[string]*layout.Layout {
	return enginetest.BuiltinLayouts(t, eng)
}

// samplePhoto is the long-headline sample's photo (small, with a face):
// every corpus entry is planned with it, as a real card has a photo.
func samplePhoto(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "samples", "long-headline", "photo.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// entryArticle is the corpus entry as an article.
func entryArticle(t testing.TB, e corpus.Entry) *article.Article {
	t.Helper()
	a, err := e.Article()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// prepared prepares the photo for a job of presets, as the engine does.
func prepared(t testing.TB, eng *render.Engine, data []byte, presets []preset.Preset) *photo.Prepared {
	t.Helper()
	prep, err := eng.Prepare(context.Background(), data, presets)
	if err != nil {
		t.Fatal(err)
	}
	return prep
}

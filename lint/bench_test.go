package lint

import (
	"testing"

	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

// BenchmarkStatic lints the standard layout without pixels, over every
// preset and the three samples: what serve and studio run on each layout
// reload. Compare with BenchmarkPlanCard, one preset of one sample.
func BenchmarkStatic(b *testing.B) {
	eng := engine(b)
	lays := builtinLayouts(b, eng)
	samples, err := DefaultSamples()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if ps := Static(lays["standard"], eng.Fonts, samples...); len(ps) > 0 {
			b.Fatal(ps)
		}
	}
}

func BenchmarkPlanCard(b *testing.B) {
	eng := engine(b)
	lays := builtinLayouts(b, eng)
	s := sample(b, "k1-air-base")
	og, _ := preset.Lookup("og")
	b.ResetTimer()
	for b.Loop() {
		if _, err := plan.Card(s.Article, lays["standard"], og, plan.PhotoInfo{Size: s.Size}, eng.Fonts); err != nil {
			b.Fatal(err)
		}
	}
}

package paint_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

// BenchmarkDrawStandard draws the plans of the standard set (one per
// canvas) of every built-in layout over the 16 MP test photo, one canvas
// after another on one goroutine: the draw stage alone, without the
// decode, plan and encode around it and without other canvases competing
// for the cores. Run:
//
//	go test ./render/paint -run '^$' -bench DrawStandard -benchtime 5x
func BenchmarkDrawStandard(b *testing.B) {
	eng, lays := rendertest.Engine(b)
	data := rendertest.ReadTestdata(b, "photos/dandelions-5312x2988-large.jpg")
	presets := preset.Standard()
	prep, err := eng.Prepare(context.Background(), data, presets)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range lays {
			if !yield(n) {
				return
			}
		}
	}) {
		l := lays[name]
		job := render.Job{Article: rendertest.Headline(b, "seed"), Photo: data, Layout: l, Presets: presets}
		var plans []*plan.Plan
		pixels := 0
		for _, g := range preset.Canvases(presets) {
			pl, err := eng.PlanCard(job, prep, presets[g[0]])
			if err != nil {
				b.Fatalf("layout %s: %v", name, err)
			}
			plans = append(plans, pl)
			pixels += pl.Width * pl.Height
		}
		px := paint.Pixels{Photo: prep.Pyramid, Images: l.Images, Fonts: eng.FontsFor(l)}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, pl := range plans {
					paint.Draw(pl, px)
				}
			}
			b.ReportMetric(float64(pixels)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MP/s")
		})
	}
}

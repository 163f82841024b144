package render_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
)

// benchRender renders the largest test photo (16 MP) at presets and reports
// the stage split per job: decode, resample (the one downscale), detect,
// plan, draw and encode, in ms. Run:
//
//	go test ./render -run '^$' -bench Render -benchtime 5x
func benchRender(b *testing.B, presets []preset.Preset) {
	eng, lays := rendertest.Engine(b)
	data := rendertest.ReadTestdata(b, "photos/dandelions-5312x2988-large.jpg")
	a := rendertest.Headline(b, "seed")
	var sum render.Timings
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := eng.Render(context.Background(), render.Job{Article: a, Photo: data, Layout: lays["standard"], Presets: presets})
		if err != nil {
			b.Fatal(err)
		}
		t := res.Timings
		sum.Decode += t.Decode
		sum.Resample += t.Resample
		sum.Detect += t.Detect
		sum.Plan += t.Plan
		sum.Draw += t.Draw
		sum.Encode += t.Encode
	}
	n := float64(b.N)
	ms := func(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 / n }
	b.ReportMetric(ms(sum.Decode), "decode-ms")
	b.ReportMetric(ms(sum.Resample), "resample-ms")
	b.ReportMetric(ms(sum.Detect), "detect-ms")
	b.ReportMetric(ms(sum.Plan), "plan-ms")
	b.ReportMetric(ms(sum.Draw), "draw-ms")
	b.ReportMetric(ms(sum.Encode), "encode-ms")
}

// BenchmarkRenderDecodeOnly is the baseline the others are read against:
// decoding the 16 MP photo alone.
func BenchmarkRenderDecodeOnly(b *testing.B) {
	data := rendertest.ReadTestdata(b, "photos/dandelions-5312x2988-large.jpg")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := photo.Decode(bytes.NewReader(data), photo.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderOG(b *testing.B)       { benchRender(b, rendertest.Presets(b, "og")) }
func BenchmarkRenderStandard(b *testing.B) { benchRender(b, preset.Standard()) }
func BenchmarkRenderAll(b *testing.B)      { benchRender(b, preset.All()) }

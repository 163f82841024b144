package render_test

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"strings"
	"sync/atomic"
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
	benchRenderPhoto(b, presets, rendertest.ReadTestdata(b, "photos/dandelions-5312x2988-large.jpg"))
}

func benchRenderPhoto(b *testing.B, presets []preset.Preset, data []byte) {
	eng, lays := rendertest.Engine(b)
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

func BenchmarkRenderOG(b *testing.B)   { benchRender(b, rendertest.Presets(b, "og")) }
func BenchmarkRenderSet9(b *testing.B) { benchRender(b, rendertest.Presets(b, set9(b)...)) }

// BenchmarkRenderOGBaseline is BenchmarkRenderOG with a baseline (not
// progressive) 4:2:0 re-encode of the photo at quality 90.
func BenchmarkRenderOGBaseline(b *testing.B) {
	img, err := jpeg.Decode(bytes.NewReader(rendertest.ReadTestdata(b, "photos/dandelions-5312x2988-large.jpg")))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	benchRenderPhoto(b, rendertest.Presets(b, "og"), buf.Bytes())
}

// BenchmarkRenderOGPrepared renders distinct Open Graph cards (each its
// own headline) of one photo the engine's [render.PhotoCache] prepared
// already, as the server does for card URLs of one story: no decode, no
// subject search. It reports cards per second of the whole process.
func BenchmarkRenderOGPrepared(b *testing.B) { benchCardsPerSecond(b, true) }

// BenchmarkRenderOGUncached is BenchmarkRenderOGPrepared without the
// cache, its baseline: every card decodes the photo and searches it.
func BenchmarkRenderOGUncached(b *testing.B) { benchCardsPerSecond(b, false) }

func benchCardsPerSecond(b *testing.B, cached bool) {
	eng, lays := rendertest.Engine(b)
	data := rendertest.ReadTestdata(b, "photos/dandelions-5312x2988-large.jpg")
	presets := rendertest.Presets(b, "og")
	if cached {
		eng.Photos = render.NewPhotoCache(256 << 20)
		if _, err := eng.Prepare(context.Background(), data, presets); err != nil {
			b.Fatal(err)
		}
	}
	a := *rendertest.Headline(b, "seed")
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			art := a
			art.Headline = fmt.Sprintf("%s (%d)", a.Headline, n.Add(1))
			if _, err := eng.Render(context.Background(), render.Job{Article: &art, Photo: data, Layout: lays["standard"], Presets: presets}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
	if d := eng.PhotosDecoded(); cached && d != 1 {
		b.Fatalf("the photo was decoded %d times", d)
	}
}

// set9 is the 9-card set of bench/set9.txt.
func set9(b *testing.B) []string {
	data, err := os.ReadFile("../bench/set9.txt")
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			ids = append(ids, line)
		}
	}
	return ids
}
func BenchmarkRenderStandard(b *testing.B) { benchRender(b, preset.Standard()) }
func BenchmarkRenderAll(b *testing.B)      { benchRender(b, preset.All()) }

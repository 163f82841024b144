package jpegenc

import (
	"bytes"
	"image"
	"image/jpeg"
	"sync"
	"testing"
)

// benchCard returns a photo crop of w×h, decoded once per size.
func benchCard(b *testing.B, w, h int) *image.RGBA {
	cardMu.Lock()
	defer cardMu.Unlock()
	k := image.Pt(w, h)
	if m, ok := cards[k]; ok {
		return m
	}
	m := photoCrop(b, w, h)
	cards[k] = m
	return m
}

var (
	cardMu sync.Mutex
	cards  = map[image.Point]*image.RGBA{}
)

// BenchmarkEncode compares image/jpeg with jpegenc's modes at quality 88
// on photo cards, reporting the output size ("bytes", and "size/stdlib"
// against image/jpeg's output of the same card) and ms per megapixel.
func BenchmarkEncode(b *testing.B) {
	const q = 88
	encoders := []struct {
		name string
		enc  func(buf *bytes.Buffer, m image.Image) error
	}{
		{"image-jpeg", func(buf *bytes.Buffer, m image.Image) error {
			return jpeg.Encode(buf, m, &jpeg.Options{Quality: q})
		}},
		{"jpegenc-baseline", func(buf *bytes.Buffer, m image.Image) error {
			return Encode(buf, m, &Options{Quality: q})
		}},
		{"jpegenc-progressive", func(buf *bytes.Buffer, m image.Image) error {
			return Encode(buf, m, &Options{Quality: q, Progressive: true})
		}},
		{"jpegenc-444", func(buf *bytes.Buffer, m image.Image) error {
			return Encode(buf, m, &Options{Quality: q, Chroma: Chroma444})
		}},
		{"jpegenc-444-progressive", func(buf *bytes.Buffer, m image.Image) error {
			return Encode(buf, m, &Options{Quality: q, Chroma: Chroma444, Progressive: true})
		}},
	}
	for _, sz := range []struct {
		name string
		w, h int
	}{{"1200x630", 1200, 630}, {"1080x1920", 1080, 1920}} {
		b.Run(sz.name, func(b *testing.B) {
			m := benchCard(b, sz.w, sz.h)
			var ref bytes.Buffer
			if err := jpeg.Encode(&ref, m, &jpeg.Options{Quality: q}); err != nil {
				b.Fatal(err)
			}
			mp := float64(sz.w*sz.h) / 1e6
			for _, e := range encoders {
				b.Run(e.name, func(b *testing.B) {
					var buf bytes.Buffer
					for b.Loop() {
						buf.Reset()
						if err := e.enc(&buf, m); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(buf.Len()), "bytes")
					b.ReportMetric(float64(buf.Len())/float64(ref.Len()), "size/stdlib")
					b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/mp, "ms/MP")
				})
			}
		})
	}
}

// BenchmarkRequantise is one more try of a byte-budget search: the DCT is
// kept, only quantisation and coding run again.
func BenchmarkRequantise(b *testing.B) {
	m := benchCard(b, 1200, 630)
	p, err := Prepare(m, Chroma420)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := p.Encode(&buf, 80, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/0.756, "ms/MP")
}

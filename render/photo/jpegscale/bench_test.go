package jpegscale

import (
	"bytes"
	"image/jpeg"
	"path/filepath"
	"sync"
	"testing"
)

var (
	benchOnce     sync.Once
	benchBaseline []byte
)

// dandelionsBaseline re-encodes the 16 MP dandelions photo (progressive)
// as a baseline 4:2:0 JPEG with image/jpeg, once per test binary.
func dandelionsBaseline(b *testing.B) []byte {
	benchOnce.Do(func() {
		src, err := jpeg.Decode(bytes.NewReader(readFile(b, filepath.Join(photosDir, "dandelions-5312x2988-large.jpg"))))
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 90}); err != nil {
			b.Fatal(err)
		}
		benchBaseline = buf.Bytes()
	})
	return benchBaseline
}

// BenchmarkDandelions compares image/jpeg with Decode at each scale on the
// 16 MP photo as committed (progressive) and re-encoded as baseline, in
// the same run:
//
//	go test -run XXX -bench Dandelions ./render/photo/jpegscale/
func BenchmarkDandelions(b *testing.B) {
	b.Run("baseline", func(b *testing.B) { benchDecoders(b, dandelionsBaseline(b)) })
	b.Run("progressive", func(b *testing.B) {
		benchDecoders(b, readFile(b, filepath.Join(photosDir, "dandelions-5312x2988-large.jpg")))
	})
}

func benchDecoders(b *testing.B, data []byte) {
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, s := range []struct {
		name  string
		scale int
	}{{"scale-1", 1}, {"scale-2", 2}, {"scale-4", 4}, {"scale-8", 8}} {
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Decode(bytes.NewReader(data), s.scale, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

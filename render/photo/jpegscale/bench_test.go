package jpegscale

import (
	"bytes"
	"image/jpeg"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	benchOnce     sync.Once
	benchBaseline []byte
	rstOnce       sync.Once
	benchRST      []byte
)

// dandelionsRestarts re-encodes the photo with cjpeg as baseline 4:2:0
// with a restart marker every MCU row, as many cameras write; nil when
// djpeg or cjpeg is missing.
func dandelionsRestarts(b testing.TB) []byte {
	rstOnce.Do(func() {
		djpeg, err1 := exec.LookPath("djpeg")
		cjpeg, err2 := exec.LookPath("cjpeg")
		if err1 != nil || err2 != nil {
			return
		}
		ppm, err := exec.Command(djpeg, "-pnm", filepath.Join(photosDir, "dandelions-5312x2988-large.jpg")).Output()
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(cjpeg, "-quality", "90", "-sample", "2x2", "-restart", "1")
		cmd.Stdin = bytes.NewReader(ppm)
		if benchRST, err = cmd.Output(); err != nil {
			b.Fatal(err)
		}
	})
	return benchRST
}

// dandelionsBaseline re-encodes the 16 MP dandelions photo (progressive)
// as a baseline 4:2:0 JPEG with image/jpeg, once per test binary.
func dandelionsBaseline(b testing.TB) []byte {
	b.Helper()
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
// 16 MP photo as committed (progressive), re-encoded as baseline by
// image/jpeg, and re-encoded as baseline with restart markers by cjpeg
// (skipped without it), in the same run:
//
//	go test -run XXX -bench Dandelions ./render/photo/jpegscale/
func BenchmarkDandelions(b *testing.B) {
	b.Run("baseline", func(b *testing.B) { benchDecoders(b, dandelionsBaseline(b)) })
	b.Run("baseline-rst", func(b *testing.B) {
		data := dandelionsRestarts(b)
		if data == nil {
			b.Skip("djpeg/cjpeg not found (libjpeg-turbo-progs)")
		}
		benchDecoders(b, data)
	})
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

package photo

import (
	"context"
	"os"
	"testing"
)

// TestPrepareBytesCalibrated prepares real photos (baseline, progressive,
// grey, turned by EXIF) at the working scales of a small card, a large
// one and full size, and checks that [Header.PrepareBytes], what the
// memory budget admits a photo by, is what preparing it allocates, within
// 5 % under (runtime and metadata allocations it does not model) and
// half again over (a budget that overcounts turns photos
// away for nothing).
func TestPrepareBytesCalibrated(t *testing.T) {
	photos := []string{
		"../testdata/photos/dandelions-5312x2988-large.jpg", // progressive 4:2:0
		"../testdata/photos/grace-hopper.jpg",
		"../testdata/photos/picos-de-europa-landscape.jpg",
		"../testdata/tricky/grayscale.jpg",
		"../testdata/tricky/exif-orientation-6.jpg",
		"../testdata/tricky/progressive.jpg",
		"../testdata/tricky/cmyk-ycck-adobe.jpg",
		"../testdata/tricky/adobe-rgb-icc.jpg",
	}
	scales := []struct {
		name string
		f    func(w, h int) float64
	}{
		{"1200x630", func(w, h int) float64 { return max(1200/float64(w), 630/float64(h)) }},
		{"half", func(w, h int) float64 { return 0.5 }},
		{"0.6", func(w, h int) float64 { return 0.6 }},
		{"full", nil},
	}
	for _, name := range photos {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range scales {
			opt := PrepareOptions{ScaleFor: sc.f}
			h, err := Inspect(data)
			if err != nil {
				t.Fatal(err)
			}
			want := h.PrepareBytes(opt)
			var perr error
			got := int64(allocated(func() { _, perr = Prepare(context.Background(), data, opt) }))
			if perr != nil {
				t.Fatalf("%s: %v", name, perr)
			}
			t.Logf("%s at %s: allocated %d, counted %d (%.2f)", name, sc.name, got, want, float64(want)/float64(got))
			if float64(got) > 1.05*float64(want) || float64(want) > 1.5*float64(got)+float64(fixedBytes) {
				t.Errorf("%s at %s: Prepare allocated %d bytes, PrepareBytes says %d", name, sc.name, got, want)
			}
		}
	}
}

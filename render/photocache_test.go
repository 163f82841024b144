package render_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
)

// TestPhotoCache_SecondCardSkipsDecode renders two cards of the same
// photo with different headlines: the second is not decoded (the engine's
// decode counter stays put, the cache counts a hit), and both are byte
// for byte what an engine without the cache makes.
func TestPhotoCache_SecondCardSkipsDecode(t *testing.T) {
	t.Parallel()
	plain, lays := rendertest.Engine(t)
	cached := *plain
	cached.Photos = render.NewPhotoCache(256 << 20)
	cached.MemoryBudget = -1
	data := rendertest.ReadTestdata(t, "photos/grace-hopper.jpg")
	for i, headline := range []string{"short", "long"} {
		for _, focus := range []bool{false, true} {
			a := rendertest.Headline(t, headline)
			if focus {
				a.Focus = &article.FocusPoint{X: 0.3, Y: 0.4}
			}
			job := render.Job{Article: a, Photo: data, Layout: lays["standard"], Presets: rendertest.Presets(t, "og", "x-summary-large")}
			before := cached.PhotosDecoded()
			got, err := cached.Render(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			decoded := cached.PhotosDecoded() - before
			if first := i == 0 && !focus; first != (decoded == 1) {
				t.Errorf("%s, focus %v: %d decodes", headline, focus, decoded)
			}
			want, err := plain.Render(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			for k := range want.Outputs {
				if !bytes.Equal(got.Outputs[k].Data, want.Outputs[k].Data) {
					t.Errorf("%s, focus %v: %s differs with the cache", headline, focus, want.Outputs[k].Preset.ID)
				}
			}
		}
	}
	st := cached.Photos.Stats()
	if st.Misses != 1 || st.Hits != 3 || st.Photos != 1 {
		t.Errorf("stats %+v, want 1 miss, 3 hits, 1 photo", st)
	}
}

// TestPhotoCache_Bound prepares 200 distinct photos through a cache that
// holds a few: it never holds more than its bound, drops the least
// recently used, and keeps the one asked for again and again.
func TestPhotoCache_Bound(t *testing.T) {
	t.Parallel()
	eng, _ := rendertest.Engine(t)
	eng.Finder = nil // the bound is about pixels, not faces
	presets := rendertest.Presets(t, "og")
	const maxBytes = 6 << 20 // three photos of 480×320
	eng.Photos = render.NewPhotoCache(maxBytes)
	favourite := distinctPhoto(t, 480, 320, 1000)
	for i := range 200 {
		if _, err := eng.Prepare(context.Background(), distinctPhoto(t, 480, 320, i), presets); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Prepare(context.Background(), favourite, presets); err != nil {
			t.Fatal(err)
		}
		if st := eng.Photos.Stats(); st.Bytes > maxBytes || st.Bytes < 0 {
			t.Fatalf("after %d photos the cache holds %d bytes, over its bound of %d", i+1, st.Bytes, maxBytes)
		}
	}
	st := eng.Photos.Stats()
	if st.Misses != 201 || st.Hits != 199 || st.Evictions < 150 || st.Photos < 2 {
		t.Errorf("stats %+v: want 201 misses, 199 hits (the favourite), most photos evicted", st)
	}
}

// TestPhotoCache_Concurrent asks for one photo from many goroutines at
// once: it is decoded once, and every ask gets the same prepared photo.
func TestPhotoCache_Concurrent(t *testing.T) {
	t.Parallel()
	eng, _ := rendertest.Engine(t)
	eng.Photos = render.NewPhotoCache(64 << 20)
	data := distinctPhoto(t, 1200, 800, 7)
	presets := rendertest.Presets(t, "og")
	var wg sync.WaitGroup
	got := make([]*photo.Prepared, 16)
	for i := range got {
		wg.Go(func() {
			p, err := eng.Prepare(context.Background(), data, presets)
			if err != nil {
				t.Error(err)
			}
			got[i] = p
		})
	}
	wg.Wait()
	for _, p := range got[1:] {
		if p != got[0] {
			t.Fatal("asks got different prepared photos")
		}
	}
	if n := eng.PhotosDecoded(); n != 1 {
		t.Errorf("decoded %d times", n)
	}
}

// TestPhotoCache_Failures checks a photo that fails is not kept (asking
// again fails again, with the same error), and a photo over the whole
// bound is used but not kept.
func TestPhotoCache_Failures(t *testing.T) {
	t.Parallel()
	eng, _ := rendertest.Engine(t)
	eng.Photos = render.NewPhotoCache(64 << 20)
	presets := rendertest.Presets(t, "og")
	broken := rendertest.ReadTestdata(t, "tricky/truncated-half-baseline.jpg")
	for range 2 {
		if _, err := eng.Prepare(context.Background(), broken, presets); !errors.Is(err, photo.ErrCorruptPhoto) {
			t.Fatalf("got %v, want ErrCorruptPhoto", err)
		}
	}
	if st := eng.Photos.Stats(); st.Photos != 0 || st.Bytes != 0 {
		t.Fatalf("a broken photo is kept: %+v", st)
	}

	data := distinctPhoto(t, 1200, 800, 3)
	tiny := *eng
	tiny.Photos = render.NewPhotoCache(1 << 10)
	for range 2 {
		if _, err := tiny.Prepare(context.Background(), data, presets); err != nil {
			t.Fatal(err)
		}
	}
	if st := tiny.Photos.Stats(); st.Photos != 0 || st.Bytes != 0 || st.Misses != 2 {
		t.Fatalf("a photo over the bound: %+v", st)
	}
}

// distinctPhoto is a w×h baseline JPEG unlike any other seed's.
func distinctPhoto(t testing.TB, w, h, seed int) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i*7 + seed*13)
	}
	c := color.YCbCr{Cb: uint8(seed), Cr: uint8(seed >> 8)}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = c.Cb, c.Cr
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 50}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

package render_test

import (
	"context"
	"errors"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/photo/hostilejpeg"
	"github.com/sharecard/sharecard/render/preset"
)

// progressive444 is a flat grey progressive 4:4:4 JPEG of w×h with a
// standard scan script: valid, tiny, and as costly to decode as any.
func progressive444(w, h int) []byte {
	return hostilejpeg.Progressive(hostilejpeg.Spec{Width: w, Height: h, Components: 3, Scans: hostilejpeg.Standard(3)})
}

// TestRender_MemoryBudgetRefusesHeavyPhoto renders a 10000×10000
// progressive JPEG (1.2 MB; 100 MP, within the server's pixel cap), whose
// decoding for every preset keeps half a gigabyte of coefficients, under
// a budget of 512 MiB: the engine refuses it from its header, at once and
// allocating next to nothing, with a message that says what it would
// need and what to send instead.
func TestRender_MemoryBudgetRefusesHeavyPhoto(t *testing.T) {
	if lim := debug.SetMemoryLimit(-1); lim < 2<<30 {
		t.Skipf("GOMEMLIMIT=%d sets the default budget", lim)
	}
	eng, lays := rendertest.Engine(t)
	eng.Limits = photo.Limits{MaxPixels: 100_000_000}
	eng.MemoryBudget = 512 << 20
	data := progressive444(10000, 10000)
	job := render.Job{Article: rendertest.Headline(t, "short"), Photo: data, Layout: lays["standard"], Presets: preset.All()}
	var err error
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = eng.Render(context.Background(), job)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, photo.ErrPhotoTooLarge) {
		t.Fatalf("got %v, want ErrPhotoTooLarge", err)
	}
	for _, want := range []string{"this 10000×10000 progressive JPEG needs ", " MB of memory to decode, over the memory budget of 537 MB", "downscale it to at most", "megapixels, or send it as a baseline (non-progressive) JPEG"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("refusing the photo allocated %d bytes", n)
	}
}

// TestRender_MemoryBudgetAdmitsNewsroomPhotos checks that the default
// budget admits a 24-megapixel progressive 4:4:4 JPEG (the costliest
// kind of a newsroom photo) with every standard preset, and renders one.
func TestRender_MemoryBudgetAdmitsNewsroomPhotos(t *testing.T) {
	t.Parallel()
	if lim := debug.SetMemoryLimit(-1); lim < 2<<30 {
		t.Skipf("GOMEMLIMIT=%d sets the default budget", lim)
	}
	eng, lays := rendertest.Engine(t)
	data := progressive444(6000, 4000)
	h, err := photo.Inspect(data)
	if err != nil {
		t.Fatal(err)
	}
	need := h.PrepareBytes(photo.PrepareOptions{ScaleFor: render.WorkingScale(preset.All()), Finder: eng.Finder})
	if budget := render.DefaultMemoryBudget(); need > budget {
		t.Fatalf("a 24 MP progressive 4:4:4 JPEG needs %d bytes, over the default budget of %d", need, budget)
	}
	if testing.Short() {
		return
	}
	res, err := eng.Render(context.Background(), render.Job{Article: rendertest.Headline(t, "short"), Photo: data, Layout: lays["standard"], Presets: rendertest.Presets(t, "og")})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Photo; m.Width != 6000 || m.Height != 4000 {
		t.Fatalf("photo %dx%d", m.Width, m.Height)
	}
}

// TestRender_MemoryBudgetMessage checks the refusal under a small budget
// names the photo, the need, the budget and the largest size that fits.
func TestRender_MemoryBudgetMessage(t *testing.T) {
	t.Parallel()
	eng, lays := rendertest.Engine(t)
	eng.MemoryBudget = 16 << 20
	job := render.Job{Article: rendertest.Headline(t, "short"), Photo: rendertest.ReadTestdata(t, "photos/dandelions-5312x2988-large.jpg"), Layout: lays["standard"], Presets: rendertest.Presets(t, "og")}
	_, err := eng.Render(context.Background(), job)
	want := "photo too large: this 5312×2988 progressive JPEG needs 39 MB of memory to decode, over the memory budget of 17 MB; downscale it to at most 6.4 megapixels, or send it as a baseline"
	if !errors.Is(err, photo.ErrPhotoTooLarge) || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %q...", err, want)
	}
	eng.MemoryBudget = -1 // none
	if _, err := eng.Render(context.Background(), job); err != nil {
		t.Fatalf("without a budget: %v", err)
	}
}

// TestRender_DecodeCancelled checks a render whose context is done
// returns the context's error, not a photo error.
func TestRender_DecodeCancelled(t *testing.T) {
	t.Parallel()
	eng, lays := rendertest.Engine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := eng.Render(ctx, render.Job{Article: rendertest.Headline(t, "short"), Photo: rendertest.ReadTestdata(t, "tricky/progressive.jpg"), Layout: lays["standard"], Presets: rendertest.Presets(t, "og")})
	if !errors.Is(err, context.Canceled) || errors.Is(err, photo.ErrCorruptPhoto) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

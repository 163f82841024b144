package photo_test

import (
	"image"
	"reflect"
	"sync"
	"testing"

	"sharecard/render/internal/rendertest"
	"sharecard/render/photo"
)

// TestFindIsDeterministic also runs Find from two goroutines at once on one
// finder (run it with -race).
func TestFindIsDeterministic(t *testing.T) {
	f := rendertest.Finder(t)
	img := rendertest.LoadPhoto(t, "two-presenters-150px.jpg")
	var results [2][]photo.Subject
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = f.Find(img) })
	}
	wg.Wait()
	if len(results[0]) == 0 || !reflect.DeepEqual(results[0], results[1]) {
		t.Errorf("Find gave %v then %v, want the same non-empty result", results[0], results[1])
	}
}

func TestFindNoFaceInPhotosWithoutPeople(t *testing.T) {
	f := rendertest.Finder(t)
	// The cat's face scores up to 7 in some scan settings, under the
	// threshold of 10; a cat detected as a face would be acceptable, but it
	// is not one here.
	for _, name := range []string{"chelsea-cat.jpg", "coffee.jpg", "picos-de-europa-landscape.jpg", "paintbrushes-busy.jpg"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			img := rendertest.LoadPhoto(t, name)
			got := f.Find(img)
			if len(got) != 1 || got[0].Kind != photo.SubjectDetail {
				t.Fatalf("Find = %v, want one detail region and no face", got)
			}
			if r := got[0].Rect; r.Empty() || !r.In(img.Rect) {
				t.Errorf("detail %v is empty or outside the photo %v", r, img.Rect)
			}
		})
	}
}

func TestFindCoffeeDetailIsTheCup(t *testing.T) {
	f := rendertest.Finder(t)
	img := rendertest.LoadPhoto(t, "coffee.jpg")
	got := f.Find(img)
	// The cup and saucer fill roughly x 150..460, y 20..350 of the 600x400
	// photo; the detail region must sit on it, not on the table edges.
	cup := image.Rect(150, 20, 460, 350)
	area := func(r image.Rectangle) int { return r.Dx() * r.Dy() }
	if len(got) != 1 || !got[0].Rect.In(cup) || area(got[0].Rect)*3 < area(cup) {
		t.Fatalf("Find = %v, want one detail region inside and covering a third of the cup %v", got, cup)
	}
}

func TestFindDegenerateImages(t *testing.T) {
	f := rendertest.Finder(t)
	tests := []struct {
		name string
		img  *image.NRGBA
	}{
		{"nil", nil},
		{"empty", image.NewNRGBA(image.Rect(0, 0, 0, 0))},
		{"one pixel", image.NewNRGBA(image.Rect(0, 0, 1, 1))},
		{"flat grey", flat(64, 48)},
		{"offset origin", image.NewNRGBA(image.Rect(10, 10, 12, 300))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.Find(tt.img); len(got) != 0 {
				t.Errorf("Find = %v, want no subject", got)
			}
		})
	}
}

func flat(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	return img
}

func BenchmarkFindSubjects(b *testing.B) {
	img := rendertest.LoadPhoto(b, "dandelions-5312x2988-large.jpg")
	f := rendertest.Finder(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.Find(img)
	}
}

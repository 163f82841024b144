package photo

import (
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// loadSaliencyPhoto decodes a photo of the repository's test data (path
// relative to this package) into an NRGBA image at the origin.
func loadSaliencyPhoto(tb testing.TB, path string) *image.NRGBA {
	tb.Helper()
	fh, err := os.Open(filepath.FromSlash(path))
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	src, _, err := image.Decode(fh)
	if err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	out := image.NewNRGBA(image.Rect(0, 0, src.Bounds().Dx(), src.Bounds().Dy()))
	draw.Draw(out, out.Rect, src, src.Bounds().Min, draw.Src)
	return out
}

// objectOf runs the object search the way Finder.Find does.
func objectOf(img *image.NRGBA) (Subject, bool) {
	return findObject(shrinkRGB(img, 2*detectSide), img.Rect.Dx(), img.Rect.Dy())
}

// overlapIoU is the intersection over union of two rectangles.
func overlapIoU(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	i := float64(in.Dx() * in.Dy())
	u := float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - i
	if u <= 0 {
		return 0
	}
	return i / u
}

// texture paints img with a deterministic random mosaic of cell×cell
// squares of random colours.
func texture(img *image.NRGBA, seed uint64, cell int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := img.Rect
	for y := b.Min.Y; y < b.Max.Y; y += cell {
		for x := b.Min.X; x < b.Max.X; x += cell {
			c := color.NRGBA{uint8(60 + rng.IntN(140)), uint8(60 + rng.IntN(140)), uint8(60 + rng.IntN(140)), 255}
			draw.Draw(img, image.Rect(x, y, x+cell, y+cell).Intersect(b), image.NewUniform(c), image.Point{}, draw.Src)
		}
	}
}

// blurNRGBA box-blurs img in place with radius r, three passes (close to
// a Gaussian): an out-of-focus background.
func blurNRGBA(img *image.NRGBA, r int) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	ch := make([]float64, w*h)
	for c := 0; c < 3; c++ {
		for i := range ch {
			ch[i] = float64(img.Pix[(i/w)*img.Stride+(i%w)*4+c])
		}
		for range 3 {
			ch = boxBlur(ch, w, h, r)
		}
		for i, v := range ch {
			img.Pix[(i/w)*img.Stride+(i%w)*4+c] = uint8(math.Round(v))
		}
	}
}

// blobOnBlur returns a w×h image: a blurred random mosaic, and on it a
// sharp object filling blob: a fine checkerboard of a saturated colour
// and white, inside an ellipse.
func blobOnBlur(w, h int, blob image.Rectangle, seed uint64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	// The mosaic's cells and the blur scale with the frame, so that the
	// background looks the same at the search's resolution.
	k := max(1, max(w, h)/480)
	texture(img, seed, 24*k)
	blurNRGBA(img, 10*k)
	cx, cy := float64(blob.Min.X+blob.Max.X)/2, float64(blob.Min.Y+blob.Max.Y)/2
	rx, ry := float64(blob.Dx())/2, float64(blob.Dy())/2
	for y := blob.Min.Y; y < blob.Max.Y; y++ {
		for x := blob.Min.X; x < blob.Max.X; x++ {
			dx, dy := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			if dx*dx+dy*dy > 1 {
				continue
			}
			c := color.NRGBA{200, 30, 40, 255}
			if (x/3+y/3)%2 == 0 {
				c = color.NRGBA{250, 240, 230, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// TestFindObjectSynthetic: a sharp compact object on a blurred textured
// background is found, confidently and tightly, wherever it sits; a frame
// of sharp texture, or a flat one, gives no confident object.
func TestFindObjectSynthetic(t *testing.T) {
	tests := []struct {
		name string
		img  *image.NRGBA
		blob image.Rectangle // the object; empty: none may be confident
	}{
		{name: "centre", img: blobOnBlur(480, 320, image.Rect(200, 120, 290, 200), 1), blob: image.Rect(200, 120, 290, 200)},
		{name: "upper left", img: blobOnBlur(480, 320, image.Rect(70, 50, 150, 130), 2), blob: image.Rect(70, 50, 150, 130)},
		{name: "lower right, small", img: blobOnBlur(480, 320, image.Rect(320, 190, 370, 240), 3), blob: image.Rect(320, 190, 370, 240)},
		{name: "tall frame, big", img: blobOnBlur(600, 900, image.Rect(150, 250, 420, 560), 4), blob: image.Rect(150, 250, 420, 560)},
		{name: "large photo", img: blobOnBlur(2400, 1600, image.Rect(1300, 500, 1700, 900), 5), blob: image.Rect(1300, 500, 1700, 900)},
		{name: "sharp texture everywhere", img: func() *image.NRGBA {
			img := image.NewNRGBA(image.Rect(0, 0, 480, 320))
			texture(img, 6, 6)
			return img
		}()},
		{name: "coarse sharp mosaic", img: func() *image.NRGBA {
			img := image.NewNRGBA(image.Rect(0, 0, 640, 480))
			texture(img, 7, 40)
			return img
		}()},
		{name: "flat grey", img: func() *image.NRGBA {
			img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
			draw.Draw(img, img.Rect, image.NewUniform(color.NRGBA{128, 128, 128, 255}), image.Point{}, draw.Src)
			return img
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ok := objectOf(tt.img)
			t.Logf("object %v ok=%v confident=%v score=%.2f", s.Rect, ok, s.Confident, s.Score)
			if ok && (s.Rect.Empty() || !s.Rect.In(tt.img.Rect) || s.Kind != SubjectObject) {
				t.Fatalf("object %v (%s) is empty, outside %v or not an object", s.Rect, s.Kind, tt.img.Rect)
			}
			if tt.blob.Empty() {
				if ok && s.Confident {
					t.Errorf("confident object %v in an image without one", s.Rect)
				}
				return
			}
			if !ok || !s.Confident {
				t.Fatalf("no confident object (ok=%v), want one around %v", ok, tt.blob)
			}
			if got := overlapIoU(s.Rect, tt.blob); got < 0.6 {
				t.Errorf("object %v, IoU %.2f with the blob %v, want at least 0.6", s.Rect, got, tt.blob)
			}
		})
	}
}

// TestFindObjectPhotos checks the object found in real photos: where it
// is (points read off the photos by eye), how tight (IoU with a box drawn
// by hand, and an area bound) and whether it is confident.
func TestFindObjectPhotos(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		conf    bool            // must be confident (else: must not be)
		box     image.Rectangle // hand-drawn object box; IoU checked when set
		minIoU  float64         // with box
		points  []image.Point   // must be inside the object
		outside []image.Point   // must not be inside it
		maxArea int             // percent of the photo
		mirror  bool            // run on the mirrored photo as well
	}{
		// The rocket on its pad at night, not the pad's lights at the bottom.
		{name: "rocket", path: "testdata/detect/rocket.jpg", conf: true, box: image.Rect(300, 122, 336, 422), minIoU: 0.3,
			points: []image.Point{{318, 250}, {318, 380}}, outside: []image.Point{{100, 400}, {560, 400}}, maxArea: 12, mirror: true},
		// The cup on its saucer, not the wooden table.
		{name: "coffee", path: "../testdata/photos/coffee.jpg", conf: true, box: image.Rect(175, 20, 415, 220), minIoU: 0.4,
			points: []image.Point{{300, 110}}, outside: []image.Point{{40, 40}, {560, 360}}, maxArea: 35, mirror: true},
		// Two dogs' heads at a window, one below the other.
		{name: "dogs", path: "../testdata/photos/dogs-at-window-tall.jpg", conf: true,
			points: []image.Point{{817, 1021}, {1142, 1742}}, maxArea: 20},
		// The cat's face, filling much of the frame.
		{name: "cat", path: "../testdata/photos/chelsea-cat.jpg", conf: true, box: image.Rect(115, 80, 360, 300), minIoU: 0.3,
			points: []image.Point{{215, 180}}, maxArea: 35, mirror: true},
		// A mountain landscape: the snowy ridge is scenery, not an object.
		{name: "landscape", path: "../testdata/photos/picos-de-europa-landscape.jpg", mirror: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img := loadSaliencyPhoto(t, tt.path)
			variants := []bool{false}
			if tt.mirror {
				variants = append(variants, true)
			}
			for _, mir := range variants {
				im, box, points, outside := img, tt.box, tt.points, tt.outside
				if mir {
					im, box = mirrorNRGBA(img), mirrorRect(tt.box, img.Rect.Dx())
					points, outside = mirrorPoints(tt.points, img.Rect.Dx()), mirrorPoints(tt.outside, img.Rect.Dx())
				}
				s, ok := objectOf(im)
				t.Logf("mirrored=%v: object %v ok=%v confident=%v score=%.2f", mir, s.Rect, ok, s.Confident, s.Score)
				if !tt.conf {
					if ok && s.Confident {
						t.Errorf("mirrored=%v: confident object %v, want none", mir, s.Rect)
					}
					continue
				}
				if !ok || !s.Confident {
					t.Errorf("mirrored=%v: no confident object", mir)
					continue
				}
				if !box.Empty() && overlapIoU(s.Rect, box) < tt.minIoU {
					t.Errorf("mirrored=%v: object %v has IoU %.2f with %v, want at least %.2f", mir, s.Rect, overlapIoU(s.Rect, box), box, tt.minIoU)
				}
				for _, p := range points {
					if !p.In(s.Rect) {
						t.Errorf("mirrored=%v: object %v does not contain %v", mir, s.Rect, p)
					}
				}
				for _, p := range outside {
					if p.In(s.Rect) {
						t.Errorf("mirrored=%v: object %v contains %v", mir, s.Rect, p)
					}
				}
				if a := s.Rect.Dx() * s.Rect.Dy() * 100; tt.maxArea > 0 && a > tt.maxArea*im.Rect.Dx()*im.Rect.Dy() {
					t.Errorf("mirrored=%v: object %v covers more than %d%% of the photo", mir, s.Rect, tt.maxArea)
				}
			}
		})
	}
}

func mirrorNRGBA(img *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	w := img.Rect.Dx()
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < w; x++ {
			copy(out.Pix[y*out.Stride+x*4:y*out.Stride+x*4+4], img.Pix[y*img.Stride+(w-1-x)*4:])
		}
	}
	return out
}

func mirrorRect(r image.Rectangle, w int) image.Rectangle {
	if r.Empty() {
		return r
	}
	return image.Rect(w-r.Max.X, r.Min.Y, w-r.Min.X, r.Max.Y)
}

func mirrorPoints(ps []image.Point, w int) []image.Point {
	out := make([]image.Point, len(ps))
	for i, p := range ps {
		out[i] = image.Pt(w-1-p.X, p.Y)
	}
	return out
}

// TestFindObjectDegenerate: tiny, thin and flat images give no object and
// no panic, through findObject and through Finder.Find.
func TestFindObjectDegenerate(t *testing.T) {
	f, err := NewFinder()
	if err != nil {
		t.Fatal(err)
	}
	sizes := []image.Point{{1, 1}, {2, 500}, {500, 2}, {3, 3}, {16, 16}, {17, 400}, {4000, 3}}
	for _, sz := range sizes {
		for _, flat := range []bool{true, false} {
			img := image.NewNRGBA(image.Rect(0, 0, sz.X, sz.Y))
			if flat {
				draw.Draw(img, img.Rect, image.NewUniform(color.NRGBA{90, 120, 200, 255}), image.Point{}, draw.Src)
			} else {
				texture(img, uint64(sz.X*7+sz.Y), 1)
			}
			s, ok := objectOf(img)
			if flat && ok {
				t.Errorf("%v flat: object %v, want none", sz, s.Rect)
			}
			if ok && (s.Rect.Empty() || !s.Rect.In(img.Rect)) {
				t.Errorf("%v: object %v empty or outside the image", sz, s.Rect)
			}
			for _, sub := range f.Find(img) {
				if sub.Rect.Empty() || !sub.Rect.In(img.Rect) {
					t.Errorf("%v: subject %v empty or outside the image", sz, sub)
				}
			}
		}
	}
}

// FuzzFindObject runs the object search on small images of any size and
// pixels: it must never panic, and what it returns lies in the image.
func FuzzFindObject(f *testing.F) {
	f.Add(uint16(1), uint16(1), []byte{0})
	f.Add(uint16(2), uint16(500), []byte{255, 0, 128})
	f.Add(uint16(64), uint16(48), []byte{10, 200, 30, 40, 50})
	f.Add(uint16(300), uint16(17), []byte{})
	f.Fuzz(func(t *testing.T, w, h uint16, pix []byte) {
		W, H := int(w%700)+1, int(h%700)+1
		img := image.NewNRGBA(image.Rect(0, 0, W, H))
		if len(pix) > 0 {
			for i := range img.Pix {
				img.Pix[i] = pix[i%len(pix)] ^ uint8(i/len(pix))
			}
		}
		s, ok := objectOf(img)
		if ok && (s.Rect.Empty() || !s.Rect.In(img.Rect) || math.IsNaN(s.Score)) {
			t.Fatalf("%d×%d: object %v score %v", W, H, s.Rect, s.Score)
		}
	})
}

// BenchmarkFindObject times the object search alone on the small copy
// Finder.Find makes (the copy itself is shared with the cascades).
func BenchmarkFindObject(b *testing.B) {
	img := loadSaliencyPhoto(b, "../testdata/photos/dogs-at-window-tall.jpg")
	small := shrinkRGB(img, 2*detectSide)
	W, H := img.Rect.Dx(), img.Rect.Dy()
	b.ReportAllocs()
	for b.Loop() {
		findObject(small, W, H)
	}
}

// TestSelectKth checks the quickselect behind percentile against a sort.
func TestSelectKth(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for n := 1; n < 60; n++ {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.IntN(7)) // many ties
		}
		sorted := append([]float64(nil), v...)
		slices.Sort(sorted)
		for k := 0; k < n; k++ {
			if got := selectKth(append([]float64(nil), v...), k); got != sorted[k] {
				t.Fatalf("n=%d k=%d: got %v, want %v (%v)", n, k, got, sorted[k], v)
			}
		}
	}
}

package photo_test

import (
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
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

// loadDetectPhoto loads a photo of render/photo/testdata/detect (see
// LICENSES.md there).
func loadDetectPhoto(tb testing.TB, name string) *image.NRGBA {
	tb.Helper()
	fh, err := os.Open(filepath.Join("testdata", "detect", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	src, _, err := image.Decode(fh)
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	out := image.NewNRGBA(image.Rect(0, 0, src.Bounds().Dx(), src.Bounds().Dy()))
	draw.Draw(out, out.Rect, src, src.Bounds().Min, draw.Src)
	return out
}

// mirror returns img flipped left to right.
func mirror(img *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	w := img.Rect.Dx()
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < w; x++ {
			copy(out.Pix[y*out.Stride+x*4:y*out.Stride+x*4+4], img.Pix[y*img.Stride+(w-1-x)*4:])
		}
	}
	return out
}

// TestFindSubjects checks the first (most important) subject of each test
// photo: its kind, whether it is confident, and points it must contain
// (read off the photos by eye: eyes, a cup, a dog's head…).
func TestFindSubjects(t *testing.T) {
	tests := []struct {
		name   string
		load   func(testing.TB) *image.NRGBA
		kinds  []string // allowed kinds of the first subject; none: no subject
		conf   bool     // the first subject must be confident
		noConf bool     // no subject may be confident
		points []image.Point
		// maxArea bounds the first subject's area, in percent of the photo.
		maxArea int
	}{
		{name: "astronaut", load: repo("astronaut-eileen-collins.jpg"), kinds: []string{photo.SubjectFace}, conf: true,
			points: []image.Point{{200, 105}, {245, 105}, {222, 165}}, maxArea: 8},
		{name: "grace-hopper", load: repo("grace-hopper.jpg"), kinds: []string{photo.SubjectFace}, conf: true,
			points: []image.Point{{230, 210}, {300, 210}, {265, 320}}, maxArea: 25},
		{name: "two-presenters", load: repo("two-presenters-150px.jpg"), kinds: []string{photo.SubjectFace}, conf: true,
			points: []image.Point{{124, 25}}, maxArea: 10},
		// The man on the left, turned away, is found as a head next to the
		// confident face (TestFindCompanionHead).
		{name: "chelsea-cat", load: repo("chelsea-cat.jpg"), kinds: []string{photo.SubjectAnimal, photo.SubjectObject},
			points: []image.Point{{215, 180}}, maxArea: 40},
		{name: "dogs-at-window", load: repo("dogs-at-window-tall.jpg"), kinds: []string{photo.SubjectObject, photo.SubjectAnimal},
			points: []image.Point{{817, 1021}, {1142, 1742}}, maxArea: 25},
		{name: "coffee", load: repo("coffee.jpg"), kinds: []string{photo.SubjectObject}, conf: true,
			points: []image.Point{{300, 110}}, maxArea: 45},
		{name: "paintbrushes", load: repo("paintbrushes-busy.jpg"), kinds: []string{photo.SubjectObject, photo.SubjectDetail}, maxArea: 40},
		{name: "landscape", load: repo("picos-de-europa-landscape.jpg"), kinds: []string{photo.SubjectObject, photo.SubjectDetail}, noConf: true},
		// The cameraman in profile, his eye at the viewfinder: a confident
		// profile, his head whole (back of the head to chin).
		{name: "cameraman", load: local("cameraman.png", false), kinds: []string{photo.SubjectProfile}, conf: true,
			points: []image.Point{{160, 98}, {230, 195}}, maxArea: 12},
		{name: "cameraman-mirrored", load: local("cameraman.png", true), kinds: []string{photo.SubjectProfile}, conf: true,
			points: []image.Point{{512 - 160, 98}, {512 - 230, 195}}, maxArea: 12},
		// The rocket on its pad at night, not the pad's lights.
		{name: "rocket", load: local("rocket.jpg", false), kinds: []string{photo.SubjectObject}, conf: true,
			points: []image.Point{{321, 250}, {321, 380}}, maxArea: 20},
	}
	f := rendertest.Finder(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img := tt.load(t)
			got := f.Find(img)
			t.Logf("subjects: %s", describe(got))
			if len(got) == 0 {
				t.Fatalf("no subject, want %v", tt.kinds)
			}
			first := got[0]
			if !contains(tt.kinds, first.Kind) {
				t.Errorf("first subject is a %s, want one of %v", first.Kind, tt.kinds)
			}
			if tt.conf && !first.Confident {
				t.Errorf("first subject %v is not confident", first)
			}
			for _, s := range got {
				if tt.noConf && s.Confident {
					t.Errorf("subject %v is confident, want none", s)
				}
				if !s.Rect.In(img.Rect) || s.Rect.Empty() {
					t.Errorf("subject %v is empty or outside the photo %v", s.Rect, img.Rect)
				}
				if s.Kind == photo.SubjectDetail && s.Confident {
					t.Errorf("detail %v is confident", s)
				}
				if core := photo.FaceCore(s); !core.In(s.Rect) || core.Empty() {
					t.Errorf("core %v of %v is empty or outside it", core, s)
				}
			}
			for _, p := range tt.points {
				if !p.In(first.Rect) {
					t.Errorf("first subject %v does not contain %v", first.Rect, p)
				}
			}
			if a := first.Rect.Dx() * first.Rect.Dy() * 100; tt.maxArea > 0 && a > tt.maxArea*img.Rect.Dx()*img.Rect.Dy() {
				t.Errorf("first subject %v covers more than %d%% of the photo", first.Rect, tt.maxArea)
			}
		})
	}
}

// TestFindTiltedFace turns the astronaut's portrait by 25° each way: her
// face, tilted, must still be found where it went.
func TestFindTiltedFace(t *testing.T) {
	f := rendertest.Finder(t)
	img := rendertest.LoadPhoto(t, "astronaut-eileen-collins.jpg")
	for _, deg := range []float64{25, -25} {
		turned, at := turn(img, deg, image.Pt(224, 120))
		got := f.Find(turned)
		if len(got) == 0 || got[0].Kind != photo.SubjectFace || !at.In(got[0].Rect) {
			t.Errorf("turned %v°: found %s, want first a face around %v", deg, describe(got), at)
		}
	}
}

// turn rotates img by deg degrees clockwise about its centre (nearest
// pixel, black outside) and maps point p the same way.
func turn(img *image.NRGBA, deg float64, p image.Point) (*image.NRGBA, image.Point) {
	out := image.NewNRGBA(img.Rect)
	s, c := math.Sincos(deg * math.Pi / 180)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			sx, sy := int(math.Round(cx+dx*c+dy*s)), int(math.Round(cy-dx*s+dy*c))
			if sx >= 0 && sy >= 0 && sx < w && sy < h {
				copy(out.Pix[y*out.Stride+x*4:y*out.Stride+x*4+4], img.Pix[sy*img.Stride+sx*4:])
			} else {
				out.Pix[y*out.Stride+x*4+3] = 255
			}
		}
	}
	dx, dy := float64(p.X)-cx, float64(p.Y)-cy
	return out, image.Pt(int(math.Round(cx+dx*c-dy*s)), int(math.Round(cy+dx*s+dy*c)))
}

// TestFindCompanionHead checks the two-shot: the man on the right is a
// confident frontal face, the bald man on the left, turned three-quarters
// away, a weaker face or a head found beside him (not confident).
func TestFindCompanionHead(t *testing.T) {
	f := rendertest.Finder(t)
	got := f.Find(rendertest.LoadPhoto(t, "two-presenters-150px.jpg"))
	var heads []photo.Subject
	for _, s := range got {
		if s.IsHead() {
			heads = append(heads, s)
		}
	}
	if len(heads) != 2 {
		t.Fatalf("found %s, want a face and a head", describe(got))
	}
	left := heads[1]
	if left.Confident || !image.Pt(26, 30).In(left.Rect) || left.Rect.Dx() > 40 {
		t.Errorf("second head %v, want a head around (26,30) that is not confident", left)
	}
}

// TestFindOrder checks that subjects come by kind, then score.
func TestFindOrder(t *testing.T) {
	f := rendertest.Finder(t)
	rank := map[string]int{photo.SubjectFace: 0, photo.SubjectProfile: 1, photo.SubjectPerson: 2, photo.SubjectAnimal: 3, photo.SubjectObject: 4, photo.SubjectDetail: 5}
	for _, name := range []string{"astronaut-eileen-collins.jpg", "grace-hopper.jpg", "two-presenters-150px.jpg", "dogs-at-window-tall.jpg"} {
		got := f.Find(rendertest.LoadPhoto(t, name))
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if rank[a.Kind] > rank[b.Kind] || (a.Kind == b.Kind && a.Confident == b.Confident && a.Score < b.Score) {
				t.Errorf("%s: %v before %v", name, a, b)
			}
		}
	}
}

// TestFaceCore checks the core of each kind of subject.
func TestFaceCore(t *testing.T) {
	head := image.Rect(100, 100, 224, 282)
	tests := []struct {
		kind string
		in   bool // the core is strictly smaller than the box
	}{
		{photo.SubjectFace, true}, {photo.SubjectProfile, true}, {photo.SubjectAnimal, true},
		{photo.SubjectPerson, false}, {photo.SubjectObject, false}, {photo.SubjectDetail, false}, {photo.SubjectTagged, false},
	}
	for _, tt := range tests {
		core := photo.FaceCore(photo.Subject{Rect: head, Kind: tt.kind})
		if !core.In(head) || core.Empty() {
			t.Errorf("%s: core %v is not inside %v", tt.kind, core, head)
		}
		if smaller := core != head; smaller != tt.in {
			t.Errorf("%s: core %v of %v, want smaller %v", tt.kind, core, head, tt.in)
		}
	}
	// The rectangle form is the frontal face's.
	if a, b := photo.FaceCore(head), photo.FaceCore(photo.Subject{Rect: head, Kind: photo.SubjectFace}); a != b {
		t.Errorf("FaceCore(rect) = %v, FaceCore(face subject) = %v", a, b)
	}
	// The face core of a frontal face keeps the chin: it reaches close to
	// the bottom of the head box and leaves room for hair above.
	core := photo.FaceCore(photo.Subject{Rect: head, Kind: photo.SubjectFace})
	if head.Max.Y-core.Max.Y > head.Dy()/10 || core.Min.Y-head.Min.Y < head.Dy()/4 {
		t.Errorf("face core %v of head %v: want the chin kept and the hair margin above", core, head)
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
		{"one row", image.NewNRGBA(image.Rect(0, 0, 3000, 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.Find(tt.img); len(got) != 0 {
				t.Errorf("Find = %v, want no subject", got)
			}
		})
	}
	var nilFinder *photo.Finder
	if got := nilFinder.Find(flat(10, 10)); got != nil {
		t.Errorf("nil finder found %v", got)
	}
}

func repo(name string) func(testing.TB) *image.NRGBA {
	return func(tb testing.TB) *image.NRGBA { return rendertest.LoadPhoto(tb, name) }
}

func local(name string, mirrored bool) func(testing.TB) *image.NRGBA {
	return func(tb testing.TB) *image.NRGBA {
		img := loadDetectPhoto(tb, name)
		if mirrored {
			img = mirror(img)
		}
		return img
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func describe(subs []photo.Subject) string {
	s := ""
	for _, x := range subs {
		s += fmt.Sprintf("[%s %.2f conf=%v %v] ", x.Kind, x.Score, x.Confident, x.Rect)
	}
	return s
}

func flat(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	return img
}

// BenchmarkFind measures the subject search as render uses it: on the
// pyramid level of at least 900 px of a 16 MP photo.
func BenchmarkFind(b *testing.B) {
	img := rendertest.LoadPhoto(b, "dandelions-5312x2988-large.jpg")
	lvl, _ := photo.NewPyramid(img).Level(900)
	f := rendertest.Finder(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.Find(lvl)
	}
}

// BenchmarkFindSubjects runs the search on the whole 16 MP photo.
func BenchmarkFindSubjects(b *testing.B) {
	img := rendertest.LoadPhoto(b, "dandelions-5312x2988-large.jpg")
	f := rendertest.Finder(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.Find(img)
	}
}

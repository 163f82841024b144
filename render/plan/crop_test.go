package plan_test

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
)

// platformBoxes are the photo boxes of every platform size sharecard
// renders.
var platformBoxes = []image.Point{
	{1200, 630}, {1200, 1200}, {1200, 600}, {1200, 675}, {1080, 1080}, {1080, 1350},
	{1080, 566}, {1080, 1440}, {1080, 1920}, {1200, 628}, {1000, 1500}, {1280, 720},
	{1200, 900}, {1920, 720}, {2320, 720}, {1740, 560}, {400, 240}, {1280, 768},
	{1920, 1080}, {540, 405}, {290, 218}, {2000, 3000}, {3840, 2160}, {320, 180}, {150, 150},
}

// checkCrop asserts what every crop must satisfy: Src inside the photo, Dst
// inside the box, no enlargement past maxUp, no distortion, the whole box
// covered unless Fill, and every labelled face inside Src.
func checkCrop(t *testing.T, in plan.CropInput, got plan.CropResult, maxUp float64, labels []image.Rectangle) {
	t.Helper()
	photo, box := image.Rect(0, 0, in.Photo.X, in.Photo.Y), image.Rect(0, 0, in.Box.X, in.Box.Y)
	if got.Src.Empty() || !got.Src.In(photo) {
		t.Fatalf("Src %v is empty or outside the photo %v", got.Src, photo)
	}
	if got.Dst.Empty() || !got.Dst.In(box) {
		t.Fatalf("Dst %v is empty or outside the box %v", got.Dst, box)
	}
	sx := float64(got.Dst.Dx()) / float64(got.Src.Dx())
	sy := float64(got.Dst.Dy()) / float64(got.Src.Dy())
	limit := maxUp + 1e-9
	// (A side drawn 1 px wide cannot be drawn smaller.)
	if (sx > limit && got.Dst.Dx() > 1) || (sy > limit && got.Dst.Dy() > 1) {
		t.Errorf("scale %.4f x %.4f exceeds %.2f (Src %v, Dst %v)", sx, sy, maxUp, got.Src, got.Dst)
	}
	// Whole pixels on both sides of both axes: the axes' scales may differ
	// by the relative size of one pixel on each of the four sides at most.
	slack := 1/float64(got.Src.Dx()) + 1/float64(got.Src.Dy()) + 1/float64(got.Dst.Dx()) + 1/float64(got.Dst.Dy())
	if math.Abs(sx-sy) > math.Max(sx, sy)*slack {
		t.Errorf("distorted: scale %.4f x %.4f (Src %v, Dst %v)", sx, sy, got.Src, got.Dst)
	}
	if math.Abs(got.Scale-sx) > 1e-9 {
		t.Errorf("Scale = %v, want Dst/Src width %v", got.Scale, sx)
	}
	if !got.Fill && got.Dst != box {
		t.Errorf("Dst %v does not cover the box %v and Fill is false", got.Dst, box)
	}
	if got.Fill != (got.Note != "") {
		t.Errorf("Fill = %v but Note = %q", got.Fill, got.Note)
	}
	for _, l := range labels {
		if !l.In(got.Src) {
			t.Errorf("labelled face %v is cut by Src %v", l, got.Src)
		}
	}
}

// toBox maps a photo rectangle into box coordinates through a crop.
func toBox(r image.Rectangle, c plan.CropResult) image.Rectangle {
	sx := float64(c.Dst.Dx()) / float64(c.Src.Dx())
	sy := float64(c.Dst.Dy()) / float64(c.Src.Dy())
	return image.Rect(
		c.Dst.Min.X+int(math.Floor(float64(r.Min.X-c.Src.Min.X)*sx)),
		c.Dst.Min.Y+int(math.Floor(float64(r.Min.Y-c.Src.Min.Y)*sy)),
		c.Dst.Min.X+int(math.Ceil(float64(r.Max.X-c.Src.Min.X)*sx)),
		c.Dst.Min.Y+int(math.Ceil(float64(r.Max.Y-c.Src.Min.Y)*sy)),
	)
}

// TestLabelledPhotos detects the faces of each hand-labelled photo once,
// then checks that they match the labels, that every platform size keeps
// every labelled face inside the crop, and that text boxes over the bottom
// 40% or the left 45% of the box do not cover a face.
func TestLabelledPhotos(t *testing.T) {
	f := rendertest.Finder(t)
	avoids := []struct {
		name string
		rect func(image.Point) image.Rectangle
	}{
		{"bottom 40%", func(b image.Point) image.Rectangle { return image.Rect(0, b.Y*6/10, b.X, b.Y) }},
		{"left 45%", func(b image.Point) image.Rectangle { return image.Rect(0, 0, b.X*45/100, b.Y) }},
	}
	for _, name := range rendertest.LabelledPhotos() {
		labels := rendertest.LabelledFaces(name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			img := rendertest.LoadPhoto(t, name)
			subjects := f.Find(img)
			t.Run("detect", func(t *testing.T) { rendertest.CheckDetection(t, img, subjects, labels) })
			// The crop can keep only what detection found: a label no
			// detected head covers is the detect subtest's failure, not
			// checked again below.
			labels := slices.DeleteFunc(slices.Clone(labels), func(l image.Rectangle) bool {
				return !slices.ContainsFunc(subjects, func(s photo.Subject) bool { return plan.HeadKind(s.Kind) && l.In(s.Rect) })
			})
			for _, box := range platformBoxes {
				t.Run(fmt.Sprintf("crop %dx%d", box.X, box.Y), func(t *testing.T) {
					in := plan.CropInput{Photo: img.Rect.Size(), Box: box, Subjects: subjects}
					checkCrop(t, in, plan.ChooseCrop(in), plan.DefaultMaxUpscale, labels)
				})
			}
			if name == "two-presenters-150px.jpg" {
				return
			}
			for _, box := range []image.Point{{1080, 1080}, {1200, 630}} {
				for _, avoid := range avoids {
					t.Run(fmt.Sprintf("avoid %s of %dx%d", avoid.name, box.X, box.Y), func(t *testing.T) {
						text := avoid.rect(box)
						in := plan.CropInput{Photo: img.Rect.Size(), Box: box, Subjects: subjects, Avoid: []image.Rectangle{text}}
						got := plan.ChooseCrop(in)
						checkCrop(t, in, got, plan.DefaultMaxUpscale, labels)
						for _, l := range labels {
							if m := toBox(l, got); m.Overlaps(text) {
								t.Errorf("face %v lands at %v, under the text box %v (crop %+v)", l, m, text, got)
							}
						}
					})
				}
			}
		})
	}
}

func TestChooseCropGeometry(t *testing.T) {
	face := func(r image.Rectangle) []photo.Subject {
		return []photo.Subject{{Rect: r, Kind: photo.SubjectFace, Score: 50}}
	}
	tests := []struct {
		name     string
		in       plan.CropInput
		want     plan.CropResult
		wantNote string // substring of Note
	}{
		{
			name: "cover crops the middle",
			in:   plan.CropInput{Photo: image.Pt(400, 200), Box: image.Pt(200, 200)},
			want: plan.CropResult{Src: image.Rect(100, 0, 300, 200), Dst: image.Rect(0, 0, 200, 200), Scale: 1},
		},
		{
			// Without a subject the crop sits a quarter of the way down.
			name: "cover downscales, biased upward",
			in:   plan.CropInput{Photo: image.Pt(4000, 3000), Box: image.Pt(400, 200)},
			want: plan.CropResult{Src: image.Rect(0, 250, 4000, 2250), Dst: image.Rect(0, 0, 400, 200), Scale: 0.1},
		},
		{
			name:     "small photo is enlarged 1.5x at most and centred",
			in:       plan.CropInput{Photo: image.Pt(100, 50), Box: image.Pt(300, 300)},
			want:     plan.CropResult{Src: image.Rect(0, 0, 100, 50), Dst: image.Rect(75, 112, 225, 187), Fill: true, Scale: 1.5},
			wantNote: "photo 100x50 is too small for 300x300: shown at 1.5x over a backdrop",
		},
		{
			name:     "small photo crops along the axis that still covers",
			in:       plan.CropInput{Photo: image.Pt(150, 103), Box: image.Pt(1200, 630)},
			want:     plan.CropResult{Src: image.Rect(0, 0, 150, 103), Dst: image.Rect(487, 238, 712, 392), Fill: true, Scale: 1.5},
			wantNote: "too small",
		},
		{
			name:     "MaxUpscale 1 draws at natural size",
			in:       plan.CropInput{Photo: image.Pt(100, 100), Box: image.Pt(200, 100), MaxUpscale: 1},
			want:     plan.CropResult{Src: image.Rect(0, 0, 100, 100), Dst: image.Rect(50, 0, 150, 100), Fill: true, Scale: 1},
			wantNote: "too small",
		},
		{
			name: "focus point centres the crop",
			in:   plan.CropInput{Photo: image.Pt(400, 200), Box: image.Pt(200, 200), Focus: &article.FocusPoint{X: 0.3, Y: 0.5}},
			want: plan.CropResult{Src: image.Rect(20, 0, 220, 200), Dst: image.Rect(0, 0, 200, 200), Scale: 1},
		},
		{
			name: "focus point near the edge is clamped to the photo",
			in:   plan.CropInput{Photo: image.Pt(400, 200), Box: image.Pt(200, 200), Focus: &article.FocusPoint{X: 0.95, Y: 0.5}},
			want: plan.CropResult{Src: image.Rect(200, 0, 400, 200), Dst: image.Rect(0, 0, 200, 200), Scale: 1},
		},
		{
			name: "focus point out of range and NaN are clamped",
			in:   plan.CropInput{Photo: image.Pt(200, 400), Box: image.Pt(200, 200), Focus: &article.FocusPoint{X: math.NaN(), Y: -3}},
			want: plan.CropResult{Src: image.Rect(0, 0, 200, 200), Dst: image.Rect(0, 0, 200, 200), Scale: 1},
		},
		{
			name: "focus point overrides a face",
			in: plan.CropInput{Photo: image.Pt(400, 200), Box: image.Pt(200, 200), Focus: &article.FocusPoint{X: 0, Y: 0},
				Subjects: face(image.Rect(330, 50, 390, 120))},
			want: plan.CropResult{Src: image.Rect(0, 0, 200, 200), Dst: image.Rect(0, 0, 200, 200), Scale: 1},
		},
		{
			name: "face at the right edge pulls the crop right",
			in:   plan.CropInput{Photo: image.Pt(400, 200), Box: image.Pt(200, 200), Subjects: face(image.Rect(330, 50, 390, 120))},
			want: plan.CropResult{Src: image.Rect(200, 0, 400, 200), Dst: image.Rect(0, 0, 200, 200), Scale: 1},
		},
		{
			name: "faces above each other in a wide box show the full height over a backdrop",
			in: plan.CropInput{Photo: image.Pt(1000, 1000), Box: image.Pt(400, 100), Subjects: append(
				face(image.Rect(450, 50, 530, 130)), face(image.Rect(450, 850, 530, 930))...)},
			// The top face keeps 6% of its height as room above it (the
			// zoom-out is forced anyway): 885 + 5 photo px tall.
			want:     plan.CropResult{Src: image.Rect(0, 38, 1000, 931), Dst: image.Rect(144, 0, 256, 100), Fill: true, Scale: 112.0 / 1000},
			wantNote: "faces in photo 1000x1000 do not fit a 400x100 crop together",
		},
		{
			name: "faces far apart in a square box show the full width over a backdrop",
			in: plan.CropInput{Photo: image.Pt(400, 200), Box: image.Pt(200, 200), Subjects: append(
				face(image.Rect(10, 50, 60, 110)), face(image.Rect(340, 50, 390, 110))...)},
			want:     plan.CropResult{Src: image.Rect(10, 0, 391, 200), Dst: image.Rect(0, 47, 200, 152), Fill: true, Scale: 200.0 / 381},
			wantNote: "do not fit",
		},
		{
			name: "text over the top half pushes the face down in a tall photo",
			in: plan.CropInput{Photo: image.Pt(1000, 2000), Box: image.Pt(500, 500), Subjects: face(image.Rect(400, 800, 600, 1100)),
				Avoid: []image.Rectangle{image.Rect(0, 0, 500, 250)}},
			want: plan.CropResult{Src: image.Rect(0, 282, 1000, 1282), Dst: image.Rect(0, 0, 500, 500), Scale: 0.5},
		},
		{name: "zero box", in: plan.CropInput{Photo: image.Pt(100, 100)}},
		{name: "zero photo", in: plan.CropInput{Box: image.Pt(100, 100)}},
		{name: "negative box", in: plan.CropInput{Photo: image.Pt(100, 100), Box: image.Pt(-5, 100)}},
		{name: "one pixel photo", in: plan.CropInput{Photo: image.Pt(1, 1), Box: image.Pt(1, 1)},
			want: plan.CropResult{Src: image.Rect(0, 0, 1, 1), Dst: image.Rect(0, 0, 1, 1), Scale: 1}},
		{
			name: "subjects outside the photo are ignored",
			in:   plan.CropInput{Photo: image.Pt(400, 200), Box: image.Pt(200, 200), Subjects: face(image.Rect(900, 900, 990, 990))},
			want: plan.CropResult{Src: image.Rect(100, 0, 300, 200), Dst: image.Rect(0, 0, 200, 200), Scale: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plan.ChooseCrop(tt.in)
			note := got.Note
			got.Note = ""
			if got != tt.want {
				t.Errorf("plan.ChooseCrop = %+v, want %+v", got, tt.want)
			}
			if !strings.Contains(note, tt.wantNote) || (tt.wantNote == "") != (note == "") {
				t.Errorf("Note = %q, want it to contain %q", note, tt.wantNote)
			}
		})
	}
}

func TestChooseCropDoesNotAllocate(t *testing.T) {
	in := plan.CropInput{
		Photo:    image.Pt(4000, 3000),
		Box:      image.Pt(1080, 1350),
		Subjects: []photo.Subject{{Rect: image.Rect(500, 400, 900, 900), Kind: photo.SubjectFace}, {Rect: image.Rect(2500, 500, 2900, 1000), Kind: photo.SubjectFace}},
		Avoid:    []image.Rectangle{image.Rect(0, 800, 1080, 1350)},
	}
	if n := testing.AllocsPerRun(20, func() { plan.ChooseCrop(in) }); n != 0 {
		t.Errorf("plan.ChooseCrop allocates %v times per call, want 0", n)
	}
}

// TestChooseCropRandomInputs checks the invariants of checkCrop, and that
// every face subject stays inside Src, on many random (seeded) inputs,
// including tiny and extreme sizes.
func TestChooseCropRandomInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	size := func() int {
		switch rng.IntN(4) {
		case 0:
			return 1 + rng.IntN(4)
		case 1:
			return 1 + rng.IntN(300)
		default:
			return 1 + rng.IntN(6000)
		}
	}
	for i := 0; i < 5000; i++ {
		in := plan.CropInput{Photo: image.Pt(size(), size()), Box: image.Pt(size(), size())}
		if rng.IntN(5) == 0 {
			in.MaxUpscale = rng.Float64() * 4
		}
		var faces []image.Rectangle
		for n := rng.IntN(4); n > 0; n-- {
			x, y := rng.IntN(in.Photo.X), rng.IntN(in.Photo.Y)
			r := image.Rect(x, y, x+1+rng.IntN(in.Photo.X-x), y+1+rng.IntN(in.Photo.Y-y))
			kinds := []string{photo.SubjectFace, photo.SubjectDetail, photo.SubjectProfile, photo.SubjectAnimal,
				photo.SubjectPerson, photo.SubjectObject, photo.SubjectTagged}
			s := photo.Subject{Rect: r, Kind: kinds[rng.IntN(len(kinds))], Confident: rng.IntN(2) == 0}
			if plan.HeadKind(s.Kind) {
				faces = append(faces, photo.FaceCore(s))
			}
			in.Subjects = append(in.Subjects, s)
		}
		for n := rng.IntN(3); n > 0; n-- {
			x, y := rng.IntN(in.Box.X), rng.IntN(in.Box.Y)
			in.Avoid = append(in.Avoid, image.Rect(x, y, x+rng.IntN(in.Box.X), y+rng.IntN(in.Box.Y)))
		}
		if rng.IntN(6) == 0 {
			in.Focus = &article.FocusPoint{X: rng.Float64()*1.4 - 0.2, Y: rng.Float64()*1.4 - 0.2}
			faces = nil
		}
		got := plan.ChooseCrop(in)
		maxUp := in.MaxUpscale
		if maxUp <= 0 {
			maxUp = plan.DefaultMaxUpscale
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkCrop(t, in, got, maxUp, faces) })
		if t.Failed() {
			t.Fatalf("input %+v", in)
		}
	}
}

// TestChooseCropTaggedFirst: a thin opaque rule at the box's left edge
// lies over a detected face at the photo's left; clearing it would cut a
// face the desk tagged at the right edge, so the tagged face stays whole;
// untagged, the same head may lose its edge to clear the detected face.
func TestChooseCropTaggedFirst(t *testing.T) {
	detected := photo.Subject{Rect: image.Rect(48, 72, 121, 144), Kind: photo.SubjectProfile, Score: 8, Confident: true}
	rule := []image.Rectangle{image.Rect(0, 0, 7, 630)}
	for _, tc := range []struct {
		kind  string
		whole bool
	}{
		{photo.SubjectTaggedFace, true},
		{photo.SubjectHead, false},
	} {
		right := photo.Subject{Rect: image.Rect(510, 22, 611, 128), Kind: tc.kind, Score: 1, Confident: true}
		cr := plan.ChooseCrop(plan.CropInput{Photo: image.Pt(640, 480), Box: image.Pt(600, 630), MaxUpscale: 1.5,
			Subjects: []photo.Subject{right, detected}, Avoid: rule})
		if got := right.Rect.In(cr.Src); got != tc.whole {
			t.Errorf("%s at %v: whole in the crop %v = %v, want %v", tc.kind, right.Rect, cr.Src, got, tc.whole)
		}
	}
}

package rendertest

import (
	"image"
	"maps"
	"slices"
	"testing"

	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
)

// labelledFaces are hand-labelled faces, in photo pixels: from the hairline
// (or the cap brim) to the chin and from cheek to cheek, read off the
// photos on a 10 px grid.
var labelledFaces = map[string][]image.Rectangle{
	// Eileen Collins: face below the fringe (eyes at y≈102), top-left of
	// the frame; the hair reaches up to y≈16.
	"astronaut-eileen-collins.jpg": {image.Rect(180, 74, 270, 180)},
	// Grace Hopper: face under the cap brim down to the chin, glasses
	// included; the cap goes up to y≈25.
	"grace-hopper.jpg": {image.Rect(180, 140, 355, 332)},
	// Two presenters at the far edges of a 150x103 frame: the bald man on
	// the left (turned to his left) and the man with glasses on the right.
	"two-presenters-150px.jpg": {image.Rect(15, 17, 37, 42), image.Rect(114, 15, 134, 40)},
}

// LabelledPhotos lists the photos of render/testdata/photos whose faces
// are labelled by hand, sorted.
func LabelledPhotos() []string { return slices.Sorted(maps.Keys(labelledFaces)) }

// LabelledFaces returns the hand-labelled faces of photo name (see
// [LabelledPhotos]), in photo pixels.
func LabelledFaces(name string) []image.Rectangle { return slices.Clone(labelledFaces[name]) }

// CheckDetection asserts that the heads among found (faces, profiles and
// heads, as a Finder found them on img) match the hand labels one to one:
// each label is covered to 70% by a head at most 5 times its area (a head
// box, not half the photo), and every head lies in the photo.
func CheckDetection(t testing.TB, img *image.NRGBA, found []photo.Subject, labels []image.Rectangle) {
	t.Helper()
	var faces []photo.Subject
	for _, s := range found {
		if s.IsHead() && s.Kind != photo.SubjectAnimal {
			faces = append(faces, s)
		}
	}
	if len(faces) != len(labels) {
		t.Fatalf("found %d faces %v, want %d (labels %v)", len(faces), found, len(labels), labels)
	}
	for _, label := range labels {
		if !matchesOne(label, faces) {
			t.Errorf("no detected face covers labelled face %v; detected %v", label, faces)
		}
	}
	for _, s := range faces {
		if !s.Rect.In(img.Rect) {
			t.Errorf("face %v is outside the photo %v", s.Rect, img.Rect)
		}
	}
}

// matchesOne reports whether some face covers at least 70% of label (a
// head box of a face 20 px wide may miss a few pixels of it) while being
// at most 5 times its area.
func matchesOne(label image.Rectangle, faces []photo.Subject) bool {
	for _, s := range faces {
		covered := plan.Area(label.Intersect(s.Rect))
		if covered*10 >= plan.Area(label)*7 && plan.Area(s.Rect) <= 5*plan.Area(label) {
			return true
		}
	}
	return false
}

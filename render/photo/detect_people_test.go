package photo_test

import (
	"fmt"
	"image"
	"path/filepath"
	"testing"

	"github.com/sharecard/sharecard/render/photo"
)

// labelled loads a photo of compositioncheck/testdata/photos (hand-labelled
// there in labels.yaml; licences in LICENSES.md beside the photos),
// mirrored if asked.
func labelled(name string, mirrored bool) func(testing.TB) *image.NRGBA {
	return local(filepath.Join("..", "..", "..", "..", "compositioncheck", "testdata", "photos", name), mirrored)
}

// flipX mirrors a point of a w-pixel-wide photo when mirrored is set.
func flipX(p image.Point, w int, mirrored bool) image.Point {
	if mirrored {
		p.X = w - 1 - p.X
	}
	return p
}

// TestFindPeople checks the people that are not big frontal faces: a face
// in profile, a three-quarter face, a tilted face and small walkers, each
// plain and mirrored (the detectors must not depend on which way a person
// faces). The points are the centres of the hand-labelled faces
// (compositioncheck/testdata/labels.yaml).
func TestFindPeople(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		width int
		local bool // render/photo/testdata/detect, else compositioncheck
		// kinds allowed for the subject holding at; it must be confident
		// unless weak is set.
		kinds []string
		at    image.Point
		weak  bool
		// persons is the number of confident persons wanted at least.
		persons int
	}{
		{name: "cameraman in profile", file: "cameraman.png", width: 512, local: true, kinds: []string{photo.SubjectProfile}, at: image.Pt(219, 156)},
		{name: "three-quarter face", file: "basketball-two.jpg", width: 640, kinds: []string{photo.SubjectProfile, photo.SubjectFace}, at: image.Pt(85, 117)},
		{name: "tilted 20°", file: "astronaut-tilted.jpg", width: 658, kinds: []string{photo.SubjectFace}, at: image.Pt(247, 206)},
		{name: "small walkers", file: "pedestrians-wide.jpg", width: 768, persons: 3},
	}
	f := newFinder(t)
	for _, tt := range tests {
		for _, mirrored := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s mirrored=%v", tt.name, mirrored), func(t *testing.T) {
				t.Parallel()
				load := labelled(tt.file, mirrored)
				if tt.local {
					load = local(tt.file, mirrored)
				}
				got := f.Find(load(t))
				t.Logf("subjects: %s", describe(got))
				if tt.kinds != nil {
					at := flipX(tt.at, tt.width, mirrored)
					found := false
					for _, s := range got {
						if contains(tt.kinds, s.Kind) && at.In(s.Rect) && (s.Confident || tt.weak) {
							found = true
						}
					}
					if !found {
						t.Errorf("no confident %v subject holds %v", tt.kinds, at)
					}
				}
				persons := 0
				for _, s := range got {
					if s.Kind == photo.SubjectPerson && s.Confident {
						persons++
					}
				}
				if persons < tt.persons {
					t.Errorf("%d confident persons, want at least %d", persons, tt.persons)
				}
			})
		}
	}
}

// TestFindNoPeople checks precision: on photos without anyone in them the
// finder reports no face, profile or head (those always count as primary
// subjects) and no confident person, plain or mirrored.
func TestFindNoPeople(t *testing.T) {
	tests := []struct {
		name string
		load func(bool) func(testing.TB) *image.NRGBA
	}{
		{"landscape", func(m bool) func(testing.TB) *image.NRGBA { return mirroredRepo("picos-de-europa-landscape.jpg", m) }},
		{"dandelions", func(m bool) func(testing.TB) *image.NRGBA { return mirroredRepo("dandelions-5312x2988-large.jpg", m) }},
		{"paintbrushes", func(m bool) func(testing.TB) *image.NRGBA { return mirroredRepo("paintbrushes-busy.jpg", m) }},
		{"coffee", func(m bool) func(testing.TB) *image.NRGBA { return mirroredRepo("coffee.jpg", m) }},
		{"dogs", func(m bool) func(testing.TB) *image.NRGBA { return mirroredRepo("dogs-at-window-tall.jpg", m) }},
		{"cat", func(m bool) func(testing.TB) *image.NRGBA { return mirroredRepo("chelsea-cat.jpg", m) }},
		{"rocket", func(m bool) func(testing.TB) *image.NRGBA { return local("rocket.jpg", m) }},
		{"fig bowl", func(m bool) func(testing.TB) *image.NRGBA { return labelled("fig-bowl.jpg", m) }},
		{"wine", func(m bool) func(testing.TB) *image.NRGBA { return labelled("wine-bottle-glass.jpg", m) }},
		{"raccoon", func(m bool) func(testing.TB) *image.NRGBA { return labelled("raccoon.jpg", m) }},
		{"nuthatch", func(m bool) func(testing.TB) *image.NRGBA { return labelled("nuthatch-tree.jpg", m) }},
	}
	f := newFinder(t)
	for _, tt := range tests {
		for _, mirrored := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s mirrored=%v", tt.name, mirrored), func(t *testing.T) {
				t.Parallel()
				got := f.Find(tt.load(mirrored)(t))
				for _, s := range got {
					if s.IsHead() || (s.Kind == photo.SubjectPerson && s.Confident) {
						t.Errorf("found %s, want no face, profile, head or confident person", describe([]photo.Subject{s}))
					}
				}
			})
		}
	}
}

func mirroredRepo(name string, mirrored bool) func(testing.TB) *image.NRGBA {
	return func(tb testing.TB) *image.NRGBA {
		img := repo(name)(tb)
		if mirrored {
			img = mirror(img)
		}
		return img
	}
}

func newFinder(t *testing.T) *photo.Finder {
	t.Helper()
	f, err := photo.NewFinder()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

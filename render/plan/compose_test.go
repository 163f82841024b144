package plan_test

import (
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

// composeLayout is the layout of the composition tests: a small-photo
// variant (brand colour and headline), and a main variant with a full
// photo, a BREAKING strip, a headline with two placements, a logo-like
// badge and a credit.
const composeLayout = `name: c
brand:
  colors:
    red: "#C8102E"
    navy: "#0A2540"
variants:
  - name: typographic
    small_photo: true
    background: navy
    layers:
      - {type: text, field: headline, box: {left: 8%, right: 8%, top: 10%, bottom: 10%}, valign: center}
  - name: tv-clean
    purpose: clean
    layers:
      - type: photo
  - name: main
    layers:
      - type: photo
      - type: box
        when: breaking
        color: red
        box: {top: 0, height: 22%}
      - type: text
        text: BREAKING
        when: breaking
        box: {left: 5%, right: 5%, top: 0, height: 22%}
        valign: center
      - type: text
        field: headline
        box: {left: 4%, width: 40%, bottom: 4%, height: 40%}
        valign: bottom
        size: {max: 5, min: 3}
        placements:
          - {right: 4%, width: 40%, bottom: 4%, height: 40%}
          - {left: 4%, width: 40%, top: 30%, height: 30%}
      - type: text
        field: credit
        box: {right: 2%, bottom: 0, height: 5%, width: 40%}
        align: end
        size: {max: 2.5, min: 2}
        max_lines: 1
`

func composeFixture(t *testing.T, src string) *layout.Layout {
	t.Helper()
	l, err := layout.Parse("c.yaml", []byte(src), nil, builtinFonts(t))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

const composeArticle = "headline: Parliament votes to extend the emergency powers for another six months\ncredit: Photo Agency / Jane Doe\n"

// canvasPreset is a PNG preset of w×h with no safe area.
func canvasPreset(id string, w, h int) preset.Preset {
	return preset.Preset{ID: id, Width: w, Height: h, Format: preset.FormatPNG, Formats: []preset.Format{preset.FormatPNG}}
}

func layerBy(pl *plan.Plan, pred func(*plan.PlannedLayer) bool) *plan.PlannedLayer {
	for i := range pl.Layers {
		if pred(&pl.Layers[i]) {
			return &pl.Layers[i]
		}
	}
	return nil
}

func headlineLayer(pl *plan.Plan) *plan.PlannedLayer {
	return layerBy(pl, func(p *plan.PlannedLayer) bool {
		return p.Kind == plan.KindText && p.Text != nil && strings.HasPrefix(joined(p.Text), "Parliament")
	})
}

// onCanvas maps a photo rectangle to the canvas through a photo layer's crop.
func onCanvas(r image.Rectangle, pld *plan.PlannedLayer) image.Rectangle {
	c := pld.Crop
	return toBox(r.Intersect(c.Src), *c).Add(pld.Box.Min)
}

func hasFallback(pl *plan.Plan, sub string) bool {
	for _, f := range pl.Fallbacks {
		if strings.Contains(f, sub) {
			return true
		}
	}
	return false
}

// TestCardPlacements: the headline takes the first placement that covers
// no subject, and records it.
func TestCardPlacements(t *testing.T) {
	l := composeFixture(t, composeLayout)
	a := parseArticle(t, composeArticle)
	p := canvasPreset("og", 1200, 630)
	// The photo is the canvas size: the crop has no freedom, so only the
	// placement can clear the subjects.
	face := photo.Subject{Rect: image.Rect(100, 380, 260, 560), Kind: photo.SubjectFace, Score: 50}
	dog := photo.Subject{Rect: image.Rect(850, 400, 1100, 600), Kind: "animal", Score: 1}
	detail := photo.Subject{Rect: image.Rect(850, 400, 1100, 600), Kind: photo.SubjectDetail, Score: 1}
	tests := []struct {
		name      string
		subjects  []photo.Subject
		placement int
		where     string
	}{
		{"no subject: the box", nil, 0, ""},
		{"face bottom-left: 1st alternative", []photo.Subject{face}, 1, "bottom-right"},
		{"face and animal at the bottom: 2nd alternative", []photo.Subject{face, dog}, 2, "middle-left"},
		{"a detail is not a primary subject", []photo.Subject{face, detail}, 1, "bottom-right"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := plan.Card(a, l, p, plan.PhotoInfo{Size: image.Pt(1200, 630), Subjects: tc.subjects}, builtinFonts(t))
			if err != nil {
				t.Fatal(err)
			}
			h := headlineLayer(pl)
			if h == nil {
				t.Fatalf("no headline in %+v", pl.Layers)
			}
			if h.Placement != tc.placement {
				t.Errorf("placement %d (%s), want %d; fallbacks %q", h.Placement, h.PlacementName, tc.placement, pl.Fallbacks)
			}
			if tc.where != "" && h.PlacementName != tc.where {
				t.Errorf("placement name %q, want %q", h.PlacementName, tc.where)
			}
			ph := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Kind == plan.KindPhoto })
			for _, s := range tc.subjects {
				if !plan.Primary(s) {
					continue
				}
				if r := onCanvas(s.Rect, ph).Intersect(h.TextRect()); !r.Empty() {
					t.Errorf("%s %v covered by the headline %v", s.Kind, s.Rect, h.TextRect())
				}
			}
			if tc.placement > 0 && !hasFallback(pl, "placement") {
				t.Errorf("the move is not in the fallbacks: %q", pl.Fallbacks)
			}
		})
	}
}

// TestCardDropsStripOverFace: an optional strip (when: breaking) that
// would cover a face is left out with its text; without a face it stays.
func TestCardDropsStripOverFace(t *testing.T) {
	l := composeFixture(t, composeLayout)
	a := parseArticle(t, composeArticle+"breaking: true\n")
	p := canvasPreset("og", 1200, 630)
	// The face fills the top of a photo of the canvas's size.
	face := photo.Subject{Rect: image.Rect(500, 20, 700, 260), Kind: photo.SubjectFace, Score: 50}
	for _, tc := range []struct {
		name     string
		subjects []photo.Subject
		strip    bool
	}{
		{"no face", nil, true},
		{"face under the strip", []photo.Subject{face}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := plan.Card(a, l, p, plan.PhotoInfo{Size: image.Pt(1200, 630), Subjects: tc.subjects}, builtinFonts(t))
			if err != nil {
				t.Fatal(err)
			}
			box := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Kind == plan.KindBox })
			label := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Text != nil && joined(p.Text) == "BREAKING" })
			if (box != nil) != tc.strip || (label != nil) != tc.strip {
				t.Errorf("strip drawn %v, label drawn %v, want %v; fallbacks %q", box != nil, label != nil, tc.strip, pl.Fallbacks)
			}
			if !tc.strip && !hasFallback(pl, "left out") {
				t.Errorf("the dropped strip is not in the fallbacks: %q", pl.Fallbacks)
			}
		})
	}
}

// TestCardSmallPhoto: a photo too small for the canvas gets the layout's
// small-photo variant; without one, a stamp under the headline is left
// out and a photo alone in its slot is an inset over brand colour; side
// pillars of at most 10% keep the blurred backdrop.
func TestCardSmallPhoto(t *testing.T) {
	a := parseArticle(t, composeArticle)
	og := canvasPreset("og", 1200, 630)
	noSmall := strings.Replace(composeLayout, "    small_photo: true\n", "    min_aspect: 50\n", 1)
	slot := `name: s
brand: {colors: {navy: "#0A2540"}}
variants:
  - background: navy
    layers:
      - {type: photo, box: {left: 0, width: 50%}}
      - {type: text, field: headline, box: {left: 55%, right: 5%}}
      - {type: text, field: credit, box: {left: 1%, width: 48%, bottom: 1%, height: 5%}}
`
	smallTypo := `  - name: typographic
    small_photo: true
    background: navy
    layers:
      - {type: text, field: headline, box: {left: 8%, right: 8%, top: 10%, bottom: 10%}}
`
	tests := []struct {
		name     string
		layout   string
		photo    image.Point
		variant  string
		photoOut bool   // no photo layer drawn
		backdrop string // of the photo layer, when drawn
		fallback string
	}{
		{"fits: main variant", composeLayout, image.Pt(1200, 630), "main", false, "blur", ""},
		{"no photo: small-photo variant", composeLayout, image.Point{}, "typographic", true, "", "no photo"},
		{"small: small-photo variant", composeLayout, image.Pt(512, 512), "typographic", true, "", "small-photo variant"},
		{"small, no variant, under text: left out", noSmall, image.Pt(512, 512), "main", true, "", "typographic card"},
		{"side pillars of 7%: blur kept", noSmall, image.Pt(688, 420), "main", false, "blur", "side pillars"},
		{"small in a slot: inset over colour", slot, image.Pt(200, 200), "", false, "color", "inset in its slot"},
		// With a small-photo variant: a photo that covers half its slot or
		// more stays there as an inset; less, the variant takes over.
		{"half a slot: inset, not the small variant", slot + smallTypo, image.Pt(400, 400), "", false, "color", "inset in its slot"},
		{"a quarter of a slot: the small variant", slot + smallTypo, image.Pt(200, 200), "typographic", true, "", "small-photo variant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := composeFixture(t, tc.layout)
			pl, err := plan.Card(a, l, og, plan.PhotoInfo{Size: tc.photo}, builtinFonts(t))
			if err != nil {
				t.Fatal(err)
			}
			if pl.Variant != tc.variant {
				t.Errorf("variant %q, want %q", pl.Variant, tc.variant)
			}
			ph := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Kind == plan.KindPhoto })
			if (ph == nil) != tc.photoOut {
				t.Fatalf("photo layer drawn: %v, want %v (fallbacks %q)", ph != nil, !tc.photoOut, pl.Fallbacks)
			}
			if ph != nil {
				if ph.Backdrop != tc.backdrop {
					t.Errorf("backdrop %q, want %q", ph.Backdrop, tc.backdrop)
				}
				if ph.Backdrop == "color" && ph.BackdropColor != l.Brand.Colors["navy"] {
					t.Errorf("backdrop colour %v, want the brand's navy", ph.BackdropColor)
				}
				if c := ph.Crop; c.Fill && ph.Backdrop == "blur" {
					w := ph.Box.Dx()
					if c.Dst.Dy() != ph.Box.Dy() || float64(c.Dst.Min.X) > 0.1*float64(w)+0.5 || float64(w-c.Dst.Max.X) > 0.1*float64(w)+0.5 {
						t.Errorf("blurred backdrop beyond side pillars of 10%%: Dst %v in a %v box", c.Dst, ph.Box.Size())
					}
				}
			}
			if (tc.fallback == "" && len(pl.Fallbacks) > 0) || (tc.fallback != "" && !hasFallback(pl, tc.fallback)) {
				t.Errorf("fallbacks %q, want one with %q", pl.Fallbacks, tc.fallback)
			}
		})
	}
}

// TestCardEnlargement: TV-sized canvases enlarge a photo up to 2× (2.5×
// when both sides are 2000 px or more), and say so; smaller ones 1.5×.
func TestCardEnlargement(t *testing.T) {
	for _, tc := range []struct {
		w, h int
		want float64
	}{
		{1200, 630, 1.5}, {1080, 1920, 1.5}, {1080, 1080, 1.5}, {1920, 720, 1.5},
		{1920, 1080, 2}, {1080, 1920 * 2, 1.5}, {3840, 2160, 2.5}, {2000, 3000, 2.5},
	} {
		if got := plan.MaxUpscaleFor(tc.w, tc.h); got != tc.want {
			t.Errorf("MaxUpscaleFor(%d, %d) = %v, want %v", tc.w, tc.h, got, tc.want)
		}
	}
	l := composeFixture(t, composeLayout)
	a := parseArticle(t, composeArticle)
	tv := canvasPreset("ctv-hero-fhd", 1920, 1080)
	// 1000×560 needs 1.93× to cover 1920×1080: allowed on TV, with a fallback.
	pl, err := plan.Card(a, l, tv, plan.PhotoInfo{Size: image.Pt(1000, 560)}, builtinFonts(t))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Variant != "main" || pl.Crop == nil || pl.Crop.Fill || pl.Crop.Scale > 2 || pl.Crop.Scale < 1.9 {
		t.Fatalf("variant %s, crop %+v: want the photo covering the canvas at about 1.93x", pl.Variant, pl.Crop)
	}
	if !hasFallback(pl, "enlarged") {
		t.Errorf("no enlargement fallback: %q", pl.Fallbacks)
	}
	// 800×450 needs 2.4×: too much even on TV.
	pl, err = plan.Card(a, l, tv, plan.PhotoInfo{Size: image.Pt(800, 450)}, builtinFonts(t))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Variant != "typographic" {
		t.Errorf("variant %s, want the small-photo variant", pl.Variant)
	}
}

// TestCardPurpose: a clean preset takes the layout's clean variant; an
// identity preset, with none in the layout, falls back to the card ones.
func TestCardPurpose(t *testing.T) {
	l := composeFixture(t, composeLayout)
	a := parseArticle(t, composeArticle)
	for _, tc := range []struct{ purpose, want string }{
		{"", "main"}, {preset.PurposeCard, "main"}, {preset.PurposeClean, "tv-clean"}, {preset.PurposeIdentity, "main"},
	} {
		p := canvasPreset("x", 1920, 1080)
		p.Purpose = tc.purpose
		pl, err := plan.Card(a, l, p, plan.PhotoInfo{Size: image.Pt(4000, 2250)}, builtinFonts(t))
		if err != nil {
			t.Fatal(err)
		}
		if pl.Variant != tc.want || pl.Purpose != tc.purpose {
			t.Errorf("purpose %q: variant %q (plan purpose %q), want %q", tc.purpose, pl.Variant, pl.Purpose, tc.want)
		}
	}
}

// TestCardKeepOut: the credit in the bottom-right corner is shrunk out of
// a keep-out zone there; the headline takes a placement clear of one.
func TestCardKeepOut(t *testing.T) {
	l := composeFixture(t, composeLayout)
	a := parseArticle(t, composeArticle)
	p := canvasPreset("youtube-thumb", 1280, 720)
	badge := image.Rect(1280-160, 720-70, 1280, 720)
	label := image.Rect(0, 720-90, 400, 720)
	p.KeepOut = []image.Rectangle{badge, label}
	pl, err := plan.Card(a, l, p, plan.PhotoInfo{Size: image.Pt(2560, 1440)}, builtinFonts(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, pld := range pl.Layers {
		var r image.Rectangle
		switch pld.Kind {
		case plan.KindText, plan.KindBadge:
			r = pld.TextRect()
		case plan.KindImage:
			r = pld.ImageRect
		}
		for _, z := range p.KeepOut {
			if r.Overlaps(z) {
				t.Errorf("layer %s at %v overlaps the keep-out zone %v", pld.Source, r, z)
			}
		}
	}
	h := headlineLayer(pl)
	if h == nil || h.Placement != 2 {
		t.Errorf("headline placement %+v, want 2 (the only one clear of both zones)", h)
	}
	credit := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Text != nil && strings.HasPrefix(joined(p.Text), "Photo") })
	if credit == nil {
		t.Fatalf("credit left out: %+v", pl.Warnings)
	}
	if !hasFallback(pl, "keep-out") {
		t.Errorf("no keep-out fallback: %q", pl.Fallbacks)
	}
}

// TestChooseCropHeadroom: a head keeps headroom above it, and one at the
// photo's top edge starts the crop there; the eyes go near the upper
// third.
func TestChooseCropHeadroom(t *testing.T) {
	box := image.Pt(1200, 630)
	for _, tc := range []struct {
		name string
		head image.Rectangle
	}{
		{"head at the top edge", image.Rect(800, 0, 1000, 240)},
		{"head near the top edge", image.Rect(800, 30, 1000, 270)},
		{"head in the middle", image.Rect(800, 900, 1000, 1140)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := plan.CropInput{Photo: image.Pt(2000, 2000), Box: box,
				Subjects: []photo.Subject{{Rect: tc.head, Kind: photo.SubjectFace, Score: 50}},
				Avoid:    []image.Rectangle{image.Rect(0, 440, 1200, 630)}}
			got := plan.ChooseCrop(in)
			checkCrop(t, in, got, plan.DefaultMaxUpscale, []image.Rectangle{tc.head})
			room := int(math.Round(0.15 * float64(tc.head.Dy())))
			if want := max(0, tc.head.Min.Y-room); got.Src.Min.Y > want {
				t.Errorf("Src %v starts below %d: less than 15%% headroom above the head %v", got.Src, want, tc.head)
			}
			eyes := float64(tc.head.Min.Y) + 0.42*float64(tc.head.Dy())
			y := (eyes - float64(got.Src.Min.Y)) * got.Scale / float64(box.Y)
			if tc.head.Min.Y > 500 && (y < 0.25 || y > 0.45) {
				t.Errorf("eyes at %.2f of the box height, want near the upper third", y)
			}
		})
	}
}

// TestChooseCropUpwardBias: without a confident subject the crop shows the
// upper part of the photo, and a detail at the bottom edge does not pull
// it down; a detail near the top may raise it.
func TestChooseCropUpwardBias(t *testing.T) {
	P, B := image.Pt(1000, 2000), image.Pt(500, 500)
	detail := func(r image.Rectangle) []photo.Subject {
		return []photo.Subject{{Rect: r, Kind: photo.SubjectDetail, Score: 1}}
	}
	for _, tc := range []struct {
		name     string
		subjects []photo.Subject
		wantY    int
	}{
		{"nothing", nil, 250},
		{"texture at the bottom edge", detail(image.Rect(400, 1850, 600, 2000)), 250},
		{"detail near the top", detail(image.Rect(400, 100, 600, 300)), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := plan.CropInput{Photo: P, Box: B, Subjects: tc.subjects}
			got := plan.ChooseCrop(in)
			if got.Src.Min.Y != tc.wantY {
				t.Errorf("Src %v, want it to start at y=%d", got.Src, tc.wantY)
			}
		})
	}
}

// TestChooseCropKeepsObjectsClear: an animal (a primary subject that is
// not a head) is kept out from under the text like a face.
func TestChooseCropKeepsObjectsClear(t *testing.T) {
	in := plan.CropInput{Photo: image.Pt(1000, 2000), Box: image.Pt(500, 500),
		Subjects: []photo.Subject{{Rect: image.Rect(300, 700, 700, 1000), Kind: "animal", Score: 1}},
		Avoid:    []image.Rectangle{image.Rect(0, 250, 500, 500)}}
	got := plan.ChooseCrop(in)
	if m := toBox(in.Subjects[0].Rect, got); m.Overlaps(in.Avoid[0]) {
		t.Errorf("animal at %v lands under the text %v (crop %+v)", m, in.Avoid[0], got)
	}
}

// TestCardRandomCompositions plans the composition layout for many seeded
// random photos, subjects, canvases and keep-out zones, and checks what
// must always hold: a plan without error, every kept layer on the canvas,
// no text over a keep-out zone unless a warning says so, and placements
// in range.
func TestCardRandomCompositions(t *testing.T) {
	l := composeFixture(t, composeLayout)
	fonts := builtinFonts(t)
	arts := []string{composeArticle, composeArticle + "breaking: true\n"}
	rng := rand.New(rand.NewPCG(3, 4))
	kinds := []string{photo.SubjectFace, photo.SubjectProfile, photo.SubjectAnimal, photo.SubjectPerson, photo.SubjectObject, photo.SubjectDetail, photo.SubjectTagged}
	for i := 0; i < 150; i++ {
		a := parseArticle(t, arts[rng.IntN(2)])
		p := canvasPreset("r", 100+rng.IntN(3000), 100+rng.IntN(3000))
		p.Purpose = []string{"", preset.PurposeCard, preset.PurposeClean, preset.PurposeIdentity}[rng.IntN(4)]
		for n := rng.IntN(3); n > 0; n-- {
			x, y := rng.IntN(p.Width), rng.IntN(p.Height)
			p.KeepOut = append(p.KeepOut, image.Rect(x, y, x+1+rng.IntN(p.Width/3+1), y+1+rng.IntN(p.Height/3+1)))
		}
		var info plan.PhotoInfo
		if rng.IntN(8) > 0 {
			info.Size = image.Pt(1+rng.IntN(5000), 1+rng.IntN(5000))
			for n := rng.IntN(4); n > 0; n-- {
				x, y := rng.IntN(info.Size.X), rng.IntN(info.Size.Y)
				r := image.Rect(x, y, x+1+rng.IntN(info.Size.X-x), y+1+rng.IntN(info.Size.Y-y))
				info.Subjects = append(info.Subjects, photo.Subject{Rect: r, Kind: kinds[rng.IntN(len(kinds))], Confident: rng.IntN(2) == 0})
			}
		}
		pl, err := plan.Card(a, l, p, info, fonts)
		if err != nil {
			t.Fatalf("%d: %v (preset %+v, photo %+v)", i, err, p, info)
		}
		canvas := image.Rect(0, 0, p.Width, p.Height)
		warned := len(pl.Warnings) > 0
		for _, pld := range pl.Layers {
			if pld.Box.Empty() || !pld.Box.In(canvas) {
				t.Errorf("%d: layer %s box %v not on the canvas %v", i, pld.Source, pld.Box, canvas)
			}
			if pld.Placement < 0 || pld.Placement > 2 {
				t.Errorf("%d: layer %s placement %d out of range", i, pld.Source, pld.Placement)
			}
			if pld.Text != nil && !warned {
				for _, z := range p.KeepOut {
					if pld.TextRect().Overlaps(z) {
						t.Errorf("%d: layer %s text %v over keep-out %v without a warning", i, pld.Source, pld.TextRect(), z)
					}
				}
			}
			if c := pld.Crop; c != nil && c.Scale > plan.MaxUpscaleFor(p.Width, p.Height)+1e-9 && c.Dst.Dx() > 1 && c.Dst.Dy() > 1 {
				t.Errorf("%d: photo enlarged %.3f×, over the limit", i, c.Scale)
			}
		}
		if t.Failed() {
			t.Fatalf("plan %d: fallbacks %q warnings %q", i, pl.Fallbacks, pl.Warnings)
		}
	}
}

// TestCardSlotWhenCovered: when the headline would cover a confident
// subject wherever it goes, the layout's small-photo variant with the
// photo in a slot of its own is taken; a typographic small-photo variant
// (no photo) is not, and a subject the headline can avoid keeps the main
// variant.
func TestCardSlotWhenCovered(t *testing.T) {
	slotted := strings.Replace(composeLayout, `  - name: typographic
    small_photo: true
    background: navy
    layers:
      - {type: text, field: headline, box: {left: 8%, right: 8%, top: 10%, bottom: 10%}, valign: center}
`, `  - name: slot
    small_photo: true
    background: navy
    layers:
      - {type: photo, box: {right: 0, width: 45%}}
      - {type: text, field: headline, box: {left: 5%, right: 50%, top: 10%, bottom: 10%}, valign: center}
`, 1)
	a := parseArticle(t, composeArticle)
	p := canvasPreset("og", 1200, 630)
	// A confident object across the bottom half of a photo of the canvas's
	// size: every headline placement covers some of it.
	wide := photo.Subject{Rect: image.Rect(40, 180, 1160, 610), Kind: photo.SubjectObject, Score: 9, Confident: true}
	// The same, unconfident: it only steers the crop.
	weak := wide
	weak.Confident = false
	// A compact object in the middle: the bottom-left headline clears it.
	compact := photo.Subject{Rect: image.Rect(700, 80, 900, 300), Kind: photo.SubjectObject, Score: 9, Confident: true}
	for _, tc := range []struct {
		name    string
		layout  string
		subject photo.Subject
		variant string
	}{
		{"covered: the slot variant", slotted, wide, "slot"},
		{"covered, typographic small variant: kept", composeLayout, wide, "main"},
		{"unconfident: kept", slotted, weak, "main"},
		{"clear of the headline: kept", slotted, compact, "main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := composeFixture(t, tc.layout)
			pl, err := plan.Card(a, l, p, plan.PhotoInfo{Size: image.Pt(1200, 630), Subjects: []photo.Subject{tc.subject}}, builtinFonts(t))
			if err != nil {
				t.Fatal(err)
			}
			if pl.Variant != tc.variant {
				t.Fatalf("variant %q, want %q; fallbacks %q", pl.Variant, tc.variant, pl.Fallbacks)
			}
			ph := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Kind == plan.KindPhoto })
			if ph == nil || ph.Crop == nil {
				t.Fatalf("no photo drawn; fallbacks %q", pl.Fallbacks)
			}
			if tc.variant == "slot" {
				if !hasFallback(pl, "would cover") {
					t.Errorf("the switch is not in the fallbacks: %q", pl.Fallbacks)
				}
				h := headlineLayer(pl)
				if r := onCanvas(tc.subject.Rect, ph).Intersect(h.TextRect()); !r.Empty() {
					t.Errorf("the subject is still under the headline: %v", r)
				}
			}
		})
	}
}

// TestCardDropsStripOverSubject: the optional strip is left out over any
// confident subject, not only a face, and also when keeping clear of it
// would make the crop cut a head.
func TestCardDropsStripOverSubject(t *testing.T) {
	l := composeFixture(t, composeLayout)
	a := parseArticle(t, composeArticle+"breaking: true\n")
	p := canvasPreset("og", 1200, 630)
	rocket := photo.Subject{Rect: image.Rect(520, 10, 680, 300), Kind: photo.SubjectObject, Score: 9, Confident: true}
	weak := rocket
	weak.Confident = false
	for _, tc := range []struct {
		name     string
		size     image.Point
		subjects []photo.Subject
		strip    bool
		fallback string
	}{
		{"confident object under the strip", image.Pt(1200, 630), []photo.Subject{rocket}, false, "cover"},
		{"unconfident object: the strip stays", image.Pt(1200, 630), []photo.Subject{weak}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := plan.Card(a, l, p, plan.PhotoInfo{Size: tc.size, Subjects: tc.subjects}, builtinFonts(t))
			if err != nil {
				t.Fatal(err)
			}
			label := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Text != nil && joined(p.Text) == "BREAKING" })
			if (label != nil) != tc.strip {
				t.Errorf("strip drawn %v, want %v; fallbacks %q", label != nil, tc.strip, pl.Fallbacks)
			}
			if tc.fallback != "" && !hasFallback(pl, tc.fallback) {
				t.Errorf("fallbacks %q, want one with %q", pl.Fallbacks, tc.fallback)
			}
			ph := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Kind == plan.KindPhoto })
			for _, s := range tc.subjects {
				if plan.HeadKind(s.Kind) && !s.Rect.In(ph.Crop.Src) {
					t.Errorf("head %v cut by the crop %v", s.Rect, ph.Crop.Src)
				}
			}
		})
	}
}

// TestCardDropsStripForHead: an optional strip at the foot of the card is
// left out when the crop could keep clear of it only by cutting the top
// of a tall head; a head that fits above it keeps the strip.
func TestCardDropsStripForHead(t *testing.T) {
	l := composeFixture(t, `name: f
variants:
  - layers:
      - type: photo
      - {type: box, when: breaking, color: "#C8102E", box: {bottom: 0, height: 22%}}
      - {type: text, text: BREAKING, when: breaking, box: {left: 5%, right: 5%, bottom: 0, height: 22%}}
`)
	a := parseArticle(t, composeArticle+"breaking: true\n")
	p := canvasPreset("og", 1200, 630)
	for _, tc := range []struct {
		name  string
		head  image.Rectangle
		strip bool
	}{
		// 520 px tall: in 630 px it reaches into the strip's 139 px, or the
		// crop cuts its top.
		{"tall head: the strip goes", image.Rect(500, 200, 700, 720), false},
		{"head above the strip: it stays", image.Rect(500, 200, 700, 500), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			face := photo.Subject{Rect: tc.head, Kind: photo.SubjectFace, Score: 50}
			pl, err := plan.Card(a, l, p, plan.PhotoInfo{Size: image.Pt(1200, 900), Subjects: []photo.Subject{face}}, builtinFonts(t))
			if err != nil {
				t.Fatal(err)
			}
			label := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Text != nil && joined(p.Text) == "BREAKING" })
			if (label != nil) != tc.strip {
				t.Errorf("strip drawn %v, want %v; fallbacks %q", label != nil, tc.strip, pl.Fallbacks)
			}
			ph := layerBy(pl, func(p *plan.PlannedLayer) bool { return p.Kind == plan.KindPhoto })
			if !tc.head.In(ph.Crop.Src) {
				t.Errorf("head %v cut by the crop %v; fallbacks %q", tc.head, ph.Crop.Src, pl.Fallbacks)
			}
		})
	}
}

package paint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"maps"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// WCAG 2 AA contrast ratios for normal and large text.
const (
	contrastNormal = 4.5
	contrastLarge  = 3.0
)

// TestEnsureContrast puts text of one colour on a background of nearly the
// same colour and checks the scrim the text backing paints brings the
// pixels behind the text to the WCAG AA ratio — and that no scrim is drawn
// when the contrast is already enough.
func TestEnsureContrast(t *testing.T) {
	tests := []struct {
		name      string
		bg, text  color.NRGBA
		large     bool
		wantScrim bool
	}{
		{"white on white, small", color.NRGBA{250, 250, 250, 255}, color.NRGBA{255, 255, 255, 255}, false, true},
		{"white on light grey, large", color.NRGBA{200, 200, 200, 255}, color.NRGBA{255, 255, 255, 255}, true, true},
		{"black on dark grey", color.NRGBA{40, 40, 40, 255}, color.NRGBA{0, 0, 0, 255}, false, true},
		{"white on black is fine", color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &plan.Plan{Width: 400, Height: 200, Safe: image.Rect(0, 0, 400, 200), Background: tc.bg,
				Layers: []plan.PlannedLayer{{
					Kind: plan.KindText, Box: image.Rect(0, 0, 400, 200), Declared: image.Rect(0, 0, 400, 200),
					Large: tc.large, Contrast: true, TextX: 100, TextY: 80, Color: tc.text,
					Text: &text.Block{Size: 20, Height: 40, Lines: []text.Line{{Text: "x", Width: 200}}},
				}}}
			c := paint.NewCanvas(p, paint.Pixels{})
			c.TextBacking(0)
			if w := c.Warnings(); len(w) != 0 {
				t.Fatalf("warnings: %q", w)
			}
			img := c.Image()
			got := img.NRGBAAt(200, 100)
			ratio := paint.ContrastRatio(paint.Luminance(tc.text), paint.Luminance(got))
			want := contrastNormal
			if tc.large {
				want = contrastLarge
			}
			if ratio < want {
				t.Errorf("contrast %.2f:1 behind the text, want ≥ %.1f:1", ratio, want)
			}
			if scrimmed := got != tc.bg; scrimmed != tc.wantScrim {
				t.Errorf("scrim drawn: %v, want %v", scrimmed, tc.wantScrim)
			}
			// Not more than needed: within 15% of the target.
			if tc.wantScrim && ratio > want*1.15 {
				t.Errorf("scrim darker than needed: %.2f:1 for a target of %.1f:1", ratio, want)
			}
			// The block has no glyphs: the backing is the whole layer, so
			// the canvas now holds what Draw paints.
			c.TextGlyphs(0)
			drawn, warns := paint.Draw(p, paint.Pixels{})
			if !bytes.Equal(drawn.Pix, img.Pix) || len(warns) != 0 {
				t.Errorf("Draw paints other pixels than the canvas steps (warnings %q)", warns)
			}
		})
	}
}

func TestContrastRatio(t *testing.T) {
	white := paint.Luminance(color.NRGBA{255, 255, 255, 255})
	black := paint.Luminance(color.NRGBA{0, 0, 0, 255})
	if r := paint.ContrastRatio(white, black); r < 20.9 || r > 21.1 {
		t.Errorf("white/black = %.2f, want 21", r)
	}
	grey := paint.Luminance(color.NRGBA{118, 118, 118, 255}) // #767676 is the classic 4.5:1 grey on white
	if r := paint.ContrastRatio(white, grey); r < 4.5 || r > 4.6 {
		t.Errorf("white/#767676 = %.2f, want ≈4.54", r)
	}
}

const roundedLayout = `name: rounded
variants:
  - name: all
    background: "#102030"
    layers:
      - type: photo
        backdrop: "#405060"
      - type: box
        box: {left: 5%, right: 5%, bottom: 5%, height: 40%}
        color: "#FFFFFFCC"
        radius: 24px
      - type: text
        field: headline
        box: {left: 8%, right: 8%, bottom: 8%, height: 34%}
        color: "#101010"
`

// insetLayout puts the photo alone in a slot, so a small photo is shown as
// an inset over its backdrop colour.
const insetLayout = `name: inset
variants:
  - name: all
    background: "#102030"
    layers:
      - type: photo
        box: {left: 0, width: 50%}
        backdrop: "#405060"
      - type: text
        field: headline
        box: {left: 55%, right: 5%, top: 10%, bottom: 10%}
`

// TestPlanJSONRoundTrip plans cards, sends each plan through JSON and
// paints both: a plan is complete data, so the pixels must be identical.
// The cards cover photo crops (one too small for its box, over a
// backdrop), gradients, boxes, contrast scrims, pills, badges, the logo
// and right-to-left text.
func TestPlanJSONRoundTrip(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	ctx := context.Background()
	// No built-in layout has a box with round corners.
	rounded, err := layout.Parse("rounded.yaml", []byte(roundedLayout), fstest.MapFS{}, eng.Fonts)
	if err != nil {
		t.Fatal(err)
	}
	inset, err := layout.Parse("inset.yaml", []byte(insetLayout), fstest.MapFS{}, eng.Fonts)
	if err != nil {
		t.Fatal(err)
	}
	lays = maps.Clone(lays)
	lays["rounded"] = rounded
	lays["inset"] = inset
	// Small canvases keep the test quick under the race detector; their
	// sizes pick the same variants as the platform sizes of their shape.
	small := func(id string, w, h int) preset.Preset { return preset.Preset{ID: id, Width: w, Height: h} }
	tests := []struct {
		layout, headline, photo string
		preset                  preset.Preset
	}{
		{"standard", "long", "astronaut-eileen-collins.jpg", small("story", 432, 768)},
		{"standard", "seed", "astronaut-eileen-collins.jpg", rendertest.Presets(t, "thumb-square")[0]},
		{"standard", "arabic", "grace-hopper.jpg", small("wide", 600, 315)},
		{"breaking", "long", "astronaut-eileen-collins.jpg", small("square", 480, 480)},
		{"split", "short", "two-presenters-150px.jpg", small("wide", 600, 315)},
		{"rounded", "oneword", "coffee.jpg", small("wide", 600, 315)},
		{"inset", "short", "two-presenters-150px.jpg", small("wide", 600, 315)},
	}
	var all []preset.Preset
	for _, tc := range tests {
		all = append(all, tc.preset)
	}
	preps := map[string]*photo.Prepared{} // each photo prepared once, for every preset
	seen := map[string]bool{}
	for _, tc := range tests {
		prep := preps[tc.photo]
		if prep == nil {
			var err error
			if prep, err = eng.Prepare(ctx, rendertest.ReadTestdata(t, "photos/"+tc.photo), all); err != nil {
				t.Fatal(err)
			}
			preps[tc.photo] = prep
		}
		lay := lays[tc.layout]
		job := render.Job{Article: rendertest.Headline(t, tc.headline), Layout: lay, Presets: all}
		px := paint.Pixels{Photo: prep.Pyramid, Images: lay.Images, Fonts: eng.Fonts}
		t.Run(tc.layout+"/"+tc.headline+"/"+tc.preset.ID, func(t *testing.T) {
			pl, err := eng.PlanCard(job, prep, tc.preset)
			if err != nil {
				t.Fatal(err)
			}
			note(seen, pl)
			data, err := json.Marshal(pl)
			if err != nil {
				t.Fatal(err)
			}
			var back plan.Plan
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if again, err := json.Marshal(&back); err != nil || !bytes.Equal(again, data) {
				t.Errorf("the plan marshals differently after a round trip (%v)", err)
			}
			want, wantWarns := paint.Draw(pl, px)
			got, gotWarns := paint.Draw(&back, px)
			if want.Rect != got.Rect || !bytes.Equal(want.Pix, got.Pix) {
				t.Errorf("the plan read back from JSON paints other pixels")
			}
			if !reflect.DeepEqual(wantWarns, gotWarns) {
				t.Errorf("warnings %q after the round trip, %q before", gotWarns, wantWarns)
			}
		})
	}
	for _, what := range []string{"crop", "backdrop", "gradient", "box", "rounded box", "image", "text", "badge", "pill", "contrast", "rtl"} {
		if !seen[what] {
			t.Errorf("no card of the test has a %s: choose cards that do", what)
		}
	}
}

// note records in seen what a plan holds, for TestPlanJSONRoundTrip to
// check it covers every kind of layer.
func note(seen map[string]bool, pl *plan.Plan) {
	seen["rtl"] = seen["rtl"] || pl.RTL
	for _, l := range pl.Layers {
		seen[l.Kind.String()] = true
		switch {
		case l.Crop != nil && l.Crop.Fill:
			seen["backdrop"] = true
		case l.Crop != nil:
			seen["crop"] = true
		case l.Kind == plan.KindBox && l.Radius > 0:
			seen["rounded box"] = true
		}
		seen["pill"] = seen["pill"] || l.Pill != nil
		seen["contrast"] = seen["contrast"] || l.Contrast
	}
}

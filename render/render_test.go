package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fogleman/gg"

	"sharecard/layouts"
	"sharecard/render/article"
	"sharecard/render/encode"
	"sharecard/render/layout"
	"sharecard/render/photo"
	"sharecard/render/plan"
	"sharecard/render/preset"
	"sharecard/render/text"
)

var (
	engineOnce sync.Once
	engineVal  *Engine
	layoutsVal map[string]*layout.Layout
	engineErr  error
)

// testEngine returns an engine with the embedded fonts and face model and
// the built-in layouts, built once per test binary.
func TestEngine(t testing.TB) (*Engine, map[string]*layout.Layout) {
	t.Helper()
	engineOnce.Do(func() {
		fset, err := text.TestFonts()
		if err != nil {
			engineErr = err
			return
		}
		finder, err := photo.NewFinder()
		if err != nil {
			engineErr = err
			return
		}
		layoutsVal, engineErr = layout.Load(layouts.FS, "layouts", fset)
		engineVal = &Engine{Fonts: fset, Finder: finder}
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engineVal, layoutsVal
}

// Headlines of the kinds newsrooms send: short, typical, very long, Arabic
// (with a Latin word inside), and one long unbreakable word.
var TestHeadlines = map[string]*article.Article{
	"short":   {Headline: "Storm closes schools", Section: "Weather", Credit: "Photo: Agency"},
	"seed":    {Headline: "Occupying US forces withdraw from K1 Air Base in northern Iraq, hand it over to Iraqi army", Section: "Iraq", Credit: "Stand-in photo: Aitzol Berasategi, CC BY 4.0"},
	"long":    {Headline: "Astronaut Eileen Collins, the first woman to pilot and later command a Space Shuttle, looks back on decades of spaceflight, the crews she led, the risks they took after Columbia, and what the next generation of explorers will need as NASA prepares to send people back to the Moon and, one day, on to Mars", Section: "Science", Breaking: true},
	"arabic":  {Headline: "القوات الأمريكية تنسحب من قاعدة K1 الجوية شمال العراق وتسلمها للجيش العراقي", Section: "العراق", Lang: "ar"},
	"oneword": {Headline: "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung", Section: "Wirtschaft", Lang: "de"},
}

// TestPlanCard_TextStaysInside checks, for every layout, preset and kind of
// headline, that each text layer's lines fit its box, the box lies in the
// safe area, and no glyph ink falls outside the box.
func TestPlanCard_TextStaysInside(t *testing.T) {
	eng, lays := TestEngine(t)
	photo := plan.PhotoInfo{Size: image.Pt(3264, 2448)}
	for _, lname := range layout.Names(lays) {
		for _, p := range preset.All() {
			for hname, a := range TestHeadlines {
				plan, err := plan.Card(a, lays[lname], p, photo, eng.Fonts)
				if err != nil {
					t.Fatalf("%s/%s/%s: %v", lname, p.ID, hname, err)
				}
				for i := range plan.Layers {
					pld := &plan.Layers[i]
					if pld.Text == nil {
						continue
					}
					where := fmt.Sprintf("%s/%s/%s layer line %d", lname, p.ID, hname, pld.Spec.Line)
					checkTextLayer(t, where, plan, pld)
				}
			}
		}
	}
}

func checkTextLayer(t *testing.T, where string, plan *plan.Plan, pld *plan.PlannedLayer) {
	t.Helper()
	if !pld.Box.In(plan.Safe) {
		t.Errorf("%s: text box %v leaves the safe area %v", where, pld.Box, plan.Safe)
	}
	if r := pld.TextRect(); !r.In(pld.Box.Inset(-1)) {
		t.Errorf("%s: text %v (with pill) leaves its box %v", where, r, pld.Box)
	}
	if n := len(pld.Text.Lines); n > pld.Spec.MaxLines {
		t.Errorf("%s: %d lines, max %d", where, n, pld.Spec.MaxLines)
	}
	// Ink check: draw the glyphs alone and look for pixels outside the box.
	const margin = 40
	w, h := pld.Box.Dx()+2*margin, pld.Box.Dy()+2*margin
	dc := gg.NewContext(w, h)
	pld.Text.Draw(dc.Image().(*image.RGBA), pld.TextX-float64(pld.Box.Min.X)+margin, pld.TextY-float64(pld.Box.Min.Y)+margin, pld.Spec.Color)
	img := dc.Image().(*image.RGBA)
	inside := image.Rect(margin-1, margin-1, margin+pld.Box.Dx()+1, margin+pld.Box.Dy()+1)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if img.RGBAAt(x, y).A > 32 && !image.Pt(x, y).In(inside) {
				t.Errorf("%s: glyph ink at %d,%d outside the box %v (size %.1f, lines %q)", where, x-margin+pld.Box.Min.X, y-margin+pld.Box.Min.Y, pld.Box, pld.Text.Size, lineTexts(pld.Text))
				return
			}
		}
	}
}

func lineTexts(tb *text.Block) []string {
	var out []string
	for _, l := range tb.Lines {
		out = append(out, l.Text)
	}
	return out
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func PresetsByID(t testing.TB, ids ...string) []preset.Preset {
	t.Helper()
	var out []preset.Preset
	for _, id := range ids {
		p, ok := preset.Lookup(id)
		if !ok {
			t.Fatalf("no preset %q", id)
		}
		out = append(out, p)
	}
	return out
}

// TestRender_Deterministic renders the same job with one worker and with
// several and expects identical bytes.
func TestRender_Deterministic(t *testing.T) {
	eng, lays := TestEngine(t)
	photo := readTestdata(t, "photos/astronaut-eileen-collins.jpg")
	job := Job{Article: TestHeadlines["seed"], Photo: photo, Layout: lays["standard"], Presets: PresetsByID(t, "og", "instagram-story", "thumb-square", "x-summary")}
	serial := &Engine{Fonts: eng.Fonts, Finder: eng.Finder, Workers: 1}
	a, err := serial.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	parallel := &Engine{Fonts: eng.Fonts, Finder: eng.Finder, Workers: 4}
	b, err := parallel.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Outputs {
		if !bytes.Equal(a.Outputs[i].Data, b.Outputs[i].Data) {
			t.Errorf("%s: serial and parallel renders differ", a.Outputs[i].Preset.ID)
		}
	}
}

// TestRender_Outputs checks what an editor checks: sizes, formats, byte
// limits and that faces stay in the crop, for every standard preset.
func TestRender_Outputs(t *testing.T) {
	eng, lays := TestEngine(t)
	photo := readTestdata(t, "photos/astronaut-eileen-collins.jpg")
	// Hand-labelled face of the astronaut (source pixels).
	face := image.Rect(180, 60, 265, 170)
	res, err := eng.Render(context.Background(), Job{Article: TestHeadlines["seed"], Photo: photo, Layout: lays["standard"], Presets: preset.Standard()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outputs) < 15 {
		t.Fatalf("standard set has %d outputs, want ≥ 15", len(res.Outputs))
	}
	for _, o := range res.Outputs {
		cfg, format, err := image.DecodeConfig(bytes.NewReader(o.Data))
		if err != nil {
			t.Errorf("%s: output does not decode: %v", o.Preset.ID, err)
			continue
		}
		if cfg.Width != o.Preset.Width || cfg.Height != o.Preset.Height {
			t.Errorf("%s: %dx%d, want %dx%d", o.Preset.ID, cfg.Width, cfg.Height, o.Preset.Width, o.Preset.Height)
		}
		if format != string(o.Format) {
			t.Errorf("%s: encoded as %s, want %s", o.Preset.ID, format, o.Format)
		}
		if o.Preset.MaxBytes > 0 && len(o.Data) > o.Preset.MaxBytes {
			t.Errorf("%s: %d bytes over the limit %d", o.Preset.ID, len(o.Data), o.Preset.MaxBytes)
		}
		if !face.In(o.Crop) {
			t.Errorf("%s: face %v not inside crop %v", o.Preset.ID, face, o.Crop)
		}
	}
}

// TestRender_Tricky sends every tricky input through the whole engine: each
// renders or fails with a specific error, never a panic.
func TestRender_Tricky(t *testing.T) {
	eng, lays := TestEngine(t)
	entries, err := os.ReadDir("testdata/tricky")
	if err != nil {
		t.Fatal(err)
	}
	wantErr := map[string]error{
		"decompression-bomb-50000x50000.png": photo.ErrPhotoTooLarge,
		"html-error-page-named.jpg":          photo.ErrUnsupportedFormat,
		"truncated-half-baseline.jpg":        photo.ErrCorruptPhoto,
		"truncated-half-progressive.jpg":     photo.ErrCorruptPhoto,
		"zero-bytes.jpg":                     photo.ErrEmptyPhoto,
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			data := readTestdata(t, "tricky/"+e.Name())
			res, err := eng.Render(context.Background(), Job{Article: TestHeadlines["short"], Photo: data, Layout: lays["standard"], Presets: PresetsByID(t, "og")})
			if want, ok := wantErr[e.Name()]; ok {
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("should render: %v", err)
			}
			img, err := jpeg.Decode(bytes.NewReader(res.Outputs[0].Data))
			if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 630 {
				t.Fatalf("bad output: %v %v", err, img.Bounds())
			}
		})
	}
}

// TestPlanCard_ArabicRightToLeft checks the Arabic headline is laid out
// right to left, right-aligned in a mirrored layout, on every standard
// preset that shows a headline.
func TestPlanCard_ArabicRightToLeft(t *testing.T) {
	eng, lays := TestEngine(t)
	a := TestHeadlines["arabic"]
	for _, p := range preset.Standard() {
		plan, err := plan.Card(a, lays["standard"], p, plan.PhotoInfo{Size: image.Pt(3264, 2448)}, eng.Fonts)
		if err != nil {
			t.Fatal(err)
		}
		if !plan.RTL {
			t.Fatalf("%s: plan not mirrored for an Arabic article", p.ID)
		}
		for _, l := range plan.Layers {
			if l.Text == nil || l.Spec.Field != "headline" {
				continue
			}
			if !l.Text.RTL {
				t.Errorf("%s: headline not right to left", p.ID)
			}
			first := l.Text.Lines[0]
			right := l.TextX + first.X + first.Width
			if d := float64(l.Box.Max.X) - right; d < -1 || d > 2 {
				t.Errorf("%s: first line ends %.1f px from the box's right edge, want ≈0", p.ID, d)
			}
		}
	}
}

// TestRender_SharedCanvas checks that presets with the same canvas are drawn
// once and get the bytes a separate render would give, while a preset whose
// byte limit forces a lower quality is encoded on its own.
func TestRender_SharedCanvas(t *testing.T) {
	eng, lays := TestEngine(t)
	photo := readTestdata(t, "photos/grace-hopper.jpg")
	square := PresetsByID(t, "x-summary", "google-article-1x1")
	tight := square[0]
	tight.ID, tight.MaxBytes = "tight-square", 150000
	job := Job{Article: TestHeadlines["short"], Photo: photo, Layout: lays["standard"], Presets: append(square, tight)}
	if g := canvasGroups(job.Presets); len(g) != 1 || len(g[0]) != 3 {
		t.Fatalf("groups %v, want one group of three", g)
	}
	res, err := eng.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := eng.Render(context.Background(), Job{Article: job.Article, Photo: photo, Layout: job.Layout, Presets: square[1:]})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Outputs[1].Data, alone.Outputs[0].Data) || !bytes.Equal(res.Outputs[0].Data, res.Outputs[1].Data) {
		t.Errorf("shared canvas gives different bytes than a separate render")
	}
	if o := res.Outputs[2]; len(o.Data) > 150000 || o.Quality >= encode.DefaultQuality || o.Plan.Preset != "tight-square" {
		t.Errorf("tight preset: %d bytes at quality %d, plan %q", len(o.Data), o.Quality, o.Plan.Preset)
	}
}

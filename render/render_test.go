package render_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/encode"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"

	"github.com/disintegration/imaging"
)

// TestPlanCard_TextStaysInside checks, for every layout, preset and kind of
// headline, that each text layer's lines fit its box, the box lies in the
// safe area, and no glyph ink falls outside the box. Presets with the same
// canvas (size and safe area) get the same plan, so each canvas is checked
// once.
func TestPlanCard_TextStaysInside(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	info := plan.PhotoInfo{Size: image.Pt(3264, 2448)}
	all := preset.All()
	var canvases []preset.Preset
	for _, g := range preset.Canvases(all) {
		canvases = append(canvases, all[g[0]])
	}
	for _, lname := range layout.Names(lays) {
		lay := lays[lname]
		t.Run(lname, func(t *testing.T) {
			t.Parallel()
			ink := newInkCheck()
			for _, p := range canvases {
				for _, hname := range rendertest.HeadlineNames() {
					a := rendertest.Headline(t, hname)
					pl, err := plan.Card(a, lay, p, info, eng.Fonts)
					if err != nil {
						t.Fatalf("%s/%s/%s: %v", lname, p.ID, hname, err)
					}
					for i := range pl.Layers {
						pld := &pl.Layers[i]
						if pld.Text == nil {
							continue
						}
						where := fmt.Sprintf("%s/%s/%s layer at %s", lname, p.ID, hname, pld.Source)
						maxLines := rendertest.LayerOf(t, lay, pl, pld).MaxLines
						checkTextLayer(t, where, eng.Fonts, ink, pl, pld, maxLines)
					}
				}
			}
		})
	}
}

func checkTextLayer(t *testing.T, where string, fonts *text.FontSet, ink *inkCheck, pl *plan.Plan, pld *plan.PlannedLayer, maxLines int) {
	t.Helper()
	if !pld.Box.In(pl.Safe) {
		t.Errorf("%s: text box %v leaves the safe area %v", where, pld.Box, pl.Safe)
	}
	if r := pld.TextRect(); !r.In(pld.Box.Inset(-1)) {
		t.Errorf("%s: text %v (with pill) leaves its box %v", where, r, pld.Box)
	}
	if n := len(pld.Text.Lines); n > maxLines {
		t.Errorf("%s: %d lines, max %d", where, n, maxLines)
	}
	if at, found, err := ink.outside(fonts, pld); err != nil {
		t.Errorf("%s: %v", where, err)
	} else if found {
		t.Errorf("%s: glyph ink at %d,%d outside the box %v (size %.1f, lines %q)", where, at.X, at.Y, pld.Box, pld.Text.Size, lineTexts(pld.Text))
	}
}

// inkCheck draws the glyphs of a text layer alone, on a transparent image
// reaching inkMargin px beyond the layer's box, and finds ink (alpha above
// 32) outside the box grown by 1 px. It reuses its image between layers and
// reads only the margin around the box: rows, or parts of rows, with no
// ink at all are skipped with one comparison of their bytes with zeros,
// which is fast with and without the race detector, and only the pixels of
// rows that hold some ink are looked at one by one.
type inkCheck struct {
	img   *image.NRGBA
	zeros []byte
}

// inkMargin is how far beyond its box ink is looked for, px.
const inkMargin = 40

func newInkCheck() *inkCheck { return &inkCheck{img: &image.NRGBA{}} }

// outside draws pld's text and returns the first pixel of ink outside its
// box (row by row) and true, or false when there is none.
func (c *inkCheck) outside(fonts *text.FontSet, pld *plan.PlannedLayer) (image.Point, bool, error) {
	area := pld.Box.Inset(-inkMargin)
	stride, n := 4*area.Dx(), 4*area.Dx()*area.Dy()
	if cap(c.img.Pix) < n {
		c.img.Pix = make([]byte, n)
	}
	if len(c.zeros) < stride {
		c.zeros = make([]byte, stride)
	}
	*c.img = image.NRGBA{Pix: c.img.Pix[:n], Stride: stride, Rect: area}
	clear(c.img.Pix)
	// The colour is made opaque: the check is about where glyphs go, and
	// a translucent colour must not hide ink under the threshold.
	col := pld.Color
	col.A = 255
	if err := fonts.Draw(pld.Text, c.img, pld.TextX, pld.TextY, col); err != nil {
		return image.Point{}, false, err
	}
	inside := pld.Box.Inset(-1)
	for y := area.Min.Y; y < area.Max.Y; y++ {
		row := c.img.Pix[c.img.PixOffset(area.Min.X, y):][:stride]
		segs := [][]byte{row}
		xs := []int{area.Min.X}
		if y >= inside.Min.Y && y < inside.Max.Y {
			segs = [][]byte{row[:4*(inside.Min.X-area.Min.X)], row[4*(inside.Max.X-area.Min.X):]}
			xs = []int{area.Min.X, inside.Max.X}
		}
		for i, seg := range segs {
			if x, found := c.inkIn(seg, xs[i]); found {
				return image.Pt(x, y), true, nil
			}
		}
	}
	return image.Point{}, false, nil
}

// inkIn looks through the pixels of seg, the first at x, for ink; it
// returns the x of the first and true, or false when there is none.
func (c *inkCheck) inkIn(seg []byte, x int) (int, bool) {
	if bytes.Equal(seg, c.zeros[:len(seg)]) {
		return 0, false
	}
	for i := 3; i < len(seg); i += 4 {
		if seg[i] > 32 {
			return x + i/4, true
		}
	}
	return 0, false
}

func lineTexts(tb *text.Block) []string {
	var out []string
	for _, l := range tb.Lines {
		out = append(out, l.Text)
	}
	return out
}

// TestInkCheck checks the ink check itself: text drawn inside its box
// passes, the same text moved partly out of the box fails, and faint
// anti-aliasing (alpha up to 32) outside the box is allowed.
func TestInkCheck(t *testing.T) {
	fonts := rendertest.Fonts(t)
	tb, err := fonts.Fit("Storm closes schools", text.Style{Family: "Noto Sans", Weight: 700, MaxSize: 40}, 400, 60)
	if err != nil {
		t.Fatal(err)
	}
	// The box is the ink's, 1 px wider on each side.
	x0, y0, x1, y1 := tb.Bounds()
	box := image.Rect(int(math.Floor(x0))-1, int(math.Floor(y0))-1, int(math.Ceil(x1))+1, int(math.Ceil(y1))+1).Add(image.Pt(100, 100))
	pld := &plan.PlannedLayer{Kind: layout.LayerText, Box: box, Text: &tb, TextX: 100, TextY: 100, Color: color.NRGBA{A: 255}}
	ink := newInkCheck()
	if at, found, err := ink.outside(fonts, pld); found || err != nil {
		t.Errorf("ink found at %v (%v) outside the box of text set inside it", at, err)
	}
	for _, shift := range []image.Point{{-30, 0}, {30, 0}, {0, -30}, {0, 30}} {
		moved := *pld
		moved.TextX += float64(shift.X)
		moved.TextY += float64(shift.Y)
		if _, found, err := ink.outside(fonts, &moved); !found || err != nil {
			t.Errorf("text moved by %v: no ink found outside the box (%v)", shift, err)
		}
	}
	// A faint pixel and a darker one 4 px right of the box.
	for _, tc := range []struct {
		a     uint8
		found bool
	}{{32, false}, {33, true}} {
		if _, found, _ := ink.outside(fonts, &plan.PlannedLayer{Box: pld.Box, Text: &text.Block{}}); found {
			t.Fatal("an empty block has ink")
		}
		at := image.Pt(box.Max.X+4, box.Min.Y+box.Dy()/2)
		ink.img.SetNRGBA(at.X, at.Y, color.NRGBA{A: tc.a})
		row := ink.img.Pix[ink.img.PixOffset(box.Max.X+1, at.Y):][:4*(ink.img.Rect.Max.X-box.Max.X-1)]
		if x, found := ink.inkIn(row, box.Max.X+1); found != tc.found || (found && x != at.X) {
			t.Errorf("alpha %d at %v: inkIn = %d, %v; want ink %v", tc.a, at, x, found, tc.found)
		}
	}
}

// TestRender_Deterministic renders the same job with one worker and with
// several and expects identical bytes.
func TestRender_Deterministic(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	data := rendertest.ReadTestdata(t, "photos/astronaut-eileen-collins.jpg")
	job := render.Job{Article: rendertest.Headline(t, "seed"), Photo: data, Layout: lays["standard"], Presets: rendertest.Presets(t, "og", "instagram-story", "thumb-square", "x-summary")}
	serial := render.Engine{Fonts: eng.Fonts, Finder: eng.Finder, Workers: 1}
	a, err := serial.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	parallel := render.Engine{Fonts: eng.Fonts, Finder: eng.Finder, Workers: 4}
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
	eng, lays := rendertest.Engine(t)
	// The astronaut photo (512 px) enlarged 4×, so that every standard
	// card can show it (a photo this small gets the layout's small-photo
	// variant instead: TestRender_SmallPhoto).
	small, err := jpeg.Decode(bytes.NewReader(rendertest.ReadTestdata(t, "photos/astronaut-eileen-collins.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	var big bytes.Buffer
	if err := jpeg.Encode(&big, imaging.Resize(small, 2048, 0, imaging.CatmullRom), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	data := big.Bytes()
	// Hand-labelled face of the astronaut (source pixels of the 512 px
	// photo, ×4).
	face := image.Rect(180*4, 60*4, 265*4, 170*4)
	res, err := eng.Render(context.Background(), render.Job{Article: rendertest.Headline(t, "seed"), Photo: data, Layout: lays["standard"], Presets: preset.Standard()})
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

// TestRender_SmallPhoto: a photo too small for a card is never a stamp
// under the headline: the card is the layout's small-photo variant, and
// says so, or shows the photo whole enough to cover its box.
func TestRender_SmallPhoto(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	data := rendertest.ReadTestdata(t, "photos/astronaut-eileen-collins.jpg") // 512×512
	for _, name := range []string{"standard", "split", "breaking"} {
		res, err := eng.Render(context.Background(), render.Job{Article: rendertest.Headline(t, "seed"), Photo: data, Layout: lays[name], Presets: preset.Standard()})
		if err != nil {
			t.Fatal(err)
		}
		variants := 0
		for _, o := range res.Outputs {
			pl := o.Plan
			small := slices.ContainsFunc(pl.Fallbacks, func(f string) bool { return strings.Contains(f, "small-photo variant") })
			if small {
				variants++
			}
			if pl.Crop == nil {
				if !small {
					t.Errorf("%s %s: no photo drawn, and no small-photo fallback said: %q", name, o.Preset.ID, pl.Fallbacks)
				}
				continue
			}
			if pl.Crop.Scale > 2.5 {
				t.Errorf("%s %s: photo enlarged %.2f×", name, o.Preset.ID, pl.Crop.Scale)
			}
		}
		if variants == 0 {
			t.Errorf("%s: a 512 px photo used no small-photo variant on any standard preset", name)
		}
	}
}

// TestRender_Tricky sends every tricky input through the whole engine: each
// renders or fails with a specific error, never a panic.
func TestRender_Tricky(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	entries, err := os.ReadDir(rendertest.Testdata("tricky"))
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
			t.Parallel() // one preset: Render alone would keep one core busy
			data := rendertest.ReadTestdata(t, "tricky/"+e.Name())
			res, err := eng.Render(context.Background(), render.Job{Article: rendertest.Headline(t, "short"), Photo: data, Layout: lays["standard"], Presets: rendertest.Presets(t, "og")})
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
	eng, lays := rendertest.Engine(t)
	a := rendertest.Headline(t, "arabic")
	lay := lays["standard"]
	for _, p := range preset.Standard() {
		pl, err := plan.Card(a, lay, p, plan.PhotoInfo{Size: image.Pt(3264, 2448)}, eng.Fonts)
		if err != nil {
			t.Fatal(err)
		}
		if !pl.RTL {
			t.Fatalf("%s: plan not mirrored for an Arabic article", p.ID)
		}
		for i := range pl.Layers {
			l := &pl.Layers[i]
			if l.Text == nil || rendertest.LayerOf(t, lay, pl, l).Field != "headline" {
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

// TestPlanCard_DirectionAgrees checks that the layout is mirrored exactly
// when the text is set right to left: both follow text.IsRTL, also for
// languages whose script only CLDR knows (mzn, lrc, glk, bal), for which
// the layout was once mirrored around left-to-right text.
func TestPlanCard_DirectionAgrees(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	for _, tc := range []struct {
		lang, headline string
		rtl            bool
	}{
		{"mzn", "seed", true}, {"lrc", "seed", true}, {"glk", "short", true}, {"bal", "short", true},
		{"ar", "arabic", true}, {"fa", "seed", true}, {"en", "arabic", false}, {"de", "oneword", false},
	} {
		a := rendertest.Headline(t, tc.headline)
		a.Lang = tc.lang
		for _, p := range rendertest.Presets(t, "og", "instagram-story", "thumb-square") {
			pl, err := plan.Card(a, lays["standard"], p, plan.PhotoInfo{Size: image.Pt(3264, 2448)}, eng.Fonts)
			if err != nil {
				t.Fatal(err)
			}
			if pl.RTL != tc.rtl || pl.RTL != text.IsRTL(a.Lang, a.Headline) {
				t.Errorf("%s, %s: plan mirrored %v, want %v", tc.lang, p.ID, pl.RTL, tc.rtl)
			}
			for _, l := range pl.Layers {
				if l.Text != nil && l.Text.RTL != pl.RTL {
					t.Errorf("%s, %s: text at %s set with RTL %v in a plan with RTL %v", tc.lang, p.ID, l.Source, l.Text.RTL, pl.RTL)
				}
			}
		}
	}
}

// TestRender_SharedCanvas checks that presets with the same canvas are drawn
// once and get the bytes a separate render would give, while a preset whose
// byte limit forces a lower quality is encoded on its own.
func TestRender_SharedCanvas(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	data := rendertest.ReadTestdata(t, "photos/grace-hopper.jpg")
	square := rendertest.Presets(t, "x-summary", "linkedin-image-square")
	a := rendertest.Headline(t, "short")
	alone, err := eng.Render(context.Background(), render.Job{Article: a, Photo: data, Layout: lays["standard"], Presets: square[1:]})
	if err != nil {
		t.Fatal(err)
	}
	// A copy of the first preset whose byte limit its full-quality
	// encoding does not meet.
	tight := square[0]
	tight.ID, tight.MaxBytes = "tight-square", len(alone.Outputs[0].Data)*9/10
	job := render.Job{Article: a, Photo: data, Layout: lays["standard"], Presets: append(square, tight)}
	if g := preset.Canvases(job.Presets); len(g) != 1 || len(g[0]) != 3 {
		t.Fatalf("groups %v, want one group of three", g)
	}
	res, err := eng.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Outputs[1].Data, alone.Outputs[0].Data) || !bytes.Equal(res.Outputs[0].Data, res.Outputs[1].Data) {
		t.Errorf("shared canvas gives different bytes than a separate render")
	}
	if o := res.Outputs[2]; len(o.Data) > tight.MaxBytes || o.Quality >= encode.DefaultQuality || o.Plan.Preset != "tight-square" {
		t.Errorf("tight preset: %d bytes at quality %d, plan %q", len(o.Data), o.Quality, o.Plan.Preset)
	}
}

// TestRender_EncodeCache renders a job with an engine that keeps its
// encodings, twice, and expects the bytes of a render without the cache,
// the second time reused, not encoded again.
func TestRender_EncodeCache(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	job := render.Job{Article: rendertest.Headline(t, "short"), Layout: lays["standard"], Presets: rendertest.Presets(t, "og", "x-summary", "thumb-square")}
	want, err := eng.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	cached := render.Engine{Fonts: eng.Fonts, Finder: eng.Finder, Encodings: encode.NewCache(64 << 20)}
	for round := range 2 {
		res, err := cached.Render(context.Background(), job)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range res.Outputs {
			if !bytes.Equal(o.Data, want.Outputs[i].Data) {
				t.Errorf("round %d, %s: bytes differ from a render without the cache", round, o.Preset.ID)
			}
		}
		if round == 0 {
			want = res // the second round must hand out the very same bytes
			continue
		}
		for i, o := range res.Outputs {
			if &o.Data[0] != &want.Outputs[i].Data[0] {
				t.Errorf("%s: encoded again instead of reused", o.Preset.ID)
			}
		}
	}
}

// TestAltText: an image's alt text is the card's headline and the photo's
// alt text, else its caption.
func TestAltText(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	for _, tc := range []struct{ yaml, want string }{
		{"headline: Storm closes schools\n", "Storm closes schools"},
		{"headline: Storm closes schools\ncaption: Waves on the pier\n", "Storm closes schools. Photo: Waves on the pier"},
		{"headline: Storm closes schools\ncaption: Waves on the pier\nphoto_alt: Grey waves break over a wooden pier\n", "Storm closes schools. Photo: Grey waves break over a wooden pier"},
	} {
		a, err := article.Parse("a.yaml", []byte(tc.yaml))
		if err != nil {
			t.Fatal(err)
		}
		res, err := eng.Render(context.Background(), render.Job{Article: a, Layout: lays["standard"], Presets: rendertest.Presets(t, "thumb-square")})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Outputs[0].Alt; got != tc.want {
			t.Errorf("%q: alt %q, want %q", tc.yaml, got, tc.want)
		}
	}
}

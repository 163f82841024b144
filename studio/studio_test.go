package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/internal/testwait"
	"github.com/sharecard/sharecard/layoutset"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/encode"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/samples"
)

// testStudio is a studio on a temporary copy of the layouts folder.
type testStudio struct {
	t   *testing.T
	dir string
	set *layoutset.Set
	mux *http.ServeMux
}

var engineOnce = sync.OnceValues(func() (*render.Engine, error) { return render.NewEngine(fonts.FS) })

// smallK1Photo is the K1 sample's photo at most 1280 pixels wide.
var smallK1Photo = sync.OnceValues(func() ([]byte, error) {
	data, err := os.ReadFile(filepath.Join("..", "samples", "k1-air-base", "photo.jpg"))
	if err != nil {
		return nil, err
	}
	ph, err := photo.Decode(bytes.NewReader(data), photo.Limits{})
	if err != nil {
		return nil, err
	}
	size := ph.Image.Bounds().Size()
	dst := image.Pt(1280, size.Y*1280/size.X)
	enc, err := encode.Encode(photo.NewPyramid(ph.Image).Scaled(ph.Image.Bounds(), dst), preset.FormatJPEG, encode.Options{Quality: 90})
	if err != nil {
		return nil, err
	}
	return enc.Data, nil
})

func newTestStudio(t *testing.T, presets string) *testStudio {
	t.Helper()
	eng, err := engineOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"standard.yaml", "split.yaml", "logo.png", "logo-white.png", "logo-dark.png"} {
		data, err := os.ReadFile(filepath.Join("..", "layouts", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := layoutset.Open(dir, eng.Fonts, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan error, 1)
	go func() { watched <- set.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-watched; err != nil {
			t.Errorf("watch: %v", err)
		}
	})
	all := map[string]*samples.Sample{}
	for _, name := range []string{"long-headline", "k1-air-base", "k1-air-base-ar"} {
		sample, err := samples.Load(samples.FS, "samples", name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "k1-air-base") {
			// The K1 photo is a camera's: decoding it takes seconds under
			// -race, so the tests switch to a smaller copy.
			if sample.Photo, err = smallK1Photo(); err != nil {
				t.Fatal(err)
			}
		}
		// A focus point spares the face detector, slow under -race.
		sample.Article.Focus = &article.FocusPoint{X: 0.4, Y: 0.3}
		all[name] = sample
	}
	// Renders may finish after the test: log only while it runs.
	var (
		logMu sync.Mutex
		ended bool
	)
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		if !ended {
			t.Logf(format, args...)
		}
	}
	t.Cleanup(func() {
		logMu.Lock()
		ended = true
		logMu.Unlock()
	})
	h, err := New(Config{Engine: eng, Layouts: set, Samples: all, Sample: "long-headline",
		Presets: presets, Context: ctx, Logf: logf})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/studio/", h)
	return &testStudio{t: t, dir: dir, set: set, mux: mux}
}

func (e *testStudio) get(path string) (*http.Response, []byte) {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func (e *testStudio) post(path, body string) *http.Response {
	e.t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	e.mux.ServeHTTP(rec, req)
	return rec.Result()
}

func (e *testStudio) state() stateView {
	e.t.Helper()
	res, body := e.get("/studio/state.json")
	if res.StatusCode != 200 {
		e.t.Fatalf("state.json: %s: %s", res.Status, body)
	}
	var v stateView
	if err := json.Unmarshal(body, &v); err != nil {
		e.t.Fatalf("state.json: %v", err)
	}
	return v
}

// settle waits until the latest generation is rendered and ok holds.
func (e *testStudio) settle(what string, ok func(stateView) bool) stateView {
	e.t.Helper()
	var v stateView
	waitUntil(e.t, what, func() (bool, any) {
		v = e.state()
		return !v.Rendering && ok(v), v
	})
	return v
}

// waitUntil calls check until it reports done, as long as the test may
// run (see testwait), naming what it waited for and the last thing check
// saw if it gives up.
func waitUntil(t *testing.T, what string, check func() (done bool, seen any)) {
	t.Helper()
	testwait.Until(t, 10*time.Millisecond, func() (bool, string) {
		done, seen := check()
		return done, fmt.Sprintf("still waiting for %s; last seen: %+v", what, seen)
	})
}

func (e *testStudio) headline() string { return e.state().Article.Headline }

func TestStudio(t *testing.T) {
	env := newTestStudio(t, "thumb-16x9,instagram-story,thumb-square")
	v := env.settle("the first render", func(v stateView) bool { return v.Gen > 0 })
	if len(v.Presets) != 3 || len(v.Groups) != 2 || v.Error != "" || len(v.Problems) != 0 {
		t.Fatalf("state = %+v", v)
	}
	wantGroups := []string{"Generic thumbnail", "Instagram"}
	for i, g := range v.Groups {
		if i >= len(wantGroups) || g.Platform != wantGroups[i] {
			t.Errorf("groups = %+v, want platforms %v", v.Groups, wantGroups)
			break
		}
	}

	// Every image is served from memory at its preset's size, and the
	// overlays are in canvas pixels.
	for _, p := range v.Presets {
		res, body := env.get("/studio/" + p.Image)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %s", p.Image, res.Status)
		}
		ph, err := photo.Decode(bytes.NewReader(body), photo.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if sz := ph.Image.Bounds().Size(); sz.X != p.Width || sz.Y != p.Height {
			t.Errorf("%s: image is %v, want %dx%d", p.ID, sz, p.Width, p.Height)
		}
		if p.Overlay == nil || p.Overlay.Safe[2] <= 0 || p.Overlay.Safe[2] > p.Width {
			t.Errorf("%s: overlay %+v", p.ID, p.Overlay)
		}
		if p.ID == "instagram-story" && (p.Overlay.Safe[1] != 269 || p.Overlay.Safe[3] != 1920-269-384) {
			t.Errorf("story safe area = %v, want y 269, height %d", p.Overlay.Safe, 1920-269-384)
		}
		// Below 200 pixels the thumbnail shows only the photo (the standard
		// layout's min_short_side), the story its text too.
		// A photo too small for the canvas gives the layout's small-photo
		// variant, and the view says so.
		small := slices.ContainsFunc(p.Fallbacks, func(f string) bool { return strings.Contains(f, "small-photo variant") })
		if (p.Overlay.Crop == nil || p.SourceCrop == nil) && !small {
			t.Errorf("%s overlay lacks the photo, with no small-photo fallback said: %+v, %q", p.ID, p.Overlay, p.Fallbacks)
		}
		if p.ID == "instagram-story" && len(p.Overlay.Boxes) == 0 {
			t.Errorf("instagram-story overlay lacks the text boxes: %+v", p.Overlay)
		}
	}

	// Edits re-render; the focus point moves the crop.
	if res := env.post("/studio/edit", `{"headline": "Short one", "focus": {"x": 0.9, "y": 0.1}}`); res.StatusCode != 202 {
		t.Fatalf("edit: %s", res.Status)
	}
	v2 := env.settle("the edit", func(v stateView) bool { return v.Gen > v.Want-1 && v.Article.Headline == "Short one" })
	if v2.Article.Focus == nil || v2.Article.Focus.X != 0.9 {
		t.Errorf("focus = %+v", v2.Article.Focus)
	}
	if v2.Presets[0].Image == v.Presets[0].Image {
		t.Error("the thumb-16x9 image address did not change after the edit")
	}
	for _, bad := range []string{`{"headline": 3}`, `{"colour": "red"}`, `not json`} {
		if res := env.post("/studio/edit", bad); res.StatusCode != 400 {
			t.Errorf("edit %s: %s, want 400", bad, res.Status)
		}
	}
	// A form posted by another web site is not JSON: refused.
	rec := httptest.NewRecorder()
	env.mux.ServeHTTP(rec, httptest.NewRequest("POST", "/studio/edit", strings.NewReader(`{"headline": "x"}`)))
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("edit without a JSON content type: %d, want 415", rec.Code)
	}

	// A layout whose variants do not cover a preset shows the render
	// error, and the server keeps going.
	env.post("/studio/edit", `{"layout": "nope"}`)
	v3 := env.settle("an unknown layout", func(v stateView) bool { return v.Error != "" })
	if !strings.Contains(v3.Error, `layout "nope" is not loaded`) {
		t.Errorf("error = %q", v3.Error)
	}
	env.post("/studio/edit", `{"layout": "split"}`)
	env.settle("the split layout", func(v stateView) bool { return v.Error == "" && v.Layout == "split" && v.Presets[0].Image != "" })

	// The contact sheet holds every image.
	res, body := env.get("/studio/contact-sheet.png")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("contact sheet: %s %s", res.Status, body)
	}
	sheet, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	// The labelled sheet sets the three images side by side in one row.
	if b := sheet.Bounds(); b.Dx() < 3*320 || b.Dy() < 320 {
		t.Errorf("contact sheet of 3 images is %v", b)
	}

	// The page and its scripts are served.
	for _, path := range []string{"/studio/", "/studio/static/app.js", "/studio/static/app.css", "/studio/photo"} {
		if res, _ := env.get(path); res.StatusCode != 200 {
			t.Errorf("%s: %s", path, res.Status)
		}
	}
}

// TestStudio_SwitchSample checks that picking another sample shows its
// article and photo, dropping the designer's edits, and that an unknown
// sample is refused with the names to pick from.
func TestStudio_SwitchSample(t *testing.T) {
	env := newTestStudio(t, "og,thumb-square")
	v := env.settle("the first render", func(v stateView) bool { return v.Gen > 0 })
	if v.Sample != "long-headline" || !slices.Equal(v.Samples, []string{"k1-air-base", "k1-air-base-ar", "long-headline"}) {
		t.Fatalf("state lists sample %q of %v", v.Sample, v.Samples)
	}
	_, longPhoto := env.get("/studio/photo")
	if res := env.post("/studio/edit", `{"headline": "Edited", "focus": {"x": 0.9, "y": 0.9}}`); res.StatusCode != 202 {
		t.Fatalf("edit: %s", res.Status)
	}
	edited := env.settle("the edit", func(v stateView) bool { return v.Gen == v.Want && v.Article.Headline == "Edited" })

	tests := []struct {
		sample, file, headline, section string
		newPhoto                        bool // than the sample before
	}{
		{"k1-air-base", "k1-air-base", "Occupying US forces withdraw from K1 Air Base", "Iraq", true},
		// The Arabic sample borrows the English one's photo.
		{"k1-air-base-ar", "k1-air-base-ar", "القوات الأمريكية تنسحب", "العراق", false},
		{"long-headline", "long-headline", "Astronaut Eileen Collins", "Science", true},
	}
	prev := edited
	for _, tt := range tests {
		if res := env.post("/studio/edit", `{"sample": "`+tt.sample+`"}`); res.StatusCode != 202 {
			t.Fatalf("switch to %s: %s", tt.sample, res.Status)
		}
		v := env.settle("the switch to "+tt.sample, func(v stateView) bool {
			return v.Gen == v.Want && v.Sample == tt.sample && v.Presets[0].Image != ""
		})
		a := v.Article
		if !strings.HasPrefix(a.Headline, tt.headline) || a.Section != tt.section ||
			!strings.Contains(v.ArticleFile, tt.file) || !v.Photo {
			t.Errorf("after switching to %s: file %q, photo %v, article %+v", tt.sample, v.ArticleFile, v.Photo, a)
		}
		// The designer's focus is gone: the sample's own applies.
		if a.Focus == nil || a.Focus.X != 0.4 || a.Focus.Y != 0.3 {
			t.Errorf("after switching to %s: focus %+v, want the sample's (0.4, 0.3)", tt.sample, a.Focus)
		}
		for i, p := range v.Presets {
			// The 150-pixel thumbnail shows only the photo (the standard
			// layout's min_short_side).
			photoOnly := p.ID == "thumb-square"
			if p.Image == prev.Presets[i].Image && (!photoOnly || tt.newPhoto) {
				t.Errorf("after switching to %s: %s still shows %s", tt.sample, p.ID, p.Image)
			}
		}
		// The page's photo is the sample's: the K1 samples share one,
		// long-headline has its own.
		if _, photo := env.get("/studio/photo"); bytes.Equal(photo, longPhoto) != (tt.sample == "long-headline") {
			t.Errorf("after switching to %s the page shows the wrong photo", tt.sample)
		}
		prev = v
	}
	res := env.post("/studio/edit", `{"sample": "nope"}`)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || !strings.Contains(string(body), `no sample "nope"`) || !strings.Contains(string(body), "k1-air-base, k1-air-base-ar, long-headline") {
		t.Errorf("unknown sample: %s %q, want 400 naming the samples", res.Status, body)
	}
	if v := env.state(); v.Sample != "long-headline" {
		t.Errorf("after a refused switch the sample is %q", v.Sample)
	}
}

func TestRenderErrorShown(t *testing.T) {
	env := newTestStudio(t, "thumb-16x9,thumb-square")
	// A layout whose only variant serves tall canvases cannot draw the
	// landscape thumbnail.
	tall := "name: tall\nvariants:\n  - max_aspect: 0.7\n    layers:\n      - type: photo\n"
	if err := os.WriteFile(filepath.Join(env.dir, "tall.yaml"), []byte(tall), 0o644); err != nil {
		t.Fatal(err)
	}
	env.settle("the new layout", func(v stateView) bool { return strings.Contains(strings.Join(v.Layouts, ","), "tall") })
	env.post("/studio/edit", `{"layout": "tall"}`)
	v := env.settle("the render error", func(v stateView) bool { return v.Error != "" })
	if !strings.Contains(v.Error, "tall.yaml") || !strings.Contains(v.Error, "no variant matches") {
		t.Errorf("the error does not say what to fix: %q", v.Error)
	}
}

// TestStudio_SameBytesAsRender checks that the studio shows exactly what
// rendering the sample's photo writes: the standard presets as rendered by
// default (the standard set alone), the others as rendered together with
// everything shown.
func TestStudio_SameBytesAsRender(t *testing.T) {
	shown := "og,thumb-16x9,androidtv-banner"
	env := newTestStudio(t, shown)
	v := env.settle("the first render", func(v stateView) bool {
		for _, p := range v.Presets {
			if p.Image == "" {
				return false
			}
		}
		return v.Gen == v.Want
	})
	eng, _ := engineOnce()
	sample, err := samples.Load(samples.FS, "samples", "long-headline")
	if err != nil {
		t.Fatal(err)
	}
	sample.Article.Focus = &article.FocusPoint{X: 0.4, Y: 0.3} // as newTestStudio
	lay := env.set.Layouts()["standard"]
	all, err := preset.Select(shown, lay.Presets)
	if err != nil {
		t.Fatal(err)
	}
	std := slices.DeleteFunc(slices.Clone(all), func(p preset.Preset) bool { return !p.Standard })
	if len(std) == 0 || len(std) == len(all) {
		t.Fatalf("%d of %d presets standard: the test needs both kinds", len(std), len(all))
	}
	want := map[string][]byte{}
	for _, presets := range [][]preset.Preset{all, std} { // std last: it decides the standard ones
		res, err := eng.Render(context.Background(), render.Job{Article: sample.Article, Photo: sample.Photo, Layout: lay, Presets: presets})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Outputs {
			want[o.Preset.ID] = o.Data
		}
	}
	for _, p := range v.Presets {
		_, body := env.get("/studio/" + p.Image)
		if !bytes.Equal(body, want[p.ID]) {
			t.Errorf("%s: the studio shows %d bytes, rendering writes %d other bytes", p.ID, len(body), len(want[p.ID]))
		}
	}
}

// TestStudio_SwitchCorpus: a designer picks a corpus headline and every
// size renders again with it, in its language; "" brings the sample's own
// headline back, and switching samples drops the corpus headline.
func TestStudio_SwitchCorpus(t *testing.T) {
	env := newTestStudio(t, "og,instagram-story")
	v := env.settle("the first render", func(v stateView) bool { return v.Gen > 0 })
	if v.Corpus != "" || len(v.Headlines) != len(corpus.All()) {
		t.Fatalf("state offers %d corpus headlines with %q shown, want all %d and none", len(v.Headlines), v.Corpus, len(corpus.All()))
	}
	own := v.Article
	before := v
	for _, id := range []string{"ja", "ar", "hi"} {
		e, _ := corpus.Lookup(id)
		if res := env.post("/studio/edit", `{"corpus": "`+id+`"}`); res.StatusCode != 202 {
			t.Fatalf("pick %s: %s", id, res.Status)
		}
		v := env.settle("the corpus headline "+id, func(v stateView) bool {
			return v.Gen == v.Want && v.Corpus == id && v.Presets[0].Image != "" && v.Presets[1].Image != ""
		})
		a := v.Article
		if a.Headline != e.Headline || a.Lang != e.Lang || a.Section != e.Section || v.Sample != "long-headline" || !v.Photo {
			t.Errorf("after picking %s: sample %q, article %+v", id, v.Sample, a)
		}
		for i, p := range v.Presets {
			if p.Image == before.Presets[i].Image {
				t.Errorf("after picking %s: %s still shows %s", id, p.ID, p.Image)
			}
		}
		before = v
	}
	if res := env.post("/studio/edit", `{"corpus": ""}`); res.StatusCode != 202 {
		t.Fatalf("back to the sample's headline: %s", res.Status)
	}
	v = env.settle("the sample's own headline", func(v stateView) bool { return v.Gen == v.Want && v.Corpus == "" })
	if v.Article.Headline != own.Headline || v.Article.Lang != own.Lang || v.Article.Section != own.Section {
		t.Errorf("back to the sample's own: %+v, want %+v", v.Article, own)
	}
	env.post("/studio/edit", `{"corpus": "ko"}`)
	env.settle("the corpus headline ko", func(v stateView) bool { return v.Gen == v.Want && v.Corpus == "ko" })
	env.post("/studio/edit", `{"sample": "k1-air-base"}`)
	v = env.settle("the switch to k1-air-base", func(v stateView) bool { return v.Gen == v.Want && v.Sample == "k1-air-base" })
	if v.Corpus != "" || v.Article.Lang != "en" || !strings.HasPrefix(v.Article.Headline, "Occupying US forces") {
		t.Errorf("after switching samples the corpus headline %q stays: %+v", v.Corpus, v.Article)
	}
	res := env.post("/studio/edit", `{"corpus": "nope"}`)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || !strings.Contains(string(body), `no corpus headline "nope"`) {
		t.Errorf("unknown corpus headline: %s %q, want 400", res.Status, body)
	}
}

// TestStudio_MissingGlyphsShown: a headline with a character no font has
// (here an unassigned code point) is previewed with boxes and a warning on
// each image, not refused as a render for publication is.
func TestStudio_MissingGlyphsShown(t *testing.T) {
	env := newTestStudio(t, "og")
	env.settle("the first render", func(v stateView) bool { return v.Gen > 0 })
	if res := env.post("/studio/edit", `{"headline": "Unknown \u0378 character"}`); res.StatusCode != 202 {
		t.Fatalf("edit: %s", res.Status)
	}
	v := env.settle("the edit", func(v stateView) bool { return v.Gen == v.Want && strings.Contains(v.Article.Headline, "\u0378") })
	if v.Error != "" || v.Presets[0].Image == "" {
		t.Fatalf("error %q, image %q: want the image with boxes", v.Error, v.Presets[0].Image)
	}
	if w := strings.Join(v.Presets[0].Warnings, "\n"); !strings.Contains(w, "\u0378") && !strings.Contains(w, "U+0378") {
		t.Errorf("warnings %q do not name the character", w)
	}
}

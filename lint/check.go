package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// Options say what [Check] tries the layouts with.
type Options struct {
	// Samples are the articles and photos to render; see DefaultSamples.
	Samples []Sample
	// Presets are the canvases to check; nil means every built-in preset.
	// Each layout's own presets are added to them.
	Presets []preset.Preset
	// Workers is how many canvases are checked at once (0 = one per CPU).
	Workers int
}

// contrastPercentile is the share of the background pixels around the
// glyphs that may read worse than the measured ratio: a few stray pixels
// of a busy photo do not fail a layout, a bright patch does.
const contrastPercentile = 0.05

// faceCovered is the share of a face (without hair) a layer may cover
// before it counts as covering the face.
const faceCovered = 0.10

// minFaceSide is the smallest face, in canvas pixels, that counts: smaller
// faces cannot be recognised anyway.
const minFaceSide = 16

// Check runs every rule on every layout, over opts' presets and samples:
// the rules of [Static] and, on rendered pixels, text contrast and layers
// covering a face. eng provides the fonts, the face finder and the photo
// limits. Each sample photo is prepared once by [render.Engine.Prepare] and
// each canvas planned by [render.Engine.PlanCard] for the job of the
// layout's presets, so the plans, crops and pixels checked are the ones the
// engine ships. Problems come sorted; the error is only for a sample photo
// that cannot be decoded or a cancelled ctx. It is safe for concurrent use.
func Check(ctx context.Context, eng *render.Engine, layouts map[string]*layout.Layout, opts Options) ([]Problem, error) {
	ck := newChecker(eng, opts.Samples)
	var (
		mu   sync.Mutex
		hits []hit
	)
	g, gctx := errgroup.WithContext(ctx)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(workers)
	for _, name := range layout.Names(layouts) {
		l := layouts[name]
		presets := presetsFor(opts.Presets, l)
		for _, grp := range groupPresets(presets) {
			for si := range opts.Samples {
				g.Go(func() error {
					if err := gctx.Err(); err != nil {
						return err
					}
					hs, err := ck.canvas(gctx, l, presets, grp.preset, si)
					if err != nil {
						return err
					}
					mu.Lock()
					hits = append(hits, grp.spread(hs...)...)
					mu.Unlock()
					return nil
				})
			}
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return merge(hits), nil
}

// checker plans and paints canvases for [Check], preparing each sample
// photo once per set of presets.
type checker struct {
	eng     *render.Engine
	samples []Sample

	mu    sync.Mutex
	preps map[prepKey]func() (*photo.Prepared, error)
}

// prepKey names a prepared photo: the photo, by the first sample that has
// its bytes, and the [render.WorkingSize] of the presets it is prepared
// for, which decides how it is shrunk.
type prepKey struct {
	photo int
	size  image.Point
}

func newChecker(eng *render.Engine, samples []Sample) *checker {
	return &checker{eng: eng, samples: samples, preps: map[prepKey]func() (*photo.Prepared, error){}}
}

// prepared returns sample si's photo as [render.Engine.Prepare] makes it
// for a job of presets, or nil when the sample has none. Samples with the
// same photo share it; the first caller prepares it and later ones wait.
func (ck *checker) prepared(ctx context.Context, si int, presets []preset.Preset) (*photo.Prepared, error) {
	s := &ck.samples[si]
	if s.Photo == nil {
		return nil, nil
	}
	k := prepKey{photo: si, size: render.WorkingSize(presets)}
	if j := samePhoto(ck.samples[:si], *s); j >= 0 {
		k.photo = j
	}
	ck.mu.Lock()
	prep, ok := ck.preps[k]
	if !ok {
		prep = sync.OnceValues(func() (*photo.Prepared, error) {
			p, err := ck.eng.Prepare(ctx, s.Photo, presets)
			if err != nil {
				return nil, fmt.Errorf("sample %s: %w", s.Name, err)
			}
			return p, nil
		})
		ck.preps[k] = prep
	}
	ck.mu.Unlock()
	return prep()
}

// samePhoto returns the index of the first sample of earlier with the same
// photo bytes as s, or -1.
func samePhoto(earlier []Sample, s Sample) int {
	for j, e := range earlier {
		if bytes.Equal(e.Photo, s.Photo) {
			return j
		}
	}
	return -1
}

// plan plans preset p of the job of layout l with sample si, rendered at
// presets, exactly as the engine does, and returns the prepared photo it
// was planned with (nil without a photo). A planning error comes back as
// planErr, so the caller can report it as a problem.
func (ck *checker) plan(ctx context.Context, l *layout.Layout, presets []preset.Preset, p preset.Preset, si int) (pl *plan.Plan, prep *photo.Prepared, planErr, err error) {
	s := &ck.samples[si]
	if prep, err = ck.prepared(ctx, si, presets); err != nil {
		return nil, nil, nil, err
	}
	pl, planErr = ck.eng.PlanCard(render.Job{Article: s.Article, Photo: s.Photo, Layout: l, Presets: presets}, prep, p)
	return pl, prep, planErr, nil
}

// canvas plans and paints preset p of layout l (checked at presets) with
// sample si and runs every rule on it.
func (ck *checker) canvas(ctx context.Context, l *layout.Layout, presets []preset.Preset, p preset.Preset, si int) ([]hit, error) {
	s := &ck.samples[si]
	pl, prep, planErr, err := ck.plan(ctx, l, presets, p, si)
	if err != nil {
		return nil, err
	}
	// Characters no font has are the glyphs rule's (staticHits), on the
	// plan PlanCard returns with that error.
	if planErr != nil && (pl == nil || !errors.Is(planErr, render.ErrMissingGlyphs)) {
		return []hit{planHit(l, s, planErr)}, nil
	}
	hits := staticHits(l, pl, p, s)
	if s.TextOnly {
		return hits, nil
	}
	fonts := ck.eng.FontsFor(l)
	px := paint.Pixels{Images: l.Images, Fonts: fonts}
	if prep != nil {
		px.Photo = prep.Pyramid
	}
	paintMeasuring(pl, px, func(i int, canvas *image.NRGBA) {
		if h, ok := contrastHit(l, pl, i, canvas, s, fonts); ok {
			hits = append(hits, h)
		}
	}, func(i int, canvas *image.NRGBA, pic image.Image, r image.Rectangle) {
		if h, ok := logoContrastHit(l, pl, i, canvas, pic, r, s); ok {
			hits = append(hits, h)
		}
	})
	hits = append(hits, faceHits(l, pl, s, faceCores(prep))...)
	return hits, nil
}

// paintMeasuring paints pl with the steps of [paint.Canvas], which give
// [paint.Draw]'s pixels, and calls beforeGlyphs for every text and badge
// layer with the canvas as it is just before the layer's glyphs: everything
// below the text, its contrast scrim and its pill are painted; and
// beforePicture (when not nil) for every image layer with the canvas just
// before its picture (its plate or scrim painted) and the picture paint
// draws there. The canvas shares the painting's pixels: the callbacks must
// not modify or keep it.
func paintMeasuring(pl *plan.Plan, px paint.Pixels, beforeGlyphs func(i int, canvas *image.NRGBA),
	beforePicture ...func(i int, canvas *image.NRGBA, pic image.Image, r image.Rectangle)) *paint.Canvas {
	c := paint.NewCanvas(pl, px)
	for i := range pl.Layers {
		switch pl.Layers[i].Kind {
		case layout.LayerText, layout.LayerBadge:
			c.TextBacking(i)
			beforeGlyphs(i, c.Image())
			c.TextGlyphs(i)
		case layout.LayerImage:
			c.ImageBacking(i)
			pic, r := c.Picture(i)
			for _, f := range beforePicture {
				f(i, c.Image(), pic, r)
			}
			c.ImagePicture(i)
		default:
			c.Layer(i)
		}
	}
	c.Finish()
	return c
}

// logoContrastHit measures the picture of image layer i (a logo) against
// the canvas below it, plate or scrim included, as paint.LogoContrast does
// for paint's own choice: below 3:1 the logo fades into the photo.
func logoContrastHit(l *layout.Layout, pl *plan.Plan, i int, canvas *image.NRGBA, pic image.Image, r image.Rectangle, s *Sample) (hit, bool) {
	if pic == nil || r.Empty() {
		return hit{}, false
	}
	measured := paint.LogoContrast(canvas, r, pic)
	if measured >= paint.LogoContrastTarget {
		return hit{}, false
	}
	pld := &pl.Layers[i]
	h := layerHit(l, pld, RuleContrast)
	h.subject = fmt.Sprintf("%s is below %.0f:1 contrast", plannedName(l, pl, pld), paint.LogoContrastTarget)
	h.fix = "add `contrast: auto` (with `src_on_light:` or `plate:`), or put it on a bar"
	if pld.Contrast {
		h.fix = "give it `src_on_light:` or a `plate:` colour that contrasts with the logo"
	}
	h.detail = fmt.Sprintf("%.1f:1 against what is behind it with the %s sample", measured, s.Name)
	h.score = paint.LogoContrastTarget - measured
	return h, true
}

// faceCores returns the faces of a prepared photo without hair and chin
// margins (see [photo.FaceCore]), in working pixels like the plan's crops.
func faceCores(prep *photo.Prepared) []image.Rectangle {
	if prep == nil {
		return nil
	}
	var out []image.Rectangle
	for _, sub := range prep.Subjects {
		if sub.Kind == photo.SubjectFace {
			out = append(out, photo.FaceCore(sub.Rect))
		}
	}
	return out
}

// contrastHit measures the text of layer i of pl against the canvas drawn
// below its glyphs, at the pixels under and just around the glyphs.
func contrastHit(l *layout.Layout, pl *plan.Plan, i int, canvas *image.NRGBA, s *Sample, fonts *text.FontSet) (hit, bool) {
	pld := &pl.Layers[i]
	tb := pld.Text
	if tb == nil || len(tb.Lines) == 0 || pld.Color.A == 0 {
		return hit{}, false
	}
	d := max(1, int(math.Round(tb.Size*0.06)))
	area := pld.TextRect().Inset(-d - 2).Intersect(canvas.Bounds())
	if area.Empty() {
		return hit{}, false
	}
	// Glyph coverage; a pixel counts when a glyph covers it or lies within
	// d pixels across or down: the background the eye compares letters with.
	// Glyphs of a missing font are left out here as on the canvas, so the
	// error adds nothing.
	mask := image.NewAlpha(area)
	_ = fonts.Draw(tb, mask, pld.TextX, pld.TextY, color.White)
	near := func(x, y int) bool {
		for _, o := range [...]image.Point{{0, 0}, {-d, 0}, {d, 0}, {0, -d}, {0, d}} {
			if p := image.Pt(x+o.X, y+o.Y); p.In(area) && mask.AlphaAt(p.X, p.Y).A >= 128 {
				return true
			}
		}
		return false
	}
	fg := pld.Color
	a := float64(fg.A) / 255
	step := max(1, int(math.Sqrt(float64(area.Dx()*area.Dy())/40000)))
	var ratios []float64
	for y := area.Min.Y; y < area.Max.Y; y += step {
		for x := area.Min.X; x < area.Max.X; x += step {
			if !near(x, y) {
				continue
			}
			bg := canvas.NRGBAAt(x, y)
			seen := color.NRGBA{blend(bg.R, fg.R, a), blend(bg.G, fg.G, a), blend(bg.B, fg.B, a), 255}
			ratios = append(ratios, paint.ContrastRatio(paint.Luminance(seen), paint.Luminance(bg)))
		}
	}
	if len(ratios) == 0 {
		return hit{}, false
	}
	sort.Float64s(ratios)
	measured := ratios[int(float64(len(ratios))*contrastPercentile)]
	target, kind := paint.ContrastAA(pld.Large), "small"
	if pld.Large {
		kind = "large"
	}
	if measured >= target {
		return hit{}, false
	}
	fix := "add `contrast: auto`, a pill, or a darker scrim or box below it"
	if pld.Contrast {
		fix = "the automatic scrim cannot reach it: choose a text colour with more contrast or add a pill"
	}
	if pld.Pill != nil {
		fix = "choose a text or pill colour with more contrast"
	}
	h := layerHit(l, pld, RuleContrast)
	h.subject = fmt.Sprintf("text of %s is below WCAG AA contrast", plannedName(l, pl, pld))
	h.fix = fix
	h.detail = fmt.Sprintf("%.1f:1 against what is behind it with the %s sample, %s text (%.0f px) needs %.1f:1",
		measured, s.Name, kind, tb.Size, target)
	h.score = target - measured
	return h, true
}

func blend(bg, fg uint8, a float64) uint8 {
	return uint8(math.Round(float64(bg)*(1-a) + float64(fg)*a))
}

// faceHits reports text, badge, image and opaque box layers drawn over one
// of faces (in the photo pixels of the plan's crops).
func faceHits(l *layout.Layout, pl *plan.Plan, s *Sample, faces []image.Rectangle) []hit {
	var hits []hit
	for i := range pl.Layers {
		ph := &pl.Layers[i]
		cr := ph.Crop
		if ph.Kind != layout.LayerPhoto || cr == nil || cr.Src.Empty() || cr.Dst.Empty() {
			continue
		}
		for _, face := range faces {
			fr := toCanvas(face.Intersect(cr.Src), ph.Box, cr).Intersect(ph.Box)
			if fr.Dx() < minFaceSide || fr.Dy() < minFaceSide {
				continue
			}
			for j := i + 1; j < len(pl.Layers); j++ {
				up := &pl.Layers[j]
				r := coverRect(up)
				share := float64(area(r.Intersect(fr))) / float64(area(fr))
				if share < faceCovered {
					continue
				}
				h := layerHit(l, up, RuleFace)
				h.subject = fmt.Sprintf("%s covers a face", plannedName(l, pl, up))
				h.fix = "move or shrink the layer, or keep it off the photo"
				h.detail = fmt.Sprintf("%.0f%% of the face in the %s sample's photo", share*100, s.Name)
				h.score = share
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// coverRect is what a layer hides of the photo below it: the text and its
// pill, the logo's picture or an opaque box; empty for the rest.
func coverRect(pld *plan.PlannedLayer) image.Rectangle {
	switch pld.Kind {
	case layout.LayerText, layout.LayerBadge:
		return pld.TextRect()
	case layout.LayerImage:
		return pld.ImageRect
	case layout.LayerBox:
		if pld.Color.A >= 128 {
			return pld.Box
		}
	}
	return image.Rectangle{}
}

// toCanvas maps a rectangle of photo pixels to canvas pixels through the
// crop of a photo layer whose box is box.
func toCanvas(r, box image.Rectangle, cr *plan.CropResult) image.Rectangle {
	if r.Empty() {
		return image.Rectangle{}
	}
	sx := float64(cr.Dst.Dx()) / float64(cr.Src.Dx())
	sy := float64(cr.Dst.Dy()) / float64(cr.Src.Dy())
	ox, oy := float64(box.Min.X+cr.Dst.Min.X), float64(box.Min.Y+cr.Dst.Min.Y)
	return image.Rect(
		int(math.Round(ox+float64(r.Min.X-cr.Src.Min.X)*sx)), int(math.Round(oy+float64(r.Min.Y-cr.Src.Min.Y)*sy)),
		int(math.Round(ox+float64(r.Max.X-cr.Src.Min.X)*sx)), int(math.Round(oy+float64(r.Max.Y-cr.Src.Min.Y)*sy)),
	)
}

func area(r image.Rectangle) int64 {
	if r.Empty() {
		return 0
	}
	return int64(r.Dx()) * int64(r.Dy())
}

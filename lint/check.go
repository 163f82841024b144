package lint

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"sharecard/render"
	"sharecard/render/layout"
	"sharecard/render/paint"
	"sharecard/render/photo"
	"sharecard/render/plan"
	"sharecard/render/preset"
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

// WCAG 2 AA contrast ratios for normal and large text.
const (
	contrastNormal = 4.5
	contrastLarge  = 3.0
)

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
// limits. Problems come sorted; the error is only for a sample photo that
// cannot be decoded or a cancelled ctx. It is safe for concurrent use.
func Check(ctx context.Context, eng *render.Engine, layouts map[string]*layout.Layout, opts Options) ([]Problem, error) {
	photos, err := preparePhotos(eng, opts.Samples)
	if err != nil {
		return nil, err
	}
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
		for _, grp := range groupPresets(presetsFor(opts.Presets, l)) {
			for si := range opts.Samples {
				g.Go(func() error {
					if err := gctx.Err(); err != nil {
						return err
					}
					hs := checkCanvas(eng, l, grp.preset, &opts.Samples[si], &photos[si])
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

// samplePhoto is a sample's decoded photo and what the engine finds in it.
type samplePhoto struct {
	pyr   *photo.Pyramid // nil without a photo
	info  plan.PhotoInfo
	faces []image.Rectangle // face cores, photo pixels
}

// preparePhotos decodes each sample's photo once and finds its subjects as
// Engine.Render does.
func preparePhotos(eng *render.Engine, samples []Sample) ([]samplePhoto, error) {
	out := make([]samplePhoto, len(samples))
	for i, s := range samples {
		out[i].info.Focus = s.Article.Focus
		if s.Photo == nil {
			continue
		}
		if j := samePhoto(samples[:i], s); j >= 0 && (s.Article.Focus == nil) == (samples[j].Article.Focus == nil) {
			out[i] = out[j] // read-only from here on
			out[i].info.Focus = s.Article.Focus
			continue
		}
		ph, err := photo.Decode(bytes.NewReader(s.Photo), eng.Limits)
		if err != nil {
			return nil, fmt.Errorf("sample %s: %w", s.Name, err)
		}
		pyr := photo.NewPyramid(ph.Image)
		out[i].pyr = pyr
		out[i].info.Size = pyr.Bounds().Size()
		if eng.Finder == nil {
			continue
		}
		lvl, f := pyr.Level(900)
		for _, sub := range eng.Finder.Find(lvl) {
			r := scaleRect(sub.Rect, f).Intersect(pyr.Bounds())
			sub.Rect = r
			if s.Article.Focus == nil {
				out[i].info.Subjects = append(out[i].info.Subjects, sub)
			}
			if sub.Kind == "face" {
				out[i].faces = append(out[i].faces, paint.FaceCore(r))
			}
		}
	}
	return out, nil
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

func scaleRect(r image.Rectangle, f float64) image.Rectangle {
	return image.Rect(int(math.Floor(float64(r.Min.X)*f)), int(math.Floor(float64(r.Min.Y)*f)),
		int(math.Ceil(float64(r.Max.X)*f)), int(math.Ceil(float64(r.Max.Y)*f)))
}

// checkCanvas plans and draws one canvas with one sample and runs every
// rule on it.
func checkCanvas(eng *render.Engine, l *layout.Layout, p preset.Preset, s *Sample, ph *samplePhoto) []hit {
	plan, err := plan.Card(s.Article, l, p, ph.info, eng.Fonts)
	if err != nil {
		return []hit{planHit(l, s, err)}
	}
	hits := staticHits(l, plan, s)
	paint.DrawLayers(plan, ph.pyr, func(i int, canvas *image.NRGBA) {
		if h, ok := contrastHit(l, plan, &plan.Layers[i], canvas, s); ok {
			hits = append(hits, h)
		}
	})
	hits = append(hits, faceHits(l, plan, s, ph)...)
	return hits
}

// contrastHit measures the text of pld against the canvas drawn below its
// glyphs, at the pixels under and just around the glyphs.
func contrastHit(l *layout.Layout, plan *plan.Plan, pld *plan.PlannedLayer, canvas *image.NRGBA, s *Sample) (hit, bool) {
	tb, ly := pld.Text, pld.Spec
	if tb == nil || len(tb.Lines) == 0 || ly.Color.A == 0 {
		return hit{}, false
	}
	d := max(1, int(math.Round(tb.Size*0.06)))
	area := pld.TextRect().Inset(-d - 2).Intersect(canvas.Bounds())
	if area.Empty() {
		return hit{}, false
	}
	// Glyph coverage; a pixel counts when a glyph covers it or lies within
	// d pixels across or down: the background the eye compares letters with.
	mask := image.NewAlpha(area)
	tb.Draw(mask, pld.TextX, pld.TextY, color.White)
	near := func(x, y int) bool {
		for _, o := range [...]image.Point{{0, 0}, {-d, 0}, {d, 0}, {0, -d}, {0, d}} {
			if p := image.Pt(x+o.X, y+o.Y); p.In(area) && mask.AlphaAt(p.X, p.Y).A >= 128 {
				return true
			}
		}
		return false
	}
	fg := ly.Color
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
	target, kind := contrastNormal, "small"
	if pld.Large {
		target, kind = contrastLarge, "large"
	}
	if measured >= target {
		return hit{}, false
	}
	fix := "add `contrast: auto`, a pill, or a darker scrim or box below it"
	if ly.Contrast {
		fix = "the automatic scrim cannot reach it: choose a text colour with more contrast or add a pill"
	}
	if ly.Pill != nil {
		fix = "choose a text or pill colour with more contrast"
	}
	return hit{
		file: l.File, line: ly.Line, col: ly.Col, rule: RuleContrast,
		subject: fmt.Sprintf("text of %s is below WCAG AA contrast", layerName(ly)),
		fix:     fix,
		detail: fmt.Sprintf("%.1f:1 against what is behind it with the %s sample, %s text (%.0f px) needs %.1f:1",
			measured, s.Name, kind, tb.Size, target),
		score: target - measured,
	}, true
}

func blend(bg, fg uint8, a float64) uint8 {
	return uint8(math.Round(float64(bg)*(1-a) + float64(fg)*a))
}

// faceHits reports text, badge, image and opaque box layers drawn over a
// face of the sample photo.
func faceHits(l *layout.Layout, plan *plan.Plan, s *Sample, ph *samplePhoto) []hit {
	var hits []hit
	for i := range plan.Layers {
		photo := &plan.Layers[i]
		cr := photo.Crop
		if photo.Kind != layout.LayerPhoto || cr == nil || cr.Src.Empty() || cr.Dst.Empty() {
			continue
		}
		for _, face := range ph.faces {
			fr := toCanvas(face.Intersect(cr.Src), photo.Box, cr).Intersect(photo.Box)
			if fr.Dx() < minFaceSide || fr.Dy() < minFaceSide {
				continue
			}
			for j := i + 1; j < len(plan.Layers); j++ {
				up := &plan.Layers[j]
				r := coverRect(plan, up)
				share := float64(area(r.Intersect(fr))) / float64(area(fr))
				if share < faceCovered {
					continue
				}
				hits = append(hits, hit{
					file: l.File, line: up.Spec.Line, col: up.Spec.Col, rule: RuleFace,
					subject: fmt.Sprintf("%s covers a face", layerName(up.Spec)),
					fix:     "move or shrink the layer, or keep it off the photo",
					detail:  fmt.Sprintf("%.0f%% of the face in the %s sample's photo", share*100, s.Name),
					score:   share,
				})
			}
		}
	}
	return hits
}

// coverRect is what a layer hides of the photo below it: the text and its
// pill, the logo's picture or an opaque box; empty for the rest.
func coverRect(plan *plan.Plan, pld *plan.PlannedLayer) image.Rectangle {
	switch pld.Kind {
	case layout.LayerText, layout.LayerBadge:
		return pld.TextRect()
	case layout.LayerImage:
		return paint.ImageRect(plan, pld)
	case layout.LayerBox:
		if pld.Spec.Color.A >= 128 {
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

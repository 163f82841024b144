package render

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Version identifies the engine's output; it is bumped when the same input
// renders differently on purpose, and is part of cache keys.
const Version = "sharecard-render/1"

// Engine renders articles. It holds the parsed fonts and face model, which
// are shared read-only, so one Engine serves many goroutines.
type Engine struct {
	Fonts  *FontSet
	Finder *SubjectFinder
	Limits Limits
	// Workers is how many presets of one job render at once (0 = one per CPU).
	Workers int
}

// Job is one article to render at a set of presets.
type Job struct {
	Article *Article
	Photo   []byte // the encoded photo; nil when the article has none
	Layout  *Layout
	Presets []Preset
	Format  Format // "" keeps each preset's default format
	// Prepared, when not nil, is the photo already decoded and searched for
	// subjects (see Engine.PreparePhoto); Photo is then ignored. The
	// article's Focus still applies. The outputs equal those of rendering
	// Photo when Prepared was made from the same bytes for the same presets.
	Prepared *PreparedPhoto
	// OnOutput, when not nil, is called with each preset's index in Presets
	// and its output as soon as that output is ready, before Render
	// returns. It is called from Render's worker goroutines, so calls may
	// run concurrently and must be safe for that; a slow OnOutput delays
	// the rendering. When Render fails, some outputs may already have been
	// reported.
	OnOutput func(i int, o Output)
	// SmallestFirst starts the smallest canvases first instead of the
	// largest, so the first outputs come sooner at the cost of a longer
	// total (a large canvas started last leaves the other workers idle).
	// It does not change the outputs, only when OnOutput sees them.
	SmallestFirst bool
	// Encodings, when not nil, supplies and keeps the encodings of canvases
	// drawn exactly as before, which then are not encoded again; the
	// outputs are the same. Their Data may be shared between results: do
	// not modify it.
	Encodings *EncodeCache
}

// Output is one rendered image.
type Output struct {
	Preset   Preset
	Format   Format
	Width    int
	Height   int
	Data     []byte
	SHA256   string
	Quality  int
	Crop     image.Rectangle // in source-photo pixels; empty without a photo
	Alt      string
	Warnings []string
	Plan     *Plan
}

// PhotoMeta describes the source photo of a job.
type PhotoMeta struct {
	Width    int          `json:"width"`
	Height   int          `json:"height"`
	Format   string       `json:"format"`
	Notes    []string     `json:"notes,omitempty"`
	Subjects []SubjectBox `json:"subjects,omitempty"`
}

// SubjectBox is a subject found in the photo, in source pixels, as the
// manifest reports it.
type SubjectBox struct {
	Kind  string  `json:"kind"`
	Score float64 `json:"score"`
	CropRect
}

// Timings is the wall time spent in each stage; per-preset stages are
// summed over presets (so with parallel workers they can exceed the total).
type Timings struct {
	Decode   time.Duration
	Resample time.Duration // the one downscale to working size and the pyramid below it
	Detect   time.Duration
	Plan     time.Duration
	Draw     time.Duration
	Encode   time.Duration
	Total    time.Duration
}

// Result is everything one job produced.
type Result struct {
	Outputs []Output
	Photo   *PhotoMeta
	Timings Timings
}

// Render decodes the photo once, scales it once to the largest size any
// preset needs, finds its subjects once, then plans, draws and encodes the
// presets in parallel. Output order follows job.Presets. Rendering the same
// job twice gives identical bytes, whatever the parallelism.
func (e *Engine) Render(ctx context.Context, job Job) (*Result, error) {
	start := time.Now()
	if job.Article == nil || job.Layout == nil {
		return nil, fmt.Errorf("render: a job needs an article and a layout")
	}
	if len(job.Presets) == 0 {
		return nil, fmt.Errorf("render: no presets selected")
	}
	res := &Result{}
	var (
		work  *Pyramid
		info  PhotoInfo
		scale = 1.0 // working pixels per source pixel
	)
	prep := job.Prepared
	if prep == nil && job.Photo != nil {
		// Subjects are only looked for when the article has no focus point,
		// which overrides them.
		var err error
		if prep, err = e.preparePhoto(ctx, job.Photo, job.Presets, job.Article.Focus == nil, false); err != nil {
			return nil, err
		}
		res.Timings.Decode, res.Timings.Resample, res.Timings.Detect = prep.timings.Decode, prep.timings.Resample, prep.timings.Detect
	}
	if prep != nil {
		work, scale = prep.work, prep.scale
		info, res.Photo = prep.forArticle(job.Article)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	outs := make([]Output, len(job.Presets))
	groups := canvasGroups(job.Presets)
	if job.SmallestFirst {
		slices.Reverse(groups)
	}
	stage := make([]Timings, len(groups))
	g, gctx := errgroup.WithContext(ctx)
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(workers)
	for gi, members := range groups {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			tm, err := e.renderGroup(job, members, outs, work, info, scale, res.Photo)
			stage[gi] = tm
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, t := range stage {
		res.Timings.Plan += t.Plan
		res.Timings.Draw += t.Draw
		res.Timings.Encode += t.Encode
	}
	res.Outputs = outs
	res.Timings.Total = time.Since(start)
	return res, nil
}

// canvasGroups groups the indexes of presets that draw the same canvas
// (same size and safe area): several platforms ask for 1080×1080 or
// 1280×720, and one drawing serves them all. Groups come largest canvas
// first: the 4K hero takes as long as a dozen small cards, and starting it
// last would leave the other workers idle at the end.
func canvasGroups(presets []Preset) [][]int {
	type key struct {
		w, h int
		safe Insets
	}
	index := map[key]int{}
	var groups [][]int
	for i, p := range presets {
		k := key{p.Width, p.Height, p.Safe}
		gi, ok := index[k]
		if !ok {
			gi = len(groups)
			index[k] = gi
			groups = append(groups, nil)
		}
		groups[gi] = append(groups[gi], i)
	}
	sort.SliceStable(groups, func(a, b int) bool {
		pa, pb := presets[groups[a][0]], presets[groups[b][0]]
		return pa.Width*pa.Height > pb.Width*pb.Height
	})
	return groups
}

// renderGroup plans and draws one canvas and encodes it for each preset of
// the group, writing the outputs into outs at the presets' indexes. An
// encoding is reused for a later preset when it has the same format and
// was made at full quality within that preset's byte limit, so the bytes
// are exactly what encoding again would give.
func (e *Engine) renderGroup(job Job, members []int, outs []Output, work *Pyramid, info PhotoInfo, scale float64, meta *PhotoMeta) (Timings, error) {
	var tm Timings
	first := job.Presets[members[0]]
	t := time.Now()
	plan, err := PlanCard(job.Article, job.Layout, first, info, e.Fonts)
	if err != nil {
		return tm, fmt.Errorf("preset %s: %w", first.ID, err)
	}
	tm.Plan = time.Since(t)

	t = time.Now()
	img, drawWarns := Draw(plan, work)
	tm.Draw = time.Since(t)

	var (
		done []Encoded
		sum  [sha256.Size]byte
	)
	if job.Encodings != nil {
		t = time.Now()
		sum = pixelSum(img)
		tm.Encode += time.Since(t)
	}
	for _, i := range members {
		p := job.Presets[i]
		f := p.Format
		if job.Format != "" {
			f = job.Format
		}
		t = time.Now()
		enc, ok := reusable(done, f, p.MaxBytes)
		if !ok && job.Encodings != nil {
			enc, ok = job.Encodings.get(encodeKey{sum, f, p.MaxBytes})
			if ok {
				done = append(done, enc)
			}
		}
		if !ok {
			if enc, err = Encode(img, f, EncodeOptions{MaxBytes: p.MaxBytes}); err != nil {
				return tm, fmt.Errorf("preset %s: %w", p.ID, err)
			}
			done = append(done, enc)
			if job.Encodings != nil {
				job.Encodings.put(encodeKey{sum, f, p.MaxBytes}, enc)
			}
		}
		tm.Encode += time.Since(t)
		pp := *plan
		pp.Preset = p.ID
		outs[i] = newOutput(job, p, &pp, enc, drawWarns, scale, meta)
		if job.OnOutput != nil {
			job.OnOutput(i, outs[i])
		}
	}
	return tm, nil
}

// reusable finds an earlier encoding that encoding again for this format
// and byte limit would reproduce: same format, full quality, within limit.
func reusable(done []Encoded, f Format, maxBytes int) (Encoded, bool) {
	for _, d := range done {
		if d.Format == f && d.Quality == DefaultQuality && d.FitsLimit && (maxBytes == 0 || len(d.Data) <= maxBytes) {
			return d, true
		}
	}
	return Encoded{}, false
}

// newOutput assembles one output and its warnings.
func newOutput(job Job, p Preset, plan *Plan, enc Encoded, drawWarns []string, scale float64, meta *PhotoMeta) Output {
	f := enc.Format
	out := Output{
		Preset: p, Format: f, Width: p.Width, Height: p.Height,
		Data: enc.Data, Quality: enc.Quality, Plan: plan,
		Alt:      altText(job.Article),
		Warnings: append(append([]string{}, plan.Warnings...), drawWarns...),
	}
	sum := sha256.Sum256(enc.Data)
	out.SHA256 = hex.EncodeToString(sum[:])
	if !enc.FitsLimit {
		if f == FormatPNG {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%d bytes is over the platform limit of %d bytes; PNG has no quality to lower, use jpeg to meet it", len(enc.Data), p.MaxBytes))
		} else {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%d bytes is over the platform limit of %d bytes even at %s quality %d", len(enc.Data), p.MaxBytes, strings.ToUpper(string(f)), enc.Quality))
		}
	}
	if plan.Crop != nil && meta != nil {
		out.Crop = scaleRect(plan.Crop.Src, 1/scale, image.Pt(meta.Width, meta.Height))
	}
	return out
}

// workingScale returns the factor to shrink a w×h photo by, once, so that
// it is still as large as the largest preset draws it (never enlarged);
// above 0.9 the photo is kept as it is.
func workingScale(presets []Preset) func(w, h int) float64 {
	return func(w, h int) float64 {
		need := 0.0
		for _, p := range presets {
			need = math.Max(need, math.Max(float64(p.Width)/float64(w), float64(p.Height)/float64(h)))
		}
		if need >= 0.9 {
			return 1
		}
		return need
	}
}

// scaleRect maps a rectangle by factor s, clipped to bounds.
func scaleRect(r image.Rectangle, s float64, bounds image.Point) image.Rectangle {
	out := image.Rect(
		int(math.Floor(float64(r.Min.X)*s)), int(math.Floor(float64(r.Min.Y)*s)),
		int(math.Ceil(float64(r.Max.X)*s)), int(math.Ceil(float64(r.Max.Y)*s)),
	)
	return out.Intersect(image.Rectangle{Max: bounds})
}

// altText describes a card for screen readers: the headline it shows and
// the photo caption.
func altText(a *Article) string {
	alt := a.Headline
	if c := strings.TrimSpace(a.Caption); c != "" {
		alt += ". Photo: " + c
	}
	return alt
}

package render

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/encode"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// Engine renders articles. It holds the parsed fonts and face model, which
// are shared read-only, so one Engine serves many goroutines.
type Engine struct {
	Fonts  *text.FontSet
	Finder *photo.Finder
	Limits photo.Limits
	// Workers is how many canvases of one job are drawn at once (0 = one
	// per CPU).
	Workers int
	// Encodings, when not nil, keeps recent encodings by the pixels they
	// were made from, so a canvas drawn exactly as before (a live preview
	// after an edit that changed another variant) is not encoded again.
	// The outputs are the same with or without it; their Data may then be
	// shared between results: do not modify it.
	Encodings *encode.Cache
	// MemoryBudget bounds the memory, in bytes, that the photo decodes of
	// this engine's renders in progress take together, each counted from
	// its header as [photo.Header.PrepareBytes] before any pixel is
	// decoded: a render waits (until its context is done) for room, and a
	// photo needing more than the whole budget is refused at once with
	// [photo.ErrPhotoTooLarge]. 0 means [DefaultMemoryBudget]; negative
	// means no budget. Set it before the first render.
	MemoryBudget int64

	// Photos, when not nil, keeps prepared photos by content and working
	// size for every render, stream, lint and studio preview of this
	// engine (see [PhotoCache]): a later card of the same photo skips
	// decoding and the subject search. The outputs are the same with or
	// without it.
	Photos *PhotoCache

	// mem is shared by copies of the engine made after NewEngine or
	// after its first photo, so that they draw on one budget; so is count.
	mem   *memoryBudget
	count *engineCounters
}

// memoryBudget is the weighted semaphore behind Engine.MemoryBudget.
type memoryBudget struct {
	size int64
	sem  *semaphore.Weighted
}

// budgets guards every engine's mem.
var budgets sync.Mutex

// DefaultMemoryBudget is the memory budget of an Engine whose
// MemoryBudget is 0: half the Go runtime's soft memory limit (GOMEMLIMIT)
// when one is set, the other half being left to the garbage collector's
// headroom, request bodies, encoded cards and caches; else 768 MiB. The
// decoder keeps only what the scale it decodes at needs, so that admits,
// one at a time, even a 100-megapixel progressive 4:4:4 JPEG for every
// preset (about 620 MB: its coefficients are kept, 2 bytes each, until
// the last scan), and refuses it at full size (1.3 GB). A 24-megapixel
// progressive 4:4:4 JPEG takes about 280 MB for every preset and 75 MB
// for an Open Graph card; a 16-megapixel baseline 4:2:0 one 67 MB for the
// standard set and 9 MB for an Open Graph card, so many decode at once.
func DefaultMemoryBudget() int64 {
	if lim := debug.SetMemoryLimit(-1); lim > 0 && lim < math.MaxInt64 {
		return lim / 2
	}
	return 768 << 20
}

// budget returns the engine's semaphore and its size, or nil without a
// budget.
func (e *Engine) budget() (*semaphore.Weighted, int64) {
	budgets.Lock()
	defer budgets.Unlock()
	if e.mem == nil {
		e.mem = &memoryBudget{}
	}
	size := e.MemoryBudget
	if size == 0 {
		size = DefaultMemoryBudget()
	}
	if size < 0 {
		return nil, 0
	}
	if e.mem.sem == nil || e.mem.size != size {
		e.mem.sem, e.mem.size = semaphore.NewWeighted(size), size
	}
	return e.mem.sem, size
}

// admit waits for need bytes of the engine's memory budget for the photo
// h, or refuses it when need is over the whole budget. The transient
// memory of decoding is what it guards: the prepared photo kept after it
// is sized by the presets' working size, not by the photo.
func (e *Engine) admit(ctx context.Context, h *photo.Header, need int64) (func(), error) {
	sem, size := e.budget()
	if sem == nil {
		return func() {}, nil
	}
	if need > size {
		return nil, tooHeavy(h, need, size)
	}
	if err := sem.Acquire(ctx, need); err != nil {
		return nil, err
	}
	return func() { sem.Release(need) }, nil
}

// tooHeavy is the error for a photo whose decoding needs more than the
// whole memory budget.
func tooHeavy(h *photo.Header, need, size int64) error {
	px := float64(h.Pixels()) * float64(size) / float64(need) * 0.95 // the fixed costs do not shrink
	fix := fmt.Sprintf("downscale it to at most %.1f megapixels", px/1e6)
	if h.Progressive {
		fix += ", or send it as a baseline (non-progressive) JPEG, which needs far less: decoding a progressive one keeps the coefficients of the whole photo, 2 bytes each, until its last scan"
	}
	return fmt.Errorf("%w: this %v needs %s of memory to decode, over the memory budget of %s; %s",
		photo.ErrPhotoTooLarge, h, byteSize(need), byteSize(size), fix)
}

// byteSize formats n bytes in MB or GB.
func byteSize(n int64) string {
	if n >= 1e9 {
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
	return fmt.Sprintf("%d MB", (n+5e5)/1e6)
}

// NewEngine returns an engine with the fonts of fontFS (as [text.LoadFonts]
// reads them) and the built-in face model; Limits, Workers and Encodings
// are left zero for the caller to set. Its errors say which of the two
// failed to load.
func NewEngine(fontFS fs.FS) (*Engine, error) {
	fset, err := text.LoadFonts(fontFS)
	if err != nil {
		return nil, fmt.Errorf("load fonts: %w", err)
	}
	finder, err := photo.NewFinder()
	if err != nil {
		return nil, fmt.Errorf("load face model: %w", err)
	}
	return &Engine{Fonts: fset, Finder: finder, mem: &memoryBudget{}, count: &engineCounters{}}, nil
}

// Job is one article to render at a set of presets.
type Job struct {
	Article *article.Article
	Photo   []byte // the encoded photo; nil when the article has none
	Layout  *layout.Layout
	Presets []preset.Preset
	Format  preset.Format // "" keeps each preset's default format
	// AllowMissingGlyphs renders text with characters no font has (drawn
	// as boxes, with a warning) instead of failing with a
	// [*MissingGlyphsError]; the layout's typography.allow_missing_glyphs
	// allows it too.
	AllowMissingGlyphs bool
}

// ErrMissingGlyphs is matched (errors.Is) by a [*MissingGlyphsError].
var ErrMissingGlyphs = errors.New("no font has some characters of the text")

// MissingGlyphsError is the error of a render whose text holds characters
// that no font has, which would be drawn as boxes ("tofu"). Render,
// Stream and PlanCard return one per text field at fault, joined with
// errors.Join; errors.As finds the first.
type MissingGlyphsError struct {
	// Field is the article field the text comes from ("headline",
	// "card_headline", "caption", ...), or "<kind> text" for text written
	// in the layout.
	Field string
	// Runes are the characters no font has, each once.
	Runes []rune
}

// Error names the field, the characters and their code points, and how
// to go on.
func (e *MissingGlyphsError) Error() string {
	return fmt.Sprintf("%s: no font has %s; change the text, or accept boxes in their place with --allow-missing-glyphs (the layout's typography: {allow_missing_glyphs: true})",
		e.Field, plan.MissingGlyphs{Field: e.Field, Runes: e.Runes}.Describe())
}

// Is reports whether target is ErrMissingGlyphs.
func (e *MissingGlyphsError) Is(target error) bool { return target == ErrMissingGlyphs }

// missingGlyphs returns the error for a plan with characters no font has,
// or nil when it has none or the job or layout allows them.
func missingGlyphs(job Job, pl *plan.Plan) error {
	if len(pl.Missing) == 0 || job.AllowMissingGlyphs || job.Layout.Typography.AllowMissingGlyphs {
		return nil
	}
	var errs []error
	for _, m := range pl.Missing {
		if slices.ContainsFunc(errs, func(e error) bool { return e.(*MissingGlyphsError).Field == m.Field }) {
			continue
		}
		errs = append(errs, &MissingGlyphsError{Field: m.Field, Runes: m.Runes})
	}
	return errors.Join(errs...)
}

// FontsFor returns the font set the text of layout l is set and drawn
// in: the layout's own (its font files over the engine's) when it names
// font files, else the engine's. Draw a plan of l with it.
func (e *Engine) FontsFor(l *layout.Layout) *text.FontSet {
	if l != nil && l.Fonts != nil {
		return l.Fonts
	}
	return e.Fonts
}

// Output is one rendered image.
type Output struct {
	Preset   preset.Preset
	Format   preset.Format
	Width    int
	Height   int
	Data     []byte
	SHA256   string
	Quality  int
	Crop     image.Rectangle // in source-photo pixels; empty without a photo
	Alt      string
	Warnings []string
	Plan     *plan.Plan
}

// FileName is the name an output is stored under: "<preset-id>.<ext>".
func (o *Output) FileName() string {
	return o.Preset.ID + "." + o.Format.Ext()
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
	Photo   *photo.Meta
	Timings Timings
}

// Prepare decodes photo once, shrunk to the largest size any of presets
// draws it at, builds its pyramid and looks for subjects. Streaming a job
// with the result gives the same outputs as rendering the job with the
// photo itself, for the same presets: both take [Engine.prepare], the one
// photo path of sharecard. The prepared photo keeps the regions cards
// resize, so later cards with the same crops skip that work. It is safe
// for concurrent use.
func (e *Engine) Prepare(ctx context.Context, data []byte, presets []preset.Preset) (*photo.Prepared, error) {
	return e.prepare(ctx, data, presets, true, true)
}

// prepare is the one photo path: the photo weighed from its header and
// admitted within the memory budget, shrunk for presets, its
// subjects looked for when detect is set (Render skips them for an
// article whose focus point overrides them), the resized regions kept for
// later cards when keep is set.
func (e *Engine) prepare(ctx context.Context, data []byte, presets []preset.Preset, detect, keep bool) (*photo.Prepared, error) {
	prep, _, err := e.preparedPhoto(ctx, data, presets, detect, keep)
	return prep, err
}

// preparedPhoto is [Engine.prepare], also saying whether the photo came
// prepared from [Engine.Photos] (no time was spent on it).
func (e *Engine) preparedPhoto(ctx context.Context, data []byte, presets []preset.Preset, detect, keep bool) (*photo.Prepared, bool, error) {
	if e.Photos != nil {
		return e.Photos.get(ctx, data, presets, func(keepBytes int64) (*photo.Prepared, error) {
			return e.prepareOnce(ctx, data, presets, true, true, keepBytes)
		})
	}
	prep, err := e.prepareOnce(ctx, data, presets, detect, keep, 0)
	return prep, false, err
}

// prepareOnce decodes and prepares data (see [Engine.prepare]), keeping
// at most keepBytes of resized regions when keep is set (0: the default).
func (e *Engine) prepareOnce(ctx context.Context, data []byte, presets []preset.Preset, detect, keep bool, keepBytes int64) (*photo.Prepared, error) {
	opt := photo.PrepareOptions{Limits: e.Limits, ScaleFor: WorkingScale(presets), Keep: keep, KeepBytes: keepBytes}
	if detect {
		opt.Finder = e.Finder
	}
	weigh := opt
	opt.Admit = func(ctx context.Context, h *photo.Header) (func(), error) {
		release, err := e.admit(ctx, h, h.PrepareBytes(weigh))
		if err == nil {
			e.counters().decodes.Add(1)
		}
		return release, err
	}
	return photo.Prepare(ctx, data, opt)
}

// engineCounters count what engines sharing them did.
type engineCounters struct {
	decodes atomic.Int64 // photos admitted for decoding
}

// counters returns the engine's counters, made on first use and shared by
// copies of the engine made after that.
func (e *Engine) counters() *engineCounters {
	budgets.Lock()
	defer budgets.Unlock()
	if e.count == nil {
		e.count = &engineCounters{}
	}
	return e.count
}

// PhotosDecoded is how many photos the engine (and its copies) began to
// decode: with [Engine.Photos] set, a card of a photo prepared before
// does not add to it.
func (e *Engine) PhotosDecoded() int64 { return e.counters().decodes.Load() }

// Render decodes the photo once, scales it once to the largest size any
// preset needs, finds its subjects once (unless the article's focus point
// overrides them), then plans, draws and encodes the presets in parallel.
// Output order follows job.Presets. Rendering the same job twice gives
// identical bytes, whatever the parallelism.
func (e *Engine) Render(ctx context.Context, job Job) (*Result, error) {
	start := time.Now()
	if err := checkJob(job); err != nil {
		return nil, err
	}
	res := &Result{}
	var prep *photo.Prepared
	if job.Photo != nil {
		var (
			err    error
			cached bool
		)
		if prep, cached, err = e.preparedPhoto(ctx, job.Photo, job.Presets, job.Article.Focus == nil, false); err != nil {
			return nil, err
		}
		if !cached {
			res.Timings.Decode, res.Timings.Resample, res.Timings.Detect = prep.Decode, prep.Resample, prep.Detect
		}
	}
	res.Outputs = make([]Output, len(job.Presets))
	st, err := e.run(ctx, job, prep, largestFirst, func(i int, o Output) error { res.Outputs[i] = o; return nil })
	if err != nil {
		return nil, err
	}
	res.Photo = photoMeta(prep, job.Article)
	res.Timings.Plan, res.Timings.Draw, res.Timings.Encode = st.Plan, st.Draw, st.Encode
	res.Timings.Total = time.Since(start)
	return res, nil
}

// Stream renders job with a photo made by [Engine.Prepare] (nil when the
// article has none; job.Photo is then ignored) and calls emit with each
// output in the order of job.Presets, as soon as it and the ones before it
// are ready: a caller that wants some sizes first lists them first. emit
// is called from one goroutine at a time; an error from it stops the
// rendering and is returned. The outputs equal Render's for the same job
// when prep was prepared for the same presets. It returns the photo's
// metadata as Render reports it and the time spent planning, drawing and
// encoding.
func (e *Engine) Stream(ctx context.Context, job Job, prep *photo.Prepared, emit func(i int, o Output) error) (*photo.Meta, Timings, error) {
	if err := checkJob(job); err != nil {
		return nil, Timings{}, err
	}
	var (
		mu     sync.Mutex
		ready  = make([]*Output, len(job.Presets))
		next   int
		failed error // from emit: nothing is emitted after it
	)
	inOrder := func(i int, o Output) error {
		mu.Lock()
		defer mu.Unlock()
		if failed != nil {
			return failed
		}
		ready[i] = &o
		for next < len(ready) && ready[next] != nil {
			if err := emit(next, *ready[next]); err != nil {
				failed = err
				return err
			}
			ready[next] = nil
			next++
		}
		return nil
	}
	st, err := e.run(ctx, job, prep, givenOrder, inOrder)
	if err != nil {
		return nil, st, err
	}
	return photoMeta(prep, job.Article), st, nil
}

func checkJob(job Job) error {
	if job.Article == nil || job.Layout == nil {
		return fmt.Errorf("render: a job needs an article and a layout")
	}
	if len(job.Presets) == 0 {
		return fmt.Errorf("render: no presets selected")
	}
	return nil
}

// photoMeta is the photo's metadata for a job's result; subjects are left
// out when the article's focus point overrides them.
func photoMeta(prep *photo.Prepared, a *article.Article) *photo.Meta {
	if prep == nil {
		return nil
	}
	m := prep.Meta(a.Focus == nil)
	_, m.ArticleFields = fromPhoto(a, prep)
	return m
}

// photoInfo is what planning needs to know about the photo for an article.
func photoInfo(prep *photo.Prepared, a *article.Article) plan.PhotoInfo {
	if prep == nil {
		return plan.PhotoInfo{}
	}
	info := plan.PhotoInfo{Size: prep.Pyramid.Bounds().Size(), Focus: a.Focus}
	if a.Focus == nil {
		info.Subjects = subjectsOf(prep)
	}
	return info
}

// PlanCard plans one preset of job with a prepared photo (nil without a
// photo) exactly as Render and Stream do: lint and the studio call it to
// see the plans that ship. Like them, it fails with a
// [*MissingGlyphsError] for text with characters no font has unless the
// job or the layout allows them; the plan is returned with that error
// (its Missing field lists them) so a caller can still show it. Draw the
// plan with the fonts of [Engine.FontsFor].
func (e *Engine) PlanCard(job Job, prep *photo.Prepared, p preset.Preset) (*plan.Plan, error) {
	job.Article, _ = fromPhoto(job.Article, prep)
	pl, err := plan.Card(job.Article, job.Layout, p, photoInfo(prep, job.Article), e.Fonts)
	if err != nil {
		return nil, err
	}
	return pl, missingGlyphs(job, pl)
}

// groupOrder orders the canvas groups of a job for drawing.
type groupOrder func(groups [][]int, presets []preset.Preset)

// largestFirst starts the largest canvases first: the 4K hero takes as
// long as a dozen small cards, and starting it last would leave the other
// workers idle at the end.
func largestFirst(groups [][]int, presets []preset.Preset) {
	sort.SliceStable(groups, func(a, b int) bool {
		pa, pb := presets[groups[a][0]], presets[groups[b][0]]
		return pa.Width*pa.Height > pb.Width*pb.Height
	})
}

// givenOrder keeps the groups in the order their first preset was given.
func givenOrder([][]int, []preset.Preset) {}

// run plans, draws and encodes every canvas of job in parallel and calls
// done with each output (from several goroutines, not in order).
func (e *Engine) run(ctx context.Context, job Job, prep *photo.Prepared, order groupOrder, done func(i int, o Output) error) (Timings, error) {
	job.Article, _ = fromPhoto(job.Article, prep)
	info := photoInfo(prep, job.Article)
	groups := preset.Canvases(job.Presets)
	order(groups, job.Presets)
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
			tm, err := e.renderGroup(job, members, prep, info, done)
			stage[gi] = tm
			return err
		})
	}
	var total Timings
	if err := g.Wait(); err != nil {
		return total, err
	}
	if err := ctx.Err(); err != nil {
		return total, err
	}
	for _, t := range stage {
		total.Plan += t.Plan
		total.Draw += t.Draw
		total.Encode += t.Encode
	}
	return total, nil
}

// renderGroup plans and draws one canvas and encodes it for each preset of
// the group. An encoding is reused for a later preset when it has the same
// format and was made at full quality within that preset's byte limit, so
// the bytes are exactly what encoding again would give.
func (e *Engine) renderGroup(job Job, members []int, prep *photo.Prepared, info plan.PhotoInfo, done func(i int, o Output) error) (Timings, error) {
	var tm Timings
	first := job.Presets[members[0]]
	t := time.Now()
	pl, err := plan.Card(job.Article, job.Layout, first, info, e.Fonts)
	if err != nil {
		return tm, fmt.Errorf("preset %s: %w", first.ID, err)
	}
	if err := missingGlyphs(job, pl); err != nil {
		return tm, err // the same for every preset: no preset name
	}
	tm.Plan = time.Since(t)

	t = time.Now()
	px := paint.Pixels{Images: job.Layout.Images, Fonts: e.FontsFor(job.Layout)}
	if prep != nil {
		px.Photo = prep.Pyramid
	}
	img, drawWarns := paint.Draw(pl, px)
	tm.Draw = time.Since(t)

	var made []encode.Encoded
	encodeCanvas := e.Encodings.For(img)
	for _, i := range members {
		p := job.Presets[i]
		f := p.Format
		if job.Format != "" {
			f = job.Format
		}
		t = time.Now()
		enc, ok := reusable(made, f, p.MaxBytes)
		if !ok {
			if enc, err = encodeCanvas(f, encode.Options{MaxBytes: p.MaxBytes, Progressive: job.Layout.Output.Progressive, Chroma444: job.Layout.Output.Chroma444}); err != nil {
				return tm, fmt.Errorf("preset %s: %w", p.ID, err)
			}
			made = append(made, enc)
		}
		tm.Encode += time.Since(t)
		pp := *pl
		pp.Preset = p.ID
		if err := done(i, newOutput(job, p, &pp, enc, drawWarns, prep)); err != nil {
			return tm, err
		}
	}
	return tm, nil
}

// reusable finds an earlier encoding that encoding again for this format
// and byte limit would reproduce: same format, full quality, within limit.
func reusable(made []encode.Encoded, f preset.Format, maxBytes int) (encode.Encoded, bool) {
	for _, d := range made {
		if d.Format == f && d.Quality == encode.DefaultQuality && d.FitsLimit && (maxBytes == 0 || len(d.Data) <= maxBytes) {
			return d, true
		}
	}
	return encode.Encoded{}, false
}

// newOutput assembles one output and its warnings.
func newOutput(job Job, p preset.Preset, pl *plan.Plan, enc encode.Encoded, drawWarns []string, prep *photo.Prepared) Output {
	f := enc.Format
	out := Output{
		Preset: p, Format: f, Width: p.Width, Height: p.Height,
		Data: enc.Data, Quality: enc.Quality, Plan: pl,
		Alt:      altText(job.Article),
		Warnings: append(append([]string{}, pl.Warnings...), drawWarns...),
	}
	sum := sha256.Sum256(enc.Data)
	out.SHA256 = hex.EncodeToString(sum[:])
	if !enc.FitsLimit {
		if f == preset.FormatPNG {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%d bytes is over the platform limit of %d bytes; PNG has no quality to lower, use jpeg to meet it", len(enc.Data), p.MaxBytes))
		} else {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%d bytes is over the platform limit of %d bytes even at %s quality %d", len(enc.Data), p.MaxBytes, strings.ToUpper(string(f)), enc.Quality))
		}
	}
	if pl.Crop != nil && prep != nil {
		out.Crop = prep.ToSource(pl.Crop.Src)
		if job.Article.Focus == nil && !confidentSubject(prep) {
			out.Warnings = append(out.Warnings, noSubject)
		}
	}
	return out
}

// WorkingSize is all a set of presets decides about the photo it is
// prepared for: the widest and the tallest canvas. Two preset sets with
// the same WorkingSize shrink a photo alike, so it keys prepared photos.
func WorkingSize(presets []preset.Preset) image.Point {
	var s image.Point
	for _, p := range presets {
		s.X, s.Y = max(s.X, p.Width), max(s.Y, p.Height)
	}
	return s
}

// WorkingScale returns the factor to shrink a w×h photo by, once, so that
// it is still as large as the largest of presets draws it (never
// enlarged); above 0.9, or without presets, the photo is kept as it is.
func WorkingScale(presets []preset.Preset) func(w, h int) float64 {
	size := WorkingSize(presets)
	return func(w, h int) float64 {
		if len(presets) == 0 {
			return 1
		}
		need := math.Max(float64(size.X)/float64(w), float64(size.Y)/float64(h))
		if need >= 0.9 {
			return 1
		}
		return need
	}
}

// altText describes a card for screen readers: the headline it shows (the
// card headline when there is one) and the photo's alt text, else its
// caption.
func altText(a *article.Article) string {
	alt, _, _ := a.CardText("headline")
	if c := cmp.Or(strings.TrimSpace(a.PhotoAlt), strings.TrimSpace(a.Caption)); c != "" {
		alt += ". Photo: " + c
	}
	return alt
}

package studio

import (
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/samples"
)

// edits are what the designer changed in the page.
type edits struct {
	Headline *string             `json:"headline,omitempty"`
	Section  *string             `json:"section,omitempty"`
	Caption  *string             `json:"caption,omitempty"`
	Focus    *article.FocusPoint `json:"focus,omitempty"`
	NoFocus  bool                `json:"clear_focus,omitempty"`
	Layout   *string             `json:"layout,omitempty"`
	Sample   *string             `json:"sample,omitempty"`
	// Corpus is the id of a corpus headline to show on the sample; ""
	// brings the sample's own text back.
	Corpus *string `json:"corpus,omitempty"`
}

// sampleSwitch is a sample shown (or to show instead), its photo ready.
type sampleSwitch struct {
	name   string
	sample *samples.Sample
	photos *photoCache // nil when the sample has no photo
}

// snapshot is what the page shows: the outputs of the latest finished
// render and what it was made from. A snapshot is never changed once
// published.
type snapshot struct {
	want      uint64 // the latest generation asked for
	gen       uint64 // the generation the outputs come from
	rendering bool   // want's images are not all ready yet
	article   article.Article
	shown     sampleSwitch // the sample the article came from
	corpus    string       // the id of the corpus headline shown; "" for the sample's own
	layout    string
	presets   []preset.Preset           // the presets of the layout, in page order
	outs      map[string]*render.Output // by preset id; may hold older generations' images while rendering
	photoSize map[string]image.Point    // size of the photo each output's Crop refers to
	err       string                    // why the last render failed; empty if it did not
	problems  []string                  // layout files refused
	layouts   []string
	took      time.Duration // from the edit to the last image of gen
	first     time.Duration // from the edit to the first batch of gen
	// encoded is state.json for this snapshot, made on first request.
	encoded *lazyJSON
}

// lazyJSON is a snapshot's state.json, encoded once however many pages
// ask for it.
type lazyJSON struct {
	once sync.Once
	data []byte
}

// previewer renders the sample in every preset of the chosen layout,
// again after every edit and every layout reload, keeping only the latest
// generation. It is safe for concurrent use.
type previewer struct {
	cfg Config

	mu      sync.Mutex
	article article.Article // the article with the designer's edits
	shown   sampleSwitch    // the sample the article came from
	corpus  string          // the id of the corpus headline shown, "" for none
	layout  string
	want    uint64
	cancel  context.CancelFunc
	cur     *snapshot
	changed chan struct{} // closed and replaced when cur changes
	// layoutsSig identifies the layouts of the latest render.
	layoutsSig string
}

// keepEncodedBytes is how many bytes of encoded images the studio's
// engine keeps for reuse: those of a few generations of every preset.
const keepEncodedBytes = 96 << 20

func newPreviewer(cfg Config, shown sampleSwitch) *previewer {
	p := &previewer{cfg: cfg, shown: shown, article: *shown.sample.Article,
		changed: make(chan struct{})}
	p.layout = p.article.Layout
	if p.layout == "" {
		p.layout = "standard"
	}
	p.cur = &snapshot{article: p.article, shown: shown, layout: p.layout,
		outs: map[string]*render.Output{}, rendering: true, encoded: &lazyJSON{}}
	return p
}

// state returns the current snapshot and a channel closed when it is
// replaced.
func (p *previewer) state() (*snapshot, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur, p.changed
}

// apply switches to the sample to, when not nil, puts the corpus headline
// entry on it (or, with e.Corpus "", the sample's own text back), then
// changes the inputs and starts a new render.
func (p *previewer) apply(e edits, to *sampleSwitch, entry *corpus.Entry) uint64 {
	p.mu.Lock()
	if to != nil {
		p.article, p.shown, p.corpus = *to.sample.Article, *to, ""
	}
	if e.Corpus != nil {
		src, id := *p.shown.sample.Article, ""
		if entry != nil {
			src = article.Article{Headline: entry.Headline, Section: entry.Section, Caption: entry.Caption, Lang: entry.Lang}
			id = entry.ID
		}
		p.article.Headline, p.article.CardHeadline, p.article.Section, p.article.Caption, p.article.Lang = src.Headline, src.CardHeadline, src.Section, src.Caption, src.Lang
		p.corpus = id
	}
	if e.Headline != nil {
		p.article.Headline = oneLine(*e.Headline)
	}
	if e.Section != nil {
		p.article.Section = oneLine(*e.Section)
	}
	if e.Caption != nil {
		p.article.Caption = strings.TrimSpace(*e.Caption)
	}
	if e.Focus != nil {
		f := article.FocusPoint{X: clamp01(e.Focus.X), Y: clamp01(e.Focus.Y)}
		p.article.Focus = &f
	}
	if e.NoFocus {
		p.article.Focus = nil
	}
	if e.Layout != nil && *e.Layout != "" {
		p.layout = *e.Layout
	}
	p.mu.Unlock()
	return p.start()
}

// start cancels the render in progress, if any, and renders a new
// generation in the background.
func (p *previewer) start() uint64 {
	begun := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		p.cancel()
	}
	p.want++
	gen := p.want
	ctx, cancel := context.WithCancel(p.cfg.Context)
	p.cancel = cancel
	a, layName, photos := p.article, p.layout, p.shown.photos
	lays := p.cfg.Layouts.Layouts()
	p.layoutsSig = signature(lays)
	next := p.cur.clone()
	next.want, next.rendering, next.article, next.layout = gen, true, a, layName
	next.shown, next.corpus = p.shown, p.corpus
	next.problems = p.cfg.Layouts.Problems()
	next.layouts = layout.Names(lays)
	p.publishLocked(next)
	go p.render(ctx, gen, begun, a, photos, lays, layName)
	return gen
}

// layoutsChanged follows a reload of the layout set: it renders again
// when a layout in use changed, and otherwise (a broken save that left the
// last good version in use) only shows the new problems.
func (p *previewer) layoutsChanged() {
	lays := p.cfg.Layouts.Layouts()
	p.mu.Lock()
	if signature(lays) != p.layoutsSig {
		p.mu.Unlock()
		p.start()
		return
	}
	defer p.mu.Unlock()
	next := p.cur.clone()
	next.problems = p.cfg.Layouts.Problems()
	next.layouts = layout.Names(lays)
	p.publishLocked(next)
}

// signature identifies the versions of a set of layouts.
func signature(lays map[string]*layout.Layout) string {
	var b strings.Builder
	for _, name := range layout.Names(lays) {
		b.WriteString(name + " " + lays[name].Digest + "\n")
	}
	return b.String()
}

// publishLocked makes s current and wakes the page's event streams.
// Callers hold mu.
func (p *previewer) publishLocked(s *snapshot) {
	p.cur = s
	close(p.changed)
	p.changed = make(chan struct{})
}

// finish publishes the outcome of one batch of generation gen unless a
// newer generation was asked for meanwhile.
func (p *previewer) finish(gen uint64, change func(s *snapshot)) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen != p.want {
		return false
	}
	next := p.cur.clone()
	change(next)
	p.publishLocked(next)
	return true
}

func (s *snapshot) clone() *snapshot {
	c := *s
	c.encoded = &lazyJSON{}
	c.outs = make(map[string]*render.Output, len(s.outs))
	for k, v := range s.outs {
		c.outs[k] = v
	}
	c.photoSize = make(map[string]image.Point, len(s.photoSize))
	for k, v := range s.photoSize {
		c.photoSize[k] = v
	}
	return &c
}

// render renders generation gen: the standard presets first, so the sizes
// that matter most show up soon, then the others.
func (p *previewer) render(ctx context.Context, gen uint64, begun time.Time, a article.Article, photos *photoCache, lays map[string]*layout.Layout, layoutName string) {
	lay, ok := lays[layoutName]
	if !ok {
		p.finish(gen, func(s *snapshot) {
			s.rendering = false
			s.presets, s.outs = nil, map[string]*render.Output{}
			s.err = fmt.Sprintf("layout %q is not loaded (available: %s): pick one in the menu or fix its file", layoutName, strings.Join(layout.Names(lays), ", "))
		})
		return
	}
	presets, err := preset.Select(p.cfg.Presets, lay.Presets)
	if err != nil {
		p.finish(gen, func(s *snapshot) { s.rendering, s.err = false, "presets: "+err.Error() })
		return
	}
	p.finish(gen, func(s *snapshot) {
		s.presets = presets
		keep := map[string]*render.Output{}
		for _, pr := range presets {
			if o := s.outs[pr.ID]; o != nil && o.Width == pr.Width && o.Height == pr.Height {
				keep[pr.ID] = o
			}
		}
		s.outs = keep
	})

	batches := batchesOf(presets)
	var (
		first, firstImage time.Duration
		sum               render.Timings
	)
	for i, batch := range batches {
		// The standard presets render from the photo prepared for them, as
		// `sharecard render` does by default, the others from the photo
		// prepared for everything shown, as it does with --preset.
		scaleFor := presets
		if i == 0 && batch[0].Standard {
			scaleFor = batch
		}
		if i == 0 {
			// The smallest canvases first, so the page shows something soon.
			batch = smallestFirst(batch)
		}
		pub := newPublisher(p, gen)
		outs, photo, tm, err := p.renderBatch(ctx, &a, photos, lay, batch, scaleFor, pub.add)
		if at := pub.stop(); i == 0 && !at.IsZero() {
			firstImage = at.Sub(begun)
		}
		if ctx.Err() != nil {
			return // superseded
		}
		last := i == len(batches)-1
		ok := p.finish(gen, func(s *snapshot) {
			if err != nil {
				s.err, s.rendering = err.Error(), false
				return
			}
			s.err = ""
			s.gen = gen
			for j := range outs {
				s.put(&outs[j], photo)
			}
			if i == 0 {
				first = time.Since(begun)
				s.first = first
			}
			if last {
				s.rendering = false
				s.took = time.Since(begun)
			}
		})
		if !ok || err != nil {
			return
		}
		sum.Draw += tm.Plan + tm.Draw
		sum.Encode += tm.Encode
		if last && p.cfg.Logf != nil {
			p.cfg.Logf("studio: generation %d: %d images in %v, first image in %v, first batch of %d in %v (plan+draw %v, encode %v, summed over workers)",
				gen, len(presets), time.Since(begun).Round(time.Millisecond), ms(firstImage), len(batches[0]), ms(first),
				ms(sum.Draw), ms(sum.Encode))
		}
	}
}

// renderBatch renders presets, in their order, from the photo prepared
// for the presets scaleFor, calling ready with each output as soon as it
// and the ones before it are done (and the size of the photo its Crop
// refers to, zero without a photo). It returns the outputs, that photo
// size and the time spent planning, drawing and encoding.
func (p *previewer) renderBatch(ctx context.Context, a *article.Article, photos *photoCache, lay *layout.Layout, presets, scaleFor []preset.Preset, ready func(o *render.Output, photo image.Point)) ([]render.Output, image.Point, render.Timings, error) {
	// A preview shows characters no font has as boxes, with a warning on
	// each image, where rendering for publication refuses them.
	job := render.Job{Article: a, Layout: lay, Presets: presets, AllowMissingGlyphs: true}
	var (
		prep     *photo.Prepared
		photoDim image.Point
	)
	if photos != nil {
		var err error
		if prep, err = photos.forPresets(scaleFor); err != nil {
			return nil, image.Point{}, render.Timings{}, err
		}
		photoDim = prep.Source
	}
	outs := make([]render.Output, 0, len(presets))
	_, tm, err := p.cfg.Engine.Stream(ctx, job, prep, func(_ int, o render.Output) error {
		// Stream calls this from one goroutine at a time.
		outs = append(outs, o)
		ready(&o, photoDim)
		return nil
	})
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("render: %w", err)
		}
		return nil, image.Point{}, tm, err
	}
	return outs, photoDim, tm, nil
}

// smallestFirst returns presets ordered by canvas area, smallest first,
// keeping the given order among canvases of the same area.
func smallestFirst(presets []preset.Preset) []preset.Preset {
	out := slices.Clone(presets)
	slices.SortStableFunc(out, func(a, b preset.Preset) int {
		return a.Width*a.Height - b.Width*b.Height
	})
	return out
}

// batchesOf splits presets into the standard ones and the others; either
// may be missing.
func batchesOf(presets []preset.Preset) [][]preset.Preset {
	var std, rest []preset.Preset
	for _, p := range presets {
		if p.Standard {
			std = append(std, p)
		} else {
			rest = append(rest, p)
		}
	}
	var out [][]preset.Preset
	for _, b := range [][]preset.Preset{std, rest} {
		if len(b) > 0 {
			out = append(out, b)
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clamp01(v float64) float64 {
	if v != v || v < 0 { // NaN too
		return 0
	}
	return min(v, 1)
}

func ms(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

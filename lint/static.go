package lint

import (
	"fmt"
	"image"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// Static runs the rules that need no pixels on one layout, over every
// built-in preset and the layout's own presets: text, badges and logos must
// stay inside each preset's safe area and out of its keep-out zones, a card
// that shows a sample's photo must show its credit, the headline must fit
// at its minimum size with every sample's text, and some font must have
// every character of it. Plans use each sample's text and photo size only;
// nothing is decoded or detected, and the canvases are planned on every
// CPU, so a layout reload can afford it (see BenchmarkStatic). It is safe
// for concurrent use.
func Static(l *layout.Layout, fonts *text.FontSet, samples ...Sample) []Problem {
	groups := groupPresets(presetsFor(nil, l))
	// One slot per canvas and sample, filled in any order and read in
	// order, so the problems do not depend on scheduling.
	slots := make([][]hit, len(groups)*len(samples))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(slots)) {
		wg.Go(func() {
			for k := range next {
				g, s := groups[k/len(samples)], &samples[k%len(samples)]
				pl, err := plan.Card(s.Article, l, g.preset, plan.PhotoInfo{Size: s.Size, Focus: s.Article.Focus}, fonts)
				if err != nil {
					slots[k] = g.spread(planHit(l, s, err))
					continue
				}
				slots[k] = g.spread(staticHits(l, pl, g.preset, s)...)
			}
		})
	}
	for k := range slots {
		next <- k
	}
	close(next)
	wg.Wait()
	var hits []hit
	for _, hs := range slots {
		hits = append(hits, hs...)
	}
	return append(merge(hits), brandFontProblems(l, samples)...)
}

// staticHits checks one plan for preset p against the safe-area,
// keep-out, credit, fit and glyphs rules. The hits
// carry no preset yet (see group.spread).
func staticHits(l *layout.Layout, pl *plan.Plan, p preset.Preset, s *Sample) []hit {
	var hits []hit
	for i := range pl.Layers {
		if h, ok := safeAreaHit(l, pl, &pl.Layers[i]); ok {
			hits = append(hits, h)
		}
		hits = append(hits, keepOutHits(l, pl, p, &pl.Layers[i])...)
	}
	hits = append(hits, creditHits(l, pl, s)...)
	hits = append(hits, fitHits(l, pl, s)...)
	hits = append(hits, glyphHits(l, pl, s)...)
	return hits
}

// maxChars is how many missing characters a glyphs problem names.
const maxChars = 6

// glyphHits reports text layers with characters that no font of the set
// has: they would be drawn as boxes (or refused, as the engine does by
// default).
func glyphHits(l *layout.Layout, pl *plan.Plan, s *Sample) []hit {
	var hits []hit
	for i := range pl.Layers {
		pld := &pl.Layers[i]
		if pld.Text == nil || len(pld.Text.Missing) == 0 {
			continue
		}
		var cps []string
		for i, r := range pld.Text.Missing {
			if i == maxChars {
				cps = append(cps, fmt.Sprintf("and %d more", len(pld.Text.Missing)-i))
				break
			}
			cps = append(cps, fmt.Sprintf("%U %q", r, r))
		}
		h := layerHit(l, pld, RuleGlyphs)
		h.subject = fmt.Sprintf("no font has some characters of %s", plannedName(l, pl, pld))
		h.fix = "add a font that covers them to the layout's fonts (or the built-in fonts)"
		h.detail = fmt.Sprintf("the %s sample (lang %s) needs %s", s.Name, s.Article.Lang, strings.Join(cps, ", "))
		h.score = float64(len(pld.Text.Missing))
		hits = append(hits, h)
	}
	return hits
}

// safeAreaHit checks that a text or badge layer's box, or the picture of an
// image layer, lies inside the safe area.
func safeAreaHit(l *layout.Layout, pl *plan.Plan, pld *plan.PlannedLayer) (hit, bool) {
	var r image.Rectangle
	what := "text box"
	switch pld.Kind {
	case layout.LayerText, layout.LayerBadge:
		// The engine clips text boxes to the safe area, so what the
		// designer asked for is what shows the mistake.
		r = pld.Declared.Union(pld.TextRect())
	case layout.LayerImage:
		r, what = pld.ImageRect, "picture"
	default:
		return hit{}, false
	}
	if r.Empty() || r.In(pl.Safe) {
		return hit{}, false
	}
	safe := pl.Safe
	over := map[string]int{
		"top": safe.Min.Y - r.Min.Y, "left": safe.Min.X - r.Min.X,
		"bottom": r.Max.Y - safe.Max.Y, "right": r.Max.X - safe.Max.X,
	}
	var sides []string
	worst := 0
	for _, side := range []string{"top", "right", "bottom", "left"} {
		if d := over[side]; d > 0 {
			sides = append(sides, fmt.Sprintf("%d px past its %s edge", d, side))
			worst = max(worst, d)
		}
	}
	if worst == 0 {
		return hit{}, false
	}
	fix := "place it with `in: safe` or shrink its box"
	if ly := specOf(l, pl, pld); ly != nil && ly.In == layout.RefSafe {
		fix = "keep its box within the safe area (edges and sizes within 0..100%)"
		if ly.Bleed {
			fix = "remove `bleed: true`, which is for bars and backgrounds"
		}
	}
	h := layerHit(l, pld, RuleSafeArea)
	h.subject = fmt.Sprintf("%s of %s leaves the safe area", what, plannedName(l, pl, pld))
	h.fix = fix
	h.detail = strings.Join(sides, ", ")
	h.score = float64(worst)
	return h, true
}

// fitHits checks that every headline layer fits at its minimum size.
func fitHits(l *layout.Layout, pl *plan.Plan, s *Sample) []hit {
	v := variantOf(l, pl)
	if v == nil {
		return nil
	}
	short := float64(min(pl.Width, pl.Height))
	var hits []hit
	for i := range v.Layers {
		ly := &v.Layers[i]
		if ly.Field != "headline" || (ly.Kind != layout.LayerText && ly.Kind != layout.LayerBadge) || !applies(ly, s.Article, short) {
			continue
		}
		maxPx := ly.MaxSize.Px(short, short)
		minPx := math.Min(ly.MinSize.Px(short, short), maxPx)
		h := hit{
			file: l.File, line: ly.Line, col: ly.Col, rule: RuleFit,
			subject: fmt.Sprintf("%s does not fit its box", layerName(ly)),
			fix:     "lower size.min, allow more max_lines or give it a larger box",
		}
		pld := plannedFor(pl, ly)
		switch {
		case pld == nil || pld.Text == nil:
			h.detail, h.score = fmt.Sprintf("left out: no size fits the %s sample's headline in its box", s.Name), 1e6
		case pld.Text.Truncated:
			h.detail = fmt.Sprintf("the %s sample's headline is cut with an ellipsis even at its minimum of %.0f px", s.Name, minPx)
			h.score = 1e3
		case pld.Text.Size < minPx-0.5:
			h.detail = fmt.Sprintf("the %s sample's headline is set at %.0f px, below its minimum of %.0f px", s.Name, pld.Text.Size, minPx)
			h.score = minPx - pld.Text.Size
		default:
			continue
		}
		hits = append(hits, h)
	}
	return hits
}

// applies reports whether the engine draws ly for a: the engine's own rule
// (min_short_side, when) and, for a field, text to draw.
func applies(ly *layout.Layer, a *article.Article, short float64) bool {
	if !ly.Applies(a, short) {
		return false
	}
	if ly.Field == "" {
		return true
	}
	v, _ := a.Field(ly.Field)
	return strings.TrimSpace(v) != ""
}

// plannedFor returns the planned layer made from ly, or nil when the plan
// left it out.
func plannedFor(pl *plan.Plan, ly *layout.Layer) *plan.PlannedLayer {
	for i := range pl.Layers {
		if _, line, col := parseSource(pl.Layers[i].Source); line == ly.Line && col == ly.Col {
			return &pl.Layers[i]
		}
	}
	return nil
}

// specOf returns the layout layer a planned layer was made from, found by
// its source position in the variant the plan uses; nil if there is none.
func specOf(l *layout.Layout, pl *plan.Plan, pld *plan.PlannedLayer) *layout.Layer {
	v := variantOf(l, pl)
	if v == nil {
		return nil
	}
	_, line, col := parseSource(pld.Source)
	for i := range v.Layers {
		if ly := &v.Layers[i]; ly.Line == line && ly.Col == col {
			return ly
		}
	}
	return nil
}

// variantOf returns the variant of l that pl was planned with: the one of
// its name when the name is unique, else the one holding the plan's first
// layer, else the card variant for the canvas; nil if there is none.
func variantOf(l *layout.Layout, pl *plan.Plan) *layout.Variant {
	var named *layout.Variant
	n := 0
	for i := range l.Variants {
		if l.Variants[i].Name == pl.Variant {
			named, n = &l.Variants[i], n+1
		}
	}
	if n == 1 {
		return named
	}
	if len(pl.Layers) > 0 {
		_, line, col := parseSource(pl.Layers[0].Source)
		for i := range l.Variants {
			for _, ly := range l.Variants[i].Layers {
				if ly.Line == line && ly.Col == col {
					return &l.Variants[i]
				}
			}
		}
	}
	v, err := l.VariantFor(pl.Width, pl.Height)
	if err != nil {
		return nil
	}
	return v
}

// parseSource splits a planned layer's Source, "file:line:col", into its
// parts; line and col are 0 when it has none.
func parseSource(src string) (file string, line, col int) {
	rest, c, ok := cut(src)
	if !ok {
		return src, 0, 0
	}
	file, ln, ok := cut(rest)
	if !ok {
		return src, 0, 0
	}
	return file, ln, c
}

// cut splits "s:n" at its last colon into s and the number n.
func cut(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0, false
	}
	return s[:i], n, true
}

// layerHit starts a hit of rule at the place the planned layer is written
// (its Source), in l's file when the Source has no file.
func layerHit(l *layout.Layout, pld *plan.PlannedLayer, rule string) hit {
	file, line, col := parseSource(pld.Source)
	if file == "" {
		file = l.File
	}
	return hit{file: file, line: line, col: col, rule: rule}
}

// plannedName names a planned layer in messages, as [layerName] names the
// layout layer it was made from.
func plannedName(l *layout.Layout, pl *plan.Plan, pld *plan.PlannedLayer) string {
	if ly := specOf(l, pl, pld); ly != nil {
		return layerName(ly)
	}
	return fmt.Sprintf("the %s layer", pld.Kind)
}

// planHit reports a layout that cannot be planned for a preset.
func planHit(l *layout.Layout, s *Sample, err error) hit {
	return hit{
		file: l.File, rule: RulePlan,
		subject: "the layout cannot be drawn",
		fix:     "add a last variant without min_aspect/max_aspect/max_short_side so every canvas has one",
		detail:  fmt.Sprintf("with the %s sample: %v", s.Name, err),
		score:   1,
	}
}

// layerName names a layer in messages: "layer `headline` (text)".
func layerName(ly *layout.Layer) string {
	switch {
	case ly.Field != "":
		return fmt.Sprintf("layer `%s` (%s)", ly.Field, ly.Kind)
	case ly.Text != "":
		return fmt.Sprintf("layer %q (%s)", ly.Text, ly.Kind)
	}
	return fmt.Sprintf("the %s layer", ly.Kind)
}

// group is the presets that share one canvas (size and safe area): one plan
// serves them all.
type group struct {
	preset  preset.Preset   // the first member, planned for all
	members []preset.Preset // every preset of the group
	order   []int           // their positions in the preset list
}

// spread copies each hit to every preset of the group.
func (g *group) spread(hs ...hit) []hit {
	out := make([]hit, 0, len(hs)*len(g.members))
	for _, h := range hs {
		for i, p := range g.members {
			h.preset, h.size, h.order = p.ID, fmt.Sprintf("%dx%d", p.Width, p.Height), g.order[i]
			out = append(out, h)
		}
	}
	return out
}

// groupPresets groups presets by canvas (preset.Canvases), in order of
// first appearance.
func groupPresets(ps []preset.Preset) []*group {
	var out []*group
	for _, idx := range preset.Canvases(ps) {
		g := &group{preset: ps[idx[0]], order: idx}
		for _, i := range idx {
			g.members = append(g.members, ps[i])
		}
		out = append(out, g)
	}
	return out
}

// presetsFor returns base (all built-in presets when nil) with the layout's
// own presets: one with the id of a base preset replaces it, others are
// added at the end.
func presetsFor(base []preset.Preset, l *layout.Layout) []preset.Preset {
	if base == nil {
		base = preset.All()
	}
	out := append([]preset.Preset(nil), base...)
	for _, x := range l.Presets {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].ID, x.ID) {
				out[i], replaced = x, true
			}
		}
		if !replaced {
			out = append(out, x)
		}
	}
	return out
}

// Gate returns the check that [layoutset] runs on every layout it loads:
// the problems of [Static] as `file:line:col: message` lines, so a layout
// that would put text under a platform's interface or cut the headline is
// refused and the last good version stays in use. It is safe for
// concurrent use.
//
// The gate leaves out the text-only samples (the headline corpus, see
// [CorpusSamples]): planning fifty headlines on every preset takes about
// half a second a layout on two cores (BenchmarkStatic), too long for
// every save and every server start; `sharecard lint` checks them.
func Gate(fonts *text.FontSet, samples []Sample) func(*layout.Layout) []string {
	samples = slices.DeleteFunc(slices.Clone(samples), func(s Sample) bool { return s.TextOnly })
	return func(l *layout.Layout) []string {
		var out []string
		for _, p := range Static(l, fonts, samples...) {
			out = append(out, p.String())
		}
		return out
	}
}

package compositioncheck

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/sharecard/sharecard/internal/enginetest"
	"github.com/sharecard/sharecard/internal/knownlist"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

var updateKnown = flag.Bool("update-known", false, "rewrite "+knownFile+" with the failures TestCompositionMatrix finds (needs the full matrix: no -short, no -race)")

// knownFile lists the failures TestCompositionMatrix expects, one
// "photo kind" pair a line.
const knownFile = "testdata/known-failures.txt"

// The kinds of failure TestCompositionMatrix reports.
const (
	// kindCut: a labelled face or head is not whole in the crop.
	failCut = "cut"
	// kindHeadroom: a face or head is whole in the crop but touches its
	// top (no room above it) while the photo has room above it.
	failHeadroom = "no-headroom"
	// failCovered: more than maxCover of a label lies under text, a
	// badge, a logo or an opaque box drawn over the photo.
	failCovered = "covered"
	// failStamp: the photo covers less than minPhoto of its box (a
	// stamp on a backdrop) and the plan names no allowed fallback.
	failStamp = "stamp"
	// failNoPhoto: the photo is left out of a card and the plan names no
	// fallback for it.
	failNoPhoto = "no-photo"
	// failPlan: the card cannot be planned.
	failPlan = "plan-error"
)

var failKinds = []string{failCut, failHeadroom, failCovered, failStamp, failNoPhoto, failPlan}

const (
	// maxCover is the share of a label that may lie under what is drawn
	// over the photo.
	maxCover = 0.05
	// minPhoto is the share of its box a photo must cover, unless the plan
	// chose an allowed fallback.
	minPhoto = 0.7
	// headroomShare is the room wanted above a head, as a share of the
	// head's height, in photo pixels (at least one pixel).
	headroomShare = 0.05
)

// allowedFallbacks are words of Plan.Fallbacks that name an allowed way
// to show a small photo: a slot of its own (an inset), a typographic card
// (the small-photo variant, or the photo left out), side pillars.
var allowedFallbacks = []string{"inset", "small-photo", "small photo", "typographic", "pillars"}

// matrixPresets are the canvases checked under -short and the race
// detector: a card, a square, a story with a safe area, a TV tile with
// overscan, a 4K hero, a pin and two thumbnails.
var matrixPresets = []string{"og", "x-summary", "instagram-story", "ctv-hero-fhd", "ctv-hero-uhd", "pinterest-pin", "thumb-16x9", "thumb-square"}

// matrixLayouts are the built-in layouts checked.
var matrixLayouts = []string{"standard", "split", "breaking"}

func engine(t testing.TB) *render.Engine { return enginetest.Engine(t) }

// builtinLayouts parses the shipped layouts.
func builtinLayouts(t testing.TB, eng *render.Engine) map[string]*layout.Layout {
	t.Helper()
	lays := enginetest.BuiltinLayouts(t, eng)
	for _, n := range matrixLayouts {
		if lays[n] == nil {
			t.Fatalf("no built-in layout %q", n)
		}
	}
	return lays
}

// jobArticle is the article every card is planned with: a headline of
// two lines on most cards, a section, a credit, and for the breaking
// layout the breaking flag (its strip shows only then).
func jobArticle(layoutName string) *article.Article {
	return &article.Article{
		Headline:  "City council approves the new riverside park after a decade of debate",
		Section:   "Local",
		Credit:    "Photo: Test Agency",
		Published: "2026-12-01",
		Lang:      "en",
		Breaking:  layoutName == "breaking",
	}
}

// presetPurpose is the preset's Purpose ("" before presets had one).
func presetPurpose(p preset.Preset) string {
	f := reflect.ValueOf(p).FieldByName("Purpose")
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

// planFallbacks is the plan's Fallbacks (nil before plans had them).
func planFallbacks(pl *plan.Plan) []string {
	f := reflect.ValueOf(pl).Elem().FieldByName("Fallbacks")
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.String {
		return nil
	}
	out := make([]string, f.Len())
	for i := range out {
		out[i] = f.Index(i).String()
	}
	return out
}

func allowedFallback(fbs []string) (string, bool) {
	for _, fb := range fbs {
		for _, w := range allowedFallbacks {
			if strings.Contains(strings.ToLower(fb), w) {
				return fb, true
			}
		}
	}
	return "", false
}

// outcome is what one card did to one photo.
type outcome struct {
	variant, base, layout, preset string
	heads, kept                   int // faces and heads checked, kept with headroom
	labels, covered               int // labels checked for cover, covered
	stamp                         bool
	identity                      bool // an "identity" preset: not planned
	skipped                       bool // the photo left out, for an allowed fallback
	problems                      []problem
}

type problem struct{ kind, detail string }

// cardCheck plans one card and checks it (see TestCompositionMatrix).
func cardCheck(eng *render.Engine, job render.Job, prep *photo.Prepared, p preset.Preset, v variant) outcome {
	out := outcome{variant: v.id, base: v.base, layout: job.Layout.Name, preset: p.ID}
	purpose := presetPurpose(p)
	if purpose == "identity" {
		out.identity = true
		return out
	}
	pl, err := eng.PlanCard(job, prep, p)
	if err != nil && !(errors.Is(err, render.ErrMissingGlyphs) && pl != nil) {
		out.problems = append(out.problems, problem{failPlan, err.Error()})
		return out
	}
	// The first photo layer with a crop; what is drawn after it lies over it.
	pi := slices.IndexFunc(pl.Layers, func(l plan.PlannedLayer) bool { return l.Kind == plan.KindPhoto && l.Crop != nil })
	fbs := planFallbacks(pl)
	if pi < 0 || pl.Layers[pi].Crop.Src.Empty() || pl.Layers[pi].Crop.Dst.Empty() {
		if _, ok := allowedFallback(fbs); ok {
			out.skipped = true
		} else {
			out.problems = append(out.problems, problem{failNoPhoto, fmt.Sprintf("no photo drawn (fallbacks: %q)", fbs)})
		}
		return out
	}
	pld := &pl.Layers[pi]
	cr := pld.Crop
	work := prep.Pyramid.Bounds().Size()
	sx, sy := float64(work.X)/float64(v.size.X), float64(work.Y)/float64(v.size.Y)

	// (c) A stamp: the photo covers less than minPhoto of its box.
	boxArea := float64(pld.Box.Dx() * pld.Box.Dy())
	dst := cr.Dst.Add(pld.Box.Min).Intersect(pld.Box)
	if share := float64(dst.Dx()*dst.Dy()) / boxArea; boxArea > 0 && share < minPhoto {
		if _, ok := allowedFallback(fbs); !ok {
			out.stamp = true
			out.problems = append(out.problems, problem{failStamp, fmt.Sprintf("photo over %.0f%% of its %v box at %.2f×", 100*share, pld.Box.Size(), cr.Scale)})
		}
	}

	// What lies over the photo: text and badges (their lines and pill),
	// logos, and opaque boxes.
	var over []image.Rectangle
	for i := pi + 1; i < len(pl.Layers); i++ {
		ly := &pl.Layers[i]
		switch ly.Kind {
		case plan.KindText, plan.KindBadge:
			if r := ly.TextRect(); !r.Empty() {
				over = append(over, r)
			}
		case plan.KindImage:
			if !ly.ImageRect.Empty() {
				over = append(over, ly.ImageRect)
			}
		case plan.KindBox:
			if ly.Color.A >= 128 {
				over = append(over, ly.Box)
			}
		}
	}

	for _, l := range v.labels {
		src := l.rect()
		// The label in working pixels, rounded outwards.
		lw := image.Rect(int(math.Floor(float64(src.Min.X)*sx)), int(math.Floor(float64(src.Min.Y)*sy)),
			int(math.Ceil(float64(src.Max.X)*sx)), int(math.Ceil(float64(src.Max.Y)*sy)))
		if l.needsHeadroom() {
			out.heads++
			// A pixel of slack for rounding.
			switch room := max(1, int(math.Round(headroomShare*float64(lw.Dy())))); {
			case !lw.Inset(1).In(cr.Src):
				out.problems = append(out.problems, problem{failCut, fmt.Sprintf("%s %v (working px) not whole in crop %v", l.Kind, lw, cr.Src)})
			case cr.Src.Min.Y > lw.Min.Y-room && cr.Src.Min.Y > 0:
				out.problems = append(out.problems, problem{failHeadroom, fmt.Sprintf("%s top at %d, crop top at %d (want %d px above)", l.Kind, lw.Min.Y, cr.Src.Min.Y, room)})
			default:
				out.kept++
			}
		}
		if purpose == "clean" {
			continue
		}
		// The label on the canvas: Src → Dst, then the box.
		scx := float64(cr.Dst.Dx()) / float64(cr.Src.Dx())
		scy := float64(cr.Dst.Dy()) / float64(cr.Src.Dy())
		fx0 := float64(pld.Box.Min.X+cr.Dst.Min.X) + (float64(lw.Min.X-cr.Src.Min.X))*scx
		fy0 := float64(pld.Box.Min.Y+cr.Dst.Min.Y) + (float64(lw.Min.Y-cr.Src.Min.Y))*scy
		fx1 := fx0 + float64(lw.Dx())*scx
		fy1 := fy0 + float64(lw.Dy())*scy
		out.labels++
		if c := coverage(fx0, fy0, fx1, fy1, over); c > maxCover {
			out.covered++
			out.problems = append(out.problems, problem{failCovered, fmt.Sprintf("%s %.0f%% covered", l.Kind, 100*c)})
		}
	}
	return out
}

// coverage is the share of the rectangle (x0, y0)–(x1, y1) that lies
// under the union of over, sampled on a 48×48 grid.
func coverage(x0, y0, x1, y1 float64, over []image.Rectangle) float64 {
	const n = 48
	if x1 <= x0 || y1 <= y0 || len(over) == 0 {
		return 0
	}
	hit := 0
	for j := range n {
		y := y0 + (float64(j)+0.5)*(y1-y0)/n
		for i := range n {
			x := x0 + (float64(i)+0.5)*(x1-x0)/n
			for _, r := range over {
				if x >= float64(r.Min.X) && x < float64(r.Max.X) && y >= float64(r.Min.Y) && y < float64(r.Max.Y) {
					hit++
					break
				}
			}
		}
	}
	return float64(hit) / (n * n)
}

// runMatrix plans every variant on every preset of every built-in layout
// (the presets of matrixPresets and the short set of variants unless
// full) and returns the outcomes, in a stable order.
func runMatrix(t *testing.T, full bool) []outcome {
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	photos, err := loadLabels()
	if err != nil {
		t.Fatal(err)
	}
	vars := append(variants(photos, full), xmpVariant())
	if raceOn {
		// Planning is about ten times slower: the photos alone.
		vars = slices.DeleteFunc(vars, func(v variant) bool { return v.id != v.base })
	}
	var (
		mu  sync.Mutex
		all []outcome
	)
	// Layouts with the same presets share one prepared photo.
	type group struct {
		presets []preset.Preset
		layouts []string
	}
	var groups []*group
	keys := map[string]*group{}
	for _, name := range matrixLayouts {
		presets, err := preset.Select("all", lays[name].Presets)
		if err != nil {
			t.Fatal(err)
		}
		if !full {
			presets = slices.DeleteFunc(presets, func(p preset.Preset) bool { return !slices.Contains(matrixPresets, p.ID) })
		}
		var ids []string
		for _, p := range presets {
			ids = append(ids, fmt.Sprintf("%+v", p))
		}
		key := strings.Join(ids, "\n")
		if keys[key] == nil {
			keys[key] = &group{presets: presets}
			groups = append(groups, keys[key])
		}
		keys[key].layouts = append(keys[key].layouts, name)
	}
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(max(1, runtime.GOMAXPROCS(0)))
	for _, grp := range groups {
		for _, v := range vars {
			g.Go(func() error {
				if err := ctx.Err(); err != nil {
					return err
				}
				data, err := v.data()
				if err != nil {
					return fmt.Errorf("%s: %w", v.id, err)
				}
				prep, err := eng.Prepare(ctx, data, grp.presets)
				if err != nil {
					return fmt.Errorf("%s: prepare: %w", v.id, err)
				}
				var outs []outcome
				for _, name := range grp.layouts {
					job := render.Job{Article: jobArticle(name), Photo: data, Layout: lays[name], Presets: grp.presets}
					for _, p := range grp.presets {
						outs = append(outs, cardCheck(eng, job, prep, p, v))
					}
				}
				mu.Lock()
				all = append(all, outs...)
				mu.Unlock()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.variant != b.variant {
			return a.variant < b.variant
		}
		if a.layout != b.layout {
			return a.layout < b.layout
		}
		return a.preset < b.preset
	})
	return all
}

// finding is one kind of failure of one photo (or transform), over all
// the cards.
type finding struct {
	photo, kind string
	count       int    // labels × cards (or cards) showing it
	example     string // where and what, the first one seen
}

func findings(all []outcome) map[[2]string]*finding {
	found := map[[2]string]*finding{}
	for _, o := range all {
		for _, pr := range o.problems {
			k := [2]string{o.variant, pr.kind}
			f := found[k]
			if f == nil {
				f = &finding{photo: o.variant, kind: pr.kind, example: fmt.Sprintf("%s on %s: %s", o.layout, o.preset, pr.detail)}
				found[k] = f
			}
			f.count++
		}
	}
	return found
}

// TestCompositionMatrix plans every labelled photo of testdata/labels.yaml
// and its transforms (mirrored, shifted so a head touches the frame's
// edge, shrunk to 500 px) on every preset of every built-in layout,
// exactly as the engine ships them (Engine.Prepare and Engine.PlanCard),
// with an article that has a headline, a section and a credit (and the
// breaking flag for the breaking layout), and checks each card:
//
//   - cut, no-headroom: each labelled face and head is whole in the crop
//     (Plan's first photo layer, Crop.Src) with room above it (5% of its
//     height) unless the crop starts at the photo's top;
//   - covered: no label (face, head, person, animal, object) lies more
//     than 5% under the text and badges (PlannedLayer.TextRect, pill
//     included), logos and opaque boxes drawn over the photo, the label
//     mapped onto the canvas through Crop.Src → Crop.Dst and the layer's
//     box;
//   - stamp: the photo covers at least 70% of its layer's box, unless
//     Plan.Fallbacks names an allowed fallback (an inset in its slot, a
//     typographic card, side pillars);
//   - no-photo: a card that leaves the photo out says why in Fallbacks.
//
// Presets whose purpose is "identity" (logo only) are skipped, and for
// "clean" ones (photo and at most a logo) only cut and no-headroom are
// checked.
//
// The failures found, by photo and kind, must be exactly those of
// testdata/known-failures.txt: a new one fails the test, and so does a
// listed one that no longer happens (on the full matrix; -update-known
// rewrites the list). The photos × layouts table of kept and covered
// subjects is logged.
//
// Without -short and the race detector every preset and every transform is
// checked; with -short, the presets of matrixPresets and the transforms of
// the photos with heads; with the race detector, those presets and the
// photos without transforms. Then listed failures that do not show are not
// reported (they may show only on what is left out).
func TestCompositionMatrix(t *testing.T) {
	full := !raceOn && !testing.Short()
	all := runMatrix(t, full)
	found := findings(all)
	var list []*finding
	for _, f := range found {
		list = append(list, f)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].photo != list[j].photo {
			return list[i].photo < list[j].photo
		}
		return list[i].kind < list[j].kind
	})
	t.Logf("%d cards planned (full matrix: %v); subjects kept and covered:\n%s", len(all), full, table(all))

	if *updateKnown {
		if !full {
			t.Fatal("-update-known needs the full matrix: run without -short and without -race")
		}
		if err := writeKnown(list); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s with %d failures", knownFile, len(list))
		return
	}
	known, err := readKnown()
	if err != nil {
		t.Fatal(err)
	}
	desc := map[[2]string]string{}
	for _, f := range list {
		desc[[2]string{f.photo, f.kind}] = fmt.Sprintf("(%d), e.g. %s", f.count, f.example)
	}
	knownlist.Compare(t, knownFile, known, desc, full)
}

var tableOut = flag.String("table-out", "", "TestCompositionTable writes the photos × layouts table to `FILE` (- for standard output)")

// TestCompositionTable writes the photos × layouts table of the full
// matrix to -table-out (bench/composition.sh runs it); skipped without it.
func TestCompositionTable(t *testing.T) {
	if *tableOut == "" {
		t.Skip("set -table-out FILE to write the table")
	}
	all := runMatrix(t, !testing.Short())
	s := table(all)
	if *tableOut == "-" {
		fmt.Print(s)
		return
	}
	if err := os.WriteFile(*tableOut, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cell is the sums of one photo on one layout.
type cell struct{ heads, kept, labels, covered, stamps, left, cards int }

// table lays out the outcomes as photos (transforms folded into their
// photo) × layouts: faces and heads kept whole with headroom out of those
// checked, labels more than 5% covered out of those checked, stamps and
// cards that leave the photo out (an allowed fallback: a typographic
// card) out of the cards planned ("identity" presets are not planned).
func table(all []outcome) string {
	cells := map[[2]string]*cell{}
	total := map[string]*cell{}
	var photos []string
	for _, o := range all {
		if o.identity {
			continue
		}
		k := [2]string{o.base, o.layout}
		c := cells[k]
		if c == nil {
			c = &cell{}
			cells[k] = c
			if !slices.Contains(photos, o.base) {
				photos = append(photos, o.base)
			}
		}
		if total[o.layout] == nil {
			total[o.layout] = &cell{}
		}
		for _, c := range []*cell{c, total[o.layout]} {
			c.heads += o.heads
			c.kept += o.kept
			c.labels += o.labels
			c.covered += o.covered
			c.cards++
			if o.stamp {
				c.stamps++
			}
			if o.skipped {
				c.left++
			}
		}
	}
	sort.Strings(photos)
	var b strings.Builder
	b.WriteString("kept: faces and heads whole in the crop with headroom / checked (label × card)\n" +
		"covered: labels > 5% under text, badges, logos or opaque boxes / checked (label × card; not on clean presets)\n" +
		"stamp: photo over < 70% of its box, no allowed fallback / cards; text-only: photo left out for a typographic card / cards\n")
	fmt.Fprintf(&b, "%-25s", "photo (+ transforms)")
	for _, l := range matrixLayouts {
		fmt.Fprintf(&b, " | %-38s", l+": kept covered stamp text-only")
	}
	b.WriteString("\n")
	row := func(name string, get func(l string) *cell) {
		fmt.Fprintf(&b, "%-25s", name)
		for _, l := range matrixLayouts {
			c := get(l)
			if c == nil {
				c = &cell{}
			}
			kept := "-"
			if c.heads > 0 {
				kept = fmt.Sprintf("%d/%d", c.kept, c.heads)
			}
			cov := "-"
			if c.labels > 0 {
				cov = fmt.Sprintf("%d/%d", c.covered, c.labels)
			}
			fmt.Fprintf(&b, " | %9s %9s %9s %9s", kept, cov,
				strconv.Itoa(c.stamps)+"/"+strconv.Itoa(c.cards), strconv.Itoa(c.left)+"/"+strconv.Itoa(c.cards))
		}
		b.WriteString("\n")
	}
	for _, p := range photos {
		row(p, func(l string) *cell { return cells[[2]string{p, l}] })
	}
	row("total", func(l string) *cell { return total[l] })
	return b.String()
}

// readKnown reads knownFile: "photo kind" lines; # starts a comment.
func readKnown() (map[[2]string]bool, error) { return knownlist.Read(knownFile, failKinds, "photo") }

// writeKnown writes the findings to knownFile, with the header that says
// how the list is used.
func writeKnown(list []*finding) error {
	var b strings.Builder
	b.WriteString(knownHeader)
	for _, f := range list {
		fmt.Fprintf(&b, "%-36s %-12s # %d, e.g. %s\n", f.photo, f.kind, f.count, strings.ReplaceAll(f.example, "\n", " "))
	}
	return os.WriteFile(knownFile, []byte(b.String()), 0o644)
}

const knownHeader = `# Known failures of TestCompositionMatrix (compositioncheck/matrix_test.go):
# one "photo kind" pair a line, photo an id of testdata/labels.yaml, with
# ~mirror, ~edge, ~small or ~large for a transform.
# The test fails on a failure not listed here, and (on the full matrix:
# no -short, no -race) on a listed one that no longer happens, so this
# list only shrinks as detection, cropping and layouts improve.
# Rewrite it from the current state with:
#   go test -count=1 -run TestCompositionMatrix ./compositioncheck/ -update-known
# Kinds: cut, no-headroom, covered, stamp, no-photo, plan-error (see the
# test's doc comment). After the list: "# labels × cards (or cards)
# showing it, e.g. the first one".
`

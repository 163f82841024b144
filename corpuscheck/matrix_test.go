package corpuscheck

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/sync/errgroup"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/internal/knownlist"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

var updateKnown = flag.Bool("update-known", false, "rewrite "+knownFile+" with the failures TestCorpusMatrix finds (needs the full matrix: no -short, no -race)")

// knownFile lists the failures TestCorpusMatrix expects, one "entry kind"
// pair a line.
const knownFile = "testdata/known-failures.txt"

// The kinds of failure TestCorpusMatrix reports.
const (
	// KindMissing: a character of the text has no glyph in any font (it
	// would be drawn as a box), or planning refused the text for it.
	kindMissing = "missing-glyph"
	// KindPlan: the card cannot be planned for another reason.
	kindPlan = "plan-error"
	// KindBox: a line of text runs out of its layer's box.
	kindBox = "outside-box"
	// KindSafe: the ink of the text leaves the preset's safe area.
	kindSafe = "outside-safe"
	// KindCut: the headline is cut with an ellipsis even at its minimum
	// size, or left out because no size fits.
	kindCut = "cut"
	// KindWidow: a one-word last line where a better break exists (see
	// widow).
	kindWidow = "one-word-last-line"
	// KindSpace: an ideographic space of the headline is not in the
	// lines set (it must stay full width).
	kindSpace = "space-lost"
	// KindMidWord: a line ends inside a word of a script written with
	// spaces, with no hyphen (see midWord).
	kindMidWord = "mid-word-break"
)

var kinds = []string{kindMissing, kindPlan, kindBox, kindSafe, kindCut, kindWidow, kindMidWord, kindSpace}

// matrixPresets are the canvases checked under -short and the race
// detector: a card, a square, a story with a safe area, a TV tile with
// overscan, a pin and two thumbnails.
var matrixPresets = []string{"og", "x-summary", "instagram-story", "ctv-hero-fhd", "pinterest-pin", "thumb-16x9", "thumb-square"}

// finding is one kind of failure of one entry, over all the canvases.
type finding struct {
	entry, kind string
	canvases    int    // how many presets show it
	example     string // where and what, the first one seen
}

// TestCorpusMatrix plans every corpus entry, with the long-headline
// sample's photo, on every preset of every built-in layout, exactly as
// the engine ships it (Engine.Prepare and Engine.PlanCard, as lint does),
// and checks each text layer:
//
//   - no missing glyph (Block.Missing is empty, planning does not refuse);
//   - each line inside its layer's box, the ink inside the safe area;
//   - the headline is not cut with an ellipsis nor left out;
//   - no one-word last line where a better break exists (see widow);
//   - no line ending inside a word of a script written with spaces,
//     Korean included, unless hyphenated (see midWord);
//   - an ideographic space of the headline survives.
//
// The failures found must be exactly those of testdata/known-failures.txt:
// a new failure fails the test, and so does a listed failure that no
// longer happens (remove it from the list; -update-known rewrites it).
// A compact table of entry × kind, with the number of canvases, is logged.
//
// Without -short and the race detector every preset is checked (about
// 30 s on two cores); with either, the presets of matrixPresets, and then
// listed failures that do not show are not reported (they may show only
// on presets left out).
func TestCorpusMatrix(t *testing.T) {
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	entries := corpus.All()
	// Parsed once; the plans only read them.
	articles := make([]*article.Article, len(entries))
	for i, e := range entries {
		articles[i] = entryArticle(t, e)
	}
	photoData := samplePhoto(t)
	full := !raceOn && !testing.Short()

	var (
		mu    sync.Mutex
		found = map[[2]string]*finding{}
	)
	add := func(entry, kind string, n int, example string) {
		mu.Lock()
		defer mu.Unlock()
		k := [2]string{entry, kind}
		f := found[k]
		if f == nil {
			f = &finding{entry: entry, kind: kind, example: example}
			found[k] = f
		}
		f.canvases += n
	}

	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(runtime.GOMAXPROCS(0))
	canvases := 0
	for _, name := range layout.Names(lays) {
		l := lays[name]
		presets, err := preset.Select("all", l.Presets)
		if err != nil {
			t.Fatal(err)
		}
		if !full {
			presets = slices.DeleteFunc(presets, func(p preset.Preset) bool { return !slices.Contains(matrixPresets, p.ID) })
		}
		prep := prepared(t, eng, photoData, presets)
		for _, grp := range preset.Canvases(presets) {
			canvases += len(grp) * len(entries)
			for i, e := range entries {
				a := articles[i]
				g.Go(func() error {
					if err := ctx.Err(); err != nil {
						return err
					}
					p := presets[grp[0]]
					where := fmt.Sprintf("%s on %s", name, p.ID)
					pl, err := eng.PlanCard(render.Job{Article: a, Photo: photoData, Layout: l, Presets: presets}, prep, p)
					if err != nil {
						// A refusal for missing glyphs comes with its plan:
						// the other checks still run on it (and find the
						// characters in Block.Missing).
						if errors.Is(err, render.ErrMissingGlyphs) && pl != nil {
							add(e.ID, kindMissing, len(grp), where+": "+err.Error())
						} else {
							add(e.ID, kindPlan, len(grp), where+": "+err.Error())
							return nil
						}
					}
					for _, pr := range checkPlan(l, pl, a) {
						add(e.ID, pr.kind, len(grp), where+": "+pr.detail)
					}
					return nil
				})
			}
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d entries × canvases planned: %d (full matrix: %v)", len(entries), canvases, full)

	var all []*finding
	for _, f := range found {
		all = append(all, f)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].entry != all[j].entry {
			return all[i].entry < all[j].entry
		}
		return all[i].kind < all[j].kind
	})
	t.Logf("failures by entry and kind (presets × layouts showing each):\n%s", table(entries, all))

	if *updateKnown {
		if !full {
			t.Fatal("-update-known needs the full matrix: run without -short and without -race")
		}
		if err := writeKnown(all); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s with %d failures", knownFile, len(all))
		return
	}
	known, err := readKnown()
	if err != nil {
		t.Fatal(err)
	}
	desc := map[[2]string]string{}
	for _, f := range all {
		desc[[2]string{f.entry, f.kind}] = fmt.Sprintf("on %d canvases, e.g. %s", f.canvases, f.example)
	}
	knownlist.Compare(t, knownFile, known, desc, full)
}

// problem is one failure found on one plan.
type problem struct{ kind, detail string }

// checkPlan checks the text layers of one plan (see TestCorpusMatrix).
func checkPlan(l *layout.Layout, pl *plan.Plan, a *article.Article) []problem {
	var out []problem
	// The variant the plan drew (chosen by purpose and photo size too,
	// not only by the canvas).
	var v *layout.Variant
	for i := range l.Variants {
		if l.Variants[i].Name == pl.Variant {
			v = &l.Variants[i]
		}
	}
	if v == nil {
		return []problem{{kindPlan, fmt.Sprintf("the plan's variant %q is not in layout %s", pl.Variant, l.Name)}}
	}
	short := float64(min(pl.Width, pl.Height))
	headline, _ := a.Field("headline") // corpus entries have no card_headline
	lang := a.Lang
	seen := map[*layout.Layer]bool{}
	for i := range pl.Layers {
		pld := &pl.Layers[i]
		tb := pld.Text
		if tb == nil {
			continue
		}
		ly := layerOf(v, pld)
		seen[ly] = true
		name := "a text layer"
		if ly != nil {
			name = "layer " + ly.Field + ly.Text
		}
		if len(tb.Missing) > 0 {
			var cps []string
			for _, r := range tb.Missing {
				cps = append(cps, fmt.Sprintf("%U %c", r, r))
			}
			out = append(out, problem{kindMissing, fmt.Sprintf("%s: no glyph for %s", name, strings.Join(cps, ", "))})
		}
		if r := lineRect(pld); !within(r, pld.Box, 1) {
			out = append(out, problem{kindBox, fmt.Sprintf("%s: lines %v, box %v", name, r, pld.Box)})
		}
		x0, y0, x1, y1 := tb.Bounds()
		ink := image.Rect(int(math.Floor(pld.TextX+x0)), int(math.Floor(pld.TextY+y0)), int(math.Ceil(pld.TextX+x1)), int(math.Ceil(pld.TextY+y1)))
		if !ink.Empty() && !within(ink, pl.Safe, 1) {
			out = append(out, problem{kindSafe, fmt.Sprintf("%s: ink %v, safe area %v", name, ink, pl.Safe)})
		}
		if ly == nil || ly.Field != "headline" {
			continue
		}
		if tb.Truncated {
			out = append(out, problem{kindCut, fmt.Sprintf("%s: cut with an ellipsis at %.0f px", name, tb.Size)})
		}
		if d, ok := widow(tb.Lines, float64(pld.Box.Dx())); ok {
			out = append(out, problem{kindWidow, fmt.Sprintf("%s: %s", name, d)})
		}
		if d, ok := midWord(headline, lang, tb.Lines); ok {
			out = append(out, problem{kindMidWord, fmt.Sprintf("%s: %s", name, d)})
		}
		if strings.ContainsRune(headline, '\u3000') {
			kept := false
			for _, ln := range tb.Lines {
				kept = kept || strings.ContainsRune(ln.Text, '\u3000')
			}
			// A line may break at the space; then it may go.
			if !kept && len(tb.Lines) == 1 {
				out = append(out, problem{kindSpace, name + ": the ideographic space is not in the line set"})
			}
		}
	}
	// A headline layer the engine should draw but left out: no size fits.
	for i := range v.Layers {
		ly := &v.Layers[i]
		if ly.Field == "headline" && (ly.Kind == layout.LayerText || ly.Kind == layout.LayerBadge) && ly.Applies(a, short) && !seen[ly] {
			out = append(out, problem{kindCut, fmt.Sprintf("layer headline (line %d) left out: no size fits", ly.Line)})
		}
	}
	return out
}

// widow reports a one-word last line where a better break exists: the
// headline has two lines or more, its last line holds one word, the line
// before holds three words or more, and moving the last word of that
// line down still fits the box (the word's width is estimated from its
// share of the line's characters). Words are separated by spaces, so
// lines of scripts written without spaces (Chinese, Japanese, Thai) count
// as one word each and never fail here.
func widow(lines []text.Line, boxW float64) (string, bool) {
	n := len(lines)
	if n < 2 {
		return "", false
	}
	last := strings.Fields(strings.TrimSuffix(lines[n-1].Text, "…"))
	prev := strings.Fields(lines[n-2].Text)
	if len(last) != 1 || len(prev) < 3 || lettersOf(last[0]) == 0 {
		return "", false
	}
	moved := prev[len(prev)-1]
	share := float64(len([]rune(moved))+1) / float64(max(1, len([]rune(strings.TrimSpace(lines[n-2].Text)))))
	if lines[n-1].Width+share*lines[n-2].Width > boxW {
		return "", false
	}
	return fmt.Sprintf("last line %q alone after %q", lines[n-1].Text, lines[n-2].Text), true
}

// noSpaces are the languages written without spaces between words, whose
// lines may end between any two letters (Chinese, Japanese) or between
// dictionary words (Thai, Burmese, Lao, Khmer): midWord leaves them to the
// line-breaking tests, which compare with ICU.
var noSpaces = []string{"zh", "ja", "th", "my", "lo", "km"}

// midWord reports a line that ends inside a word: the headline has a
// letter (or mark) on both sides of the place where the line ends, and
// the line does not end with a hyphen that the headline lacks there (a
// hyphenated word, which is allowed, except in Korean, which breaks at
// spaces only). The lines are found in the headline by their letters, so
// typographic quotes or inserted no-break spaces do not matter; when a
// line cannot be found the check gives up.
func midWord(headline, lang string, lines []text.Line) (string, bool) {
	base := strings.ToLower(strings.SplitN(lang, "-", 2)[0])
	if slices.Contains(noSpaces, base) || len(lines) < 2 {
		return "", false
	}
	src := []rune(headline)
	wordy := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) }
	pos := 0
	for i, ln := range lines[:len(lines)-1] {
		// Walk the line's letters through the headline.
		var last rune
		for _, r := range ln.Text {
			if !wordy(r) {
				continue
			}
			for pos < len(src) && src[pos] != r {
				pos++
			}
			if pos == len(src) {
				return "", false
			}
			last = r
			pos++
		}
		if last == 0 || pos >= len(src) || !wordy(src[pos-1]) || !wordy(src[pos]) {
			continue
		}
		trimmed := strings.TrimRightFunc(ln.Text, unicode.IsSpace)
		if (strings.HasSuffix(trimmed, "-") || strings.HasSuffix(trimmed, "\u2010")) && base != "ko" {
			continue // hyphenated
		}
		return fmt.Sprintf("line %d ends inside a word: %q | %q", i+1, ln.Text, lines[i+1].Text), true
	}
	return "", false
}

func lettersOf(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
		}
	}
	return n
}

// lineRect is the extent of the lines of a text layer on the canvas, by
// their advance widths and the block's height, without the pill.
func lineRect(pld *plan.PlannedLayer) image.Rectangle {
	tb := pld.Text
	if len(tb.Lines) == 0 {
		return image.Rectangle{}
	}
	x0, x1 := math.Inf(1), math.Inf(-1)
	for _, ln := range tb.Lines {
		x0 = math.Min(x0, pld.TextX+ln.X)
		x1 = math.Max(x1, pld.TextX+ln.X+ln.Width)
	}
	return image.Rect(int(math.Floor(x0)), int(math.Floor(pld.TextY)), int(math.Ceil(x1)), int(math.Ceil(pld.TextY+tb.Height)))
}

// within reports whether r lies in outer grown by slack pixels.
func within(r, outer image.Rectangle, slack int) bool {
	return r.Empty() || r.In(outer.Inset(-slack))
}

// layerOf returns the layout layer a planned layer was made from, found by
// its source position ("file:line:col") in the variant the plan uses.
func layerOf(v *layout.Variant, pld *plan.PlannedLayer) *layout.Layer {
	parts := strings.Split(pld.Source, ":")
	if len(parts) < 3 {
		return nil
	}
	line, err1 := strconv.Atoi(parts[len(parts)-2])
	col, err2 := strconv.Atoi(parts[len(parts)-1])
	if err1 != nil || err2 != nil {
		return nil
	}
	for i := range v.Layers {
		if ly := &v.Layers[i]; ly.Line == line && ly.Col == col {
			return ly
		}
	}
	return nil
}

// table lays out the findings as entry × kind, the number of canvases in
// each cell; entries without failures are counted at the end.
func table(entries []corpus.Entry, all []*finding) string {
	byEntry := map[string]map[string]int{}
	for _, f := range all {
		if byEntry[f.entry] == nil {
			byEntry[f.entry] = map[string]int{}
		}
		byEntry[f.entry][f.kind] = f.canvases
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %-5s", "entry", "script")
	for _, k := range kinds {
		fmt.Fprintf(&b, " %*s", len(k), k)
	}
	b.WriteString("\n")
	clean := 0
	for _, e := range entries {
		row := byEntry[e.ID]
		if len(row) == 0 {
			clean++
			continue
		}
		fmt.Fprintf(&b, "%-10s %-5s", e.ID, e.Script)
		for _, k := range kinds {
			cell := "."
			if n := row[k]; n > 0 {
				cell = strconv.Itoa(n)
			}
			fmt.Fprintf(&b, " %*s", len(k), cell)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%d of %d entries pass everywhere", clean, len(entries))
	return b.String()
}

// readKnown reads knownFile: "entry kind" lines; # starts a comment.
func readKnown() (map[[2]string]bool, error) { return knownlist.Read(knownFile, kinds, "entry") }

// writeKnown writes the findings to knownFile, with the header that says
// how the list is used.
func writeKnown(all []*finding) error {
	var b strings.Builder
	b.WriteString(knownHeader)
	for _, f := range all {
		e, _ := corpus.Lookup(f.entry)
		fmt.Fprintf(&b, "%-10s %-20s # %s, %d canvases\n", f.entry, f.kind, e.Script, f.canvases)
	}
	return os.WriteFile(knownFile, []byte(b.String()), 0o644)
}

const knownHeader = `# Known failures of TestCorpusMatrix (corpuscheck/matrix_test.go): one
# "entry kind" pair a line, entry an id of corpus/headlines.yaml.
# The test fails on a failure not listed here, and (on the full matrix:
# no -short, no -race) on a listed one that no longer happens, so this
# list only shrinks as fonts, line breaking and the tofu policy land.
# Rewrite it from the current state with:
#   go test -count=1 -run TestCorpusMatrix ./corpuscheck/ -update-known
# Kinds: missing-glyph, plan-error, outside-box, outside-safe, cut,
# one-word-last-line, mid-word-break, space-lost (see the test's doc
# comment). After the list: "# entry's script, canvases showing it".
`

// TestWidow: the one-word-last-line rule, on lines as Fit returns them.
func TestWidow(t *testing.T) {
	line := func(s string, w float64) text.Line { return text.Line{Text: s, Width: w} }
	tests := []struct {
		name  string
		lines []text.Line
		boxW  float64
		want  bool
	}{
		{"one line", []text.Line{line("Short headline", 300)}, 1000, false},
		{"widow that could take a word", []text.Line{line("Government announces new plan for", 900), line("farmers", 200)}, 1000, true},
		{"two words on the last line", []text.Line{line("Government announces new plan", 800), line("for farmers", 300)}, 1000, false},
		{"only two words before it", []text.Line{line("Government announces", 900), line("plans", 200)}, 1000, false},
		{"no room to move a word down", []text.Line{line("Government announces new plan for", 900), line("agriculturalists", 950)}, 1000, false},
		{"a cut last line counts its word", []text.Line{line("Government announces new plan for", 900), line("farmers…", 220)}, 1000, true},
		{"punctuation is no word", []text.Line{line("Government announces new plan for", 900), line("—", 20)}, 1000, false},
		{"Chinese lines have no spaces", []text.Line{line("中国与欧洲直航航班恢复至疫情前水平", 900), line("每周", 100)}, 1000, false},
	}
	for _, tt := range tests {
		if _, got := widow(tt.lines, tt.boxW); got != tt.want {
			t.Errorf("%s: widow = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestMidWord: the mid-word-break rule.
func TestMidWord(t *testing.T) {
	lines := func(ss ...string) []text.Line {
		var out []text.Line
		for _, s := range ss {
			out = append(out, text.Line{Text: s})
		}
		return out
	}
	tests := []struct {
		name, headline, lang string
		lines                []text.Line
		want                 bool
	}{
		{"at a space", "Leta yatangije gahunda nshya", "rw", lines("Leta yatangije", "gahunda nshya"), false},
		{"inside a word", "Leta yatangije gahunda nshya", "rw", lines("Leta yatangije gahu", "nda nshya"), true},
		{"hyphenated", "Pentref Llanfairpwllgwyngyll yn denu", "cy", lines("Pentref Llanfair-", "pwllgwyngyll yn denu"), false},
		{"after a hyphen of the text", "ten-year radar project", "en", lines("ten-", "year radar project"), false},
		{"Korean inside a word", "서울시, 내년부터 대중교통 요금", "ko", lines("서울시, 내년부터 대중", "교통 요금"), true},
		{"Korean hyphen is no excuse", "서울시, 내년부터 대중교통 요금", "ko", lines("서울시, 내년부터 대중-", "교통 요금"), true},
		{"Korean at a space", "서울시, 내년부터 대중교통 요금", "ko", lines("서울시, 내년부터", "대중교통 요금"), false},
		{"Chinese between characters", "中国与欧洲直航航班", "zh-Hans", lines("中国与欧洲", "直航航班"), false},
		{"typographic quotes", "promet \"des mesures\" contre", "fr", lines("promet « des", "mesures » contre"), false},
		{"Arabic at a space", "انطلاق مؤتمر COP29 للمناخ", "ar", lines("انطلاق مؤتمر", "COP29 للمناخ"), false},
	}
	for _, tt := range tests {
		if _, got := midWord(tt.headline, tt.lang, tt.lines); got != tt.want {
			t.Errorf("%s: midWord = %v, want %v", tt.name, got, tt.want)
		}
	}
}

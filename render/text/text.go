package text

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// Align is the horizontal alignment of the lines of a Block in its box.
type Align int

// The alignments. AlignStart and AlignEnd follow the text direction (start
// is the left edge for left-to-right text and the right edge for
// right-to-left text); AlignLeft and AlignRight do not.
const (
	AlignStart Align = iota
	AlignCenter
	AlignEnd
	AlignLeft
	AlignRight
)

// ParseAlign parses an alignment name as used in layout files: "start",
// "center", "end", "left" or "right" (case-insensitive). The empty string
// means AlignStart.
func ParseAlign(s string) (Align, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return AlignStart, nil
	}
	for a := AlignStart; a <= AlignRight; a++ {
		if t == a.String() {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown text alignment %q (use start, center, end, left or right)", s)
}

// String returns the name of a as accepted by ParseAlign.
func (a Align) String() string {
	switch a {
	case AlignStart:
		return "start"
	case AlignCenter:
		return "center"
	case AlignEnd:
		return "end"
	case AlignLeft:
		return "left"
	case AlignRight:
		return "right"
	}
	return fmt.Sprintf("Align(%d)", int(a))
}

// Style says how to set a block of text. Sizes are in pixels.
type Style struct {
	// Family is a family name of the FontSet, such as "Noto Sans".
	Family string
	// Weight is the font weight: 400 regular, 700 bold; 0 means 400. The
	// nearest weight available in the family is used.
	Weight int
	// MaxSize is the font size (em size, px) tried first; it must be > 0.
	MaxSize float64
	// MinSize is the smallest font size (px) allowed before the text is cut
	// with an ellipsis; 0 means MaxSize (no shrinking).
	MinSize float64
	// MaxLines is the largest number of lines; 0 means no limit other than
	// the box height.
	MaxLines int
	// LineHeight is the line pitch as a multiple of the size; 0 means 1.2.
	LineHeight float64
	// Align is the horizontal alignment of the lines in the box.
	Align Align
	// Upper turns the text to upper case (Turkish and Azerbaijani rules when
	// Lang is tr or az).
	Upper bool
	// Tracking is extra letter spacing in em (0 for none). It is not applied
	// to joined scripts such as Arabic, where it would break the joins.
	Tracking float64
	// Lang is the BCP 47 language of the text, such as "en" or "ar". It
	// sets the paragraph direction (ar, fa, he, ur, ... are right-to-left)
	// and the shaping language. When empty, the direction comes from the
	// first strong letter of the text.
	Lang string
}

// Block is a piece of text fitted into a box by FontSet.Fit: the size
// chosen, the lines and their positions. All lengths are in pixels, and
// positions are relative to the top-left corner of the box.
type Block struct {
	// Size is the font size chosen, px.
	Size float64 `json:"size"`
	// Lines are the lines from top to bottom.
	Lines []Line `json:"lines"`
	// Width is the advance width of the widest line, px.
	Width float64 `json:"width"`
	// Height runs from the top of the first line's ascent to the bottom of
	// the last line's descent, px.
	Height float64 `json:"height"`
	// RTL is true for a right-to-left paragraph.
	RTL bool `json:"rtl"`
	// AtMinSize is true when the text did not fit above MinSize.
	AtMinSize bool `json:"at_min_size"`
	// Truncated is true when the text did not fit even at MinSize and was
	// cut with an ellipsis.
	Truncated bool `json:"truncated"`
	// Fallback lists the families used as a last resort for glyphs that
	// neither the requested family nor the family chosen for their script
	// has (Arabic set in a brand face without Arabic gets "Noto Sans
	// Arabic" as its script's face, and is not listed; a symbol found only
	// in some other family is).
	Fallback []string `json:"fallback,omitempty"`
	// Missing lists the characters that no font of the set has; they are
	// drawn as the font's missing-glyph box.
	Missing []rune `json:"missing,omitempty"`
	// FontNotes says, once each, where a script had no face of the
	// requested style and another was used, such as "no serif face for
	// Devanagari; used Noto Sans Devanagari".
	FontNotes []string `json:"font_notes,omitempty"`
	// Fonts names the font files the glyphs are drawn from, by their
	// names in the font set's file system; Glyph.Font indexes it.
	Fonts []string `json:"fonts,omitempty"`
}

// Line is one line of a Block.
type Line struct {
	// Text is the text of the line in logical (reading) order, ending with
	// "…" when the block was cut there.
	Text string `json:"text"`
	// X is the offset of the line's left edge from the box's left edge, px,
	// with the alignment applied.
	X float64 `json:"x"`
	// Baseline is the offset of the line's baseline from the box's top, px.
	Baseline float64 `json:"baseline"`
	// Width is the advance width of the line, px.
	Width float64 `json:"width"`
	// Glyphs are the glyphs of the line in visual order, left to right.
	Glyphs []Glyph `json:"glyphs,omitempty"`
}

// refSize is the size (px) at which text is shaped. Without hinting, glyph
// advances scale linearly with the size, so Fit shapes once at this size
// and scales the results to the size tried.
const refSize = 1024

// defaultLineHeight is the line pitch used when Style.LineHeight is 0.
const defaultLineHeight = 1.2

// MaxRunes is the longest text Fit sets, in characters (Unicode code
// points, after white space is collapsed). Longer text is refused with an
// error before it is shaped: with the search steps capped as well (see
// fitWork), it bounds the work of one Fit. Article fields are capped
// below it when they are parsed.
const MaxRunes = 5000

// maxAdvance is the largest total advance of the shaped text, in shaping
// units at refSize: 16,384 em. Line widths are summed in 32-bit fixed
// point, so a text this wide on one unbreakable line still cannot
// overflow; wider text is refused (5,000 characters of the widest Latin
// letter with the most tracking are about 10,000 em).
const maxAdvance = math.MaxInt32 / 2

// The caps on the searches of Fit, which wrap the shaped text once per
// step: the font size is searched in at most maxSizeSteps halvings (to
// 0.25 px, or to 1/65,536 of the size range when that is coarser), and the
// balanced width in at most maxBalanceSteps halvings (to 0.5 px, or
// 1/65,536 of the box width). The text is shaped once, at refSize, and
// every step reuses the shaped runs.
const (
	maxSizeSteps    = 16
	maxBalanceSteps = 16
)

// fitWork counts the work of one Fit call, for the tests that bound it.
type fitWork struct {
	shapes int // calls of the shaper (one per run of one font, script and direction, and one for the ellipsis)
	wraps  int // passes of the line wrapper over the shaped text
	glyphs int // glyphs copied for those passes
}

// withDefaults checks st and fills in the documented defaults.
func (st Style) withDefaults() (Style, error) {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(st.MaxSize) || st.MaxSize <= 0:
		return st, fmt.Errorf("text max size %v must be a positive number of pixels", st.MaxSize)
	case bad(st.MinSize) || st.MinSize < 0:
		return st, fmt.Errorf("text min size %v must be zero or a positive number of pixels", st.MinSize)
	case st.MinSize > st.MaxSize:
		return st, fmt.Errorf("text min size %v is larger than max size %v: lower min size", st.MinSize, st.MaxSize)
	case bad(st.LineHeight) || st.LineHeight < 0:
		return st, fmt.Errorf("text line height %v must be zero (default) or a positive multiple of the size", st.LineHeight)
	case bad(st.Tracking) || math.Abs(st.Tracking) > 1:
		return st, fmt.Errorf("text tracking %v must be between -1 and 1 em", st.Tracking)
	case st.MaxLines < 0:
		return st, fmt.Errorf("text max lines %d must be zero (no limit) or positive", st.MaxLines)
	case st.Weight < 0 || st.Weight > 1000:
		return st, fmt.Errorf("font weight %d must be between 1 and 1000 (400 regular, 700 bold)", st.Weight)
	}
	if st.MinSize == 0 {
		st.MinSize = st.MaxSize
	}
	if st.LineHeight == 0 {
		st.LineHeight = defaultLineHeight
	}
	if st.Weight == 0 {
		st.Weight = 400
	}
	return st, nil
}

// Fit sets text in the style st inside a box of boxW×boxH pixels: it picks
// the largest size from st.MaxSize down to st.MinSize at which the text
// wraps into at most st.MaxLines lines, each at most boxW wide, with the
// block no taller than boxH; then it balances the line breaks so the lines
// are as even as possible. If the text does not fit even at MinSize, it is
// wrapped at MinSize, words longer than the box are broken, and the text is
// cut with "…" (Truncated). Runs of white space count as one space, and
// control characters are dropped. A new line ("\n", "\r\n") or U+2028
// LINE SEPARATOR is a manual line break, and the no-break spaces U+00A0,
// U+202F and U+2007 never break (break.go tells how lines are broken).
// Empty text gives an empty block.
//
// Errors are returned for an unknown family, an invalid style or box, and
// text longer than MaxRunes or, shaped, wider than 16,384 em (which no
// box can show).
func (s *FontSet) Fit(text string, st Style, boxW, boxH float64) (Block, error) {
	st, err := st.withDefaults()
	if err != nil {
		return Block{}, err
	}
	if !(boxW > 0) || !(boxH > 0) || math.IsInf(boxW, 0) || math.IsInf(boxH, 0) {
		return Block{}, fmt.Errorf("text box %vx%v px must have a positive width and height", boxW, boxH)
	}
	primary := s.lookup(st.Family, st.Weight)
	if primary < 0 {
		return Block{}, fmt.Errorf("unknown font family %q (available: %s)", st.Family, strings.Join(s.families, ", "))
	}
	runes := prepareText(text, st)
	if len(runes) > MaxRunes {
		return Block{}, fmt.Errorf("text of %d characters is longer than the %d that can be set in one box; shorten it", len(runes), MaxRunes)
	}
	rtl := IsRTL(st.Lang, string(runes))
	if len(runes) == 0 {
		return Block{RTL: rtl}, nil
	}
	tb, _, err := s.fitRunes(runes, st, primary, rtl, boxW, boxH)
	return tb, err
}

// fitRunes is Fit after the checks; it also returns the work done. A panic
// inside the shaping library on unusual text is turned into an error (and
// the borrowed faces, whose state is then unknown, are not reused).
func (s *FontSet) fitRunes(runes []rune, st Style, primary int, rtl bool, boxW, boxH float64) (tb Block, work fitWork, err error) {
	c := s.getCtx()
	defer func() {
		if r := recover(); r != nil {
			tb, err = Block{}, fmt.Errorf("shape text %q: internal error in the text shaper: %v", string(runes[:min(len(runes), 80)]), r)
			return
		}
		s.putCtx(c)
	}()
	p := newParagraph(s, c, insertBreakMarks(runes, st.Lang), st, primary, rtl)
	if w := p.totalAdvance(); w > maxAdvance {
		return Block{}, p.work, fmt.Errorf("text of %d characters is %.0f em wide, wider than the %.0f em that can be set in one box; shorten it",
			len(runes), float64(w)/64/refSize, float64(maxAdvance)/64/refSize)
	}
	lines, truncated, size, atMin := p.fit(boxW, boxH)
	if q := p.hyphenated(runes, st, primary, rtl, boxW, size); q != nil {
		// A long word forced the size down: hyphenate the long words and
		// keep the result if it sets the text larger without cutting it.
		ql, qt, qs, qa := q.fit(boxW, boxH)
		q.work.shapes += p.work.shapes
		q.work.wraps += p.work.wraps
		q.work.glyphs += p.work.glyphs
		// Keep the hyphenated text when it is set larger, or as large
		// where the text as written needed words broken anywhere.
		if qt == 0 && (qs > size*1.01 || p.forced && qs >= size && within(ql, toFixed(boxW, qs))) {
			p, lines, truncated, size, atMin = q, ql, qt, qs, qa
		} else {
			p.work = q.work
			lines, truncated, size, atMin = p.fit(boxW, boxH) // q's wrapping reused the scratch lines
		}
	}
	tb = p.block(lines, truncated, size, boxW)
	tb.AtMinSize = atMin
	for i := range tb.Lines {
		tb.Lines[i].Text = cleanLineText(tb.Lines[i].Text)
	}
	return tb, p.work, nil
}

// hyphenated returns the paragraph shaped again with soft hyphens in its
// long words when the language is hyphenated and the widest word, not
// the number of lines, kept the size at size below MaxSize; else nil.
func (p *paragraph) hyphenated(runes []rune, st Style, primary int, rtl bool, boxW, size float64) *paragraph {
	if size >= p.maxSize || hyphenLang(st.Lang) == "" {
		return nil
	}
	up := math.Min(p.maxSize, size*hyphenWordBoundRatio)
	if float64(p.widestWord())/64/refSize*up <= boxW {
		return nil
	}
	// Only the words too wide for the box at MaxSize are hyphenated.
	marked := hyphenateWide(p.text, hyphenLang(st.Lang), p.wideWords(toFixed(boxW, p.maxSize)))
	if len(marked) == len(p.text) {
		return nil
	}
	return newParagraph(p.set, p.ctx, marked, st, primary, rtl)
}

// prepareText collapses white space, drops control characters and applies
// the letter case.
func prepareText(text string, st Style) []rune {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, text)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var lines []string
	for _, l := range strings.FieldsFunc(text, isManualBreak) {
		if l = strings.Join(strings.FieldsFunc(l, isBreakingSpace), " "); l != "" {
			lines = append(lines, l)
		}
	}
	text = strings.Join(lines, string(lineSeparator))
	if st.Upper {
		switch language.NewLanguage(st.Lang).Primary() {
		case "tr", "az":
			text = strings.ToUpperSpecial(unicode.TurkishCase, text)
		default:
			text = strings.ToUpper(text)
		}
	}
	return []rune(text)
}

// isManualBreak reports whether r breaks the line: a new line, carriage
// return or line or paragraph separator.
func isManualBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == lineSeparator || r == '\u2029' || r == '\v' || r == '\f' || r == '\u0085'
}

// isBreakingSpace reports whether r is white space that Fit collapses into
// one space; the no-break spaces and the ideographic space (which keeps
// its full width in Chinese and Japanese) are kept as they are.
func isBreakingSpace(r rune) bool {
	return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' && r != '\u2007' && r != '\u3000' && !isManualBreak(r)
}

// paragraph is a text shaped once at refSize, ready to be wrapped at any
// size and width.
type paragraph struct {
	set      *FontSet
	ctx      *shapeCtx
	fm       *fontmap
	text     []rune
	runs     []shaping.Output // logical order
	ellipsis shaping.Output
	dir      di.Direction
	ascent   float64 // em, above the baseline
	descent  float64 // em, below the baseline (positive)
	pitch    float64 // em
	maxLines int     // 0 = no limit
	align    Align
	minSize  float64
	maxSize  float64
	lang     language.Language
	brk      *breakInfo // break opportunities, computed on first use
	work     fitWork
	// forced: fit set the text at MinSize with words broken where the
	// language has no break, because a word was wider than the box.
	forced bool
}

// newParagraph segments text into runs of one direction, script and font
// (bidi and font fallback), and shapes each run at refSize.
func newParagraph(s *FontSet, c *shapeCtx, text []rune, st Style, primary int, rtl bool) *paragraph {
	p := &paragraph{set: s, ctx: c, text: text, fm: newFontmap(s, c, primary),
		pitch: st.LineHeight, maxLines: st.MaxLines, align: st.Align, minSize: st.MinSize, maxSize: st.MaxSize,
		lang: language.NewLanguage(st.Lang)}
	p.dir = di.DirectionLTR
	if rtl {
		p.dir = di.DirectionRTL
	}
	in := shaping.Input{
		Text: text, RunStart: 0, RunEnd: len(text), Direction: p.dir,
		Size: fixed.I(refSize), Language: language.NewLanguage(st.Lang),
	}
	inputs := p.fm.split(&c.seg, in)
	spacing := fixed.Int26_6(math.Round(st.Tracking * refSize * 64))
	for i, run := range inputs {
		p.work.shapes++
		out := c.shaper.Shape(run)
		if spacing != 0 && !cursive(run.Script) {
			out.AddLetterSpacing(spacing, i == 0, i == len(inputs)-1)
		}
		hideBreakMarks(&out, text)
		p.runs = append(p.runs, out)
		p.ascent = math.Max(p.ascent, float64(out.LineBounds.Ascent)/64/refSize)
		p.descent = math.Max(p.descent, -float64(out.LineBounds.Descent)/64/refSize)
	}
	p.pitch *= p.fm.lineScale(p.runs) // taller lines for Nastaliq (fontmap.go)
	ell := []rune{'…'}
	p.work.shapes++
	p.ellipsis = c.shaper.Shape(shaping.Input{
		Text: ell, RunEnd: 1, Direction: p.dir, Size: fixed.I(refSize),
		Face: p.fm.ResolveFace('…'), Script: language.Common, Language: in.Language,
	})
	return p
}

// hideBreakMarks makes the glyphs of the break marks (and of manual line
// breaks) invisible and without advance: the space glyph of their face.
func hideBreakMarks(out *shaping.Output, text []rune) {
	changed := false
	for i := range out.Glyphs {
		g := &out.Glyphs[i]
		if g.TextIndex() < 0 || g.TextIndex() >= len(text) || !isBreakMark(text[g.TextIndex()]) {
			continue
		}
		if out.Face != nil {
			if id, ok := out.Face.NominalGlyph(' '); ok {
				g.GlyphID = id
			}
		}
		g.Advance, g.XOffset, g.YOffset, g.Width, g.Height, g.XBearing, g.YBearing = 0, 0, 0, 0, 0, 0, 0
		changed = true
	}
	if changed {
		out.RecomputeAdvance()
	}
}

// totalAdvance is the sum of the advances of the shaped glyphs, in shaping
// units at refSize, summed in 64 bits.
func (p *paragraph) totalAdvance() int64 {
	var w int64
	for _, r := range p.runs {
		for _, g := range r.Glyphs {
			a := int64(g.Advance)
			w += max(a, -a)
		}
	}
	return w
}

// toFixed converts a width in px at size into shaping units at refSize,
// rounded down so that a line that fits in the result fits in width.
func toFixed(width, size float64) fixed.Int26_6 {
	v := math.Floor(width * refSize / size * 64)
	return fixed.Int26_6(math.Min(v, math.MaxInt32/2))
}

// wrap breaks the paragraph into lines at most width px wide at size px.
// With truncLines > 0 it stops after that many lines and ends the last one
// with an ellipsis when text is left. The lines are valid until the next
// call. It returns the lines and the number of runes cut.
func (p *paragraph) wrap(width, size float64, policy shaping.LineBreakPolicy, truncLines int, ellipsis bool) ([]shaping.Line, int) {
	cfg := shaping.WrapConfig{Direction: p.dir, BreakPolicy: policy, TruncateAfterLines: truncLines}
	if ellipsis {
		cfg.Truncator = p.ellipsis
	}
	// The wrapper zeroes the advance of trailing spaces in place, so it
	// gets a fresh copy of the shaped glyphs each time. Calling Prepare and
	// WrapNextLineF (rather than WrapParagraphF) finds the break
	// opportunities of the text once instead of twice.
	c := p.ctx
	p.work.wraps++
	c.wrapper.Prepare(cfg, p.text, shaping.NewSliceIterator(p.copyRuns()))
	maxW := toFixed(width, size)
	c.lines = c.lines[:0]
	for {
		l, done := c.wrapper.WrapNextLineF(maxW)
		if l.Line != nil {
			c.lines = append(c.lines, l.Line)
		}
		if done {
			return c.lines, l.Truncated
		}
	}
}

// copyRuns returns the shaped runs with their glyphs copied into scratch
// storage.
func (p *paragraph) copyRuns() []shaping.Output {
	n := 0
	for _, r := range p.runs {
		n += len(r.Glyphs)
	}
	c := p.ctx
	if cap(c.glyphs) < n {
		c.glyphs = make([]shaping.Glyph, 0, n)
	}
	c.glyphs = c.glyphs[:0]
	p.work.glyphs += n
	c.runs = append(c.runs[:0], p.runs...)
	for i, r := range p.runs {
		start := len(c.glyphs)
		c.glyphs = append(c.glyphs, r.Glyphs...)
		c.runs[i].Glyphs = c.glyphs[start:len(c.glyphs):len(c.glyphs)]
	}
	return c.runs
}

// allowedLines returns how many lines fit in boxH at size, capped by
// MaxLines.
func (p *paragraph) allowedLines(size, boxH float64) int {
	h := boxH/size - p.ascent - p.descent
	if h < -1e-9 {
		return 0
	}
	n := len(p.text) + 1
	if k := math.Floor(h/p.pitch+1e-9) + 1; k < float64(n) {
		n = int(k)
	}
	if p.maxLines > 0 && p.maxLines < n {
		n = p.maxLines
	}
	return n
}

// fitsIn reports whether the paragraph wraps into at most maxLines lines
// no wider than width at size, without breaking inside words.
func (p *paragraph) fitsIn(width, size float64, maxLines int) bool {
	if maxLines < 1 {
		return false
	}
	lines, cut := p.wrap(width, size, shaping.Never, maxLines+1, false)
	if cut > 0 || len(lines) > maxLines {
		return false
	}
	limit := toFixed(width, size)
	for _, l := range lines {
		if int64(lineAdvance(l))+p.hyphenWidth(l) > int64(limit) {
			return false
		}
	}
	return true
}

// within reports whether every line is at most limit wide.
func within(lines []shaping.Line, limit fixed.Int26_6) bool {
	for _, l := range lines {
		if lineAdvance(l) > limit {
			return false
		}
	}
	return true
}

// lineAdvance is the advance width of a wrapped line, in shaping units.
func lineAdvance(l shaping.Line) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, r := range l {
		w += r.Advance
	}
	return w
}

// fit picks the size and the final lines (see FontSet.Fit). It returns the
// lines, the number of runes cut, the size and whether MinSize was reached.
func (p *paragraph) fit(boxW, boxH float64) ([]shaping.Line, int, float64, bool) {
	fits := func(size float64) bool { return p.fitsIn(boxW, size, p.allowedLines(size, boxH)) }
	lo, hi := p.minSize, p.maxSize
	switch {
	case fits(hi):
		lo = hi
	case lo == hi || !fits(lo):
		allowed := max(1, p.allowedLines(lo, boxH))
		lines, cut := p.truncate(boxW, lo, allowed)
		p.forced = true
		if cut == 0 && len(lines) > 1 {
			// All the text fits, with words wider than the box broken:
			// choose those breaks and the others as evenly as possible.
			// The wrapper does not count the hyphen a soft hyphen draws,
			// so the plan may need a line more.
			for n := len(lines); n <= max(len(lines), allowed) && n <= len(lines)+1; n++ {
				if best := p.arrange(boxW, lo, n, true); best != nil {
					lines = best
					break
				}
			}
		}
		p.drawHyphens(lines)
		return lines, cut, lo, true
	default:
		for i := 0; i < maxSizeSteps && hi-lo > 0.25; i++ {
			mid := (lo + hi) / 2
			if fits(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
	}
	size := lo
	lines := p.lay(boxW, size)
	if p.badBreak(lines) {
		// A typesetter sets the text a little smaller rather than split a
		// name or a compound ("Grace | Hopper", "ten- | year"). The
		// lines share the wrapper's scratch space: lay them out again
		// when no smaller size does better.
		found := false
		for i := 1; i <= maxBackoffSteps && !found; i++ {
			smaller := size * (1 - backoffStep*float64(i))
			if smaller < p.minSize {
				break
			}
			if !fits(smaller) {
				continue
			}
			if alt := p.lay(boxW, smaller); !p.badBreak(alt) {
				size, lines, found = smaller, alt, true
			}
		}
		if !found {
			lines = p.lay(boxW, size)
		}
	}
	p.drawHyphens(lines)
	return lines, 0, size, size == p.minSize && p.minSize < p.maxSize
}

// Before keeping a break that splits a name or a compound, fit tries the
// text up to maxBackoffSteps × backoffStep smaller.
const (
	maxBackoffSteps = 4
	backoffStep     = 0.02
)

// lay wraps the paragraph at size into as few lines as it takes, with the
// breaks arranged or balanced.
func (p *paragraph) lay(boxW, size float64) []shaping.Line {
	lines, _ := p.wrap(boxW, size, shaping.Never, 0, false)
	if n := len(lines); n > 1 {
		if best := p.arrange(boxW, size, n, false); best != nil {
			return best
		}
		return p.balance(boxW, size, n)
	}
	return lines
}

// badBreak reports whether a line of lines ends where breaking splits a
// run of capitalised words or a hyphenated compound.
func (p *paragraph) badBreak(lines []shaping.Line) bool {
	if len(lines) < 2 {
		return false
	}
	b := p.breaks()
	for _, l := range lines[:len(lines)-1] {
		end := lineEnd(l)
		if k, ok := slices.BinarySearch(b.opp, end); ok && !b.mandatory[k] && b.penalty[k] >= penaltyCapitalRun {
			return true
		}
	}
	return false
}

// truncate wraps the paragraph into at most n lines of width boxW at size,
// ending with an ellipsis when text is left over. It cuts at a word
// boundary when it can, and breaks inside words only when a word is wider
// than the box. It returns the lines and the number of runes cut.
func (p *paragraph) truncate(boxW, size float64, n int) ([]shaping.Line, int) {
	lines, cut := p.wrap(boxW, size, shaping.Never, n, true)
	limit := toFixed(boxW, size)
	ok := true
	for i, l := range lines {
		empty := len(l) == 0 || (cut > 0 && i == len(lines)-1 && len(l) == 1)
		if empty || lineAdvance(l) > limit {
			ok = false
			break
		}
	}
	if ok {
		return lines, cut
	}
	return p.wrap(boxW, size, shaping.WhenNecessary, n, true)
}

// balance returns the lines for the narrowest width that still wraps the
// paragraph into n lines at size, so that the lines come out as even as
// possible instead of leaving a short last line.
func (p *paragraph) balance(boxW, size float64, n int) []shaping.Line {
	lo, hi := 0.0, boxW
	for i := 0; i < maxBalanceSteps && hi-lo > 0.5; i++ {
		mid := (lo + hi) / 2
		if p.fitsIn(mid, size, n) {
			hi = mid
		} else {
			lo = mid
		}
	}
	lines, _ := p.wrap(hi, size, shaping.Never, 0, false)
	return lines
}

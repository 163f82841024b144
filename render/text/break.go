package text

import (
	"math"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/segmenter"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// Line breaking. Fit finds the break opportunities of a text with the
// Unicode line breaking algorithm (UAX #14), after marking the text with
// invisible format characters where UAX #14 alone is not enough:
//
//   - Thai, Lao, Khmer and Myanmar have no spaces between words: a
//     ZERO WIDTH SPACE is put between the words found with ICU's
//     dictionaries (breakdict.go), so lines break only between words;
//   - Korean breaks at spaces only (CSS word-break: keep-all): a WORD
//     JOINER is put between the letters of a Korean word;
//   - long words of a hyphenated language get SOFT HYPHENs at their
//     hyphenation points when one of them would otherwise force the size
//     down (hyphen.go); a line broken there ends with a hyphen.
//
// Editors control breaks in the text itself: a new line ("\n") or U+2028
// LINE SEPARATOR breaks the line there, and the no-break spaces U+00A0,
// U+202F and U+2007 never break. The marks never draw, are never counted
// as missing glyphs and are removed from the text a Block reports.
//
// Among the break opportunities, the lines are chosen by a small
// Knuth–Plass-like search (arrange): the fewest lines the size allows,
// with the least sum of squared slack, and penalties against a one-word
// last or middle line, a break inside a run of capitalised words or after
// the hyphen of a compound, and a line ending on a short article or
// preposition. Penalties only choose between breaks that fit: no line is
// ever wider than the box.

// The invisible marks Fit inserts, and the manual line break.
const (
	zeroWidthSpace = '\u200b'
	wordJoiner     = '\u2060'
	softHyphen     = '\u00ad'
	lineSeparator  = '\u2028'
)

// isBreakMark reports whether r is one of the invisible marks that steer
// line breaking (or a manual line break).
func isBreakMark(r rune) bool {
	return r == zeroWidthSpace || r == wordJoiner || r == softHyphen || r == lineSeparator
}

// The penalties, in the unit of the slack cost: a line left empty costs 1.
const (
	penaltyLastOneWord   = 1.0
	penaltyMidOneWord    = 0.5
	penaltyCapitalRun    = 0.6
	penaltyCompound      = 1.0
	penaltyShortWordEnd  = 0.12
	penaltyHyphenation   = 0.3
	penaltyEmergency     = 2.0     // a break inside a word wider than the line
	maxArrangeCells      = 400_000 // lines × break opportunities searched
	hyphenWordBoundRatio = 1.1
)

// shortWords are the articles, prepositions and conjunctions a line
// should not end with, by language.
var shortWords = map[string]map[string]bool{
	"en": setOf("a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "by", "or", "as", "from", "with", "into", "is", "its", "but", "nor"),
	"fr": setOf("de", "du", "des", "la", "le", "les", "l'", "l’", "un", "une", "à", "au", "aux", "et", "en", "par", "pour", "sur", "d'", "d’"),
	"es": setOf("de", "del", "la", "el", "los", "las", "un", "una", "y", "a", "al", "en", "por", "con", "que"),
	"pt": setOf("de", "da", "do", "das", "dos", "um", "uma", "o", "a", "os", "as", "e", "em", "no", "na", "por", "com"),
	"de": setOf("der", "die", "das", "den", "dem", "des", "ein", "eine", "und", "von", "zu", "im", "in", "am", "an", "mit"),
	"id": setOf("di", "ke", "dan", "yang", "dari", "untuk"),
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// isHangul reports whether r is a Hangul syllable or jamo.
func isHangul(r rune) bool {
	return unicode.Is(unicode.Hangul, r)
}

// insertBreakMarks returns text with the marks that steer line breaking
// (see the comment at the top of this file): word boundaries in the
// dictionary scripts, and word joiners inside Korean words. (Soft hyphens
// are added later, only to the words too wide for the box: see
// paragraph.hyphenated.) It returns text itself when it adds no mark.
func insertBreakMarks(text []rune, lang string) []rune {
	korean := language.NewLanguage(lang).Primary() == "ko"
	// out is nil until a mark is added; begin(i) then copies text[:i].
	var out []rune
	begin := func(i int) {
		if out == nil {
			out = append(make([]rune, 0, len(text)+len(text)/3), text[:i]...)
		}
	}
	for i := 0; i < len(text); {
		r := text[i]
		if d := scriptOfRune(r); d != noDict {
			j := i + 1
			for j < len(text) && (scriptOfRune(text[j]) == d || unicode.Is(unicode.Mn, text[j]) && scriptOfRune(text[j]) == noDict) {
				j++
			}
			begin(i)
			starts := segmentWords(text[i:j], dictionary(d))
			k := 0
			for x := i; x < j; x++ {
				if k < len(starts) && starts[k] == x-i {
					out = append(out, zeroWidthSpace)
					k++
				}
				out = append(out, text[x])
			}
			i = j
			continue
		}
		if i > 0 && !korean && breakBeforeSmallKana(text[i-1], r) {
			begin(i)
			out = append(out, zeroWidthSpace)
		}
		if i > 0 && keepTogether(text[i-1], r, korean) {
			begin(i)
			out = append(out, wordJoiner)
		}
		if out != nil {
			out = append(out, r)
		}
		i++
	}
	if out == nil {
		return text
	}
	return out
}

// breakBeforeSmallKana reports whether the line may break between a and
// b where b is a small kana or the prolonged sound mark (line break class
// CJ), which UAX #14 treats as non-starters: Japanese text allows that
// break (CSS line-break: normal, as ICU and browsers do), while the
// punctuation that must not start a line (、。」） and the like) keeps
// the kinsoku rules of UAX #14.
func breakBeforeSmallKana(a, b rune) bool {
	if !isSmallKana(b) {
		return false
	}
	return unicode.In(a, unicode.Han, unicode.Hiragana, unicode.Katakana) && !isSmallKana(a) && a != 'ー' && a != '々' && a != 'ゝ' && a != 'ゞ' && a != 'ヽ' && a != 'ヾ'
}

// isSmallKana reports whether r has the line break class CJ.
func isSmallKana(r rune) bool {
	switch r {
	case 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308E, 0x3095, 0x3096,
		0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE, 0x30F5, 0x30F6, 0x30FC:
		return true
	}
	return r >= 0x31F0 && r <= 0x31FF || r >= 0xFF67 && r <= 0xFF70
}

// keepTogether reports whether the line may not break between a and b
// although UAX #14 allows it: inside a Korean word (keep-all).
func keepTogether(a, b rune, korean bool) bool {
	word := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
	}
	if !word(a) || !word(b) {
		return false
	}
	if isHangul(a) || isHangul(b) {
		return true
	}
	cjk := func(r rune) bool {
		return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
	}
	return korean && (cjk(a) || cjk(b))
}

// cleanLineText removes the marks from the text of a line, turning a
// soft hyphen the line ends with into a hyphen.
func cleanLineText(s string) string {
	s = strings.TrimRightFunc(s, func(r rune) bool { return r == lineSeparator || r == zeroWidthSpace || unicode.IsSpace(r) })
	hyph := strings.HasSuffix(s, string(softHyphen))
	s = strings.Map(func(r rune) rune {
		if isBreakMark(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if hyph {
		s += "-"
	}
	return s
}

// breakInfo is what arrange needs to know of a shaped paragraph: the
// break opportunities with their penalties, and the advances.
type breakInfo struct {
	opp       []int         // rune offsets where a line may start; opp[0] = 0, last = len(text)
	mandatory []bool        // the line must break at opp[k]
	penalty   []float64     // cost of breaking at opp[k]
	hyphen    []int64       // advance of the hyphen drawn when breaking at opp[k] (after a soft hyphen)
	cum       []int64       // cum[i] = advance of text[:i], shaping units
	space     []int64       // advance of text[i-1] when it is a trailing space trimmed at the end of a line
	lastWord  float64       // penalty of a one-word last line
	hyphenAt  map[int]int64 // advance of the hyphen a soft hyphen at this offset draws
	start     []bool        // start[i]: a glyph cluster starts at text[i]
	graphemes []int         // grapheme cluster boundaries, computed on first use
	emergency bool          // opp holds breaks inside words too wide for the line
}

// breaks returns the break opportunities of p, computed on first use.
func (p *paragraph) breaks() *breakInfo {
	if p.brk != nil {
		return p.brk
	}
	n := len(p.text)
	b := &breakInfo{cum: make([]int64, n+1), space: make([]int64, n+1), lastWord: penaltyLastOneWord}
	adv := make([]int64, n)
	start := make([]bool, n+1)
	start[n] = true
	hyphenAdv := make(map[int]int64)
	b.hyphenAt = hyphenAdv
	b.start = start
	for _, run := range p.runs {
		for _, g := range run.Glyphs {
			if g.TextIndex() >= 0 && g.TextIndex() < n {
				adv[g.TextIndex()] += int64(g.Advance)
				start[g.TextIndex()] = true
			}
		}
		for i := run.Runes.Offset; i < run.Runes.Offset+run.Runes.Count && i < n; i++ {
			if p.text[i] == softHyphen {
				if _, a, _, ok := hyphenGlyph(run); ok {
					hyphenAdv[i] = int64(a)
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		b.cum[i+1] = b.cum[i] + adv[i]
		if r := p.text[i]; unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' && r != '\u2007' {
			b.space[i+1] = adv[i]
		}
	}
	var seg segmenter.Segmenter
	seg.Init(p.text)
	it := seg.LineIterator()
	b.opp = append(b.opp, 0)
	b.mandatory = append(b.mandatory, false)
	for it.Next() {
		l := it.Line()
		end := l.Offset + len(l.Text)
		if end <= 0 || end > n || (!start[end] && end < n) {
			continue
		}
		b.opp = append(b.opp, end)
		b.mandatory = append(b.mandatory, l.IsMandatoryBreak || end == n)
	}
	if b.opp[len(b.opp)-1] != n {
		b.opp = append(b.opp, n)
		b.mandatory = append(b.mandatory, true)
	}
	b.penalty = make([]float64, len(b.opp))
	b.hyphen = make([]int64, len(b.opp))
	lang := string(p.lang.Primary())
	short := shortWords[lang]
	if p.lang == "" {
		short = shortWords["en"]
	}
	capsAll := mostlyCapitalised(p.text)
	for k := 1; k < len(b.opp)-1; k++ {
		pos := b.opp[k]
		before, after := wordBefore(p.text, pos), wordAfter(p.text, pos)
		prev := p.text[pos-1]
		switch {
		case prev == softHyphen:
			b.penalty[k] += penaltyHyphenation
			b.hyphen[k] = hyphenAdv[pos-1]
		case (prev == '-' || prev == '\u2010') && pos >= 2 && unicode.IsLetter(p.text[pos-2]):
			b.penalty[k] += penaltyCompound
		}
		if !capsAll && capitalised(before) && capitalised(after) && !endsClause(before) && !sentenceStart(p.text, pos) {
			b.penalty[k] += penaltyCapitalRun
		}
		if short[strings.ToLower(strings.TrimRight(before, ",;:"))] && !endsClause(before) {
			b.penalty[k] += penaltyShortWordEnd
		}
	}
	p.brk = b
	return b
}

// wordBefore returns the word (text since the last space) that ends just
// before the break at pos, without trailing spaces and marks.
func wordBefore(text []rune, pos int) string {
	j := pos
	for j > 0 && (unicode.IsSpace(text[j-1]) || isBreakMark(text[j-1])) {
		j--
	}
	i := j
	for i > 0 && !unicode.IsSpace(text[i-1]) && text[i-1] != zeroWidthSpace {
		i--
	}
	return string(text[i:j])
}

// sentenceStart reports whether the word before the break at pos starts
// the text or a sentence: its capital says nothing of a name.
func sentenceStart(text []rune, pos int) bool {
	j := pos
	for j > 0 && (unicode.IsSpace(text[j-1]) || isBreakMark(text[j-1])) {
		j--
	}
	for j > 0 && !unicode.IsSpace(text[j-1]) && text[j-1] != zeroWidthSpace {
		j--
	}
	for j > 0 && (unicode.IsSpace(text[j-1]) || isBreakMark(text[j-1])) {
		j--
	}
	return j == 0 || strings.ContainsRune(".!?:", text[j-1])
}

// wordAfter returns the word that starts at pos.
func wordAfter(text []rune, pos int) string {
	j := pos
	for j < len(text) && !unicode.IsSpace(text[j]) && text[j] != zeroWidthSpace {
		j++
	}
	return string(text[pos:j])
}

// capitalised reports whether w starts with a capital letter (or is a
// name-like token such as "K1").
func capitalised(w string) bool {
	for _, r := range w {
		if unicode.IsPunct(r) && r != '\'' {
			continue
		}
		return unicode.IsUpper(r) || unicode.IsTitle(r)
	}
	return false
}

// endsClause reports whether w ends with punctuation that closes a clause,
// after which a break reads well.
func endsClause(w string) bool {
	w = strings.TrimRightFunc(w, func(r rune) bool { return strings.ContainsRune("\"'’”»)]", r) })
	return strings.HasSuffix(w, ",") || strings.HasSuffix(w, ":") || strings.HasSuffix(w, ";") ||
		strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "!") || strings.HasSuffix(w, "—")
}

// mostlyCapitalised reports whether most words of text start with a
// capital (title case or all capitals), where a run of capitalised words
// is no sign of a name.
func mostlyCapitalised(text []rune) bool {
	words, caps := 0, 0
	for _, w := range strings.Fields(string(text)) {
		if !strings.ContainsFunc(w, unicode.IsLetter) {
			continue
		}
		words++
		if capitalised(w) {
			caps++
		}
	}
	return words > 0 && caps*10 > words*7
}

// hyphenGlyph returns the glyph drawn for a hyphen in the face of run,
// with its advance and extents at refSize (shaping units).
func hyphenGlyph(run shaping.Output) (gid uint32, advance fixed.Int26_6, g shaping.Glyph, ok bool) {
	face := run.Face
	if face == nil {
		return 0, 0, g, false
	}
	id, found := face.NominalGlyph('-')
	if !found {
		if id, found = face.NominalGlyph('\u2010'); !found {
			return 0, 0, g, false
		}
	}
	scale := float64(run.Size) / float64(face.Upem())
	f := func(v float32) fixed.Int26_6 { return fixed.Int26_6(math.Round(float64(v) * scale)) }
	advance = f(face.HorizontalAdvance(id))
	g = shaping.Glyph{GlyphID: id, Advance: advance}
	if ext, ok := face.GlyphExtents(id); ok {
		g.XBearing, g.YBearing, g.Width, g.Height = f(ext.XBearing), f(ext.YBearing), f(ext.Width), f(ext.Height)
	}
	return uint32(id), advance, g, true
}

// lineWidth is the advance of the line from opportunity a to opportunity
// c, without the trailing space and with the hyphen a soft hyphen draws.
func (b *breakInfo) lineWidth(a, c int) int64 {
	end := b.opp[c]
	return b.cum[end] - b.cum[b.opp[a]] - b.space[end] + b.hyphen[c]
}

// arrange chooses the breaks of the paragraph into exactly n lines no
// wider than width at size, minimising the sum of the squared slack and
// the penalties, and wraps the text there. It returns nil when it cannot
// (the caller then balances the lines the simple way).
//
// With emergency, the words wider than the line may break between any two
// grapheme clusters, at a high penalty (the last resort of Fit at MinSize).
func (p *paragraph) arrange(width, size float64, n int, emergency bool) []shaping.Line {
	limit := int64(toFixed(width, size))
	if limit <= 0 {
		return nil
	}
	b := p.breaks()
	if emergency {
		b = p.withEmergency(b, limit)
	}
	m := len(b.opp) - 1
	if n < 2 || m < n || n*m > maxArrangeCells {
		return nil
	}
	inf := math.Inf(1)
	cost := make([][]float64, n+1)
	from := make([][]int32, n+1)
	for k := range cost {
		cost[k] = make([]float64, m+1)
		from[k] = make([]int32, m+1)
		for j := range cost[k] {
			cost[k][j] = inf
		}
	}
	cost[0][0] = 0
	fl := float64(limit)
	for k := 0; k < n; k++ {
		for i := 0; i < m; i++ {
			if cost[k][i] == inf {
				continue
			}
			for j := i + 1; j <= m; j++ {
				raw := b.cum[b.opp[j]] - b.cum[b.opp[i]] - b.space[b.opp[j]]
				if raw > limit {
					break
				}
				w := b.lineWidth(i, j)
				if w <= limit && (j < m || k == n-1) && (j == m || k < n-1) {
					slack := (fl - float64(w)) / fl
					c := cost[k][i] + slack*slack
					if j < m {
						c += b.penalty[j]
						if j-i == 1 && !b.mandatory[j] {
							c += penaltyMidOneWord
						}
					} else if j-i == 1 && !b.mandatory[i] {
						c += b.lastWord
					}
					if c < cost[k+1][j] {
						cost[k+1][j] = c
						from[k+1][j] = int32(i)
					}
				}
				if b.mandatory[j] {
					break
				}
			}
		}
	}
	if cost[n][m] == inf {
		return nil
	}
	ends := make([]int, n) // opportunity index where each line ends
	for k, j := n, m; k > 0; k-- {
		ends[k-1] = j
		j = int(from[k][j])
	}
	return p.wrapAt(b, ends, limit)
}

// withEmergency returns b with break opportunities added between the
// grapheme clusters of the stretches wider than limit, which must start a
// line, or b itself when there is none.
func (p *paragraph) withEmergency(b *breakInfo, limit int64) *breakInfo {
	var e *breakInfo
	for k := 1; k < len(b.opp); k++ {
		if b.lineWidth(k-1, k) <= limit {
			if e != nil {
				e.opp = append(e.opp, b.opp[k])
				e.mandatory = append(e.mandatory, b.mandatory[k])
				e.penalty = append(e.penalty, b.penalty[k])
				e.hyphen = append(e.hyphen, b.hyphen[k])
			}
			continue
		}
		if e == nil {
			cp := *b
			e = &cp
			e.emergency = true
			e.opp = append([]int(nil), b.opp[:k]...)
			e.mandatory = append([]bool(nil), b.mandatory[:k]...)
			e.penalty = append([]float64(nil), b.penalty[:k]...)
			e.hyphen = append([]int64(nil), b.hyphen[:k]...)
		}
		// The wrapper breaks inside a word only when the word starts a
		// line: so does the plan.
		e.mandatory[len(e.mandatory)-1] = true
		if b.graphemes == nil {
			var seg segmenter.Segmenter
			seg.Init(p.text)
			it := seg.GraphemeIterator()
			for it.Next() {
				g := it.Grapheme()
				b.graphemes = append(b.graphemes, g.Offset+len(g.Text))
			}
		}
		for _, g := range b.graphemes {
			if g > b.opp[k-1] && g < b.opp[k] && b.start[g] && !unicode.IsSpace(p.text[g]) {
				e.opp = append(e.opp, g)
				e.mandatory = append(e.mandatory, false)
				e.penalty = append(e.penalty, penaltyEmergency)
				e.hyphen = append(e.hyphen, 0)
			}
		}
		e.opp = append(e.opp, b.opp[k])
		e.mandatory = append(e.mandatory, b.mandatory[k])
		e.penalty = append(e.penalty, b.penalty[k])
		e.hyphen = append(e.hyphen, b.hyphen[k])
	}
	if e == nil {
		return b
	}
	return e
}

// wrapAt wraps the paragraph with the lines ending at the opportunities
// ends, by giving the wrapper, for each line, a width between that line's
// and the next opportunity's. It returns nil when the wrapper does not
// break there.
func (p *paragraph) wrapAt(b *breakInfo, ends []int, limit int64) []shaping.Line {
	c := p.ctx
	p.work.wraps++
	policy := shaping.Never
	if b.emergency {
		policy = shaping.WhenNecessary
	}
	c.wrapper.Prepare(shaping.WrapConfig{Direction: p.dir, BreakPolicy: policy}, p.text, shaping.NewSliceIterator(p.copyRuns()))
	c.lines = c.lines[:0]
	startOpp := 0
	for li, e := range ends {
		w := b.cum[b.opp[e]] - b.cum[b.opp[startOpp]] - b.space[b.opp[e]]
		maxW := limit
		if e+1 < len(b.opp) && !b.mandatory[e] {
			next := b.cum[b.opp[e+1]] - b.cum[b.opp[startOpp]] - b.space[b.opp[e+1]]
			maxW = min(limit, w+(next-w)/2)
		}
		l, done := c.wrapper.WrapNextLineF(fixed.Int26_6(maxW))
		if l.Line == nil || lineEnd(l.Line) != b.opp[e] || (done != (li == len(ends)-1)) {
			return nil
		}
		c.lines = append(c.lines, l.Line)
		startOpp = e
	}
	return c.lines
}

// hyphenWidth returns the advance of the hyphen drawn at the end of a
// line broken after a soft hyphen, else 0.
func (p *paragraph) hyphenWidth(l shaping.Line) int64 {
	end := lineEnd(l)
	if end == 0 || end >= len(p.text) || p.text[end-1] != softHyphen {
		return 0
	}
	return p.breaks().hyphenAt[end-1]
}

// drawHyphens draws a hyphen at the end of the lines broken after a soft
// hyphen (all but the last line, which ends the text or is cut).
func (p *paragraph) drawHyphens(lines []shaping.Line) {
	for i := 0; i+1 < len(lines); i++ {
		if p.hyphenWidth(lines[i]) != 0 {
			addHyphen(lines[i], lineEnd(lines[i])-1)
		}
	}
}

// lineEnd returns the rune offset just after the last rune of a line.
func lineEnd(l shaping.Line) int {
	end := 0
	for _, r := range l {
		end = max(end, r.Runes.Offset+r.Runes.Count)
	}
	return end
}

// addHyphen draws the soft hyphen at rune offset at as a hyphen.
func addHyphen(l shaping.Line, at int) {
	for ri := range l {
		run := &l[ri]
		if at < run.Runes.Offset || at >= run.Runes.Offset+run.Runes.Count {
			continue
		}
		_, _, hg, ok := hyphenGlyph(*run)
		if !ok {
			return
		}
		for gi := range run.Glyphs {
			if run.Glyphs[gi].TextIndex() == at {
				g := &run.Glyphs[gi]
				g.GlyphID, g.Advance = hg.GlyphID, hg.Advance
				g.XBearing, g.YBearing, g.Width, g.Height = hg.XBearing, hg.YBearing, hg.Width, hg.Height
				g.XOffset, g.YOffset = 0, 0
				run.RecomputeAdvance()
				return
			}
		}
	}
}

// wideWords returns the rune ranges [start, end) of the stretches between
// break opportunities wider than limit (shaping units).
func (p *paragraph) wideWords(limit fixed.Int26_6) [][2]int {
	b := p.breaks()
	var out [][2]int
	for k := 1; k < len(b.opp); k++ {
		if b.lineWidth(k-1, k) > int64(limit) {
			out = append(out, [2]int{b.opp[k-1], b.opp[k]})
		}
	}
	return out
}

// widestWord returns the advance of the widest stretch of the paragraph
// between two break opportunities, shaping units.
func (p *paragraph) widestWord() int64 {
	b := p.breaks()
	var w int64
	for k := 1; k < len(b.opp); k++ {
		w = max(w, b.lineWidth(k-1, k))
	}
	return w
}

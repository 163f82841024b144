package text

import (
	"strings"
	"unicode"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	xlanguage "golang.org/x/text/language"
)

// scriptFaces names the families sharecard prefers for a script, sans and
// serif, and the script's name for people. A family missing from the set
// is skipped.
type scriptFaces struct {
	name  string
	sans  string
	serif string
}

// scriptTable lists the scripts with their own Noto families. Latin, Greek
// and Cyrillic are not here: the requested family covers them.
var scriptTable = map[language.Script]scriptFaces{
	language.Arabic:     {"Arabic", "Noto Sans Arabic", "Noto Naskh Arabic"},
	language.Hebrew:     {"Hebrew", "Noto Sans Hebrew", "Noto Serif Hebrew"},
	language.Devanagari: {"Devanagari", "Noto Sans Devanagari", "Noto Serif Devanagari"},
	language.Bengali:    {"Bengali", "Noto Sans Bengali", "Noto Serif Bengali"},
	language.Gujarati:   {"Gujarati", "Noto Sans Gujarati", "Noto Serif Gujarati"},
	language.Gurmukhi:   {"Gurmukhi", "Noto Sans Gurmukhi", "Noto Serif Gurmukhi"},
	language.Tamil:      {"Tamil", "Noto Sans Tamil", "Noto Serif Tamil"},
	language.Telugu:     {"Telugu", "Noto Sans Telugu", "Noto Serif Telugu"},
	language.Sinhala:    {"Sinhala", "Noto Sans Sinhala", "Noto Serif Sinhala"},
	language.Myanmar:    {"Myanmar", "Noto Sans Myanmar", "Noto Serif Myanmar"},
	language.Thai:       {"Thai", "Noto Sans Thai", "Noto Serif Thai"},
	language.Lao:        {"Lao", "Noto Sans Lao", "Noto Serif Lao"},
	language.Khmer:      {"Khmer", "Noto Sans Khmer", "Noto Serif Khmer"},
	language.Ethiopic:   {"Ethiopic", "Noto Sans Ethiopic", "Noto Serif Ethiopic"},
	language.Han:        {"Han", "Noto Sans CJK", "Noto Serif CJK"},
	language.Hiragana:   {"Hiragana", "Noto Sans CJK", "Noto Serif CJK"},
	language.Katakana:   {"Katakana", "Noto Sans CJK", "Noto Serif CJK"},
	language.Bopomofo:   {"Bopomofo", "Noto Sans CJK", "Noto Serif CJK"},
	language.Hangul:     {"Hangul", "Noto Sans CJK", "Noto Serif CJK"},
}

// cjkRegions are the regional faces of Noto CJK, in the order tried after
// the one the language asks for.
var cjkRegions = []string{"SC", "TC", "HK", "JP", "KR"}

// cjkRegion returns the Noto CJK region suffix for the BCP 47 language
// tag lang ("SC", "TC", "HK", "JP" or "KR"), or "" when lang is not
// Chinese, Japanese or Korean: zh, zh-Hans, zh-CN, zh-SG give SC; zh-Hant,
// zh-TW give TC; zh-HK, zh-MO give HK; ja gives JP; ko gives KR.
func cjkRegion(lang string) string {
	tag, err := xlanguage.Parse(lang)
	if err != nil {
		return ""
	}
	base, _ := tag.Base()
	switch base.String() {
	case "ja":
		return "JP"
	case "ko":
		return "KR"
	case "zh", "yue", "cmn", "wuu", "hak", "nan":
	default:
		return ""
	}
	region, conf := tag.Region()
	script, sconf := tag.Script()
	if conf == xlanguage.Exact {
		switch region.String() {
		case "HK", "MO":
			if sconf == xlanguage.Exact && script.String() == "Hans" {
				return "SC"
			}
			return "HK"
		case "TW":
			return "TC"
		case "CN", "SG":
			return "SC"
		}
	}
	if script.String() == "Hant" {
		return "TC"
	}
	return "SC"
}

// isUrdu reports whether lang is Urdu, written in Nastaliq.
func isUrdu(lang string) bool {
	return language.NewLanguage(lang).Primary() == "ur"
}

// fontmap picks the face for each rune of a paragraph: by the run's
// script and the paragraph's language the script's own family (the
// language's regional CJK face, Nastaliq for Urdu, a serif face for a
// serif request when the set has one), else the requested font, else the
// first other family of the set that has the rune (emoji last), else the
// requested font (drawn as .notdef). It implements shaping.FontmapScript
// for one Fit call.
type fontmap struct {
	set     *FontSet
	ctx     *shapeCtx
	primary int
	serif   bool // the requested family is a serif
	order   []int
	ordered bool // order is built

	lang   string // BCP 47 language of the paragraph
	region string // CJK region for Han text
	script language.Script
	cands  []int // fonts preferred for script, in order
	over   bool  // cands come before the requested font
	cache  map[language.Script]scriptChoice
	notes  []string
	// unplanned marks the fonts used as a last resort: neither the
	// requested font nor a font chosen for the script (or emoji). Only
	// those are reported in Block.Fallback.
	unplanned map[int]bool
}

// scriptChoice is the fonts preferred for one script.
type scriptChoice struct {
	cands []int
	over  bool
}

// newFontmap makes the font map of a paragraph set in the primary font.
func newFontmap(s *FontSet, c *shapeCtx, primary int) *fontmap {
	return &fontmap{set: s, ctx: c, primary: primary,
		serif: strings.Contains(s.fonts[primary].family, "Serif")}
}

// fallbackOrder returns, built on first use, the fallback fonts for the
// primary font: for each other family (sorted by name, colour fonts
// last), its font nearest in weight.
func (fm *fontmap) fallbackOrder() []int {
	if fm.ordered {
		return fm.order
	}
	fm.ordered = true
	s := fm.set
	want := s.fonts[fm.primary]
	var colour []int
	for _, fam := range s.families {
		if fam == want.family {
			continue
		}
		if i := s.lookup(fam, want.weight); i >= 0 {
			if s.fonts[i].color {
				colour = append(colour, i)
			} else {
				fm.order = append(fm.order, i)
			}
		}
	}
	fm.order = append(fm.order, colour...)
	return fm.order
}

// setLang sets the paragraph's language; text decides the CJK forms of
// Han characters when the language does not (Japanese when it has kana,
// Korean when it has Hangul, else Simplified Chinese).
func (fm *fontmap) setLang(lang string, text []rune) {
	fm.lang = lang
	fm.region = cjkRegion(lang)
	if fm.region != "" {
		return
	}
	fm.region = "SC"
	for _, r := range text {
		switch {
		case r >= 0x3040 && r <= 0x30FF, r >= 0x31F0 && r <= 0x31FF:
			fm.region = "JP"
			return
		case r >= 0xAC00 && r <= 0xD7AF, r >= 0x1100 && r <= 0x11FF, r >= 0x3130 && r <= 0x318F:
			fm.region = "KR"
			return
		}
	}
}

// SetScript sets the script of the runes passed next to ResolveFace.
func (fm *fontmap) SetScript(sc language.Script) {
	if sc == fm.script && fm.cache != nil {
		return
	}
	fm.script = sc
	fm.cands, fm.over = nil, false
	if _, ok := scriptTable[sc]; !ok {
		return
	}
	if fm.cache == nil {
		fm.cache = map[language.Script]scriptChoice{}
	}
	ch, ok := fm.cache[sc]
	if !ok {
		ch = fm.choose(sc)
		fm.cache[sc] = ch
	}
	fm.cands, fm.over = ch.cands, ch.over
}

// choose lists the fonts preferred for script sc.
func (fm *fontmap) choose(sc language.Script) scriptChoice {
	sf := scriptTable[sc]
	var fams []string
	switch {
	case sf.sans == "Noto Sans CJK":
		region := fm.region
		switch sc {
		case language.Hangul:
			region = "KR"
		case language.Hiragana, language.Katakana:
			region = "JP"
		}
		regions := append([]string{region}, cjkRegions...)
		for _, base := range []string{sf.serif, sf.sans} {
			if base == sf.serif && !fm.serif {
				continue
			}
			for _, r := range regions {
				fams = append(fams, base+" "+r)
			}
		}
	case sc == language.Arabic && isUrdu(fm.lang):
		fams = []string{"Noto Nastaliq Urdu", sf.sans}
	default:
		if fm.serif {
			fams = append(fams, sf.serif)
		}
		fams = append(fams, sf.sans)
	}
	want := fm.set.fonts[fm.primary]
	var ch scriptChoice
	seen := map[int]bool{}
	for k, fam := range fams {
		if fam == want.family {
			// The requested family is one of the script's own: it comes
			// first unless a family the language prefers comes before it.
			ch.over = k > 0
			break
		}
		if i := fm.set.lookup(fam, want.weight); i >= 0 && !seen[i] {
			seen[i] = true
			ch.cands = append(ch.cands, i)
		}
	}
	return ch
}

// ResolveFace returns the face to shape r with.
func (fm *fontmap) ResolveFace(r rune) *font.Face {
	i, _ := fm.pick(r)
	if f := fm.ctx.face(i); f != nil {
		return f
	}
	return fm.ctx.face(fm.primary)
}

// pick returns the font index for r in the current script and whether
// that font has r.
func (fm *fontmap) pick(r rune) (int, bool) {
	s := fm.set
	if i, ok := fm.scriptFont(r); ok { // a layout's font for the script (layered.go)
		return i, true
	}
	if !fm.over && s.has(fm.primary, r) {
		return fm.primary, true
	}
	for _, i := range fm.cands {
		if s.has(i, r) && fm.ctx.face(i) != nil {
			fm.noteFallback(i)
			return i, true
		}
	}
	if fm.over && s.has(fm.primary, r) {
		return fm.primary, true
	}
	for _, i := range fm.fallbackOrder() {
		if s.has(i, r) && fm.ctx.face(i) != nil {
			if fm.unplanned == nil {
				fm.unplanned = map[int]bool{}
			}
			fm.unplanned[i] = true
			return i, true
		}
	}
	return fm.primary, false
}

// noteFallback records, once, that a serif request got a sans face for
// the current script.
func (fm *fontmap) noteFallback(i int) {
	fam := fm.set.fonts[i].family
	if !fm.serif || strings.Contains(fam, "Serif") {
		return
	}
	note := "no serif face for " + scriptTable[fm.script].name + "; used " + fam
	for _, n := range fm.notes {
		if n == note {
			return
		}
	}
	fm.notes = append(fm.notes, note)
}

// split segments the paragraph in into runs of one direction, script and
// face (shaping.Segmenter with this font map), then gives each emoji
// sequence (flags, keycaps, skin tones, ZWJ sequences, emoji with U+FE0F)
// the colour emoji font as a whole, so that it shapes to one glyph.
func (fm *fontmap) split(seg *shaping.Segmenter, in shaping.Input) []shaping.Input {
	fm.setLang(string(in.Language), in.Text[in.RunStart:in.RunEnd])
	inputs := seg.Split(in, fm)
	e := fm.set.emoji
	if e < 0 {
		return inputs
	}
	spans := fm.emojiSpans(in.Text[:in.RunEnd], in.RunStart)
	if len(spans) == 0 {
		return inputs
	}
	face := fm.ctx.face(e)
	if face == nil {
		return inputs
	}
	out := fm.ctx.inputs[:0]
	emit := func(run shaping.Input, a, b int, f *font.Face) {
		if a >= b {
			return
		}
		run.RunStart, run.RunEnd = a, b
		if f != nil {
			run.Face = f
		} else if run.Face == face && fm.blank(in.Text[a:b]) {
			// Spaces after an emoji stay in the text's font.
			run.Face = fm.ResolveFace(' ')
		}
		out = append(out, run)
	}
	pos, k := in.RunStart, 0 // next rune to emit; next span
	for _, run := range inputs {
		for pos < run.RunEnd {
			start := max(pos, run.RunStart)
			if k < len(spans) && spans[k][0] < run.RunEnd {
				// The whole sequence goes in one run, even when the
				// segmenter cut it (as bidi does after a digit).
				emit(run, start, spans[k][0], nil)
				emit(run, spans[k][0], spans[k][1], face)
				pos = spans[k][1]
				k++
				continue
			}
			emit(run, start, run.RunEnd, nil)
			pos = run.RunEnd
		}
	}
	fm.ctx.inputs = out
	return out
}

// blank reports whether text is only spaces and characters that do not
// choose a font (format characters, variation selectors).
func (fm *fontmap) blank(text []rune) bool {
	for _, r := range text {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) && !unicode.Is(unicode.Variation_Selector, r) {
			return false
		}
	}
	return true
}

// nastaliqLineScale is how much the line pitch grows for text set in a
// Nastaliq face: its letters climb diagonally and stack far above and
// below the baseline, so lines at the pitch of Naskh Arabic would touch.
const nastaliqLineScale = 1.5

// lineScale returns the factor by which the line pitch of a paragraph
// shaped into runs grows for the faces it uses: nastaliqLineScale when a
// run is set in a Nastaliq face (Urdu), else 1.
func (fm *fontmap) lineScale(runs []shaping.Output) float64 {
	scale := 1.0
	for _, r := range runs {
		if i := fm.ctx.faceIndex(r.Face); i >= 0 && len(r.Glyphs) > 0 && strings.Contains(fm.set.fonts[i].family, "Nastaliq") {
			scale = nastaliqLineScale
		}
	}
	return scale
}

package text

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/segmenter"
	"github.com/go-text/typesetting/shaping"
)

// opportunities returns where text (as prepared by Fit) may break,
// in code points of text, not counting 0 and the end: UAX #14 on the text
// with the break marks inserted, mapped back to the text without them.
func opportunities(text []rune, lang string) []int {
	marked := insertBreakMarks(text, lang)
	orig := make([]int, len(marked)+1) // offset in marked -> offset in text
	k := 0
	for i, r := range marked {
		orig[i] = k
		if !(isBreakMark(r) && r != lineSeparator) {
			k++
		}
	}
	orig[len(marked)] = k
	var seg segmenter.Segmenter
	seg.Init(marked)
	it := seg.LineIterator()
	var out []int
	for it.Next() {
		l := it.Line()
		end := orig[l.Offset+len(l.Text)]
		if end > 0 && end < len(text) && (len(out) == 0 || out[len(out)-1] != end) {
			out = append(out, end)
		}
	}
	return out
}

type icuBreaks struct {
	ICUVersion string `json:"icu_version"`
	Languages  map[string]struct {
		Locale    string `json:"locale"`
		Sentences []struct {
			Text   string `json:"text"`
			Breaks []int  `json:"breaks"`
		} `json:"sentences"`
	} `json:"languages"`
}

// TestBreaksMatchICU compares the break opportunities of Fit with ICU's
// line BreakIterator (testdata/breaks/icu.json, made by gen.py): exactly
// for Japanese and Korean (keep-all); for the dictionary scripts, whose
// word lists and matching differ in details from ICU's engine, at least
// 95% of ICU's breaks must be found and under 3% of ours may be extra.
func TestBreaksMatchICU(t *testing.T) {
	raw, err := os.ReadFile("testdata/breaks/icu.json")
	if err != nil {
		t.Fatal(err)
	}
	var data icuBreaks
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"th", "lo", "km", "my", "ja", "ko"} {
		l, ok := data.Languages[lang]
		if !ok || len(l.Sentences) == 0 {
			t.Fatalf("no ICU sentences for %s", lang)
		}
		t.Run(lang, func(t *testing.T) {
			exact := lang == "ja" || lang == "ko"
			icuTotal, found, ours, extra := 0, 0, 0, 0
			for _, s := range l.Sentences {
				got := opportunities([]rune(s.Text), lang)
				want := map[int]bool{}
				for _, b := range s.Breaks {
					want[b] = true
				}
				have := map[int]bool{}
				for _, b := range got {
					have[b] = true
					ours++
					if !want[b] {
						extra++
					}
				}
				for _, b := range s.Breaks {
					icuTotal++
					if have[b] {
						found++
					}
				}
				if exact && !equalInts(got, s.Breaks) {
					t.Errorf("%q: breaks %v, ICU %v", s.Text, got, s.Breaks)
				}
			}
			foundPct := 100 * float64(found) / float64(icuTotal)
			extraPct := 100 * float64(extra) / float64(max(1, ours))
			t.Logf("%s: %d of ICU's %d breaks found (%.1f%%), %d of our %d extra (%.1f%%)", lang, found, icuTotal, foundPct, extra, ours, extraPct)
			if foundPct < 95 || extraPct >= 3 {
				t.Errorf("%s: found %.1f%% of ICU's breaks (want >= 95%%), %.1f%% extra (want < 3%%)", lang, foundPct, extraPct)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// lineStarts returns the offsets in the prepared text (without spaces
// that end lines) where each line after the first starts.
func lineStarts(t *testing.T, tb Block, text []rune) []int {
	t.Helper()
	var out []int
	pos := 0
	for i, l := range tb.Lines {
		lt := []rune(strings.TrimSuffix(l.Text, "-"))
		for pos < len(text) && (unicode.IsSpace(text[pos]) || isBreakMark(text[pos])) && (len(lt) == 0 || text[pos] != lt[0]) {
			pos++
		}
		if i > 0 {
			out = append(out, pos)
		}
		if string(text[pos:min(len(text), pos+len(lt))]) != string(lt) {
			t.Fatalf("line %d %q is not at offset %d of %q", i, l.Text, pos, string(text))
		}
		pos += len(lt)
	}
	return out
}

// TestFitBreaksOnlyBetweenWords: at any width, Thai, Lao, Khmer and
// Myanmar lines break only at the dictionary word boundaries, and Korean
// lines only at spaces (before, a Thai headline broke in the middle of a
// word and Korean inside words in 144 of 147 blocks).
func TestFitBreaksOnlyBetweenWords(t *testing.T) {
	s := mustFonts(t)
	tests := []struct{ lang, text string }{
		{"th", "นายกรัฐมนตรีเดินทางไปประชุมที่กรุงเทพมหานครเพื่อหารือเรื่องเศรษฐกิจ"},
		{"lo", "ລັດຖະບານລາວປະກາດນະໂຍບາຍໃໝ່ກ່ຽວກັບການສຶກສາ"},
		{"km", "ភ្លៀងធ្លាក់ខ្លាំងបណ្តាលឱ្យមានទឹកជំនន់នៅខេត្តជាច្រើន"},
		{"my", "အစိုးရသည်ပညာရေးဆိုင်ရာမူဝါဒအသစ်ကိုကြေညာခဲ့သည်"},
		{"ko", "북한이 미사일을 발사했다고 합동참모본부가 밝혔다"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 40, MinSize: 4, Lang: tc.lang}
			text := prepareText(tc.text, st)
			allowed := map[int]bool{}
			for _, b := range opportunities(text, tc.lang) {
				allowed[b] = true
			}
			if tc.lang == "ko" {
				for b := range allowed {
					if text[b-1] != ' ' {
						t.Errorf("Korean break opportunity inside a word at %d of %q", b, tc.text)
					}
				}
			}
			multi := 0
			for w := 120.0; w <= 900; w += 20 {
				tb, err := s.Fit(tc.text, st, w, 2000)
				if err != nil {
					t.Fatal(err)
				}
				checkBlock(t, tb, tc.text, st, w, 2000)
				if len(tb.Lines) > 1 {
					multi++
				}
				for _, r := range tb.Missing {
					if isBreakMark(r) {
						t.Errorf("break mark %U reported missing", r)
					}
				}
				for _, b := range lineStarts(t, tb, text) {
					if !allowed[b] {
						t.Errorf("width %v: line breaks inside a word at %d: %q", w, b, lineTexts(tb))
					}
				}
			}
			if multi == 0 {
				t.Errorf("no width broke %q into lines", tc.text)
			}
		})
	}
}

func lineTexts(tb Block) []string {
	var out []string
	for _, l := range tb.Lines {
		out = append(out, l.Text)
	}
	return out
}

// TestFitKinsoku: Japanese breaks between characters, but no line starts
// with closing punctuation or a small kana's neighbours that UAX #14
// keeps, and none ends with opening punctuation; U+3000 stays full width.
func TestFitKinsoku(t *testing.T) {
	s := mustFonts(t)
	text := "「平和」を求める声が、世界中で高まっている。（東京）政府は新しい経済対策を発表した。"
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 40, MinSize: 4, Lang: "ja"}
	for w := 100.0; w <= 800; w += 10 {
		tb, err := s.Fit(text, st, w, 4000)
		if err != nil {
			t.Fatal(err)
		}
		checkBlock(t, tb, text, st, w, 4000)
		for i, l := range tb.Lines {
			r := []rune(l.Text)
			if i > 0 && strings.ContainsRune("、。」）", r[0]) {
				t.Errorf("width %v: line %d starts with %q: %q", w, i, r[0], lineTexts(tb))
			}
			if i < len(tb.Lines)-1 && strings.ContainsRune("「（", r[len(r)-1]) {
				t.Errorf("width %v: line %d ends with %q: %q", w, i, r[len(r)-1], lineTexts(tb))
			}
		}
	}
	wide, err := s.Fit("首相\u3000訪米", st, 2000, 100)
	if err != nil {
		t.Fatal(err)
	}
	narrow, err := s.Fit("首相訪米", st, 2000, 100)
	if err != nil {
		t.Fatal(err)
	}
	if d := wide.Width - narrow.Width; math.Abs(d-40) > 1 {
		t.Errorf("U+3000 adds %.1f px at 40 px, want a full em", d)
	}
}

// TestFitEditorControls: a new line or U+2028 breaks the line there; the
// no-break spaces never break and draw as spaces.
func TestFitEditorControls(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 40, Lang: "en"}
	for _, text := range []string{"Breaking news:\nthe vote is in", "Breaking news:\u2028the vote is in", "Breaking news: \r\n  the vote is in"} {
		tb, err := s.Fit(text, st, 2000, 500)
		if err != nil {
			t.Fatal(err)
		}
		if got := lineTexts(tb); len(got) != 2 || got[0] != "Breaking news:" || got[1] != "the vote is in" {
			t.Errorf("Fit(%q) lines %q, want the manual break kept", text, got)
		}
		if len(tb.Missing) != 0 {
			t.Errorf("Fit(%q) reports missing %q", text, string(tb.Missing))
		}
	}
	// MinSize lets the text shrink rather than break inside a word (the
	// last resort in a box too narrow for a word at MinSize, where the
	// no-break space may break as any letter).
	st.MinSize = 8
	for _, nb := range []string{"\u00a0", "\u202f"} {
		text := "Rain of 120" + nb + "mm expected in 24" + nb + "hours across the north"
		for w := 150.0; w <= 700; w += 10 {
			tb, err := s.Fit(text, st, w, 4000)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range tb.Lines {
				if strings.HasSuffix(l.Text, "120") || strings.HasSuffix(l.Text, "24") {
					t.Fatalf("width %v: no-break space %U broken: %q", w, []rune(nb)[0], lineTexts(tb))
				}
			}
			if len(tb.Missing) != 0 {
				t.Fatalf("missing %q", string(tb.Missing))
			}
		}
	}
}

// TestFitHyphenatesLongWord: a long English word in a narrow box is
// hyphenated, with a hyphen drawn at the end of the line, rather than
// shrinking the whole headline; without a language it shrinks.
func TestFitHyphenatesLongWord(t *testing.T) {
	s := mustFonts(t)
	text := "Parliament debates the internationalisation of universities"
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 80, MinSize: 20, MaxLines: 4, Lang: "en"}
	plain := st
	plain.Lang = ""
	const w, h = 560, 500
	hy, err := s.Fit(text, st, w, h)
	if err != nil {
		t.Fatal(err)
	}
	shrunk, err := s.Fit(text, plain, w, h)
	if err != nil {
		t.Fatal(err)
	}
	if hy.Size <= shrunk.Size {
		t.Fatalf("hyphenated size %.1f not larger than unhyphenated %.1f", hy.Size, shrunk.Size)
	}
	hyphens := 0
	for _, l := range hy.Lines {
		if strings.HasSuffix(l.Text, "-") {
			hyphens++
			last := l.Glyphs[len(l.Glyphs)-1]
			if last.Ink[2] <= last.Ink[0] || last.Ink[2] > l.Width+0.5 {
				t.Errorf("line %q: last glyph %+v is not a visible hyphen inside the line width %.1f", l.Text, last, l.Width)
			}
		}
		if l.Width > w+0.5 {
			t.Errorf("line %q is %.1f px wide, box %v", l.Text, l.Width, w)
		}
	}
	if hyphens == 0 {
		t.Errorf("lines %q: no hyphen", lineTexts(hy))
	}
	joined := strings.ReplaceAll(strings.Join(lineTexts(hy), " "), "- ", "")
	if joined != text {
		t.Errorf("lines %q do not read %q", lineTexts(hy), text)
	}
	t.Logf("hyphenated at %.1f px: %q; unhyphenated %.1f px", hy.Size, lineTexts(hy), shrunk.Size)
}

// TestFitHyphenatesAtMinSize: a word too wide for the box even at MinSize
// breaks at its hyphenation points, with hyphens, not anywhere.
func TestFitHyphenatesAtMinSize(t *testing.T) {
	s := mustFonts(t)
	const word = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
	// The prefixes of the word that end where the patterns allow a break.
	allowed := map[string]bool{}
	prefix := ""
	for _, part := range strings.Split(string(hyphenate([]rune(word), "cy")), string(softHyphen)) {
		prefix += part
		allowed[prefix] = true
	}
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 44, MinSize: 40, MaxLines: 8, Lang: "cy"}
	tb, err := s.Fit("Pentref "+word+" yn denu mwy o ymwelwyr", st, 420, 1000)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%.0f px: %q", tb.Size, lineTexts(tb))
	done := "" // the part of the word set on the lines so far
	for i, l := range tb.Lines {
		if l.Width > 420.5 {
			t.Errorf("line %q is %.1f px wide, box 420", l.Text, l.Width)
		}
		for _, f := range strings.Fields(l.Text) {
			piece := strings.TrimSuffix(f, "-")
			if strings.HasPrefix(word, done+piece) && (done != "" || strings.HasPrefix(word, piece) && len(piece) > 3) {
				done += piece
				if done != word && !(strings.HasSuffix(f, "-") && allowed[done]) {
					t.Errorf("line %d %q ends the piece %q of the long word where its patterns allow no break, or without a hyphen", i+1, l.Text, done)
				}
			}
		}
	}
	if done != word {
		t.Errorf("lines %q do not hold the word whole (%q)", lineTexts(tb), done)
	}
}

// TestHyphenationPoints checks Liang's algorithm on known words.
func TestHyphenationPoints(t *testing.T) {
	tests := []struct{ lang, word, want string }{
		{"en", "hyphenation", "hy-phen-ation"},
		{"en", "internationalisation", "in-ter-na-tion-al-i-sa-tion"},
		{"de", "Silbentrennung", "Sil-ben-tren-nung"},
		{"fr", "gouvernement", "gou-ver-ne-ment"},
		{"es", "universidades", "uni-ver-si-da-des"},
		{"pt", "universidades", "uni-ver-si-da-des"},
		{"en", "HYPHENATION", "HY-PHEN-ATION"},
		{"en", "McDonaldization", "McDonaldization"},
		{"cy", "Cymdeithasol", "Cym-deith-asol"},
		{"tr", "Cumhurbaşkanlığı", "Cum-hur-baş-kan-lığı"},
		{"tr", "KIRKLARELİ", "KIRK-LA-RELİ"}, // I is dotless ı in Turkish
		{"ru", "ПРАВИТЕЛЬСТВО", "ПРА-ВИ-ТЕЛЬ-СТВО"},
		{"uk", "міжнародного", "між-на-ро-дного"},
		{"uk", "пам’ятника", "па-м’я-тника"}, // the apostrophe is inside the word
		{"el", "κυβέρνησης", "κυ-βέρ-νη-σης"},
		{"sr", "министарство", "ми-ни-стар-ство"},
		{"sr", "ministarstvo", "mi-ni-star-stvo"},
	}
	for _, tc := range tests {
		got := strings.ReplaceAll(string(hyphenate([]rune(tc.word), tc.lang)), string(softHyphen), "-")
		if got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.lang, tc.word, got, tc.want)
		}
	}
}

// englishHeadlines are the headlines of the one-word-last-line metric.
var englishHeadlines = []string{
	headlineLatin,
	"Navy names its newest research ship after Grace Hopper",
	"Scientists warn of record heat across southern Europe this summer",
	"Prime minister resigns after losing confidence vote in parliament",
	"Floods force thousands from their homes in Bangladesh",
	"Central bank raises interest rates for the fifth time this year",
	"Elephant population recovers in Kenya's national parks",
	"Tech giants face new rules on artificial intelligence",
	"Ten-year-old girl wins national spelling competition",
	"Police arrest two men after robbery at jewellery shop in London",
	"Wildfires spread across Canada as firefighters battle the blaze",
	"Football club appoints former player as new head coach",
	"New vaccine shows promise against malaria in children",
	"Opposition leader calls for early election amid protests",
	"Astronomers discover planet orbiting nearby star",
	"World leaders meet in Geneva to discuss climate finance",
	"Teachers strike over pay as schools close across the country",
	"Museum returns looted bronzes to Nigeria",
	"Drought threatens harvest for millions of farmers in East Africa",
	"United Nations calls for ceasefire in Sudan",
	"Air pollution linked to rise in childhood asthma, study finds",
	"President visits flood-hit region and promises aid",
	"Mountain climbers rescued after three days on Mount Kenya",
	"Oil prices fall as demand slows in China",
}

// lastOneWord counts multi-line blocks and those whose last line is one
// word, for the headlines set at 40 px in boxes from 300 to 1000 px wide,
// with Fit (after) and with the former greedy-then-narrowest-width
// balancing (before).
func lastOneWord(t *testing.T, s *FontSet) (blocks, before, after, avoidable int) {
	st, _ := Style{Family: "Noto Sans", Weight: 700, MaxSize: 40, Lang: "en"}.withDefaults()
	primary := s.lookup(st.Family, st.Weight)
	oneWord := func(l string) bool { return !strings.Contains(strings.TrimSpace(l), " ") }
	for _, h := range englishHeadlines {
		for w := 300.0; w <= 1000; w += 25 {
			tb, err := s.Fit(h, st, w, 2000)
			if err != nil {
				t.Fatal(err)
			}
			if len(tb.Lines) < 2 {
				continue
			}
			blocks++
			c := s.getCtx()
			runes := prepareText(h, st)
			p := newParagraph(s, c, insertBreakMarks(runes, st.Lang), st, primary, false)
			if oneWord(tb.Lines[len(tb.Lines)-1].Text) {
				after++
				p.breaks().lastWord = math.Inf(1)
				if p.arrange(w, st.MaxSize, len(tb.Lines), false) != nil {
					avoidable++
					t.Logf("width %v: %q has a one-word last line that could be avoided", w, lineTexts(tb))
				}
			}
			lines, _ := p.wrap(w, st.MaxSize, shaping.Never, 0, false)
			lines = p.balance(w, st.MaxSize, len(lines))
			last := lines[len(lines)-1]
			if oneWord(lineText(p.text, last, false)) {
				before++
			}
			s.putCtx(c)
		}
	}
	return blocks, before, after, avoidable
}

// TestFitOneWordLastLines: over a set of English headlines and box widths,
// far fewer blocks end with a one-word line than with the former
// balancing, and none where a two-word last line was possible.
func TestFitOneWordLastLines(t *testing.T) {
	s := mustFonts(t)
	blocks, before, after, avoidable := lastOneWord(t, s)
	t.Logf("one-word last lines: before %d of %d blocks (%.1f%%), after %d (%.1f%%), of which %d avoidable",
		before, blocks, 100*float64(before)/float64(blocks), after, 100*float64(after)/float64(blocks), avoidable)
	if avoidable > 0 || after*2 > before || float64(after) > 0.03*float64(blocks) {
		t.Errorf("one-word last lines: %d of %d blocks, before %d", after, blocks, before)
	}
}

// splitIn returns whether lines break inside the run of words (joined
// by sep) somewhere.
func splitIn(lines []string, words []string, sep string) bool {
	for i := 1; i < len(lines); i++ {
		for k := 1; k < len(words); k++ {
			if strings.HasSuffix(lines[i-1], strings.Join(words[:k], sep)) && strings.HasPrefix(lines[i], words[k]) {
				return true
			}
		}
	}
	return false
}

// avoidable reports whether text, at 40 px in a box w wide, can be set in
// n lines without breaking inside the run of words (joined by sep).
func avoidable(s *FontSet, st Style, text string, w float64, n int, words []string, sep string) bool {
	st, _ = st.withDefaults()
	c := s.getCtx()
	defer s.putCtx(c)
	p := newParagraph(s, c, insertBreakMarks(prepareText(text, st), st.Lang), st, s.lookup(st.Family, st.Weight), false)
	br := p.breaks()
	for k, pos := range br.opp {
		if splitIn([]string{strings.TrimSpace(string(p.text[:pos])), string(p.text[pos:])}, words, sep) {
			br.penalty[k] = math.Inf(1)
		}
	}
	return p.arrange(w, st.MaxSize, n, false) != nil
}

// keptTogether are headlines with names and compounds a line should not
// split: the words, joined by sep.
var keptTogether = []struct {
	text  string
	words []string
	sep   string
}{
	{"Navy names its newest research ship after Grace Hopper", []string{"Grace", "Hopper"}, " "},
	{headlineLatin, []string{"K1", "Air", "Base"}, " "},
	{"Ten-year-old girl wins national spelling competition", []string{"Ten-", "year-", "old"}, ""},
}

// TestFitKeepsNamesTogether: "Grace Hopper" and "K1 Air Base" are not
// split across lines, nor "Ten-year-old" after its hyphen, where another
// set of breaks fits in as many lines.
func TestFitKeepsNamesTogether(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 40, Lang: "en"}
	tests := keptTogether
	for _, tc := range tests {
		splits, unavoidable := 0, 0
		for w := 300.0; w <= 1000; w += 10 {
			tb, err := s.Fit(tc.text, st, w, 2000)
			if err != nil {
				t.Fatal(err)
			}
			if splitIn(lineTexts(tb), tc.words, tc.sep) {
				if avoidable(s, st, tc.text, w, len(tb.Lines), tc.words, tc.sep) {
					splits++
					t.Logf("width %v: %q", w, lineTexts(tb))
				} else {
					unavoidable++
				}
			}
		}
		t.Logf("%q: split where unavoidable at %d widths", strings.Join(tc.words, tc.sep), unavoidable)
		if splits > 0 {
			t.Errorf("%q split inside %q at %d widths where it could be kept", tc.text, strings.Join(tc.words, tc.sep), splits)
		}
	}
}

// TestFitShrinksRatherThanSplit: where the size is free to fall, a name
// or a compound is split across lines only when setting the text up to 8 %
// smaller would not keep it together either.
func TestFitShrinksRatherThanSplit(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 60, MinSize: 20, MaxLines: 3, Lang: "en"}
	tests := keptTogether
	kept := 0
	for _, tc := range tests {
		for w := 300.0; w <= 1000; w += 10 {
			tb, err := s.Fit(tc.text, st, w, 2000)
			if err != nil {
				t.Fatal(err)
			}
			if !splitIn(lineTexts(tb), tc.words, tc.sep) {
				kept++
				continue
			}
			for k := 1; k <= 4; k++ { // up to 8 % smaller
				fixed := st
				fixed.MaxSize = tb.Size * (1 - 0.02*float64(k))
				fixed.MinSize = fixed.MaxSize
				alt, err := s.Fit(tc.text, fixed, w, 2000)
				if err != nil {
					t.Fatal(err)
				}
				if len(alt.Lines) <= st.MaxLines && !alt.Truncated && !splitIn(lineTexts(alt), tc.words, tc.sep) {
					t.Errorf("width %v: %q at %.1f px splits %q; at %.1f px %q keeps it", w, lineTexts(tb), tb.Size, strings.Join(tc.words, tc.sep), fixed.MaxSize, lineTexts(alt))
					break
				}
			}
		}
	}
	t.Logf("kept together in %d of %d blocks", kept, len(tests)*71)
}

// TestFitUnbreakableWordLastResort: a word wider than the box even at
// MinSize is broken between letters, and the rest of the text is still
// balanced: no one-word last line where another break fits.
func TestFitUnbreakableWordLastResort(t *testing.T) {
	s := mustFonts(t)
	text := "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch yn denu mwy o ymwelwyr nag erioed"
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 40, Lang: "cy"}
	for w := 500.0; w <= 1000; w += 50 {
		tb, err := s.Fit(text, st, w, 2000)
		if err != nil {
			t.Fatal(err)
		}
		checkBlock(t, tb, text, st, w, 2000)
		last := tb.Lines[len(tb.Lines)-1].Text
		if !strings.Contains(last, " ") {
			t.Errorf("width %v: one-word last line: %q", w, lineTexts(tb))
		}
	}
}

// BenchmarkLoadWordList measures the one-time cost of reading each
// dictionary (paid by the first text of its script).
func BenchmarkLoadWordList(b *testing.B) {
	for _, name := range dictFiles[1:] {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if wl := loadWordList("breakdata/" + name + ".txt.gz"); len(wl.words) == 0 {
					b.Fatal("empty word list")
				}
			}
		})
	}
}

// BenchmarkFitScripts sets a headline of each kind of line breaking in a
// 600 px box.
func BenchmarkFitScripts(b *testing.B) {
	s := mustFonts(b)
	for _, tc := range []struct{ lang, text string }{
		{"en", headlineLatin},
		{"th", "นายกรัฐมนตรีเดินทางไปประชุมที่กรุงเทพมหานครเพื่อหารือเรื่องเศรษฐกิจ"},
		{"ko", "북한이 미사일을 발사했다고 합동참모본부가 밝혔다"},
		{"ja", "「平和」を求める声が、世界中で高まっている。"},
	} {
		st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 60, MinSize: 20, MaxLines: 4, Lang: tc.lang}
		b.Run(tc.lang, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Fit(tc.text, st, 600, 400); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

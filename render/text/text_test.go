package text

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/shaping"
)

const (
	headlineShort  = "Gaza ceasefire holds"
	headlineLatin  = "Occupying US forces withdraw from K1 Air Base in northern Iraq"
	headlineArabic = "انسحاب القوات الأمريكية من قاعدة كي وان الجوية في كركوك"
)

var headlineVeryLong = strings.Repeat(headlineLatin+" ", 3)

// checkBlock asserts the invariants every fitted block must keep.
func checkBlock(t *testing.T, tb Block, text string, st Style, boxW, boxH float64) {
	t.Helper()
	const tol = 0.5
	st, _ = st.withDefaults()
	if len(tb.Lines) > 0 && (tb.Size < st.MinSize-1e-9 || tb.Size > st.MaxSize+1e-9) {
		t.Errorf("size %.2f outside [%v, %v]", tb.Size, st.MinSize, st.MaxSize)
	}
	if st.MaxLines > 0 && len(tb.Lines) > st.MaxLines {
		t.Errorf("%d lines, max %d", len(tb.Lines), st.MaxLines)
	}
	for i, l := range tb.Lines {
		if l.Width > boxW+tol || l.X < -tol || l.X+l.Width > boxW+tol {
			t.Errorf("line %d %q: x %.1f width %.1f outside box width %v", i, l.Text, l.X, l.Width, boxW)
		}
		if i > 0 && l.Baseline <= tb.Lines[i-1].Baseline {
			t.Errorf("line %d baseline %.1f not below line %d", i, l.Baseline, i-1)
		}
		if l.Width > tb.Width+1e-9 {
			t.Errorf("line %d width %.1f > block width %.1f", i, l.Width, tb.Width)
		}
	}
	// The height may only overflow when not even one line fits at MinSize.
	if tb.Height > boxH+1e-6 && !(len(tb.Lines) == 1 && tb.AtMinSize) {
		t.Errorf("height %.1f > box height %v with %d lines", tb.Height, boxH, len(tb.Lines))
	}
	checkText(t, tb, text, st)
}

// checkText asserts that the lines hold the input's letters in order: all
// of them, or a prefix followed by "…" when the block is truncated.
func checkText(t *testing.T, tb Block, text string, st Style) {
	t.Helper()
	noSpace := func(s string) []rune {
		var out []rune
		for _, r := range s {
			if !unicode.IsSpace(r) {
				out = append(out, r)
			}
		}
		return out
	}
	want := noSpace(string(prepareText(text, st)))
	var got []rune
	for _, l := range tb.Lines {
		got = append(got, noSpace(l.Text)...)
	}
	if tb.Truncated {
		if len(got) == 0 || got[len(got)-1] != '…' {
			t.Fatalf("truncated block does not end with …: %q", string(got))
		}
		got = got[:len(got)-1]
		if len(got) > len(want) || string(want[:len(got)]) != string(got) {
			t.Errorf("truncated lines %q are not a prefix of the text %q", string(got), string(want))
		}
		return
	}
	if string(got) != string(want) {
		t.Errorf("lines hold %q, want all of %q", string(got), string(want))
	}
}

func TestFitInvariants(t *testing.T) {
	s := mustFonts(t)
	boxes := []struct{ w, h float64 }{{1000, 300}, {400, 200}, {120, 60}}
	texts := []struct {
		name, text, lang string
	}{
		{"short", headlineShort, "en"},
		{"long", headlineLatin, "en"},
		{"very long", headlineVeryLong, ""},
		{"arabic", headlineArabic, "ar"},
		{"mixed", "Trump: «انسحاب القوات» from K1 (Iraq) 2024", ""},
	}
	styles := []struct {
		name string
		st   Style
	}{
		{"sans bold", Style{Family: "Noto Sans", Weight: 700, MaxSize: 96, MinSize: 24, MaxLines: 3}},
		{"serif upper tracked", Style{Family: "Noto Serif", Weight: 700, MaxSize: 72, MinSize: 18, MaxLines: 4, Upper: true, Tracking: 0.04, Align: AlignCenter}},
		{"no line limit", Style{Family: "Noto Sans", MaxSize: 80, MinSize: 10, LineHeight: 1.05, Align: AlignEnd}},
	}
	for _, sty := range styles {
		for _, tx := range texts {
			for _, b := range boxes {
				name := sty.name + "/" + tx.name + "/" + strings.Join([]string{ftoa(b.w), ftoa(b.h)}, "x")
				t.Run(name, func(t *testing.T) {
					st := sty.st
					st.Lang = tx.lang
					tb, err := s.Fit(tx.text, st, b.w, b.h)
					if err != nil {
						t.Fatal(err)
					}
					if len(tb.Lines) == 0 {
						t.Fatal("no lines")
					}
					checkBlock(t, tb, tx.text, st, b.w, b.h)
				})
			}
		}
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func TestFitShrinksBeforeTruncating(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 120, MinSize: 20, MaxLines: 3}
	tests := []struct {
		name          string
		text          string
		w, h          float64
		wantMax       bool // stays at MaxSize
		wantMin       bool // AtMinSize
		wantTruncated bool
	}{
		{"short fits at max", headlineShort, 1500, 400, true, false, false},
		{"long shrinks", headlineLatin, 1000, 300, false, false, false},
		{"very long truncated", headlineVeryLong, 400, 100, false, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := s.Fit(tc.text, st, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			checkBlock(t, tb, tc.text, st, tc.w, tc.h)
			if (tb.Size == st.MaxSize) != tc.wantMax || tb.AtMinSize != tc.wantMin || tb.Truncated != tc.wantTruncated {
				t.Errorf("size %.2f at_min %v truncated %v; want max %v at_min %v truncated %v",
					tb.Size, tb.AtMinSize, tb.Truncated, tc.wantMax, tc.wantMin, tc.wantTruncated)
			}
			if tb.Truncated && !strings.HasSuffix(tb.Lines[len(tb.Lines)-1].Text, "…") {
				t.Errorf("last line %q does not end with …", tb.Lines[len(tb.Lines)-1].Text)
			}
		})
	}
}

func TestFitLargestSize(t *testing.T) {
	// The chosen size must be (nearly) the largest that fits: 2% larger
	// must not fit in the same box.
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 200, MinSize: 10, MaxLines: 2}
	tb, err := s.Fit(headlineLatin, st, 900, 400)
	if err != nil {
		t.Fatal(err)
	}
	bigger := st
	bigger.MinSize, bigger.MaxSize = tb.Size*1.02, tb.Size*1.02
	tb2, err := s.Fit(headlineLatin, bigger, 900, 400)
	if err != nil {
		t.Fatal(err)
	}
	if !tb2.Truncated && len(tb2.Lines) <= 2 && tb2.Width <= 900 {
		t.Errorf("size %.2f chosen but %.2f also fits", tb.Size, bigger.MaxSize)
	}
}

func TestFitLongWordBreaks(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", MaxSize: 40, MinSize: 20, MaxLines: 3}
	text := "Supercalifragilisticexpialidocious"
	tb, err := s.Fit(text, st, 120, 200)
	if err != nil {
		t.Fatal(err)
	}
	checkBlock(t, tb, text, st, 120, 200)
	if len(tb.Lines) < 2 || !tb.AtMinSize {
		t.Errorf("got %d lines at size %.1f, want the word broken over lines at min size", len(tb.Lines), tb.Size)
	}
}

func TestFitArabic(t *testing.T) {
	s := mustFonts(t)
	for _, tc := range []struct {
		name string
		st   Style
	}{
		{"lang ar", Style{Family: "Noto Sans", Weight: 700, MaxSize: 90, MinSize: 20, MaxLines: 3, Lang: "ar"}},
		{"direction from text", Style{Family: "Noto Sans Arabic", MaxSize: 90, MinSize: 20, MaxLines: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const boxW, boxH = 1000.0, 300.0
			tb, err := s.Fit(headlineArabic, tc.st, boxW, boxH)
			if err != nil {
				t.Fatal(err)
			}
			checkBlock(t, tb, headlineArabic, tc.st, boxW, boxH)
			if !tb.RTL {
				t.Fatal("Arabic block not RTL")
			}
			first := tb.Lines[0]
			if math.Abs(first.X+first.Width-boxW) > 0.5 {
				t.Errorf("first line spans x %.1f..%.1f, want right-aligned at %v", first.X, first.X+first.Width, boxW)
			}
			if !strings.HasPrefix(headlineArabic, first.Text) {
				t.Errorf("first line %q is not the start of the headline in reading order", first.Text)
			}
			// Arabic set in Noto Sans is drawn from the script's own face,
			// as planned: not reported as a last-resort fallback.
			if tc.st.Family == "Noto Sans" && (!slices.ContainsFunc(tb.Fonts, func(f string) bool { return strings.HasPrefix(f, "NotoSansArabic") }) || len(tb.Fallback) != 0) {
				t.Errorf("fonts = %q, fallback = %q; want glyphs from NotoSansArabic and no fallback", tb.Fonts, tb.Fallback)
			}
			if len(tb.Missing) != 0 {
				t.Errorf("missing = %q, want none", string(tb.Missing))
			}
		})
	}
}

func TestFitAlignment(t *testing.T) {
	s := mustFonts(t)
	const boxW = 1000.0
	tests := []struct {
		align Align
		lang  string
		want  func(l Line) float64 // expected X
	}{
		{AlignStart, "en", func(Line) float64 { return 0 }},
		{AlignStart, "ar", func(l Line) float64 { return boxW - l.Width }},
		{AlignEnd, "en", func(l Line) float64 { return boxW - l.Width }},
		{AlignEnd, "ar", func(Line) float64 { return 0 }},
		{AlignCenter, "en", func(l Line) float64 { return (boxW - l.Width) / 2 }},
		{AlignLeft, "ar", func(Line) float64 { return 0 }},
		{AlignRight, "en", func(l Line) float64 { return boxW - l.Width }},
	}
	for _, tc := range tests {
		t.Run(tc.align.String()+"/"+tc.lang, func(t *testing.T) {
			st := Style{Family: "Noto Sans", MaxSize: 50, Align: tc.align, Lang: tc.lang}
			tb, err := s.Fit("Short headline", st, boxW, 300)
			if err != nil {
				t.Fatal(err)
			}
			l := tb.Lines[0]
			if want := tc.want(l); math.Abs(l.X-want) > 1e-6 {
				t.Errorf("x = %.2f, want %.2f (width %.1f)", l.X, want, l.Width)
			}
		})
	}
}

func TestFitBalanced(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 40}
	// Box just wider than everything but the last word: greedy wrapping
	// leaves "Iraq" alone on the second line.
	head := strings.TrimSuffix(headlineLatin, " Iraq")
	one, err := s.Fit(head, st, 5000, 100)
	if err != nil {
		t.Fatal(err)
	}
	boxW := one.Width + 4
	greedy := greedyWidths(t, s, headlineLatin, st, boxW)
	if len(greedy) != 2 {
		t.Fatalf("greedy wrap gives %d lines, want 2", len(greedy))
	}
	tb, err := s.Fit(headlineLatin, st, boxW, 200)
	if err != nil {
		t.Fatal(err)
	}
	checkBlock(t, tb, headlineLatin, st, boxW, 200)
	if len(tb.Lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(tb.Lines))
	}
	diff := math.Abs(tb.Lines[0].Width - tb.Lines[1].Width)
	greedyDiff := math.Abs(greedy[0] - greedy[1])
	if diff >= greedyDiff/2 {
		t.Errorf("balanced lines %q / %q differ by %.0f px; greedy by %.0f px", tb.Lines[0].Text, tb.Lines[1].Text, diff, greedyDiff)
	}
	if tb.Lines[1].Text == "Iraq" {
		t.Errorf("last line is the lone word %q", tb.Lines[1].Text)
	}
}

// greedyWidths wraps text greedily (as go-text does) at st.MaxSize in a box
// boxW wide and returns the line widths in px.
func greedyWidths(t *testing.T, s *FontSet, text string, st Style, boxW float64) []float64 {
	t.Helper()
	st, err := st.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c := s.getCtx()
	defer s.putCtx(c)
	runes := prepareText(text, st)
	p := newParagraph(s, c, runes, st, s.lookup(st.Family, st.Weight), false)
	lines, _ := p.wrap(boxW, st.MaxSize, shaping.Never, 0, false)
	var out []float64
	for _, l := range lines {
		out = append(out, float64(lineAdvance(l))/64*st.MaxSize/refSize)
	}
	return out
}

func TestFitEmptyAndErrors(t *testing.T) {
	s := mustFonts(t)
	ok := Style{Family: "Noto Sans", MaxSize: 40}
	for _, text := range []string{"", "   \n\t  "} {
		tb, err := s.Fit(text, ok, 100, 100)
		if err != nil || len(tb.Lines) != 0 || tb.Height != 0 || tb.Width != 0 {
			t.Errorf("Fit(%q) = %+v, %v; want an empty block and no error", text, tb, err)
		}
	}
	tests := []struct {
		name string
		st   Style
		w, h float64
		want string
	}{
		{"unknown family", Style{Family: "Comic Sans", MaxSize: 40}, 100, 100, `unknown font family "Comic Sans" (available: `},
		{"no size", Style{Family: "Noto Sans"}, 100, 100, "max size"},
		{"min above max", Style{Family: "Noto Sans", MaxSize: 20, MinSize: 30}, 100, 100, "min size 30 is larger than max size 20"},
		{"negative lines", Style{Family: "Noto Sans", MaxSize: 20, MaxLines: -1}, 100, 100, "max lines"},
		{"zero box", ok, 0, 100, "text box"},
		{"NaN box", ok, 100, math.NaN(), "text box"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Fit("Hello", tc.st, tc.w, tc.h)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestFitUpperAndMissing(t *testing.T) {
	s := mustFonts(t)
	tests := []struct {
		text, lang string
		wantText   string
		wantMiss   string
	}{
		{"istanbul büyük", "tr", "İSTANBUL BÜYÜK", ""},
		{"istanbul", "en", "ISTANBUL", ""},
		{"News \ue000\ue001", "en", "NEWS \ue000\ue001", "\ue000\ue001"}, // private use: no font has them
		{"bell \a\x00 and\t tab", "en", "BELL AND TAB", ""},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			st := Style{Family: "Noto Sans", MaxSize: 40, Upper: true, Lang: tc.lang}
			tb, err := s.Fit(tc.text, st, 1000, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(tb.Lines) != 1 || tb.Lines[0].Text != tc.wantText {
				t.Fatalf("lines = %+v, want one line %q", tb.Lines, tc.wantText)
			}
			if string(tb.Missing) != tc.wantMiss {
				t.Errorf("missing = %q, want %q", string(tb.Missing), tc.wantMiss)
			}
		})
	}
}

func TestParseAlign(t *testing.T) {
	tests := []struct {
		in   string
		want Align
		err  bool
	}{
		{"start", AlignStart, false}, {"", AlignStart, false}, {"Center", AlignCenter, false},
		{"end", AlignEnd, false}, {" left ", AlignLeft, false}, {"right", AlignRight, false},
		{"middle", 0, true}, {"justify", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseAlign(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseAlign(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && got.String() != strings.ToLower(strings.TrimSpace(tc.in)) && tc.in != "" {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tc.in)
		}
	}
}

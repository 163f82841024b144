package text

import (
	"strings"
	"testing"
)

// pathological are headlines of 1,000 characters (the article limit)
// that are hard to set: no break opportunity, one base letter with a
// thousand combining marks, emoji ZWJ sequences (no font of the set has
// emoji, so every one is a fallback), and left-to-right and right-to-left
// text alternating word by word and letter by letter.
var pathological = []struct{ name, text string }{
	{"normal", headlineLatin},
	{"no spaces", strings.Repeat("x", 1000)},
	{"combining marks", "a" + strings.Repeat("\u0301", 999)},
	{"emoji ZWJ", strings.Repeat("👩\u200d👩\u200d👧\u200d👦", 1000/7)},
	{"bidi words", strings.Repeat("ab جد ", 1000/6)},
	{"bidi letters", strings.Repeat("aب1\u200f", 250)},
	{"widest glyph", strings.Repeat("\ufdfd", 1000)},
}

// largestBox is a headline box on the largest preset (roku-poster-art,
// 2000×3000) and the style that tries the widest range of sizes.
const largestBoxW, largestBoxH = 1840, 1500

var largestStyle = Style{Family: "Noto Sans", Weight: 700, MaxSize: 400, MinSize: 12, MaxLines: 8}

// maxWraps is the most passes of the line wrapper one Fit makes: the
// largest and the smallest size, the size search, then either the cut
// with its retry or the final wrap, the balancing search and its wrap.
const maxWraps = 2 + maxSizeSteps + max(2, 1+maxBalanceSteps+1)

// TestFitWorkBounded counts the shaper calls and wrapping passes of Fit
// for pathological headlines on the largest preset, and for styles and
// boxes so large that the size and balance searches would run past their
// caps (before the caps, a 1e6 px range took 22 + 21 passes): the text is
// shaped once, one call per run, and wrapped at most maxWraps times.
func TestFitWorkBounded(t *testing.T) {
	s := mustFonts(t)
	huge := Style{Family: "Noto Sans", Weight: 700, MaxSize: 1e6, MinSize: 1}
	boxes := []struct {
		name string
		st   Style
		w, h float64
	}{
		{"largest preset", largestStyle, largestBoxW, largestBoxH},
		{"no line limit", Style{Family: "Noto Sans", Weight: 400, MaxSize: 400, MinSize: 4}, largestBoxW, largestBoxH},
		{"huge sizes", huge, 1e6, 1e6},
		{"rtl tracked", Style{Family: "Noto Sans", Weight: 700, MaxSize: 400, MinSize: 12, MaxLines: 3, Lang: "ar", Tracking: 0.2, Upper: true}, largestBoxW, largestBoxH},
	}
	for _, b := range boxes {
		for _, tc := range pathological {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				st, err := b.st.withDefaults()
				if err != nil {
					t.Fatal(err)
				}
				runes := prepareText(tc.text, st)
				tb, work, err := s.fitRunes(runes, st, s.lookup(st.Family, st.Weight), IsRTL(st.Lang, string(runes)), b.w, b.h)
				if err != nil {
					t.Fatal(err)
				}
				checkBlock(t, tb, tc.text, b.st, b.w, b.h)
				if work.shapes > len(runes)+1 {
					t.Errorf("%d shaper calls for %d characters, want at most one per character and one for the ellipsis", work.shapes, len(runes))
				}
				if work.wraps > maxWraps {
					t.Errorf("%d wrapping passes, want at most %d", work.wraps, maxWraps)
				}
				glyphs := 0
				for _, r := range runes {
					glyphs += max(1, len(string(r))) // a glyph per UTF-8 byte is far more than any font makes
				}
				if work.glyphs > maxWraps*glyphs {
					t.Errorf("%d glyphs wrapped, want at most %d", work.glyphs, maxWraps*glyphs)
				}
			})
		}
	}
}

// TestFitRefusesOverlongText: text over MaxRunes, or so wide that a line
// of it would overflow the 32-bit line width, is an error. Before, 100,000
// letters without a space overflowed the width and were set on one line at
// the largest size.
func TestFitRefusesOverlongText(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 300, MinSize: 20, MaxLines: 7}
	wide := st
	wide.Tracking = 1
	tests := []struct {
		name string
		text string
		st   Style
		want string // "" for no error
	}{
		{"at the limit", strings.Repeat("x", MaxRunes), st, ""},
		{"over the limit", strings.Repeat("x", MaxRunes+1), st, "text of 5001 characters is longer than the 5000"},
		{"100,000 letters", strings.Repeat("x", 100_000), st, "text of 100000 characters is longer than the 5000"},
		{"collapsed spaces do not count", strings.Repeat("x   ", MaxRunes/2), st, ""},
		{"too wide", strings.Repeat("\ufdfd", 2200), wide, "wider than the 16384 em"},
		{"widest glyph at the summary limit", strings.Repeat("\ufdfd", 2000), wide, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := s.Fit(tc.text, tc.st, largestBoxW, largestBoxH)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error: %v", err)
			case tc.want == "":
				checkBlock(t, tb, tc.text, tc.st, largestBoxW, largestBoxH)
			case err == nil || !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %v, want one containing %q (got %d lines at %.1f px)", err, tc.want, len(tb.Lines), tb.Size)
			}
		})
	}
}

// BenchmarkFitPathological sets each pathological headline in a box of
// the largest preset; "normal" is the baseline.
func BenchmarkFitPathological(b *testing.B) {
	s := mustFonts(b)
	for _, tc := range pathological {
		b.Run(strings.ReplaceAll(tc.name, " ", "-"), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Fit(tc.text, largestStyle, largestBoxW, largestBoxH); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

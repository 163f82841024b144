package text

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"
)

// TestEmojiSequencesOneGlyph checks that each emoji sequence (flag,
// skin tone, ZWJ family, keycap, emoji with U+FE0F, tag flag) shapes to
// one glyph of the colour emoji font, alone and inside a headline, and
// that none of its parts is reported missing.
func TestEmojiSequencesOneGlyph(t *testing.T) {
	s := mustFonts(t)
	tests := []struct{ name, seq string }{
		{"grinning face", "😀"},
		{"flag Iraq", "🇮🇶"},
		{"flag UK", "🇬🇧"},
		{"thumbs up medium skin", "👍🏽"},
		{"family ZWJ", "👨\u200d👩\u200d👧"},
		{"woman health worker ZWJ", "👩🏾\u200d⚕️"},
		{"keycap one", "1\ufe0f\u20e3"},
		{"keycap hash", "#\ufe0f\u20e3"},
		{"red heart FE0F", "❤\ufe0f"},
		{"rainbow flag", "🏳\ufe0f\u200d🌈"},
		{"flag Scotland tags", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, text := range []string{tc.seq, "Vote " + tc.seq + " today", "الانتخابات " + tc.seq + " اليوم"} {
				tb, err := s.Fit(text, Style{Family: "Noto Sans", Weight: 700, MaxSize: 60}, 3000, 400)
				if err != nil {
					t.Fatal(err)
				}
				if len(tb.Missing) > 0 {
					t.Errorf("%q: missing %q", text, string(tb.Missing))
				}
				var emoji []Glyph
				for _, g := range tb.Lines[0].Glyphs {
					if s.fonts[s.fileIndex(tb.Fonts[g.Font])].color {
						emoji = append(emoji, g)
					}
				}
				if len(emoji) != 1 || emoji[0].ID == 0 {
					t.Errorf("%q: %d glyphs of the emoji font %+v, want one", text, len(emoji), emoji)
				}
			}
		})
	}
}

// drawOnGrey sets text at 100 px and draws it on a grey canvas of type
// *image.NRGBA or *image.RGBA, returning the canvas and the block's ink
// box in canvas pixels.
func drawOnGrey(t *testing.T, s *FontSet, text string, rgba bool) (draw.Image, image.Rectangle) {
	t.Helper()
	tb, err := s.Fit(text, Style{Family: "Noto Sans", MaxSize: 100}, 1000, 300)
	if err != nil {
		t.Fatal(err)
	}
	r := image.Rect(0, 0, 400, 300)
	var dst draw.Image = image.NewNRGBA(r)
	if rgba {
		dst = image.NewRGBA(r)
	}
	draw.Draw(dst, r, image.NewUniform(color.RGBA{128, 128, 128, 255}), image.Point{}, draw.Src)
	const ox, oy = 20, 20
	if err := s.Draw(&tb, dst, ox, oy, color.Black); err != nil {
		t.Fatal(err)
	}
	x0, y0, x1, y1 := tb.Bounds()
	ink := image.Rect(int(math.Floor(ox+x0))-1, int(math.Floor(oy+y0))-1, int(math.Ceil(ox+x1))+1, int(math.Ceil(oy+y1))+1)
	return dst, ink
}

// TestEmojiDrawnInColour draws 😀 and the flag of Iraq: the face must be
// yellow, the flag red, white and black, and every drawn pixel inside the
// block's ink box (which the text-in-box checks rely on).
func TestEmojiDrawnInColour(t *testing.T) {
	s := mustFonts(t)
	type class func(r, g, b uint32) bool
	yellow := class(func(r, g, b uint32) bool { return r > 200 && g > 150 && b < 100 })
	red := class(func(r, g, b uint32) bool { return r > 150 && g < 70 && b < 70 })
	white := class(func(r, g, b uint32) bool { return r > 230 && g > 230 && b > 230 })
	black := class(func(r, g, b uint32) bool { return r < 40 && g < 40 && b < 40 })
	tests := []struct {
		text string
		want map[string]class
	}{
		{"😀", map[string]class{"yellow": yellow}},
		{"🇮🇶", map[string]class{"red": red, "white": white, "black": black}},
	}
	for _, tc := range tests {
		for _, rgba := range []bool{false, true} {
			dst, ink := drawOnGrey(t, s, tc.text, rgba)
			counts := map[string]int{}
			b := dst.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					c := color.NRGBAModel.Convert(dst.At(x, y)).(color.NRGBA)
					r, g, bl := uint32(c.R), uint32(c.G), uint32(c.B)
					if r == 128 && g == 128 && bl == 128 {
						continue
					}
					counts["drawn"]++
					if !image.Pt(x, y).In(ink) {
						counts["outside"]++
					}
					for name, f := range tc.want {
						if f(r, g, bl) {
							counts[name]++
						}
					}
				}
			}
			if counts["drawn"] < 2000 {
				t.Errorf("%s (RGBA %v): %d pixels drawn, want an emoji about 100 px wide", tc.text, rgba, counts["drawn"])
			}
			if counts["outside"] > 0 {
				t.Errorf("%s (RGBA %v): %d pixels drawn outside the ink box %v", tc.text, rgba, counts["outside"], ink)
			}
			for name := range tc.want {
				if counts[name] < 200 {
					t.Errorf("%s (RGBA %v): %d %s pixels, want at least 200 (counts %v)", tc.text, rgba, counts[name], name, counts)
				}
			}
		}
	}
}

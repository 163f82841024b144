package text

import (
	"math"
	"slices"
	"testing"

	"github.com/go-text/typesetting/font"

	"github.com/sharecard/sharecard/fonts"
)

// usedFamilies returns the families of the fonts tb's glyphs come from.
func usedFamilies(t *testing.T, s *FontSet, tb Block) []string {
	t.Helper()
	var out []string
	for _, name := range tb.Fonts {
		i := s.fileIndex(name)
		if i < 0 {
			t.Fatalf("block names font %q, which the set does not hold", name)
		}
		if fam := s.fonts[i].family; !slices.Contains(out, fam) {
			out = append(out, fam)
		}
	}
	return out
}

// TestScriptSamples sets one short phrase per script and language of the
// BBC World Service (plus Hebrew and Greek) in Noto Sans, bold and
// regular: no character may come out as the missing glyph, and the text
// must be drawn with the script's own family.
func TestScriptSamples(t *testing.T) {
	s := mustFonts(t)
	tests := []struct {
		name, lang, text string
		family           string // the family of the script's glyphs
	}{
		{"Hebrew", "he", "גשם כבד בתל אביב", "Noto Sans Hebrew"},
		{"Hindi", "hi", "दिल्ली में भारी बारिश, क्षेत्र में अलर्ट", "Noto Sans Devanagari"},
		{"Marathi", "mr", "मुंबईत मुसळधार पाऊस", "Noto Sans Devanagari"},
		{"Bengali", "bn", "ঢাকায় প্রবল বৃষ্টি", "Noto Sans Bengali"},
		{"Gujarati", "gu", "અમદાવાદમાં ભારે વરસાદ", "Noto Sans Gujarati"},
		{"Punjabi", "pa", "ਪੰਜਾਬ ਵਿੱਚ ਭਾਰੀ ਮੀਂਹ", "Noto Sans Gurmukhi"},
		{"Tamil", "ta", "சென்னையில் கனமழை", "Noto Sans Tamil"},
		{"Telugu", "te", "హైదరాబాద్\u200cలో భారీ వర్షం", "Noto Sans Telugu"},
		{"Sinhala", "si", "ශ්\u200dරී ලංකාවේ අධික වැසි", "Noto Sans Sinhala"},
		{"Burmese", "my", "ရန်ကုန်မြို့တွင် မိုးသည်းထန်", "Noto Sans Myanmar"},
		{"Thai", "th", "ฝนตกหนักในกรุงเทพฯ", "Noto Sans Thai"},
		{"Amharic", "am", "በአዲስ አበባ ከባድ ዝናብ", "Noto Sans Ethiopic"},
		{"Tigrinya", "ti", "ኣብ ኣስመራ ብርቱዕ ዝናብ", "Noto Sans Ethiopic"},
		{"Urdu", "ur", "کراچی میں شدید بارش", "Noto Nastaliq Urdu"},
		{"Arabic", "ar", "أمطار غزيرة في القاهرة", "Noto Sans Arabic"},
		{"Persian", "fa", "باران شدید در تهران", "Noto Sans Arabic"},
		{"Pashto", "ps", "په کابل کې سخت باران", "Noto Sans Arabic"},
		{"Chinese Simplified", "zh-Hans", "北京暴雨，气温骤降", "Noto Sans CJK SC"},
		{"Chinese Traditional", "zh-Hant", "台北暴雨，氣溫驟降", "Noto Sans CJK TC"},
		{"Japanese", "ja", "東京で大雨、交通に乱れ", "Noto Sans CJK JP"},
		{"Korean", "ko", "서울에 폭우, 교통 혼잡", "Noto Sans CJK KR"},
		{"Greek", "el", "Ισχυρή βροχή στην Αθήνα", "Noto Sans"},
		{"Russian", "ru", "Сильный дождь в Москве", "Noto Sans"},
		{"Vietnamese", "vi", "Hà Nội mưa lớn, người dân ướt sũng", "Noto Sans"},
		{"Vietnamese decomposed", "vi", "Vie\u0323\u0302t Nam", "Noto Sans"},
		{"Yoruba", "yo", "Òjò ńlá rọ̀ ní Èkó, ẹ̀kọ́ ọmọ", "Noto Sans"},
		{"Hausa", "ha", "Ƙasar ta ɓullo da ɗan sabon shiri", "Noto Sans"},
		{"Azeri", "az", "Azərbaycanda güclü yağış", "Noto Sans"},
	}
	for _, tc := range tests {
		for _, weight := range []int{400, 700} {
			t.Run(tc.name, func(t *testing.T) {
				st := Style{Family: "Noto Sans", Weight: weight, MaxSize: 48, Lang: tc.lang}
				tb, err := s.Fit(tc.text, st, 2000, 400)
				if err != nil {
					t.Fatal(err)
				}
				if len(tb.Missing) > 0 {
					t.Errorf("weight %d: missing characters %q", weight, string(tb.Missing))
				}
				for _, l := range tb.Lines {
					for _, g := range l.Glyphs {
						if g.ID == 0 {
							t.Errorf("weight %d: line %q has the missing glyph (.notdef)", weight, l.Text)
						}
					}
				}
				// The requested family keeps what it has, such as an ASCII
				// comma, as a browser would.
				got := usedFamilies(t, s, tb)
				if !slices.Contains(got, tc.family) || len(got) > 2 || (len(got) == 2 && !slices.Contains(got, "Noto Sans")) {
					t.Errorf("weight %d: drawn with %q, want %q (and Noto Sans for punctuation)", weight, got, tc.family)
				}
				for _, name := range tb.Fonts {
					if fe := s.fonts[s.fileIndex(name)]; fe.weight != weight {
						t.Errorf("weight %d: drawn with %s of weight %d", weight, name, fe.weight)
					}
				}
			})
		}
	}
}

// glyphOf sets one character in Noto Sans bold with lang and returns the
// font it came from and its glyph outline.
func glyphOf(t *testing.T, s *FontSet, r rune, lang string) (string, font.GID, []font.Segment) {
	t.Helper()
	tb, err := s.Fit(string(r), Style{Family: "Noto Sans", Weight: 700, MaxSize: 100, Lang: lang}, 500, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Lines) != 1 || len(tb.Lines[0].Glyphs) != 1 {
		t.Fatalf("%c in %s: got %+v, want one glyph", r, lang, tb.Lines)
	}
	g := tb.Lines[0].Glyphs[0]
	name := tb.Fonts[g.Font]
	c := s.getCtx()
	defer s.putCtx(c)
	o, ok := c.face(s.fileIndex(name)).GlyphDataOutline(font.GID(g.ID))
	if !ok || len(o.Segments) == 0 {
		t.Fatalf("%c in %s: glyph %d of %s has no outline", r, lang, g.ID, name)
	}
	return name, font.GID(g.ID), o.Segments
}

// TestCJKFormsByLanguage checks that Chinese (Simplified and Traditional)
// and Japanese headlines get their own glyph forms for the same
// character (直, 骨), and that a language tag's aliases (zh, zh-CN;
// zh-TW) get the same forms as zh-Hans and zh-Hant.
func TestCJKFormsByLanguage(t *testing.T) {
	s := mustFonts(t)
	for _, tc := range []struct {
		r     rune
		pairs [][2]string // languages that must get different forms
	}{
		// 直 is the same in China and Taiwan, different in Japan.
		{'直', [][2]string{{"zh-Hans", "ja"}, {"zh-Hant", "ja"}}},
		{'骨', [][2]string{{"zh-Hans", "ja"}, {"zh-Hant", "ja"}, {"zh-Hans", "zh-Hant"}}},
	} {
		r := tc.r
		type form struct {
			font string
			id   font.GID
			path []font.Segment
		}
		forms := map[string]form{}
		for _, lang := range []string{"zh-Hans", "zh-CN", "zh", "zh-Hant", "zh-TW", "ja", "ko"} {
			name, id, path := glyphOf(t, s, r, lang)
			forms[lang] = form{name, id, path}
		}
		for _, alias := range [][2]string{{"zh", "zh-Hans"}, {"zh-CN", "zh-Hans"}, {"zh-TW", "zh-Hant"}} {
			if a, b := forms[alias[0]], forms[alias[1]]; a.font != b.font || a.id != b.id {
				t.Errorf("%c: %s gives glyph %d of %s, want the same as %s (%d of %s)", r, alias[0], a.id, a.font, alias[1], b.id, b.font)
			}
		}
		for _, pair := range tc.pairs {
			a, b := forms[pair[0]], forms[pair[1]]
			if a.id == b.id || slices.Equal(a.path, b.path) {
				t.Errorf("%c: %s and %s both get glyph %d/%d with the same outline: want their own forms", r, pair[0], pair[1], a.id, b.id)
			}
		}
	}
}

// TestSerifFallbackNotes checks the faces a serif request gets per script,
// and that a script without a serif face is reported once in FontNotes.
func TestSerifFallbackNotes(t *testing.T) {
	s := mustFonts(t)
	tests := []struct {
		lang, text string
		family     string
		notes      []string
	}{
		{"en", "Storm over the Channel", "Noto Serif", nil},
		{"hi", "भारी बारिश", "Noto Serif Devanagari", nil},
		{"he", "גשם כבד", "Noto Serif Hebrew", nil},
		{"ar", "أمطار غزيرة في القاهرة", "Noto Sans Arabic", []string{"no serif face for Arabic; used Noto Sans Arabic"}},
		{"zh-Hans", "北京暴雨北京暴雨", "Noto Sans CJK SC", []string{"no serif face for Han; used Noto Sans CJK SC"}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			tb, err := s.Fit(tc.text, Style{Family: "Noto Serif", Weight: 700, MaxSize: 48, Lang: tc.lang}, 2000, 400)
			if err != nil {
				t.Fatal(err)
			}
			if got := usedFamilies(t, s, tb); !slices.Equal(got, []string{tc.family}) {
				t.Errorf("drawn with %q, want %q", got, tc.family)
			}
			if !slices.Equal(tb.FontNotes, tc.notes) {
				t.Errorf("FontNotes = %q, want %q", tb.FontNotes, tc.notes)
			}
		})
	}
}

// TestUrduNastaliqIsTaller checks that Urdu is set in Nastaliq, with the
// line pitch grown by nastaliqLineScale, while Persian keeps Naskh and the
// requested pitch.
func TestUrduNastaliqIsTaller(t *testing.T) {
	s := mustFonts(t)
	const size, lh = 40.0, 1.2
	fit := func(lang string) Block {
		tb, err := s.Fit("پاکستان میں شدید بارش اور سیلاب سے تباہی", Style{Family: "Noto Sans", Weight: 700, MaxSize: size, LineHeight: lh, Lang: lang}, 400, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(tb.Lines) < 2 {
			t.Fatalf("%s: %d lines, want at least 2", lang, len(tb.Lines))
		}
		return tb
	}
	for _, tc := range []struct {
		lang, family string
		pitch        float64
	}{
		{"ur", "Noto Nastaliq Urdu", size * lh * nastaliqLineScale},
		{"fa", "Noto Sans Arabic", size * lh},
	} {
		tb := fit(tc.lang)
		if got := usedFamilies(t, s, tb); !slices.Equal(got, []string{tc.family}) {
			t.Errorf("%s drawn with %q, want %q", tc.lang, got, tc.family)
		}
		if got := tb.Lines[1].Baseline - tb.Lines[0].Baseline; math.Abs(got-tc.pitch) > 0.01 {
			t.Errorf("%s: line pitch %.2f px, want %.2f", tc.lang, got, tc.pitch)
		}
	}
}

// BenchmarkFitScript fits a headline per script, with the fonts already
// parsed: the steady cost of a script.
func BenchmarkFitScript(b *testing.B) {
	s := mustFonts(b)
	for _, bc := range []struct{ name, lang, text string }{
		{"Latin", "en", "Storm batters the coast as thousands are told to leave their homes"},
		{"Chinese", "zh-Hans", "暴雨袭击沿海地区，数千人被要求撤离家园，当局发布最高级别预警"},
		{"Hindi", "hi", "तटीय इलाकों में भारी बारिश, हजारों लोगों को घर छोड़ने को कहा गया"},
		{"Emoji", "en", "Fans celebrate 🎉🇮🇶 as team wins 👍🏽 final"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 120, MinSize: 24, MaxLines: 3, Lang: bc.lang}
			for b.Loop() {
				if _, err := s.Fit(bc.text, st, 1000, 300); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFirstUse indexes the embedded fonts and fits one headline
// with a fresh set each time: the one-off cost of a script's first use
// (parsing its font), on top of LoadFonts.
func BenchmarkFirstUse(b *testing.B) {
	for _, bc := range []struct{ name, lang, text string }{
		{"Latin", "en", "Storm batters the coast"},
		{"Chinese", "zh-Hans", "暴雨袭击沿海地区"},
		{"Emoji", "en", "Fans celebrate 🎉"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 120, Lang: bc.lang}
			for b.Loop() {
				s, err := LoadFonts(fonts.FS)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Fit(bc.text, st, 1000, 300); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package text

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sync"
	"testing"

	"github.com/go-text/typesetting/font"
)

// shapeIDs shapes text in family at 100 px and returns the glyph ids of
// all its runs, in visual order within each run.
func shapeIDs(t *testing.T, s *FontSet, family, text string) []font.GID {
	t.Helper()
	st, err := Style{Family: family, MaxSize: 100}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c := s.getCtx()
	defer s.putCtx(c)
	runes := []rune(text)
	p := newParagraph(s, c, runes, st, s.lookup(family, 400), IsRTL("", string(runes)))
	var ids []font.GID
	for _, r := range p.runs {
		for _, g := range r.Glyphs {
			ids = append(ids, g.GlyphID)
		}
	}
	return ids
}

func TestArabicJoining(t *testing.T) {
	s := mustFonts(t)
	iso := shapeIDs(t, s, "Noto Sans Arabic", "ب")
	joined := shapeIDs(t, s, "Noto Sans Arabic", "ببب")
	if len(iso) != 1 || len(joined) != 3 {
		t.Fatalf("got %d and %d glyphs, want 1 and 3", len(iso), len(joined))
	}
	// Visual order, left to right: final, medial, initial.
	final, medial, initial := joined[0], joined[1], joined[2]
	forms := map[font.GID]string{iso[0]: "isolated"}
	for _, f := range []struct {
		id   font.GID
		name string
	}{{initial, "initial"}, {medial, "medial"}, {final, "final"}} {
		if other, dup := forms[f.id]; dup {
			t.Errorf("%s form of beh has the same glyph %d as the %s form: no joining", f.name, f.id, other)
		}
		forms[f.id] = f.name
	}
	// The same letters set in "Noto Sans" fall back to the Arabic font and
	// must join the same way.
	if fb := shapeIDs(t, s, "Noto Sans", "ببب"); fmt.Sprint(fb) != fmt.Sprint(joined) {
		t.Errorf("fallback shaping gives glyphs %v, want %v", fb, joined)
	}
}

func TestLigatureLamAlef(t *testing.T) {
	// Lam followed by alef is a mandatory ligature in Arabic: two letters,
	// one glyph.
	s := mustFonts(t)
	if ids := shapeIDs(t, s, "Noto Sans Arabic", "لا"); len(ids) != 1 {
		t.Errorf("lam-alef shaped into %d glyphs %v, want 1 ligature", len(ids), ids)
	}
}

func TestKerning(t *testing.T) {
	s := mustFonts(t)
	st := Style{Family: "Noto Sans", MaxSize: 100}
	width := func(text string) float64 {
		tb, err := s.Fit(text, st, 5000, 500)
		if err != nil {
			t.Fatal(err)
		}
		return tb.Width
	}
	for _, pair := range []string{"AV", "To", "Wa"} {
		a, b := width(pair[:1]), width(pair[1:])
		if got := width(pair); got >= a+b-1 {
			t.Errorf("%q is %.1f px wide, %q+%q %.1f px: no kerning", pair, got, pair[:1], pair[1:], a+b)
		}
	}
}

func TestTracking(t *testing.T) {
	s := mustFonts(t)
	plain := Style{Family: "Noto Sans", MaxSize: 50}
	tracked := plain
	tracked.Tracking = 0.1
	a, err := s.Fit("HEADLINE", plain, 5000, 500)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Fit("HEADLINE", tracked, 5000, 500)
	if err != nil {
		t.Fatal(err)
	}
	// 8 letters, 7 gaps of 0.1 em at 50 px.
	if got, want := b.Width-a.Width, 7*0.1*50.0; math.Abs(got-want) > 1 {
		t.Errorf("tracking adds %.1f px, want %.1f", got, want)
	}
}

// darkBox returns the bounding box of the pixels of img darker than
// mid-grey, and how many there are.
func darkBox(img *image.NRGBA) (image.Rectangle, int) {
	var r image.Rectangle
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.NRGBAAt(x, y).R < 128 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
				n++
			}
		}
	}
	return r, n
}

func TestDrawInsideBox(t *testing.T) {
	s := mustFonts(t)
	tests := []struct {
		name, text string
		st         Style
	}{
		{"latin", headlineLatin, Style{Family: "Noto Sans", Weight: 700, MaxSize: 80, MinSize: 20, MaxLines: 3}},
		{"arabic", headlineArabic, Style{Family: "Noto Sans", Weight: 700, MaxSize: 80, MinSize: 20, MaxLines: 3, Lang: "ar"}},
		{"truncated", headlineVeryLong, Style{Family: "Noto Serif", Weight: 700, MaxSize: 80, MinSize: 30, MaxLines: 2, Upper: true}},
	}
	const x0, y0, boxW, boxH = 20, 20, 560.0, 160.0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := s.Fit(tc.text, tc.st, boxW, boxH)
			if err != nil {
				t.Fatal(err)
			}
			img := image.NewNRGBA(image.Rect(0, 0, 600, 200))
			draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
			if err := s.Draw(&tb, img, x0, y0, color.Black); err != nil {
				t.Fatal(err)
			}
			dark, n := darkBox(img)
			if n < 500 {
				t.Fatalf("only %d dark pixels drawn", n)
			}
			box := image.Rect(x0-1, y0-1, x0+int(boxW)+1, y0+int(boxH)+1)
			if !dark.In(box) {
				t.Errorf("ink %v outside the box %v", dark, box)
			}
			bx0, by0, bx1, by1 := tb.Bounds()
			ink := image.Rect(int(math.Floor(bx0))+x0-1, int(math.Floor(by0))+y0-1, int(math.Ceil(bx1))+x0+1, int(math.Ceil(by1))+y0+1)
			if !dark.In(ink) || dark.Dx() < ink.Dx()-6 || dark.Dy() < ink.Dy()-6 {
				t.Errorf("drawn ink %v does not match Bounds %v", dark, ink)
			}
		})
	}
}

func TestDrawClipsAndOtherImages(t *testing.T) {
	s := mustFonts(t)
	tb, err := s.Fit("Clipped", Style{Family: "Noto Sans", MaxSize: 60}, 400, 100)
	if err != nil {
		t.Fatal(err)
	}
	// Mostly outside the canvas: must not panic, must draw the visible part.
	rgba := image.NewRGBA(image.Rect(0, 0, 100, 50))
	if err := s.Draw(&tb, rgba, -50, -20, color.Black); err != nil {
		t.Fatal(err)
	}
	if err := s.Draw(&tb, rgba, 5000, 5000, color.Black); err != nil { // entirely outside: nothing
		t.Fatal(err)
	}
	painted := 0
	for i := 3; i < len(rgba.Pix); i += 4 {
		if rgba.Pix[i] > 0 {
			painted++
		}
	}
	if painted == 0 {
		t.Error("nothing drawn on the visible part of an *image.RGBA")
	}
	var empty Block
	if err := s.Draw(&empty, rgba, 0, 0, color.Black); err != nil { // zero block: no-op
		t.Fatal(err)
	}
}

func TestBlendNRGBAMatchesDrawMask(t *testing.T) {
	mask := image.NewAlpha(image.Rect(0, 0, 16, 1))
	for i := range mask.Pix {
		mask.Pix[i] = uint8(i * 17)
	}
	for _, bg := range []color.NRGBA{{255, 255, 255, 255}, {10, 200, 30, 128}, {0, 0, 0, 0}} {
		for _, fg := range []color.Color{color.Black, color.NRGBA{200, 20, 90, 160}, color.RGBA{0, 0, 100, 100}} {
			a := image.NewNRGBA(mask.Bounds())
			draw.Draw(a, a.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
			b := image.NewNRGBA(mask.Bounds())
			copy(b.Pix, a.Pix)
			blendNRGBA(a, a.Bounds(), mask, fg)
			draw.DrawMask(b, b.Bounds(), image.NewUniform(fg), image.Point{}, mask, image.Point{}, draw.Over)
			for i := range a.Pix {
				if d := int(a.Pix[i]) - int(b.Pix[i]); d < -2 || d > 2 {
					t.Fatalf("bg %v fg %v: byte %d is %d, draw.DrawMask gives %d", bg, fg, i, a.Pix[i], b.Pix[i])
				}
			}
		}
	}
}

func TestFitDrawConcurrent(t *testing.T) {
	// Run with -race: one FontSet shared by many goroutines.
	s := mustFonts(t)
	texts := []string{headlineLatin, headlineArabic, headlineShort}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st := Style{Family: "Noto Sans", Weight: 400 + 300*(i%2), MaxSize: 60, MinSize: 20, MaxLines: 2}
			tb, err := s.Fit(texts[i%3], st, 500, 150)
			if err != nil {
				errs <- err
				return
			}
			img := image.NewNRGBA(image.Rect(0, 0, 520, 170))
			if err := s.Draw(&tb, img, 10, 10, color.Black); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func FuzzFit(f *testing.F) {
	for _, seed := range []string{
		headlineLatin, headlineArabic, "", " ", "a\u0301\u0301\u0301", "\u200f\u202eabc", "…", "ﷺ ﷽ ﷽",
		"x\x00y\xff\xfe", "עברית and English 123", "Supercalifragilisticexpialidocious", "\t\n\r",
	} {
		f.Add(seed)
	}
	s, err := testFonts()
	if err != nil {
		f.Fatal(err)
	}
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 48, MinSize: 12, MaxLines: 3}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 400 {
			return
		}
		tb, err := s.Fit(text, st, 300, 100)
		if err != nil {
			t.Fatalf("Fit(%q): %v", text, err)
		}
		checkBlock(t, tb, text, st, 300, 100)
		if err := s.Draw(&tb, image.NewNRGBA(image.Rect(0, 0, 300, 100)), 0, 0, color.Black); err != nil {
			t.Fatalf("Draw(%q): %v", text, err)
		}
	})
}

func BenchmarkFit(b *testing.B) {
	s := mustFonts(b)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 120, MinSize: 24, MaxLines: 3}
	for b.Loop() {
		if _, err := s.Fit(headlineLatin, st, 1000, 300); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDraw(b *testing.B) {
	s := mustFonts(b)
	st := Style{Family: "Noto Sans", Weight: 700, MaxSize: 120, MinSize: 24, MaxLines: 3}
	tb, err := s.Fit(headlineLatin, st, 1000, 300)
	if err != nil {
		b.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 1200, 630))
	for b.Loop() {
		if err := s.Draw(&tb, img, 100, 100, color.Black); err != nil {
			b.Fatal(err)
		}
	}
}

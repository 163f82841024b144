package text

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"sort"

	"github.com/go-text/typesetting/font"
	xdraw "golang.org/x/image/draw"
)

// Characters that make up emoji sequences.
const (
	zwj           = 0x200D // zero width joiner, in ZWJ sequences
	vs15          = 0xFE0E // text presentation selector
	vs16          = 0xFE0F // emoji presentation selector
	keycapMark    = 0x20E3 // combining enclosing keycap
	regionalFirst = 0x1F1E6
	regionalLast  = 0x1F1FF
)

// isEmojiPresentation reports whether r is drawn as an emoji by default
// (Unicode property Emoji_Presentation).
func isEmojiPresentation(r rune) bool {
	i := sort.Search(len(emojiPresentation), func(i int) bool { return emojiPresentation[i][1] >= r })
	return i < len(emojiPresentation) && emojiPresentation[i][0] <= r
}

// isEmojiModifier reports whether r is a skin tone modifier.
func isEmojiModifier(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

// isEmojiTag reports whether r is a tag character (subdivision flags).
func isEmojiTag(r rune) bool { return r >= 0xE0020 && r <= 0xE007F }

// isRegional reports whether r is a regional indicator letter (flags).
func isRegional(r rune) bool { return r >= regionalFirst && r <= regionalLast }

// isKeycapBase reports whether r can start a keycap sequence.
func isKeycapBase(r rune) bool { return r >= '0' && r <= '9' || r == '#' || r == '*' }

// emojiSpans returns the emoji sequences of text[start:] that the colour
// emoji font has, as [first, end) rune indexes of text: flags (pairs of
// regional indicators), keycaps, and emoji with their presentation
// selectors, skin tone modifiers, tags and ZWJ-joined parts.
func (fm *fontmap) emojiSpans(text []rune, start int) [][2]int {
	var spans [][2]int
	for i := start; i < len(text); {
		r := text[i]
		if r < 0x2000 && !isKeycapBase(r) && r != 0xA9 && r != 0xAE {
			i++
			continue
		}
		if end := fm.emojiAt(text, i); end > i {
			spans = append(spans, [2]int{i, end})
			i = end
			continue
		}
		i++
	}
	return spans
}

// emojiAt returns the end of the emoji sequence starting at text[i], or i
// when none starts there.
func (fm *fontmap) emojiAt(text []rune, i int) int {
	s, e := fm.set, fm.set.emoji
	n := len(text)
	next := func(j int) rune {
		if j < n {
			return text[j]
		}
		return 0
	}
	r := text[i]
	switch {
	case isRegional(r):
		if !s.has(e, r) {
			return i
		}
		if isRegional(next(i+1)) && s.has(e, next(i+1)) {
			return i + 2
		}
		return i + 1
	case isKeycapBase(r):
		j := i + 1
		if next(j) == vs16 {
			j++
		}
		if next(j) == keycapMark && s.has(e, keycapMark) {
			return j + 1
		}
		return i
	}
	if next(i+1) == vs15 || !s.has(e, r) {
		return i
	}
	if !isEmojiPresentation(r) && next(i+1) != vs16 && !isEmojiModifier(next(i+1)) {
		return i
	}
	j := i + 1
	for j < n {
		c := text[j]
		switch {
		case c == vs16 || isEmojiModifier(c) || isEmojiTag(c):
			j++
		case c == zwj && j+1 < n && s.has(e, text[j+1]) && text[j+1] >= 0x2000:
			j += 2
		default:
			return j
		}
	}
	return j
}

// colourGlyph returns the decoded colour bitmap of glyph gid of font fi
// (decoded once per font, shared by the sets made from s by With), or nil
// when it has none that can be decoded.
func (s *FontSet) colourGlyph(c *shapeCtx, fi int, gid font.GID) image.Image {
	fe := s.fonts[fi]
	if v, ok := fe.bitmaps.Load(gid); ok {
		img, _ := v.(image.Image)
		return img
	}
	var img image.Image
	if face := c.face(fi); face != nil {
		if bm, ok := face.GlyphDataBitmap(gid); ok && bm.Format == font.PNG {
			if m, err := png.Decode(bytes.NewReader(bm.Data)); err == nil {
				img = m
			}
		}
	}
	fe.bitmaps.Store(gid, img)
	return img
}

// drawColourGlyph draws the colour bitmap img scaled into the ink box
// ink (px, relative to (ox, oy) in dst) over dst.
func drawColourGlyph(dst xdraw.Image, img image.Image, ox, oy float64, ink Rect) {
	dr := image.Rect(int(math.Round(ox+ink[0])), int(math.Round(oy+ink[1])),
		int(math.Round(ox+ink[2])), int(math.Round(oy+ink[3])))
	if dr.Empty() || dr.Intersect(dst.Bounds()).Empty() {
		return
	}
	xdraw.CatmullRom.Scale(dst, dr, img, img.Bounds(), xdraw.Over, nil)
}

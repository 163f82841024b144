package text

import (
	xlanguage "golang.org/x/text/language"
	"golang.org/x/text/unicode/bidi"

	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
)

// FontSet is a parsed set of font files, grouped by family and weight.
//
// A FontSet is safe for concurrent use: the parsed fonts are shared and
// read-only, and every Fit or Draw call borrows its own faces, shaper and
// line wrapper (the go-text types that are not safe for concurrent use).
type FontSet struct {
	fonts    []fontEntry // sorted by family, then weight, then file name
	families []string    // sorted, unique
	pool     sync.Pool   // of *shapeCtx
}

// fontEntry is one parsed font file.
type fontEntry struct {
	file   string
	family string
	weight int
	italic bool
	font   *font.Font
}

// shapeCtx holds the per-call go-text state: one face per font of the set
// (faces cache glyph lookups and are not safe for concurrent use), a shaper
// and a line wrapper.
type shapeCtx struct {
	faces   []*font.Face
	shaper  shaping.HarfbuzzShaper
	seg     shaping.Segmenter
	wrapper shaping.LineWrapper
	glyphs  []shaping.Glyph // scratch copy of the shaped glyphs for wrapping
	runs    []shaping.Output
	lines   []shaping.Line
}

// LoadFonts parses every *.ttf and *.otf file at the top level of fsys
// (sub-directories are ignored). Each font's family and weight come from the
// font's own metadata (name and OS/2 tables), not from its file name.
// It returns an error naming the file for a font that cannot be parsed, and
// an error when fsys holds no font file at all.
func LoadFonts(fsys fs.FS) (*FontSet, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("list font folder: %w", err)
	}
	s := &FontSet{}
	seen := map[string]bool{}
	for _, e := range entries {
		ext := strings.ToLower(path.Ext(e.Name()))
		if e.IsDir() || (ext != ".ttf" && ext != ".otf") {
			continue
		}
		fe, err := parseFontFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		if !seen[fe.family] {
			seen[fe.family] = true
			s.families = append(s.families, fe.family)
		}
		s.fonts = append(s.fonts, fe)
	}
	if len(s.fonts) == 0 {
		return nil, fmt.Errorf("no .ttf or .otf font file at the top of the font folder: add at least one font file")
	}
	sort.Strings(s.families)
	sort.SliceStable(s.fonts, func(i, j int) bool {
		a, b := s.fonts[i], s.fonts[j]
		if a.family != b.family {
			return a.family < b.family
		}
		if a.weight != b.weight {
			return a.weight < b.weight
		}
		return a.file < b.file
	})
	s.pool.New = func() any { return s.newCtx() }
	return s, nil
}

// parseFontFile reads and parses one font file of fsys.
func parseFontFile(fsys fs.FS, name string) (fontEntry, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fontEntry{}, fmt.Errorf("read font %s: %w", name, err)
	}
	face, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		return fontEntry{}, fmt.Errorf("parse font %s: %w (is it a valid TrueType/OpenType file?)", name, err)
	}
	desc := face.Describe()
	family := strings.TrimSpace(desc.Family)
	if family == "" {
		return fontEntry{}, fmt.Errorf("font %s has no family name in its name table", name)
	}
	return fontEntry{
		file:   name,
		family: family,
		weight: int(desc.Aspect.Weight),
		italic: desc.Aspect.Style == font.StyleItalic,
		font:   face.Font,
	}, nil
}

// Families returns the sorted family names of the set, such as "Noto Sans",
// "Noto Sans Arabic" and "Noto Serif".
func (s *FontSet) Families() []string {
	return append([]string(nil), s.families...)
}

// HasFamily reports whether the set holds a font of the family name
// (compared exactly, as returned by Families).
func (s *FontSet) HasFamily(name string) bool {
	i := sort.SearchStrings(s.families, name)
	return i < len(s.families) && s.families[i] == name
}

// lookup returns the index of the font of family whose weight is nearest to
// weight (upright styles first; on a tie, the heavier one), or -1 when the
// family is not in the set.
func (s *FontSet) lookup(family string, weight int) int {
	best, bestScore := -1, 0
	for i, fe := range s.fonts {
		if fe.family != family {
			continue
		}
		d := fe.weight - weight
		if d < 0 {
			d = -d*2 + 1 // prefer heavier on a tie
		} else {
			d *= 2
		}
		if fe.italic {
			d += 10000
		}
		if best < 0 || d < bestScore {
			best, bestScore = i, d
		}
	}
	return best
}

// newCtx makes a fresh set of faces and shaping state for one caller.
func (s *FontSet) newCtx() *shapeCtx {
	c := &shapeCtx{faces: make([]*font.Face, len(s.fonts))}
	for i, fe := range s.fonts {
		c.faces[i] = font.NewFace(fe.font)
	}
	return c
}

// getCtx borrows a shaping context; give it back with putCtx.
func (s *FontSet) getCtx() *shapeCtx {
	if c, ok := s.pool.Get().(*shapeCtx); ok {
		return c
	}
	return s.newCtx()
}

// putCtx returns a context borrowed with getCtx.
func (s *FontSet) putCtx(c *shapeCtx) {
	c.runs, c.lines = c.runs[:0], c.lines[:0]
	s.pool.Put(c)
}

// faceIndex returns the index in s.fonts of face, or -1.
func (c *shapeCtx) faceIndex(face *font.Face) int {
	for i, f := range c.faces {
		if f == face {
			return i
		}
	}
	return -1
}

// fontmap picks the face for each rune: the requested font when it has the
// rune, else the first other family of the set that has it (the weight
// nearest the requested one), else the requested font (drawn as .notdef).
// It implements shaping.Fontmap for one Fit call.
type fontmap struct {
	set     *FontSet
	ctx     *shapeCtx
	primary int
	order   []int // fallback font indexes, in preference order
}

// newFontmap builds the fallback order for the primary font: for each other
// family (sorted by name), its font nearest in weight.
func newFontmap(s *FontSet, c *shapeCtx, primary int) *fontmap {
	fm := &fontmap{set: s, ctx: c, primary: primary}
	want := s.fonts[primary]
	for _, fam := range s.families {
		if fam == want.family {
			continue
		}
		if i := s.lookup(fam, want.weight); i >= 0 {
			fm.order = append(fm.order, i)
		}
	}
	return fm
}

// ResolveFace returns the face to shape r with.
func (fm *fontmap) ResolveFace(r rune) *font.Face {
	return fm.ctx.faces[fm.resolve(r)]
}

// resolve returns the font index to shape r with, and whether any font of
// the set has a glyph for r.
func (fm *fontmap) resolve(r rune) int {
	i, _ := fm.covered(r)
	return i
}

// covered returns the font index for r and whether that font has r.
func (fm *fontmap) covered(r rune) (int, bool) {
	if _, ok := fm.ctx.faces[fm.primary].NominalGlyph(r); ok {
		return fm.primary, true
	}
	for _, i := range fm.order {
		if _, ok := fm.ctx.faces[i].NominalGlyph(r); ok {
			return i, true
		}
	}
	return fm.primary, false
}

// IsRTL is sharecard's one rule for the direction of a paragraph: right
// to left when the BCP 47 language tag lang names or implies a
// right-to-left script (ar, fa, he, ur, yi, ps, sd, ug, dv, ckb, mzn, lrc,
// glk, bal, az-Arab, ...; the likely script of a language comes from
// CLDR), else when the first strongly directional character of sample is
// right to left (Unicode bidi classes R and AL). The layout is mirrored
// and text is set by this same rule.
func IsRTL(lang, sample string) bool {
	if lang != "" {
		if tag, err := xlanguage.Parse(lang); err == nil {
			if script, conf := tag.Script(); conf >= xlanguage.High || (conf > xlanguage.No && !tag.IsRoot()) {
				return rtlScript(script.String())
			}
		}
	}
	for _, r := range sample {
		props, _ := bidi.LookupRune(r)
		switch props.Class() {
		case bidi.L:
			return false
		case bidi.R, bidi.AL:
			return true
		}
	}
	return false
}

// rtlScript reports whether the ISO 15924 script code is written right to
// left.
func rtlScript(code string) bool {
	switch code {
	case "Adlm", "Arab", "Aran", "Armi", "Avst", "Hebr", "Mand", "Mend", "Nbat", "Nkoo",
		"Palm", "Phnx", "Rohg", "Samr", "Sogd", "Syrc", "Thaa", "Yezi":
		return true
	}
	return false
}

// cursive reports whether letter spacing would break the joins of script.
func cursive(script language.Script) bool {
	switch script {
	case language.Arabic, language.Syriac, language.Nko, language.Mongolian,
		language.Mandaic, language.Adlam, language.Hanifi_Rohingya, language.Phags_Pa,
		language.Manichaean, language.Psalter_Pahlavi, language.Sogdian:
		return true
	}
	return false
}

// fileIndex returns the index of the font read from file name, or -1.
func (s *FontSet) fileIndex(name string) int {
	for i, fe := range s.fonts {
		if fe.file == name {
			return i
		}
	}
	return -1
}

package text

import (
	xlanguage "golang.org/x/text/language"
	"golang.org/x/text/unicode/bidi"

	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/font/opentype/tables"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
)

// FontSet is an indexed set of font files, grouped by family and weight.
//
// LoadFonts reads only each font's names and weight; a font's character
// map is read the first time a character is looked up in it, and the
// whole font is parsed the first time text is shaped or drawn with it.
// So a set may hold fonts for every script and still cost little for text
// that needs one or two of them.
//
// A FontSet is safe for concurrent use: the parsed fonts are shared and
// read-only (each is parsed once), and every Fit or Draw call borrows its
// own faces, shaper and line wrapper (the go-text types that are not safe
// for concurrent use).
type FontSet struct {
	fsys     fs.FS
	fonts    []*fontEntry     // sorted by family, then weight, then name
	families []string         // sorted, unique
	byFamily map[string][]int // family -> indexes in fonts
	emoji    int              // index of the colour emoji font, or -1
	pool     sync.Pool        // of *shapeCtx
	parsed   atomic.Int32     // fonts parsed so far (for tests)
	layered  *layering        // a layout's fonts, added by With (layered.go); nil for a plain set
}

// fontEntry is one font of the set: one file, or one face of a font
// collection (.ttc).
type fontEntry struct {
	file   string // file name in the set's file system
	index  int    // face index in a collection, 0 for a single font
	name   string // file, or file#index for a face of a collection
	family string
	weight int
	italic bool
	color  bool // colour bitmap glyphs (CBDT or sbix), such as emoji

	cmapOnce sync.Once
	cmap     font.Cmap // nil when the font cannot be read

	once sync.Once
	font *font.Font // nil when the font cannot be parsed
	err  error

	bitmaps sync.Map // font.GID -> image.Image, decoded colour glyphs (emoji.go)

	outlines outlineCache // parsed glyph outlines, for drawing (raster.go)
}

// shapeCtx holds the per-call go-text state: faces of the fonts of the set
// made on first use (faces cache glyph lookups and are not safe for
// concurrent use), a shaper and a line wrapper.
type shapeCtx struct {
	set     *FontSet
	faces   []*font.Face // by font index; nil until used
	shaper  shaping.HarfbuzzShaper
	seg     shaping.Segmenter
	wrapper shaping.LineWrapper
	glyphs  []shaping.Glyph // scratch copy of the shaped glyphs for wrapping
	runs    []shaping.Output
	lines   []shaping.Line
	inputs  []shaping.Input // scratch for the runs split by font
}

// LoadFonts indexes every *.ttf, *.otf and *.ttc file at the top level of
// fsys (sub-directories are ignored); every face of a collection (.ttc) is
// a font of the set. Each font's family and weight come from the font's
// own metadata (name and OS/2 tables), not from its file name. The fonts
// are parsed later, when first used (see FontSet); Check parses them all.
// It returns an error naming the file for a font whose table directory or
// names cannot be read, and an error when fsys holds no font file at all.
func LoadFonts(fsys fs.FS) (*FontSet, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("list font folder: %w", err)
	}
	var fonts []*fontEntry
	for _, e := range entries {
		ext := strings.ToLower(path.Ext(e.Name()))
		if e.IsDir() || (ext != ".ttf" && ext != ".otf" && ext != ".ttc") {
			continue
		}
		fes, err := indexFontFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		fonts = append(fonts, fes...)
	}
	if len(fonts) == 0 {
		return nil, fmt.Errorf("no .ttf, .otf or .ttc font file at the top of the font folder: add at least one font file")
	}
	return newSet(fsys, fonts), nil
}

// newSet returns the set of fonts, read from fsys, indexed (see index).
func newSet(fsys fs.FS, fonts []*fontEntry) *FontSet {
	s := &FontSet{fsys: fsys, fonts: fonts, byFamily: map[string][]int{}, emoji: -1}
	s.index()
	s.pool.New = func() any { return s.newCtx() }
	return s
}

// openFont opens a font file of fsys for reading its tables. Files that
// can be read at random (embedded and disk files) are read in place;
// others are read into memory.
func openFont(fsys fs.FS, name string) (font.Resource, func(), error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	if r, ok := f.(font.Resource); ok {
		return r, func() { f.Close() }, nil
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	return bytes.NewReader(data), func() {}, nil
}

// indexFontFile reads the names and weight of each face of one font file.
func indexFontFile(fsys fs.FS, name string) ([]*fontEntry, error) {
	r, done, err := openFont(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read font %s: %w", name, err)
	}
	defer done()
	lds, err := ot.NewLoaders(r)
	if err != nil {
		return nil, fmt.Errorf("read font %s: %w (is it a valid TrueType/OpenType file?)", name, err)
	}
	var out []*fontEntry
	for i, ld := range lds {
		for _, tag := range []string{"cmap", "head", "maxp"} {
			if !ld.HasTable(ot.MustNewTag(tag)) {
				return nil, fmt.Errorf("font %s has no %s table (is it a valid TrueType/OpenType file?)", name, tag)
			}
		}
		desc, _ := font.Describe(ld, nil)
		family := strings.TrimSpace(desc.Family)
		if family == "" {
			return nil, fmt.Errorf("font %s has no family name in its name table", name)
		}
		weight := int(desc.Aspect.Weight)
		if raw, err := ld.RawTable(ot.MustNewTag("OS/2")); err == nil {
			// Some fonts (Noto Nastaliq Urdu Bold, Noto Serif Myanmar
			// Bold) say bold in fsSelection but 400 in usWeightClass.
			if os2, _, err := tables.ParseOs2(raw); err == nil && os2.FsSelection&0x20 != 0 && weight < 600 {
				weight = 700
			}
		}
		fe := &fontEntry{
			file: name, index: i, name: name, family: family,
			weight: weight,
			italic: desc.Aspect.Style == font.StyleItalic,
			color:  ld.HasTable(ot.MustNewTag("CBDT")) || ld.HasTable(ot.MustNewTag("sbix")),
		}
		if len(lds) > 1 {
			fe.name = name + "#" + strconv.Itoa(i)
		}
		out = append(out, fe)
	}
	return out, nil
}

// get returns the parsed font, parsing it on first use; nil when it cannot
// be parsed (the error is kept in fe.err).
func (s *FontSet) get(fe *fontEntry) *font.Font {
	fe.once.Do(func() {
		s.parsed.Add(1)
		r, done, err := openFont(s.fsys, fe.file)
		if err != nil {
			fe.err = fmt.Errorf("read font %s: %w", fe.file, err)
			return
		}
		defer done()
		lds, err := ot.NewLoaders(r)
		if err == nil && fe.index >= len(lds) {
			err = fmt.Errorf("no font %d in the collection", fe.index)
		}
		if err == nil {
			fe.font, err = font.NewFont(lds[fe.index])
		}
		if err != nil {
			fe.font = nil
			fe.err = fmt.Errorf("parse font %s: %w (is it a valid TrueType/OpenType file?)", fe.name, err)
			return
		}
		fe.useParsedCmap()
	})
	return fe.font
}

// useParsedCmap makes the character map of the parsed font fe.font the
// one charmap returns, unless charmap has read it already.
func (fe *fontEntry) useParsedCmap() {
	fe.cmapOnce.Do(func() { fe.cmap = fe.font.Cmap })
}

// charmap returns the character map of the font, reading only that table
// on first use (or taking it from the parsed font); nil when unreadable.
func (s *FontSet) charmap(fe *fontEntry) font.Cmap {
	fe.cmapOnce.Do(func() {
		r, done, err := openFont(s.fsys, fe.file)
		if err != nil {
			return
		}
		defer done()
		lds, err := ot.NewLoaders(r)
		if err != nil || fe.index >= len(lds) {
			return
		}
		ld := lds[fe.index]
		raw, _ := ld.RawTable(ot.MustNewTag("OS/2"))
		os2, _, _ := tables.ParseOs2(raw)
		raw, err = ld.RawTable(ot.MustNewTag("cmap"))
		if err != nil {
			return
		}
		tb, _, err := tables.ParseCmap(raw)
		if err != nil {
			return
		}
		fe.cmap, _, _ = font.ProcessCmap(tb, os2.FontPage())
	})
	return fe.cmap
}

// has reports whether font i of the set has a glyph for r, from its
// character map.
func (s *FontSet) has(i int, r rune) bool {
	cm := s.charmap(s.fonts[i])
	if cm == nil {
		return false
	}
	_, ok := cm.Lookup(r)
	return ok
}

// Check parses every font of the set and returns the errors of those that
// cannot be parsed, naming their files (nil when all can). LoadFonts
// parses nothing; call Check to validate font files up front, as lint
// does for brand fonts.
func (s *FontSet) Check() error {
	var errs []string
	for _, fe := range s.fonts {
		if s.get(fe) == nil {
			errs = append(errs, fe.err.Error())
		}
	}
	if errs != nil {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// Families returns the sorted family names of the set, such as "Noto Sans",
// "Noto Sans Arabic" and "Noto Serif".
func (s *FontSet) Families() []string {
	return append([]string(nil), s.families...)
}

// HasFamily reports whether the set holds a font of the family name
// (compared exactly, as returned by Families).
func (s *FontSet) HasFamily(name string) bool {
	_, ok := s.byFamily[name]
	return ok
}

// lookup returns the index of the font of family whose weight is nearest to
// weight (upright styles first; on a tie, the heavier one), or -1 when the
// family is not in the set.
func (s *FontSet) lookup(family string, weight int) int {
	best, bestScore := -1, 0
	for _, i := range s.byFamily[family] {
		fe := s.fonts[i]
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

// newCtx makes a fresh shaping state for one caller; faces are made on
// first use.
func (s *FontSet) newCtx() *shapeCtx {
	return &shapeCtx{set: s, faces: make([]*font.Face, len(s.fonts))}
}

// face returns the face of font i for this context, parsing the font on
// first use; nil when the font cannot be parsed.
func (c *shapeCtx) face(i int) *font.Face {
	if f := c.faces[i]; f != nil {
		return f
	}
	ft := c.set.get(c.set.fonts[i])
	if ft == nil {
		return nil
	}
	c.faces[i] = font.NewFace(ft)
	return c.faces[i]
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
	clear(c.inputs)
	c.inputs = c.inputs[:0]
	s.pool.Put(c)
}

// faceIndex returns the index in s.fonts of face, or -1.
func (c *shapeCtx) faceIndex(face *font.Face) int {
	for i, f := range c.faces {
		if f == face && f != nil {
			return i
		}
	}
	return -1
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

// fileIndex returns the index of the font named name (a file name, or
// file#index for a face of a collection), or -1.
func (s *FontSet) fileIndex(name string) int {
	for i, fe := range s.fonts {
		if fe.name == name {
			return i
		}
	}
	return -1
}

// index sorts s.fonts by family, weight and name, and builds the family
// lists and the emoji font's index from them.
func (s *FontSet) index() {
	sort.SliceStable(s.fonts, func(i, j int) bool {
		a, b := s.fonts[i], s.fonts[j]
		if a.family != b.family {
			return a.family < b.family
		}
		if a.weight != b.weight {
			return a.weight < b.weight
		}
		return a.name < b.name
	})
	for i, fe := range s.fonts {
		if _, ok := s.byFamily[fe.family]; !ok {
			s.families = append(s.families, fe.family)
		}
		s.byFamily[fe.family] = append(s.byFamily[fe.family], i)
		if fe.color && s.emoji < 0 {
			s.emoji = i
		}
	}
}

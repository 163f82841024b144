package text

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
)

// FontFile is a font file given by name and contents, such as a brand
// font that sits beside a layout. Name is what [Block.Fonts] reports for
// glyphs drawn from it; it must differ from the names of the set's own
// files (a layout's fonts are named "layouts/<path>").
type FontFile struct {
	Name string
	Data []byte
	// Scripts lists the ISO 15924 codes of the scripts this font is
	// preferred for, such as "Arab" or "Hani": a character of one of those
	// scripts is set in it (when it has the character) rather than in the
	// family a text asks for.
	Scripts []string
}

// FontInfo is what a font file says about itself.
type FontInfo struct {
	Family string
	Weight int
	Italic bool
}

// DescribeFont parses data, the font file called name, as a TrueType or
// OpenType font and returns its family, weight and style, or an error
// saying why it is not a usable font. The whole font is parsed, so a font
// it accepts can be drawn.
func DescribeFont(name string, data []byte) (FontInfo, error) {
	fes, err := parseFontFile(name, data)
	if err != nil {
		return FontInfo{}, err
	}
	return FontInfo{Family: fes[0].family, Weight: fes[0].weight, Italic: fes[0].italic}, nil
}

// parseFontFile indexes the font file data called name (indexFontFile)
// and parses its first face whole, which the returned entry keeps (so it
// is not parsed again when drawn); the error says why it is not a usable
// font.
func parseFontFile(name string, data []byte) ([]*fontEntry, error) {
	fes, err := indexFontFile(memFS{name: data}, name)
	if err != nil {
		return nil, err
	}
	lds, err := ot.NewLoaders(bytes.NewReader(data))
	var ft *font.Font
	if err == nil {
		ft, err = font.NewFont(lds[0])
	}
	if err != nil {
		return nil, fmt.Errorf("parse font %s: %w (is it a valid TrueType/OpenType file?)", name, err)
	}
	fe := fes[0]
	fe.once.Do(func() { fe.font = ft })
	fe.useParsedCmap()
	return fes, nil
}

// MissingRunes returns the characters of s, other than white space and
// control characters, that the font file data has no glyph for, each
// once: what lint checks a brand font against the sample text with.
func MissingRunes(data []byte, s string) ([]rune, error) {
	lds, err := ot.NewLoaders(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	ft, err := font.NewFont(lds[0])
	if err != nil {
		return nil, err
	}
	var missing []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if seen[r] || r < 0x20 || isBreakingSpace(r) {
			continue
		}
		seen[r] = true
		if _, ok := ft.Cmap.Lookup(r); !ok {
			missing = append(missing, r)
		}
	}
	return missing, nil
}

// RunesOfScripts returns the characters of s written in one of the
// scripts codes (ISO 15924, as [ParseScriptCode] reads them), in order:
// the text a layout's script font must cover. Unknown codes are skipped.
func RunesOfScripts(s string, codes []string) string {
	want := map[language.Script]bool{}
	for _, c := range codes {
		if sc, err := ParseScriptCode(c); err == nil {
			want[sc] = true
		}
	}
	var b []rune
	for _, r := range s {
		if want[language.LookupScript(r)] {
			b = append(b, r)
		}
	}
	return string(b)
}

// layering is what a set made by [FontSet.With] adds to a plain one: the
// fonts preferred for a script, by index in the set.
type layering struct {
	scripts map[language.Script]int
	extra   map[int]bool // indexes of the added fonts
}

// With returns a new set holding the fonts of s and files, which take
// precedence: a file of the same family, weight and style as a font of s
// replaces it, and a file's Scripts make it the font of those scripts
// (see [FontFile]). s is not changed; the fonts it has parsed (and their
// decoded colour glyphs) are shared.
// The error names a file that is not a usable font, a name given twice
// or an unknown script code.
func (s *FontSet) With(files []FontFile) (*FontSet, error) {
	if len(files) == 0 {
		return s, nil
	}
	type key struct {
		family string
		weight int
		italic bool
	}
	mem := memFS{}
	added := map[key]bool{}
	var extra []*fontEntry
	for _, f := range files {
		if _, dup := mem[f.Name]; dup || s.fileIndex(f.Name) >= 0 {
			return nil, fmt.Errorf("font %s is given twice", f.Name)
		}
		fes, err := parseFontFile(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		mem[f.Name] = f.Data
		for _, fe := range fes {
			added[key{fe.family, fe.weight, fe.italic}] = true
		}
		extra = append(extra, fes...)
	}
	var fonts []*fontEntry
	for _, fe := range s.fonts {
		if !added[key{fe.family, fe.weight, fe.italic}] {
			fonts = append(fonts, fe)
		}
	}
	out := newSet(overlayFS{base: s.fsys, files: mem}, append(fonts, extra...))
	ly := &layering{scripts: map[language.Script]int{}, extra: map[int]bool{}}
	for _, f := range files {
		i := out.fileIndex(f.Name)
		ly.extra[i] = true
		for _, code := range f.Scripts {
			sc, err := ParseScriptCode(code)
			if err != nil {
				return nil, fmt.Errorf("font %s: %w", f.Name, err)
			}
			ly.scripts[sc] = i
		}
	}
	out.layered = ly
	return out, nil
}

// ParseScriptCode parses an ISO 15924 script code such as "Arab", "Hani"
// or "Cyrl" (any letter case), refusing a code of no script Unicode
// encodes.
func ParseScriptCode(code string) (language.Script, error) {
	bad := fmt.Errorf("%q is not the ISO 15924 code of a script Unicode encodes, such as Arab, Hani, Hang, Hira, Kana, Cyrl, Deva, Hebr or Thai", code)
	if len(code) != 4 {
		return 0, bad
	}
	sc, err := language.ParseScript(code)
	if err != nil {
		return 0, bad
	}
	for _, r := range language.ScriptRanges {
		if r.Script == sc {
			return sc, nil
		}
	}
	return 0, bad
}

// scriptFont returns the index of the font the set prefers for the
// script of r (a layout's script font) when there is one and it has r.
// ok is false otherwise, and when the text's own font is one the layout
// added, which the layout chose on purpose.
func (fm *fontmap) scriptFont(r rune) (int, bool) {
	ly := fm.set.layered
	if ly == nil || len(ly.scripts) == 0 || ly.extra[fm.primary] {
		return 0, false
	}
	i, ok := ly.scripts[language.LookupScript(r)]
	if !ok || !fm.set.has(i, r) || fm.ctx.face(i) == nil {
		return 0, false
	}
	return i, true
}

// memFS is a file system of font files held in memory, by name.
type memFS map[string][]byte

// Open opens the file called name.
func (m memFS) Open(name string) (fs.File, error) {
	data, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{Reader: bytes.NewReader(data), name: path.Base(name), size: int64(len(data))}, nil
}

// memFile is an open file of a memFS; it can be read at random, as font
// files are.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Close() error               { return nil }

// The fs.FileInfo of a memFile.
func (f *memFile) Name() string       { return f.name }
func (f *memFile) Size() int64        { return f.size }
func (f *memFile) Mode() fs.FileMode  { return 0o444 }
func (f *memFile) ModTime() time.Time { return time.Time{} }
func (f *memFile) IsDir() bool        { return false }
func (f *memFile) Sys() any           { return nil }

// overlayFS serves the files of files, and those of base for other names.
type overlayFS struct {
	base  fs.FS
	files memFS
}

// Open opens the file called name.
func (o overlayFS) Open(name string) (fs.File, error) {
	if _, ok := o.files[name]; ok {
		return o.files.Open(name)
	}
	if o.base == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.base.Open(name)
}

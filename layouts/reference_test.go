package layouts_test

// The layout reference (README.md in this folder) is checked here: every
// example in it must parse, and its picture in docs/layouts must be what
// the engine draws from it today. Run with -update to rewrite the pictures
// after an intended change, and look at them before committing.

import (
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

var update = flag.Bool("update", false, "rewrite the pictures in docs/layouts from the examples in layouts/README.md")

const (
	readmePath  = "README.md"
	picturesDir = "../docs/layouts"
	// photoPath is the photo of the sample articles: a public-domain NASA
	// portrait whose face sits in the top-left (see
	// render/testdata/LICENSES.md).
	photoPath = "../render/testdata/photos/astronaut-eileen-collins.jpg"
)

// example is one fenced yaml block of the reference with its marker
// comment and picture link.
type example struct {
	name     string
	line     int      // line of the yaml block's first line in README.md
	yaml     string   // the block as written
	wrap     string   // layers, variants or layout
	canvases []string // "WxH" or "preset:ID"
	safe     preset.Insets
	articles []string
	photo    string // "" (the sample photo), none or small
	show     map[string]bool
	picture  string // path of the picture link after the block
}

var (
	markerRe  = regexp.MustCompile(`^<!-- example: ([a-z0-9-]+)((?: [a-z]+=[^ ]+)*) -->$`)
	pictureRe = regexp.MustCompile(`^!\[[^\]]*\]\(\.\./docs/layouts/([a-z0-9-]+\.png)\)$`)
)

// readExamples reads README.md and returns its examples and the brand block
// (marked <!-- example-brand -->) that wrapped examples share.
func readExamples(t *testing.T) (exs []example, brand string, doc string) {
	t.Helper()
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	doc = string(data)
	lines := strings.Split(doc, "\n")
	block := func(i int) (string, int, bool) { // fenced yaml block starting at line i
		if i >= len(lines) || lines[i] != "```yaml" {
			return "", 0, false
		}
		for j := i + 1; j < len(lines); j++ {
			if lines[j] == "```" {
				return strings.Join(lines[i+1:j], "\n") + "\n", j, true
			}
		}
		return "", 0, false
	}
	seen := map[string]int{}
	for i, ln := range lines {
		if ln == "<!-- example-brand -->" {
			b, _, ok := block(i + 1)
			if !ok {
				t.Fatalf("%s:%d: <!-- example-brand --> must be followed by a ```yaml block", readmePath, i+1)
			}
			brand = b
			continue
		}
		if !strings.HasPrefix(ln, "<!-- example") {
			continue
		}
		m := markerRe.FindStringSubmatch(ln)
		if m == nil {
			t.Errorf("%s:%d: bad example marker %q: want <!-- example: NAME key=value ... -->", readmePath, i+1, ln)
			continue
		}
		ex := example{name: m[1], line: i + 3, wrap: "layers", canvases: []string{"400x210"}, articles: []string{"en"}, show: map[string]bool{}}
		if prev, dup := seen[ex.name]; dup {
			t.Errorf("%s:%d: example name %q is already used at line %d", readmePath, i+1, ex.name, prev)
		}
		seen[ex.name] = i + 1
		for _, opt := range strings.Fields(m[2]) {
			k, v, _ := strings.Cut(opt, "=")
			switch k {
			case "wrap":
				ex.wrap = v
			case "canvas":
				ex.canvases = strings.Split(v, ",")
			case "article":
				ex.articles = strings.Split(v, ",")
			case "photo":
				ex.photo = v
			case "show":
				for _, s := range strings.Split(v, ",") {
					ex.show[s] = true
				}
			case "safe":
				ex.safe, err = parseInsets(v)
				if err != nil {
					t.Errorf("%s:%d: %v", readmePath, i+1, err)
				}
			default:
				t.Errorf("%s:%d: unknown example option %q (wrap, canvas, article, photo, show, safe)", readmePath, i+1, k)
			}
		}
		y, end, ok := block(i + 1)
		if !ok {
			t.Errorf("%s:%d: example %s: the marker must be followed by a ```yaml block", readmePath, i+1, ex.name)
			continue
		}
		ex.yaml = y
		pm := []string(nil)
		if end+2 < len(lines) && lines[end+1] == "" {
			pm = pictureRe.FindStringSubmatch(lines[end+2])
		}
		if pm == nil || pm[1] != ex.name+".png" {
			t.Errorf("%s:%d: example %s: the yaml block must be followed by an empty line and ![...](../docs/layouts/%s.png)", readmePath, end+1, ex.name, ex.name)
			continue
		}
		ex.picture = filepath.Join(picturesDir, pm[1])
		exs = append(exs, ex)
	}
	if brand == "" {
		t.Fatalf("%s has no <!-- example-brand --> block", readmePath)
	}
	return exs, brand, doc
}

func parseInsets(s string) (preset.Insets, error) {
	var v [4]int
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return preset.Insets{}, fmt.Errorf("safe=%s: want four pixel insets top,right,bottom,left", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return preset.Insets{}, fmt.Errorf("safe=%s: %q is not a whole number", s, p)
		}
		v[i] = n
	}
	return preset.Insets{Top: v[0], Right: v[1], Bottom: v[2], Left: v[3]}, nil
}

// source returns the complete layout file of an example: the block itself
// for wrap=layout, else the block indented into a layout named example
// with the shared brand.
func (ex example) source(brand string) (string, error) {
	indent := func(s, pad string) string {
		var b strings.Builder
		for ln := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
			if ln != "" {
				b.WriteString(pad)
			}
			b.WriteString(ln + "\n")
		}
		return b.String()
	}
	head := "name: " + ex.name + "\n" + brand
	switch ex.wrap {
	case "layout":
		return ex.yaml, nil
	case "variants":
		return head + "variants:\n" + indent(ex.yaml, "  "), nil
	case "layers":
		return head + "variants:\n  - layers:\n" + indent(ex.yaml, "      "), nil
	}
	return "", fmt.Errorf("unknown wrap=%s (layers, variants or layout)", ex.wrap)
}

// parse compiles an example's layout, with logo.png from this folder.
func (ex example) parse(brand string, fs *text.FontSet) (*layout.Layout, error) {
	src, err := ex.source(brand)
	if err != nil {
		return nil, err
	}
	return layout.Parse(ex.name+".yaml", []byte(src), layouts.FS, fs)
}

// loadEngine loads the engine (fonts and face model) once for every test.
var loadEngine = sync.OnceValues(func() (*render.Engine, error) { return render.NewEngine(fonts.FS) })

// loadFonts returns the engine's fonts.
func loadFonts() (*text.FontSet, error) {
	eng, err := loadEngine()
	if err != nil {
		return nil, err
	}
	return eng.Fonts, nil
}

// TestReferenceExamplesParse parses every example of the reference; it
// fails with the example's README line when one no longer parses.
func TestReferenceExamplesParse(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	exs, brand, _ := readExamples(t)
	if len(exs) < 20 {
		t.Fatalf("found only %d examples in %s", len(exs), readmePath)
	}
	for _, ex := range exs {
		if _, err := ex.parse(brand, fs); err != nil {
			t.Errorf("%s:%d: example %s does not parse:\n%v", readmePath, ex.line, ex.name, err)
		}
	}
}

// TestReferencePictures renders every example and compares it with its
// picture in docs/layouts.
func TestReferencePictures(t *testing.T) {
	if *update && os.Getenv("CI") != "" {
		t.Fatal("refusing -update on CI: pictures are updated by a person who looks at them")
	}
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(photoPath)
	if err != nil {
		t.Fatal(err)
	}
	small, err := shrinkPhoto(data, 96)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := loadEngine()
	if err != nil {
		t.Fatal(err)
	}
	// The photos take the engine's one photo path, kept at full size.
	bigPhoto, err := eng.Prepare(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	smallPhoto, err := eng.Prepare(context.Background(), small, nil)
	if err != nil {
		t.Fatal(err)
	}
	exs, brand, _ := readExamples(t)
	wanted := map[string]bool{}
	for _, ex := range exs {
		wanted[filepath.Base(ex.picture)] = true
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			lay, err := ex.parse(brand, fs)
			if err != nil {
				t.Fatalf("%s:%d: %v", readmePath, ex.line, err)
			}
			ph := bigPhoto
			switch ex.photo {
			case "none":
				ph = nil
			case "small":
				ph = smallPhoto
			}
			img, err := renderExample(eng, ex, lay, ph)
			if err != nil {
				t.Fatalf("%s:%d: %v", readmePath, ex.line, err)
			}
			comparePicture(t, ex.picture, img)
		})
	}
	t.Cleanup(func() { checkStrayPictures(t, wanted) })
}

// checkStrayPictures reports pictures in docs/layouts that no example makes.
func checkStrayPictures(t *testing.T, wanted map[string]bool) {
	ents, err := os.ReadDir(picturesDir)
	if err != nil {
		t.Error(err)
		return
	}
	for _, e := range ents {
		if !wanted[e.Name()] {
			t.Errorf("%s/%s belongs to no example of %s: delete it", picturesDir, e.Name(), readmePath)
		}
	}
}

// renderExample draws an example on each of its canvases for each of its
// articles, through the engine's two stages (Engine.PlanCard, then paint.Draw), and lays
// the results out side by side.
func renderExample(eng *render.Engine, ex example, lay *layout.Layout, prep *photo.Prepared) (*image.NRGBA, error) {
	var tiles []tile
	for _, c := range ex.canvases {
		p, err := canvasPreset(c, ex.safe, lay)
		if err != nil {
			return nil, err
		}
		for _, an := range ex.articles {
			a, err := sampleArticle(an)
			if err != nil {
				return nil, err
			}
			px := paint.Pixels{Images: lay.Images, Fonts: eng.FontsFor(lay)}
			job := render.Job{Article: a, Layout: lay, Presets: []preset.Preset{p}}
			var pp *photo.Prepared
			if a.Photo != "" && prep != nil {
				pp, px.Photo = prep, prep.Pyramid
			}
			pl, err := eng.PlanCard(job, pp, p)
			if err != nil {
				return nil, err
			}
			img, _ := paint.Draw(pl, px)
			var label []string
			if len(ex.canvases) > 1 {
				label = append(label, fmt.Sprintf("%d×%d", p.Width, p.Height))
			}
			if len(ex.articles) > 1 {
				label = append(label, an)
			}
			tiles = append(tiles, tile{img: img, plan: pl, label: strings.Join(label, ", ")})
		}
	}
	return composeTiles(eng.Fonts, tiles, ex.show)
}

// canvasPreset turns "WxH" or "preset:ID" (a preset of the layout) into a
// PNG preset with the example's safe insets.
func canvasPreset(c string, safe preset.Insets, lay *layout.Layout) (preset.Preset, error) {
	if id, ok := strings.CutPrefix(c, "preset:"); ok {
		for _, p := range lay.Presets {
			if p.ID == id {
				p.Format = preset.FormatPNG
				return p, nil
			}
		}
		return preset.Preset{}, fmt.Errorf("canvas=%s: the layout has no preset %q", c, id)
	}
	ws, hs, _ := strings.Cut(c, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if err1 != nil || err2 != nil || w < 16 || h < 16 || w > 1200 || h > 1200 {
		return preset.Preset{}, fmt.Errorf("canvas=%s: want WxH with sides of 16 to 1200 px", c)
	}
	return preset.Preset{ID: "example", Platform: "Docs", Width: w, Height: h, Format: preset.FormatPNG, Formats: []preset.Format{preset.FormatPNG}, Safe: safe}, nil
}

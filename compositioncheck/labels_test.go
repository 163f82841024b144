package compositioncheck

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/jpeg" // the photos
	"image/png"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"gopkg.in/yaml.v3"
)

// labelsFile holds the labelled photos.
const labelsFile = "testdata/labels.yaml"

// The kinds of label.
const (
	kindFace   = "face"   // a face seen from the front or in profile, without hair
	kindHead   = "head"   // the whole head, hair and chin, from any side
	kindPerson = "person" // a person's body, or head and shoulders
	kindAnimal = "animal"
	kindObject = "object"
)

var labelKinds = []string{kindFace, kindHead, kindPerson, kindAnimal, kindObject}

// label is one subject of a photo, in the pixels of the upright photo.
type label struct {
	Kind string `yaml:"kind"`
	Box  []int  `yaml:"box"` // x, y, w, h
	Note string `yaml:"note"`
}

func (l label) rect() image.Rectangle {
	return image.Rect(l.Box[0], l.Box[1], l.Box[0]+l.Box[2], l.Box[1]+l.Box[3])
}

// needsHeadroom reports whether the label is a face or head: it must be
// whole in the crop with room above it.
func (l label) needsHeadroom() bool { return l.Kind == kindFace || l.Kind == kindHead }

// labelledPhoto is one entry of labelsFile.
type labelledPhoto struct {
	// ID names the photo in failures and tables.
	ID string `yaml:"id"`
	// File is the photo's path from this package's folder.
	File string `yaml:"file"`
	// Size is the photo's upright size, which the labels are in.
	Size []int `yaml:"size"`
	// What the photo is, in a few words.
	Note   string  `yaml:"note"`
	Labels []label `yaml:"labels"`
}

type labelSet struct {
	Photos []labelledPhoto `yaml:"photos"`
}

// loadLabels reads and checks labelsFile.
func loadLabels() ([]labelledPhoto, error) {
	data, err := os.ReadFile(labelsFile)
	if err != nil {
		return nil, err
	}
	return parseLabels(data)
}

// parseLabels parses a labels file: every field known, every box inside
// its photo's size, every id once.
func parseLabels(data []byte) ([]labelledPhoto, error) {
	var set labelSet
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&set); err != nil {
		return nil, fmt.Errorf("%s: %w", labelsFile, err)
	}
	seen := map[string]bool{}
	for i, p := range set.Photos {
		where := fmt.Sprintf("%s: photo %d (%s)", labelsFile, i+1, p.ID)
		if p.ID == "" || strings.ContainsAny(p.ID, " \t#~") {
			return nil, fmt.Errorf("%s: id must be a word without spaces, # or ~", where)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("%s: id used twice", where)
		}
		seen[p.ID] = true
		if p.File == "" {
			return nil, fmt.Errorf("%s: no file", where)
		}
		if len(p.Size) != 2 || p.Size[0] <= 0 || p.Size[1] <= 0 {
			return nil, fmt.Errorf("%s: size must be [width, height]", where)
		}
		frame := image.Rect(0, 0, p.Size[0], p.Size[1])
		for j, l := range p.Labels {
			if !slices.Contains(labelKinds, l.Kind) {
				return nil, fmt.Errorf("%s: label %d: kind %q is not one of %s", where, j+1, l.Kind, strings.Join(labelKinds, ", "))
			}
			if len(l.Box) != 4 || l.Box[2] <= 0 || l.Box[3] <= 0 {
				return nil, fmt.Errorf("%s: label %d: box must be [x, y, w, h] with w, h > 0", where, j+1)
			}
			if !l.rect().In(frame) {
				return nil, fmt.Errorf("%s: label %d: box %v is outside the %dx%d photo", where, j+1, l.rect(), p.Size[0], p.Size[1])
			}
		}
	}
	return set.Photos, nil
}

// The transforms made of the labelled photos.
const (
	tfMirror = "mirror" // flipped left to right
	tfEdge   = "edge"   // shifted so the first head touches the nearest edge
	tfSmall  = "small"  // shrunk to 500 px on the long side
	tfLarge  = "large"  // a photo with people, enlarged 3× (what a desk sends)
)

// variant is a photo as the matrix plans it: a labelled photo or an exact
// transform of one, its labels moved with it.
type variant struct {
	id     string // photo id, "~transform" appended for a transform
	base   string // the labelled photo's id
	size   image.Point
	labels []label
	// data returns the encoded photo (read or made once).
	data func() ([]byte, error)
}

// smallSide is the long side of the "small" transform.
const smallSide = 500

// largeFactor is the enlargement of the "large" transform, made of the
// photos with heads no longer than largeMaxSide: the labelled people
// photos are small (512–768 px), and only a large copy of them reaches
// the full-bleed variants of the big canvases (TV heroes, stories) instead
// of their small-photo fallbacks.
const (
	largeFactor  = 3
	largeMaxSide = 800
)

// maxTransformSide: photos longer than this are shrunk but not mirrored
// or shifted (the mirrored dandelions would cost a 16 MP PNG each run).
const maxTransformSide = 2000

// variants returns the labelled photos and their transforms. With all
// unset, only the photos and one transform of each kind is made per
// photo with a head (the matrix's short form).
func variants(photos []labelledPhoto, all bool) []variant {
	var out []variant
	for _, p := range photos {
		file := filepath.FromSlash(p.File)
		size := image.Pt(p.Size[0], p.Size[1])
		out = append(out, variant{id: p.ID, base: p.ID, size: size, labels: p.Labels,
			data: sync.OnceValues(func() ([]byte, error) { return os.ReadFile(file) })})
		if len(p.Labels) == 0 {
			continue
		}
		decoded := sync.OnceValues(func() (image.Image, error) { return decodeFile(file, size) })
		long := max(size.X, size.Y)
		hasHead := slices.ContainsFunc(p.Labels, label.needsHeadroom)
		if long <= maxTransformSide && (all || hasHead) {
			out = append(out, transformed(p, tfMirror, decoded))
		}
		if long <= maxTransformSide && hasHead {
			if v, ok := edgeShift(p, decoded); ok {
				out = append(out, v)
			}
		}
		if long > smallSide && (all || hasHead) {
			out = append(out, transformed(p, tfSmall, decoded))
		}
		if long <= largeMaxSide && hasHead {
			out = append(out, transformed(p, tfLarge, decoded))
		}
	}
	return out
}

func decodeFile(file string, size image.Point) (image.Image, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if img.Bounds().Size() != size {
		return nil, fmt.Errorf("%s: %v, but %s says %v", file, img.Bounds().Size(), labelsFile, size)
	}
	return img, nil
}

// transformed is the mirror or small transform of p.
func transformed(p labelledPhoto, tf string, decoded func() (image.Image, error)) variant {
	size := image.Pt(p.Size[0], p.Size[1])
	v := variant{id: p.ID + "~" + tf, base: p.ID}
	switch tf {
	case tfMirror:
		v.size = size
		for _, l := range p.Labels {
			r := l.rect()
			l.Box = []int{size.X - r.Max.X, r.Min.Y, r.Dx(), r.Dy()}
			v.labels = append(v.labels, l)
		}
	case tfLarge:
		v.size = size.Mul(largeFactor)
		for _, l := range p.Labels {
			r := l.rect()
			l.Box = []int{r.Min.X * largeFactor, r.Min.Y * largeFactor, r.Dx() * largeFactor, r.Dy() * largeFactor}
			v.labels = append(v.labels, l)
		}
	case tfSmall:
		long := max(size.X, size.Y)
		sc := func(n int) int { return (n*smallSide + long/2) / long }
		v.size = image.Pt(sc(size.X), sc(size.Y))
		for _, l := range p.Labels {
			r := l.rect()
			r = image.Rect(sc(r.Min.X), sc(r.Min.Y), sc(r.Max.X), sc(r.Max.Y))
			if r.Empty() {
				continue
			}
			l.Box = []int{r.Min.X, r.Min.Y, r.Dx(), r.Dy()}
			v.labels = append(v.labels, l)
		}
	}
	v.data = sync.OnceValues(func() ([]byte, error) {
		src, err := decoded()
		if err != nil {
			return nil, err
		}
		dst := image.NewRGBA(image.Rectangle{Max: v.size})
		switch tf {
		case tfMirror:
			b := src.Bounds()
			for y := 0; y < v.size.Y; y++ {
				for x := 0; x < v.size.X; x++ {
					dst.Set(x, y, src.At(b.Max.X-1-x, b.Min.Y+y))
				}
			}
		case tfSmall:
			xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
		case tfLarge:
			// A JPEG, as a desk sends: a PNG of this size would make the
			// matrix spend its time decoding.
			xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
			var b bytes.Buffer
			if err := jpeg.Encode(&b, dst, &jpeg.Options{Quality: 90}); err != nil {
				return nil, err
			}
			return b.Bytes(), nil
		}
		return encodePNG(dst)
	})
	return v
}

// edgeShift moves the photo so that its first face or head touches the
// nearest of the left, right and top edges: the margin between them is cut
// and as much grey is added on the opposite side, so the frame keeps its
// size and the labels move with the pixels. Labels left with less than
// half their area are dropped. ok is false when the head already touches
// an edge.
func edgeShift(p labelledPhoto, decoded func() (image.Image, error)) (variant, bool) {
	size := image.Pt(p.Size[0], p.Size[1])
	i := slices.IndexFunc(p.Labels, label.needsHeadroom)
	h := p.Labels[i].rect()
	// Shift d, in the direction that brings the head to the edge.
	d := image.Pt(-h.Min.X, 0)
	if right := size.X - h.Max.X; right < -d.X {
		d = image.Pt(right, 0)
	}
	if top := h.Min.Y; top < max(d.X, -d.X) {
		d = image.Pt(0, -top)
	}
	if d == (image.Point{}) {
		return variant{}, false
	}
	frame := image.Rectangle{Max: size}
	v := variant{id: p.ID + "~" + tfEdge, base: p.ID, size: size}
	for _, l := range p.Labels {
		r := l.rect().Add(d)
		c := r.Intersect(frame)
		if c.Empty() || 2*c.Dx()*c.Dy() < r.Dx()*r.Dy() {
			continue
		}
		l.Box = []int{c.Min.X, c.Min.Y, c.Dx(), c.Dy()}
		v.labels = append(v.labels, l)
	}
	v.data = sync.OnceValues(func() ([]byte, error) {
		src, err := decoded()
		if err != nil {
			return nil, err
		}
		dst := image.NewRGBA(frame)
		draw.Draw(dst, frame, image.NewUniform(color.Gray{128}), image.Point{}, draw.Src)
		draw.Draw(dst, frame, src, src.Bounds().Min.Sub(d), draw.Src)
		return encodePNG(dst)
	})
	return v, true
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// TestLabels: the labels file parses, every photo exists at its size,
// and every photo of ../render/testdata/photos is labelled.
func TestLabels(t *testing.T) {
	photos, err := loadLabels()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, p := range photos {
		files[path.Clean(p.File)] = true
		f, err := os.Open(filepath.FromSlash(p.File))
		if err != nil {
			t.Error(err)
			continue
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", p.File, err)
			continue
		}
		if cfg.Width != p.Size[0] || cfg.Height != p.Size[1] {
			t.Errorf("%s: %dx%d, but %s says %v", p.File, cfg.Width, cfg.Height, labelsFile, p.Size)
		}
	}
	for _, dir := range []string{"../render/testdata/photos", "testdata/photos"} {
		names, err := filepath.Glob(dir + "/*.jpg")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !files[path.Clean(filepath.ToSlash(n))] {
				t.Errorf("%s is not in %s", n, labelsFile)
			}
		}
	}
}

// TestTransforms: the labels of the transforms land on the same pixels.
func TestTransforms(t *testing.T) {
	// A 40x30 photo, black but for a white 6x5 "head" at (30, 4).
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	head := image.Rect(30, 4, 36, 9)
	draw.Draw(img, head, image.White, image.Point{}, draw.Src)
	data, err := encodePNG(img)
	if err != nil {
		t.Fatal(err)
	}
	p := labelledPhoto{ID: "t", Size: []int{40, 30}, Labels: []label{{Kind: kindHead, Box: []int{30, 4, 6, 5}}}}
	decoded := func() (image.Image, error) { return png.Decode(bytes.NewReader(data)) }
	edge, ok := edgeShift(p, decoded)
	if !ok {
		t.Fatal("edgeShift: no shift")
	}
	for _, v := range []variant{transformed(p, tfMirror, decoded), edge} {
		data, err := v.data()
		if err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		r := v.labels[0].rect()
		for y := 0; y < 30; y++ {
			for x := 0; x < 40; x++ {
				in := image.Pt(x, y).In(r)
				if lum, _, _, _ := got.At(x, y).RGBA(); (lum > 0xf000) != in {
					t.Fatalf("%s: pixel (%d,%d) white=%v, label %v", v.id, x, y, !in, r)
				}
			}
		}
	}
	if r := edge.labels[0].rect(); r.Max.X != 40 {
		t.Errorf("edge: head at %v, want it on the right edge", r)
	}
}

// TestParseLabels: bad label files are refused with a clear error.
func TestParseLabels(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"ok", "photos:\n- {id: a, file: a.jpg, size: [10, 10], labels: [{kind: face, box: [1, 1, 2, 2]}]}\n", ""},
		{"unknown field", "photos:\n- {id: a, file: a.jpg, size: [10, 10], colour: red}\n", "colour"},
		{"bad kind", "photos:\n- {id: a, file: a.jpg, size: [10, 10], labels: [{kind: hat, box: [1, 1, 2, 2]}]}\n", "kind"},
		{"outside", "photos:\n- {id: a, file: a.jpg, size: [10, 10], labels: [{kind: face, box: [8, 8, 4, 4]}]}\n", "outside"},
		{"short box", "photos:\n- {id: a, file: a.jpg, size: [10, 10], labels: [{kind: face, box: [8, 8]}]}\n", "box"},
		{"twice", "photos:\n- {id: a, file: a.jpg, size: [10, 10]}\n- {id: a, file: b.jpg, size: [10, 10]}\n", "twice"},
		{"no size", "photos:\n- {id: a, file: a.jpg}\n", "size"},
		{"tilde", "photos:\n- {id: a~b, file: a.jpg, size: [1, 1]}\n", "id"},
		{"not yaml", "photos: [", "labels.yaml"},
	}
	for _, tt := range tests {
		_, err := parseLabels([]byte(tt.yaml))
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: err = %v, want one with %q", tt.name, err, tt.want)
		}
	}
}

// FuzzParseLabels: no input makes the labels parser panic.
func FuzzParseLabels(f *testing.F) {
	f.Add([]byte("photos:\n- {id: a, file: a.jpg, size: [10, 10], labels: [{kind: face, box: [1, 1, 2, 2]}]}\n"))
	f.Add([]byte("photos: [{size: [-1, 0], labels: [{box: []}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseLabels(data)
	})
}

var drawLabels = flag.String("draw-labels", "", "write every labelled photo and transform with its labels drawn (and a grid when -grid is set) as PNGs into `DIR`")
var drawGrid = flag.Int("grid", 0, "with -draw-labels: draw a grid every `N` photo pixels, with coordinates")

// TestDrawLabels draws the labels on copies of the photos, to check them
// by eye (skipped without -draw-labels).
func TestDrawLabels(t *testing.T) {
	if *drawLabels == "" {
		t.Skip("set -draw-labels DIR to draw the labels")
	}
	photos, err := loadLabels()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(*drawLabels, 0o755); err != nil {
		t.Fatal(err)
	}
	colors := map[string]color.RGBA{kindFace: {255, 40, 40, 255}, kindHead: {255, 220, 0, 255},
		kindPerson: {40, 220, 255, 255}, kindAnimal: {60, 255, 60, 255}, kindObject: {255, 60, 255, 255}}
	for _, v := range variants(photos, true) {
		data, err := v.data()
		if err != nil {
			t.Fatal(err)
		}
		src, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", v.id, err)
		}
		img := image.NewRGBA(src.Bounds())
		draw.Draw(img, img.Bounds(), src, src.Bounds().Min, draw.Src)
		if n := *drawGrid; n > 0 {
			for x := 0; x < v.size.X; x += n {
				line(img, image.Rect(x, 0, x+1, v.size.Y), color.RGBA{255, 0, 0, 255})
				text(img, x+2, 12, fmt.Sprint(x))
			}
			for y := 0; y < v.size.Y; y += n {
				line(img, image.Rect(0, y, v.size.X, y+1), color.RGBA{255, 0, 0, 255})
				text(img, 2, y+12, fmt.Sprint(y))
			}
		}
		w := max(2, max(v.size.X, v.size.Y)/300)
		for _, l := range v.labels {
			r, c := l.rect(), colors[l.Kind]
			line(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
			line(img, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
			line(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), c)
			line(img, image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), c)
			text(img, r.Min.X+w+1, r.Min.Y+w+12, l.Kind)
		}
		out, err := encodePNG(img)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(*drawLabels, strings.ReplaceAll(v.id, "~", "-")+".png")
		if err := os.WriteFile(name, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func line(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func text(img *image.RGBA, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{255, 255, 0, 255}), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	draw.Draw(img, image.Rect(x-1, y-11, x+d.MeasureString(s).Ceil()+1, y+3), image.NewUniform(color.RGBA{0, 0, 0, 200}), image.Point{}, draw.Over)
	d.DrawString(s)
}

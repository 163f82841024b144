package layouts_test

// Pictures of the reference: sample articles, tiles laid side by side with
// labels and overlays, palette reduction to keep the PNGs small, and the
// comparison with a tolerance.

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/text"
)

// sampleArticles are the articles the pictures show; README.md lists them.
var sampleArticles = map[string]string{
	"en": `headline: Storm closes the harbour for a second day
section: Weather
caption: Fishing boats stay moored as waves break over the sea wall.
credit: "Photo: NASA"
byline: Ana Ruiz
published: 2026-11-25
url: https://example.com/news/storm-harbour
lang: en
photo: photo.jpg
`,
	"breaking": `headline: Storm closes the harbour for a second day
section: Weather
credit: "Photo: NASA"
lang: en
photo: photo.jpg
breaking: true
`,
	"nosection": `headline: Storm closes the harbour for a second day
lang: en
photo: photo.jpg
`,
	"long": `headline: Storm closes the harbour for a second day as ferries are cancelled, schools shut and the coast road floods at high tide
section: Weather
credit: "Photo: NASA"
lang: en
photo: photo.jpg
`,
	"ar": `headline: العاصفة تغلق الميناء لليوم الثاني على التوالي
section: طقس
credit: "Photo: NASA"
lang: ar
photo: photo.jpg
`,
	"nophoto": `headline: Storm closes the harbour for a second day
section: Weather
credit: "Photo: NASA"
lang: en
`,
}

func sampleArticle(name string) (*article.Article, error) {
	src, ok := sampleArticles[name]
	if !ok {
		return nil, fmt.Errorf("unknown article=%s (one of %s)", name, strings.Join(sampleArticleNames(), ", "))
	}
	return article.Parse(name+".yaml", []byte(src))
}

func sampleArticleNames() []string {
	var out []string
	for n := range sampleArticles {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// shrinkPhoto returns the photo scaled to width px wide, as JPEG: a photo
// too small for most boxes, to show the photo layer's backdrop.
func shrinkPhoto(data []byte, width int) ([]byte, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = jpeg.Encode(&buf, imaging.Resize(img, width, 0, imaging.Lanczos), &jpeg.Options{Quality: 90})
	return buf.Bytes(), err
}

// tile is one rendered canvas with its plan and label.
type tile struct {
	img   image.Image
	plan  *plan.Plan
	label string
}

var (
	sheetBackground = color.NRGBA{0xe9, 0xec, 0xef, 0xff}
	labelColor      = color.NRGBA{0x33, 0x38, 0x3f, 0xff}
	safeColor       = color.NRGBA{0xff, 0x00, 0xc8, 0xff} // show=safe
	boxColor        = color.NRGBA{0x00, 0xe5, 0xff, 0xff} // show=boxes
)

const (
	sheetGap    = 12
	labelHeight = 20
)

// composeTiles draws the overlays asked for on each tile and lays the tiles
// out in a row, top-aligned, with their labels below. One unlabelled tile
// is returned as it is.
func composeTiles(fs *text.FontSet, tiles []tile, show map[string]bool) (*image.NRGBA, error) {
	for i := range tiles {
		img := imaging.Clone(tiles[i].img)
		if show["boxes"] {
			for _, l := range tiles[i].plan.Layers {
				dashedRect(img, l.Box, boxColor)
			}
		}
		if show["safe"] {
			dashedRect(img, tiles[i].plan.Safe, safeColor)
		}
		tiles[i].img = img
	}
	if len(tiles) == 1 && tiles[0].label == "" {
		return tiles[0].img.(*image.NRGBA), nil
	}
	w, h := sheetGap, 0
	for _, tl := range tiles {
		b := tl.img.Bounds()
		w += b.Dx() + sheetGap
		h = max(h, b.Dy())
	}
	h += 2*sheetGap + labelHeight
	sheet := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(sheetBackground), image.Point{}, draw.Src)
	x := sheetGap
	for _, tl := range tiles {
		b := tl.img.Bounds()
		draw.Draw(sheet, image.Rect(x, sheetGap, x+b.Dx(), sheetGap+b.Dy()), tl.img, b.Min, draw.Src)
		if tl.label != "" {
			tb, err := fs.Fit(tl.label, text.Style{Family: "Noto Sans", Weight: 400, MaxSize: 13, MaxLines: 1}, float64(b.Dx()), labelHeight)
			if err != nil {
				return nil, err
			}
			if err := fs.Draw(&tb, sheet, float64(x)+(float64(b.Dx())-tb.Width)/2, float64(sheetGap+b.Dy()+4), labelColor); err != nil {
				return nil, err
			}
		}
		x += b.Dx() + sheetGap
	}
	return sheet, nil
}

// dashedRect outlines r (1 px, inside r) with dashes of 4 px on, 3 off.
func dashedRect(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return
	}
	dash := func(i int) bool { return i%7 < 4 }
	for x := r.Min.X; x < r.Max.X; x++ {
		if dash(x - r.Min.X) {
			img.SetNRGBA(x, r.Min.Y, c)
			img.SetNRGBA(x, r.Max.Y-1, c)
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		if dash(y - r.Min.Y) {
			img.SetNRGBA(r.Min.X, y, c)
			img.SetNRGBA(r.Max.X-1, y, c)
		}
	}
}

// paletteSize is the number of colours pictures are stored with: enough
// for photos and anti-aliased text to look right, few enough to keep each
// PNG small.
const paletteSize = 64

// quantize reduces img to at most paletteSize colours, without dithering
// (dithered noise compresses badly): median cut, always splitting the box
// with the largest squared error, then a few rounds of k-means to move each
// palette colour to the mean of the pixels it stands for. It is
// deterministic: the same pixels give the same palette.
func quantize(img *image.NRGBA) *image.Paletted {
	// Histogram at 5 bits a channel: each bin keeps the mean of its pixels.
	b := img.Bounds()
	type acc struct{ r, g, b, n int }
	hist := map[uint16]*acc{}
	key := func(c color.NRGBA) uint16 { return uint16(c.R>>3)<<10 | uint16(c.G>>3)<<5 | uint16(c.B>>3) }
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.NRGBAAt(x, y)
			a := hist[key(c)]
			if a == nil {
				a = &acc{}
				hist[key(c)] = a
			}
			a.r, a.g, a.b, a.n = a.r+int(c.R), a.g+int(c.G), a.b+int(c.B), a.n+1
		}
	}
	keys := make([]uint16, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	all := make([]bin, len(keys))
	for i, k := range keys {
		a := hist[k]
		all[i] = bin{rgb{uint8(a.r / a.n), uint8(a.g / a.n), uint8(a.b / a.n)}, a.n}
	}
	boxes := [][]bin{slices.Clone(all)} // split in place; all stays in key order
	for len(boxes) < paletteSize {
		best, bestCh, bestErr := -1, 0, 0.0
		for i, bx := range boxes {
			if len(bx) < 2 {
				continue
			}
			for ch := range 3 {
				if e := sse(bx, ch); e > bestErr {
					best, bestCh, bestErr = i, ch, e
				}
			}
		}
		if best < 0 {
			break
		}
		bx := boxes[best]
		slices.SortStableFunc(bx, func(x, y bin) int { return int(x.c[bestCh]) - int(y.c[bestCh]) })
		total, half := 0, 0
		for _, e := range bx {
			total += e.n
		}
		mid := 0
		for mid < len(bx)-1 && half+bx[mid].n <= total/2 {
			half += bx[mid].n
			mid++
		}
		mid = max(mid, 1)
		boxes[best] = bx[:mid]
		boxes = append(boxes, bx[mid:])
	}
	pal := make([]rgb, len(boxes))
	for i, bx := range boxes {
		pal[i] = mean(bx)
	}
	for range 3 { // k-means rounds
		groups := make([][]bin, len(pal))
		for _, e := range all {
			i := nearest(pal, e.c)
			groups[i] = append(groups[i], e)
		}
		for i, g := range groups {
			if len(g) > 0 {
				pal[i] = mean(g)
			}
		}
	}
	cp := make(color.Palette, len(pal))
	for i, c := range pal {
		cp[i] = color.NRGBA{c[0], c[1], c[2], 255}
	}
	out := image.NewPaletted(b, cp)
	index := map[uint16]uint8{}
	for i, k := range keys {
		index[k] = uint8(nearest(pal, all[i].c))
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.SetColorIndex(x, y, index[key(img.NRGBAAt(x, y))])
		}
	}
	return out
}

type rgb = [3]uint8

// bin is one colour of an image and how many pixels have it.
type bin struct {
	c rgb
	n int
}

// sse is the squared error of channel ch around its mean, pixel-weighted.
func sse(bx []bin, ch int) float64 {
	var n, s, s2 float64
	for _, e := range bx {
		v := float64(e.c[ch])
		n += float64(e.n)
		s += v * float64(e.n)
		s2 += v * v * float64(e.n)
	}
	return s2 - s*s/n
}

func mean(bx []bin) rgb {
	var s [3]int
	n := 0
	for _, e := range bx {
		for ch := range 3 {
			s[ch] += int(e.c[ch]) * e.n
		}
		n += e.n
	}
	n = max(n, 1)
	return rgb{uint8((s[0] + n/2) / n), uint8((s[1] + n/2) / n), uint8((s[2] + n/2) / n)}
}

func nearest(pal []rgb, c rgb) int {
	best, bestD := 0, math.MaxInt
	for i, p := range pal {
		d := 0
		for ch := range 3 {
			x := int(p[ch]) - int(c[ch])
			d += x * x
		}
		if d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// Tolerance between a fresh render, palette-reduced like the stored
// picture, and that picture: no 8×8 block's mean may differ by more than
// blockTolerance/255 in a channel. The same render gives the same bytes; a
// tiny change in the engine moves a few palette colours a little; a moved
// line of text, a changed colour or another crop moves blocks a lot.
const (
	blockSize      = 8
	blockTolerance = 6
)

// comparePicture compares got with the picture at path, or rewrites the
// picture with -update.
func comparePicture(t *testing.T, path string, got *image.NRGBA) {
	t.Helper()
	if *update {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, quantize(got)); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, buf.Len())
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no picture %s (run: go test ./layouts -run Reference -update): %v", path, err)
	}
	w, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	want := imaging.Clone(w)
	got = imaging.Clone(quantize(got))
	if msg := pictureDiff(got, want); msg != "" {
		dir := filepath.Join(os.TempDir(), "sharecard-layout-reference", filepath.Base(path))
		if err := os.MkdirAll(dir, 0o755); err == nil {
			_ = imaging.Save(got, filepath.Join(dir, "got.png"))
			_ = imaging.Save(want, filepath.Join(dir, "want.png"))
		}
		t.Errorf("%s: %s (images in %s); if the change is intended, run: go test ./layouts -run Reference -update, and look at the pictures", path, msg, dir)
	}
}

// pictureDiff returns what differs between got and want beyond the
// tolerance, or "".
func pictureDiff(got, want *image.NRGBA) string {
	if got.Bounds().Size() != want.Bounds().Size() {
		return fmt.Sprintf("size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
	}
	worst, at := 0.0, image.Point{}
	b := got.Bounds()
	for by := b.Min.Y; by < b.Max.Y; by += blockSize {
		for bx := b.Min.X; bx < b.Max.X; bx += blockSize {
			r := image.Rect(bx, by, bx+blockSize, by+blockSize).Intersect(b)
			for ch := range 3 {
				if d := math.Abs(blockMean(got, r, ch) - blockMean(want, r, ch)); d > worst {
					worst, at = d, r.Min
				}
			}
		}
	}
	if worst > blockTolerance {
		return fmt.Sprintf("the %d×%d block at %v differs by %.1f/255 (tolerance %d)", blockSize, blockSize, at, worst, blockTolerance)
	}
	return ""
}

func blockMean(img *image.NRGBA, r image.Rectangle, ch int) float64 {
	sum := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += int(img.Pix[img.PixOffset(x, y)+ch])
		}
	}
	return float64(sum) / float64(r.Dx()*r.Dy())
}

// TestPictureDiff checks the comparison: palette reduction of a render
// passes; a moved block or another size fails.
func TestPictureDiff(t *testing.T) {
	base := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			base.SetNRGBA(x, y, color.NRGBA{uint8(x * 4), uint8(y * 5), uint8((x + y) * 2), 255})
		}
	}
	painted := imaging.Clone(base)
	draw.Draw(painted, image.Rect(20, 20, 30, 30), image.NewUniform(color.NRGBA{255, 255, 255, 255}), image.Point{}, draw.Src)
	tests := []struct {
		name string
		got  *image.NRGBA
		fail bool
	}{
		{"identical", imaging.Clone(base), false},
		{"palette-reduced", imaging.Clone(quantize(base)), false},
		{"a 10 px square painted white", painted, true},
		{"other size", imaging.Crop(base, image.Rect(0, 0, 64, 40)), true},
	}
	for _, tc := range tests {
		if msg := pictureDiff(tc.got, base); (msg != "") != tc.fail {
			t.Errorf("%s: pictureDiff = %q, want failure %v", tc.name, msg, tc.fail)
		}
	}
}

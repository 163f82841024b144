package corpuscheck

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/paint"
	"github.com/sharecard/sharecard/render/preset"
)

var update = flag.Bool("update", false, "rewrite the golden images of testdata/golden")

// goldenPresets are the canvases of the per-script goldens: a wide card
// and a tall story with a safe area.
var goldenPresets = []string{"og", "instagram-story"}

// goldenScale is how much the goldens are shrunk: a quarter of each side
// keeps them small (all together under 1 MB) and still shows a changed
// line break, another font or size, a broken join, or a box where a glyph
// should be. A single dropped mark may hide in a quarter-size image: the
// matrix test's missing-glyph check and the Chromium comparison cover
// those.
const goldenScale = 4

// The tolerance of a golden comparison: a pixel differs when a channel is
// off by more than pixelTolerance (of 255); at most differTolerance of the
// pixels may differ (about 50 on og, 130 on a story). Antialiasing and
// floating-point differences between machines stay below it.
const (
	pixelTolerance  = 40
	differTolerance = 0.001
)

// TestScriptGoldens draws the corpus's golden entries (at least one per
// script, see corpus/headlines.yaml) with the standard layout and
// no photo on og and instagram-story (Engine.PlanCard and paint.Draw, the
// engine's stages without encoding), shrinks them to a quarter and
// compares them with testdata/golden/<entry>-<preset>.png within a
// tolerance. Images that differ are written to a temporary folder named in
// the failure, beside the golden, for a person to look at. Rewrite the
// goldens with
//
//	go test ./corpuscheck/ -run TestScriptGoldens -update
func TestScriptGoldens(t *testing.T) {
	if raceOn {
		// Pixels, not concurrency: painting 42 canvases under the race
		// detector takes minutes. CI runs this test without it.
		t.Skip("race detector: run go test -run TestScriptGoldens ./corpuscheck/ without -race")
	}
	eng := engine(t)
	lays := builtinLayouts(t, eng)
	var presets []preset.Preset
	for _, id := range goldenPresets {
		p, ok := preset.Lookup(id)
		if !ok {
			t.Fatalf("no preset %s", id)
		}
		presets = append(presets, p)
	}
	// Made on the first difference; the subtests run in parallel.
	diffDir := sync.OnceValue(func() string {
		dir, _ := os.MkdirTemp("", "corpuscheck-golden-")
		return dir
	})
	for _, e := range corpus.All() {
		if !e.Golden {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			t.Parallel()
			l := lays["standard"]
			job := render.Job{Article: entryArticle(t, e), Layout: l, Presets: presets}
			for _, p := range presets {
				// The engine's own stages, without encoding: its plan and
				// its painting.
				pl, err := eng.PlanCard(job, nil, p)
				if errors.Is(err, render.ErrMissingGlyphs) && pl != nil {
					// Drawn anyway (as boxes), so the golden shows it;
					// TestCorpusMatrix reports it.
					t.Logf("%s on %s: %v", e.ID, p.ID, err)
				} else if err != nil {
					t.Fatal(err)
				}
				img, warns := paint.Draw(pl, paint.Pixels{Images: l.Images, Fonts: eng.FontsFor(l)})
				got := shrink(img)
				file := filepath.Join("testdata", "golden", fmt.Sprintf("%s-%s.png", e.ID, p.ID))

				if *update {
					if err := writePNG(file, got); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := readPNG(file)
				if err != nil {
					t.Fatalf("%v (make it with -update)", err)
				}
				if n, share := differ(got, want); share > differTolerance {
					out := filepath.Join(diffDir(), filepath.Base(file))
					_ = writePNG(out, got)
					t.Errorf("%s on %s: %d pixels (%.2f%%) differ from %s; got %s (warnings %q)",
						e.ID, p.ID, n, share*100, file, out, append(pl.Warnings, warns...))
				}
			}
		})
	}
}

// shrink scales a canvas to 1/goldenScale of each side.
func shrink(src image.Image) *image.NRGBA {
	b := src.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, (b.Dx()+goldenScale-1)/goldenScale, (b.Dy()+goldenScale-1)/goldenScale))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	return dst
}

// differ counts the pixels of got and want that differ by more than
// pixelTolerance in a channel, and their share of the image; images of
// different sizes differ everywhere.
func differ(got *image.NRGBA, want image.Image) (int, float64) {
	total := got.Bounds().Dx() * got.Bounds().Dy()
	if want.Bounds().Size() != got.Bounds().Size() || total == 0 {
		return total, 1
	}
	n := 0
	wb := want.Bounds()
	for y := 0; y < got.Bounds().Dy(); y++ {
		for x := 0; x < got.Bounds().Dx(); x++ {
			g := got.NRGBAAt(x, y)
			r, gg, b, a := want.At(wb.Min.X+x, wb.Min.Y+y).RGBA()
			w := [4]int{int(r >> 8), int(gg >> 8), int(b >> 8), int(a >> 8)}
			for c, v := range [4]int{int(g.R), int(g.G), int(g.B), int(g.A)} {
				if d := v - w[c]; d > pixelTolerance || d < -pixelTolerance {
					n++
					break
				}
			}
		}
	}
	return n, float64(n) / float64(total)
}

func readPNG(file string) (image.Image, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(data))
}

func writePNG(file string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	return os.WriteFile(file, buf.Bytes(), 0o644)
}

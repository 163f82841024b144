package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/samples"
)

var updatePlans = flag.Bool("update-plans", false, "rewrite the plan goldens in testdata/plans (then bump render.Version: see version_test.go)")

// planGoldenPresets cover every aspect family: landscape 1.91:1, 2:1 and
// 16:9, square, 4:5 and 3:4 portrait, 2:3 pin, 9:16 story, a 4K hero, a
// TV banner and the small thumbnails.
var planGoldenPresets = []string{
	"og", "x-summary-large", "youtube-thumb", "instagram-square", "instagram-portrait",
	"google-article-4x3", "pinterest-pin", "instagram-story", "ctv-hero-uhd", "androidtv-banner", "thumb-square",
}

// TestPlanGoldens plans the three samples in the standard layout at the
// presets above, with each sample's photo prepared as the CLI does, and
// compares every plan exactly (as indented JSON) with
// testdata/plans/<sample>/<preset>.json. Plans are plain data: a change in
// crop, box, line break or glyph position shows here as a readable diff.
func TestPlanGoldens(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	presets := rendertest.Presets(t, planGoldenPresets...)
	// Samples may share a photo (k1-air-base-ar is k1-air-base in Arabic):
	// each photo is prepared once.
	preps := map[string]*photo.Prepared{}
	for _, name := range []string{"k1-air-base", "k1-air-base-ar", "long-headline"} {
		t.Run(name, func(t *testing.T) {
			sm, err := samples.Load(samples.FS, "samples", name)
			if err != nil {
				t.Fatal(err)
			}
			var prep *photo.Prepared
			if sm.Photo != nil {
				if prep = preps[string(sm.Photo)]; prep == nil {
					if prep, err = eng.Prepare(context.Background(), sm.Photo, preset.Standard()); err != nil {
						t.Fatal(err)
					}
					preps[string(sm.Photo)] = prep
				}
			}
			job := render.Job{Article: sm.Article, Layout: lays["standard"], Presets: presets}
			for _, p := range presets {
				pl, err := eng.PlanCard(job, prep, p)
				if err != nil {
					t.Fatalf("%s: %v", p.ID, err)
				}
				raw, err := json.Marshal(pl)
				if err != nil {
					t.Fatal(err)
				}
				got := readableJSON(raw)
				file := rendertest.Testdata("plans", name, p.ID+".json")
				if *updatePlans {
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(file, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./render -run TestPlanGoldens -update-plans to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: plan differs from %s:\n%s", p.ID, file, firstDiff(want, got))
				}
			}
		})
	}
}

// firstDiff shows the first differing line of two texts with its number.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

// readableJSON indents JSON one value per line, but keeps any object or
// array whose compact form is short on one line (a rectangle, a colour, a
// glyph), so goldens stay small and diffs stay readable.
func readableJSON(raw []byte) []byte {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	var b bytes.Buffer
	writeReadable(&b, v, "")
	b.WriteByte('\n')
	return b.Bytes()
}

func writeReadable(b *bytes.Buffer, v any, indent string) {
	compact, _ := json.Marshal(v)
	if len(compact)+len(indent) <= 110 {
		b.Write(compact)
		return
	}
	in := indent + " "
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",")
			}
			kb, _ := json.Marshal(k)
			b.WriteString("\n" + in)
			b.Write(kb)
			b.WriteString(": ")
			writeReadable(b, x[k], in)
		}
		b.WriteString("\n" + indent + "}")
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + in)
			writeReadable(b, e, in)
		}
		b.WriteString("\n" + indent + "]")
	default:
		b.Write(compact)
	}
}

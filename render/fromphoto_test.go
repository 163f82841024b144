package render_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
)

// TestRender_PhotoMetadata: a photo whose desk wrote a credit, a
// caption and regions into the file fills the article's empty credit and
// caption (the manifest's photo metadata says from which tags), its
// tagged regions rank first among the subjects, and an article's own
// credit wins over the photo's.
func TestRender_PhotoMetadata(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	data, err := os.ReadFile("photo/testdata/xmp/grace-hopper-tagged.jpg")
	if err != nil {
		t.Fatal(err)
	}
	og := ogPreset(t)
	tests := []struct {
		name       string
		credit     string
		wantCredit string
		wantSource string
	}{
		{"credit from the photo", "", "James S. Davis; Navy Photographer/U.S. Navy — Photo Desk", "XMP dc:creator + XMP photoshop:Credit"},
		{"the article's own credit", "Photo: Sharecard", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &article.Article{Headline: "Grace Hopper honoured", Credit: tc.credit}
			res, err := eng.Render(context.Background(), render.Job{Article: a, Photo: data, Layout: lays["standard"], Presets: og})
			if err != nil {
				t.Fatal(err)
			}
			f := res.Photo.ArticleFields
			if got := f["credit"]; got.Value != tc.wantCredit || got.Source != tc.wantSource {
				t.Errorf("credit from the photo = %+v, want %q from %q", got, tc.wantCredit, tc.wantSource)
			}
			if got := f["caption"]; got.Value != "Rear Admiral Grace M. Hopper, 1984." || got.Source != "XMP dc:description" {
				t.Errorf("caption from the photo = %+v", got)
			}
			if alt := res.Outputs[0].Alt; !strings.Contains(alt, "Rear Admiral Grace M. Hopper") {
				t.Errorf("alt text %q lacks the photo's caption", alt)
			}
			if len(res.Photo.Subjects) == 0 || res.Photo.Subjects[0].Kind != photo.SubjectTagged {
				t.Errorf("subjects %+v: the tagged regions do not come first", res.Photo.Subjects)
			}
			if a.Credit != tc.credit || a.Caption != "" {
				t.Errorf("the job's article was changed: credit %q, caption %q", a.Credit, a.Caption)
			}
			if slices.ContainsFunc(res.Outputs[0].Warnings, func(w string) bool { return strings.HasPrefix(w, "no subject found") }) {
				t.Errorf("warned of no subject for a photo with a tagged face: %q", res.Outputs[0].Warnings)
			}
		})
	}
}

// TestRender_NoSubjectWarning: a photo with nothing to find warns that
// the crop is a guess, unless the article gives a focus point.
func TestRender_NoSubjectWarning(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := range 600 {
		for x := range 800 {
			img.Set(x, y, color.RGBA{uint8(40 + y/8), uint8(90 + y/10), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	for _, focus := range []*article.FocusPoint{nil, {X: 0.5, Y: 0.3}} {
		a := &article.Article{Headline: "A clear sky over the plain", Focus: focus}
		res, err := eng.Render(context.Background(), render.Job{Article: a, Photo: buf.Bytes(), Layout: lays["standard"], Presets: ogPreset(t)})
		if err != nil {
			t.Fatal(err)
		}
		warned := slices.ContainsFunc(res.Outputs[0].Warnings, func(w string) bool { return strings.HasPrefix(w, "no subject found: set a focus point") })
		if warned != (focus == nil) {
			t.Errorf("focus %v: warnings %q", focus, res.Outputs[0].Warnings)
		}
	}
}

func ogPreset(t *testing.T) []preset.Preset {
	t.Helper()
	p, ok := preset.Lookup("og")
	if !ok {
		t.Fatal("no og preset")
	}
	return []preset.Preset{p}
}

package render_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/internal/rendertest"
	"github.com/sharecard/sharecard/render/photo"
)

// stream runs eng.Stream and returns the outputs it emitted, reporting
// (with t.Errorf, so it may run on another goroutine) any not emitted once
// each in the order of job.Presets.
func stream(t *testing.T, eng *render.Engine, job render.Job, prep *photo.Prepared) ([]render.Output, *photo.Meta, error) {
	t.Helper()
	var outs []render.Output
	meta, _, err := eng.Stream(context.Background(), job, prep, func(i int, o render.Output) error {
		if i != len(outs) {
			t.Errorf("output %d (%s) emitted after %d others, want in the order of the presets", i, o.Preset.ID, len(outs))
		}
		outs = append(outs, o)
		return nil
	})
	if err == nil && len(outs) != len(job.Presets) {
		t.Errorf("%d outputs emitted, want %d", len(outs), len(job.Presets))
	}
	return outs, meta, err
}

// TestStream_SameAsRender renders jobs from the photo's bytes with Render
// and streams them from one prepared photo shared by concurrent streams,
// and expects the same images, crops, warnings, plans and photo metadata,
// with and without a focus point; PlanCard gives the plans that ship.
func TestStream_SameAsRender(t *testing.T) {
	eng, lays := rendertest.Engine(t)
	ctx := context.Background()
	data := rendertest.ReadTestdata(t, "photos/astronaut-eileen-collins.jpg")
	presets := rendertest.Presets(t, "og", "instagram-story", "thumb-square", "x-summary", "google-article-1x1")
	prep, err := eng.Prepare(ctx, data, presets)
	if err != nil {
		t.Fatal(err)
	}
	if m := prep.Meta(true); m.Width == 0 || len(m.Subjects) == 0 {
		t.Fatalf("prepared photo meta %+v: want a size and the astronaut's face", m)
	}
	seed := rendertest.Headline(t, "seed")
	focused := *seed
	focused.Focus = &article.FocusPoint{X: 0.8, Y: 0.2}
	tests := []struct {
		name    string
		article *article.Article
		layout  string
	}{
		{"subjects", seed, "standard"},
		{"focus point", &focused, "standard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := render.Job{Article: tc.article, Photo: data, Layout: lays[tc.layout], Presets: presets}
			want, err := eng.Render(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			job.Photo = nil // Stream takes the photo from prep
			got := make([][]render.Output, 2)
			metas := make([]*photo.Meta, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for k := range got {
				wg.Go(func() { got[k], metas[k], errs[k] = stream(t, eng, job, prep) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil || t.Failed() {
				t.Fatal(err)
			}
			for k, outs := range got {
				if !reflect.DeepEqual(metas[k], want.Photo) {
					t.Errorf("photo meta %+v, from the bytes %+v", metas[k], want.Photo)
				}
				for i, o := range outs {
					w := want.Outputs[i]
					if !bytes.Equal(o.Data, w.Data) {
						t.Errorf("%s: image differs from the one rendered from the bytes", o.Preset.ID)
					}
					if o.Crop != w.Crop || !reflect.DeepEqual(o.Warnings, w.Warnings) {
						t.Errorf("%s: crop %v warnings %q, from the bytes %v %q", o.Preset.ID, o.Crop, o.Warnings, w.Crop, w.Warnings)
					}
					if !reflect.DeepEqual(o.Plan, w.Plan) {
						t.Errorf("%s: streamed plan differs from the rendered one", o.Preset.ID)
					}
				}
			}
			for i, p := range presets {
				pl, err := eng.PlanCard(job, prep, p)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(pl, want.Outputs[i].Plan) {
					t.Errorf("%s: PlanCard gives another plan than the one shipped", p.ID)
				}
			}
		})
	}
}

// TestStream_Order streams with several workers and presets given in an
// order of the caller's choosing (a large canvas before a tiny one, and a
// shared canvas split up) and checks each output is emitted once, in that
// order, with Render's bytes; an error from emit stops the stream and is
// returned.
func TestStream_Order(t *testing.T) {
	base, lays := rendertest.Engine(t)
	eng := &render.Engine{Fonts: base.Fonts, Finder: base.Finder, Workers: 4}
	ctx := context.Background()
	data := rendertest.ReadTestdata(t, "photos/grace-hopper.jpg")
	presets := rendertest.Presets(t, "x-summary", "thumb-square", "og", "google-article-1x1")
	job := render.Job{Article: rendertest.Headline(t, "short"), Photo: data, Layout: lays["standard"], Presets: presets}
	want, err := eng.Render(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	prep, err := eng.Prepare(ctx, data, presets)
	if err != nil {
		t.Fatal(err)
	}
	job.Photo = nil
	outs, _, err := stream(t, eng, job, prep)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outs {
		if o.Preset.ID != presets[i].ID || !bytes.Equal(o.Data, want.Outputs[i].Data) {
			t.Errorf("output %d is %s, want %s with Render's bytes", i, o.Preset.ID, presets[i].ID)
		}
	}

	stop := errors.New("stop")
	calls := 0
	_, _, err = eng.Stream(ctx, job, prep, func(i int, o render.Output) error {
		calls++
		if i == 1 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("emit failing at the second output: Stream returned %v after %d calls, want %v after 2", err, calls, stop)
	}
}

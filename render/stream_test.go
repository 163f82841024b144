package render

import (
	"bytes"
	"context"
	"reflect"
	"sharecard/render/article"
	"sync"
	"testing"
)

// TestRender_PreparedSameAsBytes renders jobs from the photo's bytes and
// from one PreparedPhoto shared by concurrent renders, and expects the same
// images, crops, warnings and photo metadata, with and without a focus
// point.
func TestRender_PreparedSameAsBytes(t *testing.T) {
	eng, lays := TestEngine(t)
	photo := readTestdata(t, "photos/astronaut-eileen-collins.jpg")
	presets := PresetsByID(t, "og", "instagram-story", "thumb-square", "x-summary")
	prep, err := eng.PreparePhoto(context.Background(), photo, presets)
	if err != nil {
		t.Fatal(err)
	}
	if m := prep.Meta(); m.Width == 0 || len(m.Subjects) == 0 {
		t.Fatalf("prepared photo meta %+v: want a size and the astronaut's face", m)
	}
	seed := *TestHeadlines["seed"]
	focused := seed
	focused.Focus = &article.FocusPoint{X: 0.8, Y: 0.2}
	tests := []struct {
		name    string
		article *article.Article
		layout  string
	}{
		{"subjects", &seed, "standard"},
		{"focus point", &focused, "standard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := Job{Article: tc.article, Photo: photo, Layout: lays[tc.layout], Presets: presets}
			want, err := eng.Render(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			job.Photo, job.Prepared = nil, prep
			got := make([]*Result, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for k := range got {
				wg.Go(func() { got[k], errs[k] = eng.Render(context.Background(), job) })
			}
			wg.Wait()
			for k, res := range got {
				if errs[k] != nil {
					t.Fatal(errs[k])
				}
				if !reflect.DeepEqual(res.Photo, want.Photo) {
					t.Errorf("photo meta %+v, from the bytes %+v", res.Photo, want.Photo)
				}
				for i, o := range res.Outputs {
					w := want.Outputs[i]
					if !bytes.Equal(o.Data, w.Data) {
						t.Errorf("%s: image differs from the one rendered from the bytes", o.Preset.ID)
					}
					if o.Crop != w.Crop || !reflect.DeepEqual(o.Warnings, w.Warnings) {
						t.Errorf("%s: crop %v warnings %q, from the bytes %v %q", o.Preset.ID, o.Crop, o.Warnings, w.Crop, w.Warnings)
					}
				}
			}
		})
	}
}

// TestRender_OnOutput checks that each output is reported once, as Render
// returns it, smallest canvas first when asked.
func TestRender_OnOutput(t *testing.T) {
	eng, lays := TestEngine(t)
	serial := &Engine{Fonts: eng.Fonts, Finder: eng.Finder, Workers: 1}
	presets := PresetsByID(t, "og", "thumb-square", "x-summary", "instagram-story")
	var (
		mu    sync.Mutex
		seen  = map[int][]byte{}
		areas []int
	)
	job := Job{Article: TestHeadlines["short"], Layout: lays["standard"], Presets: presets, SmallestFirst: true,
		OnOutput: func(i int, o Output) {
			mu.Lock()
			defer mu.Unlock()
			if _, dup := seen[i]; dup {
				t.Errorf("output %d (%s) reported twice", i, o.Preset.ID)
			}
			seen[i] = o.Data
			areas = append(areas, o.Width*o.Height)
		}}
	res, err := serial.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(presets) {
		t.Fatalf("%d outputs reported, want %d", len(seen), len(presets))
	}
	for i, o := range res.Outputs {
		if !bytes.Equal(seen[i], o.Data) {
			t.Errorf("%s: reported image differs from the returned one", o.Preset.ID)
		}
	}
	for k := 1; k < len(areas); k++ {
		if areas[k] < areas[k-1] {
			t.Errorf("canvas areas reported in order %v, want smallest first", areas)
			break
		}
	}
}

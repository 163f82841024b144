package lint

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadSamples(t *testing.T) {
	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	plain := &fstest.MapFile{Data: []byte("headline: Plain\nlang: en\n")}
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		sizes map[string]image.Point // by sample; nil when LoadSamples fails
		err   string
	}{
		{name: "photo and none", fsys: fstest.MapFS{
			"a/article.yaml": plain,
			"b/article.yaml": {Data: []byte("headline: Pictured\nlang: en\nphoto: p.png\n")},
			"b/p.png":        {Data: pic.Bytes()},
		}, sizes: map[string]image.Point{"a": {}, "b": {3, 2}}},
		{name: "no samples", fsys: fstest.MapFS{"notes.txt": plain}, err: "no sample articles (*/article.yaml) found in dir"},
		{name: "a photo that is no image", fsys: fstest.MapFS{
			"a/article.yaml": plain,
			"b/article.yaml": {Data: []byte("headline: Pictured\nlang: en\nphoto: p.png\n")},
			"b/p.png":        {Data: []byte("not a picture")},
		}, err: "dir/b/article.yaml: photo p.png: image: unknown format"},
		{name: "a broken article", fsys: fstest.MapFS{
			"a/article.yaml": {Data: []byte("headline: Plain\ncolour: red\n")},
		}, err: "dir/a/article.yaml:2:1: colour: unknown key"},
	}
	for _, tt := range tests {
		got, err := LoadSamples(tt.fsys, "dir")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(got) != len(tt.sizes) {
			t.Errorf("%s: %d samples, want %d", tt.name, len(got), len(tt.sizes))
		}
		for _, s := range got {
			if want, ok := tt.sizes[s.Name]; !ok || s.Size != want || s.Article == nil {
				t.Errorf("%s: sample %q of size %v, want %v", tt.name, s.Name, s.Size, want)
			}
		}
	}
}

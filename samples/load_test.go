package samples_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/samples"
)

// builtin are the samples of FS.
var builtin = []string{"k1-air-base", "k1-air-base-ar", "long-headline"}

// testFS is a samples folder with one sample of each kind, good and bad.
var testFS = fstest.MapFS{
	"plain/article.yaml":         {Data: []byte("headline: Plain\nlang: en\n")},
	"pictured/article.yaml":      {Data: []byte("headline: Pictured\nlang: en\nphoto: p.jpg\n")},
	"pictured/p.jpg":             {Data: []byte("jpeg bytes")},
	"borrows/article.yaml":       {Data: []byte("headline: Borrows\nlang: en\nphoto: ../pictured/p.jpg\n")},
	"broken/article.yaml":        {Data: []byte("headline: Broken\nlang: en\ncolour: red\n")},
	"no-photo/article.yaml":      {Data: []byte("headline: No photo\nlang: en\nphoto: gone.jpg\n")},
	".hidden/article.yaml":       {Data: []byte("headline: Hidden\nlang: en\n")},
	"empty/notes.txt":            {Data: []byte("not a sample")},
	"article.yaml":               {Data: []byte("headline: Top\nlang: en\n")},
	"nested/deeper/article.yaml": {Data: []byte("headline: Deeper\nlang: en\n")},
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want []string
	}{
		{"test folder", testFS, []string{"borrows", "broken", "no-photo", "pictured", "plain"}},
		{"empty", fstest.MapFS{}, []string{}},
	}
	for _, tt := range tests {
		got, err := samples.Names(tt.fsys)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: Names = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if got, err := samples.Names(samples.FS); err != nil || !slices.Equal(got, builtin) {
		t.Errorf("Names(FS) = %q, %v; want %q", got, err, builtin)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name     string
		headline string // of the article; "" when Load fails
		photo    string // the photo's bytes
		err      string // words of the error
	}{
		{name: "plain", headline: "Plain"},
		{name: "pictured", headline: "Pictured", photo: "jpeg bytes"},
		{name: "borrows", headline: "Borrows", photo: "jpeg bytes"},
		{name: "broken", err: `samples/broken/article.yaml:3:1: colour: unknown key "colour"`},
		{name: "no-photo", err: "samples/no-photo/article.yaml: photo gone.jpg: no-photo/gone.jpg: file does not exist"},
		{name: "missing", err: "read article samples/missing/article.yaml"},
	}
	for _, tt := range tests {
		s, err := samples.Load(testFS, "samples", tt.name)
		if errDone(t, err, tt.err, "Load(%q)", tt.name) {
			continue
		}
		file := path.Join("samples", tt.name, "article.yaml")
		if s.Name != tt.name || s.File != file || s.Article.Headline != tt.headline || string(s.Photo) != tt.photo {
			t.Errorf("Load(%q) = %q %q %q, %d photo bytes; want %q %q %q, %q", tt.name, s.Name, s.File, s.Article.Headline, len(s.Photo), tt.name, file, tt.headline, tt.photo)
		}
		if tt.photo == "" && s.Photo != nil {
			t.Errorf("Load(%q): a photo where the article names none", tt.name)
		}
	}
}

func TestLoad_BuiltIn(t *testing.T) {
	for _, name := range builtin {
		s, err := samples.Load(samples.FS, "samples", name)
		if err != nil {
			t.Errorf("Load(FS, %q): %v", name, err)
			continue
		}
		if s.Article.Headline == "" || len(s.Photo) == 0 {
			t.Errorf("Load(FS, %q): headline %q, %d photo bytes", name, s.Article.Headline, len(s.Photo))
		}
	}
}

// errDone reports err unless it is the one wanted: none when want is "",
// else an error holding the words of want. The case is done when either
// is an error. what names the call, formatted with args.
func errDone(t *testing.T, err error, want string, what string, args ...any) bool {
	t.Helper()
	switch {
	case want == "" && err == nil:
		return false
	case want == "":
		t.Errorf("%s: %v", fmt.Sprintf(what, args...), err)
	case err == nil || !strings.Contains(err.Error(), want):
		t.Errorf("%s error = %v, want %q", fmt.Sprintf(what, args...), err, want)
	}
	return true
}

// writeFiles writes files (slash-separated names) below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"plain.yaml":        "headline: Plain\nlang: en\n",
		"sub/pictured.yaml": "headline: Pictured\nlang: en\nphoto: ../p.jpg\n",
		"p.jpg":             "jpeg bytes",
		"absolute.yaml":     "headline: Absolute\nlang: en\nphoto: " + filepath.Join(dir, "p.jpg") + "\n",
		"broken.yaml":       "headline: [\n",
		"no-photo.yaml":     "headline: No photo\nlang: en\nphoto: gone.jpg\n",
	})
	tests := []struct {
		file     string
		headline string
		photo    string
		err      string
	}{
		{file: "plain.yaml", headline: "Plain"},
		{file: "sub/pictured.yaml", headline: "Pictured", photo: "jpeg bytes"},
		{file: "absolute.yaml", headline: "Absolute", photo: "jpeg bytes"},
		{file: "broken.yaml", err: "broken.yaml:"},
		{file: "no-photo.yaml", err: "no-photo.yaml: photo gone.jpg: "},
		{file: "missing.yaml", err: "read article: "},
	}
	for _, tt := range tests {
		file := filepath.Join(dir, filepath.FromSlash(tt.file))
		s, err := samples.LoadFile(file)
		if errDone(t, err, tt.err, "LoadFile(%q)", tt.file) {
			continue
		}
		if s.Name != file || s.File != file || s.Article.Headline != tt.headline || string(s.Photo) != tt.photo {
			t.Errorf("LoadFile(%q) = %q %q %q, %d photo bytes; want the path twice, %q, %q", tt.file, s.Name, s.File, s.Article.Headline, len(s.Photo), tt.headline, tt.photo)
		}
	}
}

// TestLoad_PhotoCap checks that both loaders refuse a photo over
// photo.DefaultMaxBytes.
func TestLoad_PhotoCap(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"big/article.yaml": "headline: Big\nlang: en\nphoto: photo.jpg\n"})
	f, err := os.Create(filepath.Join(dir, "big", "photo.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Truncate(photo.DefaultMaxBytes + 1) // sparse: cheap to write
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := samples.Load(os.DirFS(dir), "samples", "big"); !errors.Is(err, article.ErrPhotoTooLarge) {
		t.Errorf("Load: error %v, want %v", err, article.ErrPhotoTooLarge)
	}
	if _, err := samples.LoadFile(filepath.Join(dir, "big", "article.yaml")); !errors.Is(err, article.ErrPhotoTooLarge) {
		t.Errorf("LoadFile: error %v, want %v", err, article.ErrPhotoTooLarge)
	}
}

func TestChoose(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"mine.yaml":                "headline: Mine\nlang: en\n",
		"samples/one/article.yaml": "headline: One\nlang: en\n",
		"samples/two/article.yaml": "headline: Two\nlang: en\n",
		"samples/bad/article.yaml": "headline: Bad\nlang: xx-not-a-tag!\n",
	})
	disk := filepath.Join(dir, "samples")
	mine := filepath.Join(dir, "mine.yaml")
	tests := []struct {
		name    string
		spec    string
		current string
		extra   bool   // the spec's file is listed beside the samples
		err     string // words of the error
	}{
		{name: "a sample", spec: "two", current: "two"},
		{name: "a sample's file", spec: filepath.Join(disk, "one", "article.yaml"), current: "one"},
		{name: "the same file, unclean", spec: filepath.Join(disk, "one") + string(filepath.Separator) + "." + string(filepath.Separator) + "article.yaml", current: "one"},
		{name: "another file", spec: mine, current: mine, extra: true},
		{name: "an unknown name", spec: "three", err: `no sample "three": give an article file, or one of bad, one, two`},
		{name: "a sample that fails", spec: "bad", err: "samples/bad/article.yaml:2:"},
		{name: "a sample's file that fails", spec: filepath.Join(disk, "bad", "article.yaml"), err: "bad/article.yaml:2:"},
		{name: "a missing file", spec: filepath.Join(dir, "gone.yaml"), err: "read article: "},
		{name: "a name with an extension is a file", spec: "one.yaml", err: "read article: "},
	}
	for _, tt := range tests {
		warned := map[string]error{}
		all, current, err := samples.Choose(os.DirFS(disk), disk, tt.spec, func(name string, err error) { warned[name] = err })
		if len(warned) != 1 || warned["bad"] == nil {
			t.Errorf("%s: warnings %v, want one for bad", tt.name, warned)
		}
		if errDone(t, err, tt.err, "%s: Choose(%q)", tt.name, tt.spec) {
			continue
		}
		want := []string{"one", "two"}
		if tt.extra {
			want = append(want, tt.spec)
		}
		slices.Sort(want)
		if got := slices.Sorted(maps.Keys(all)); current != tt.current || !slices.Equal(got, want) {
			t.Errorf("%s: Choose(%q) = %q, current %q; want %q, current %q", tt.name, tt.spec, got, current, want, tt.current)
		}
		if s := all[current]; s == nil || s.Name != current || s.Article.Headline == "" {
			t.Errorf("%s: Choose(%q): the current sample is %+v", tt.name, tt.spec, s)
		}
	}
}

func TestChoose_NoWarn(t *testing.T) {
	all, current, err := samples.Choose(testFS, "samples", "plain", nil)
	if err != nil || current != "plain" || len(all) != 3 {
		t.Errorf("Choose with warn nil = %d samples, current %q, %v; want 3, plain", len(all), current, err)
	}
}

func ExampleLoad() {
	s, err := samples.Load(samples.FS, "samples", "k1-air-base-ar")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name, s.File, s.Article.Lang, s.Article.Photo, len(s.Photo) > 0)
	// Output: k1-air-base-ar samples/k1-air-base-ar/article.yaml ar ../k1-air-base/photo.jpg true
}

func ExampleChoose() {
	all, current, err := samples.Choose(samples.FS, "samples", "long-headline", func(name string, err error) {
		fmt.Println("left out:", name, err)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(slices.Sorted(maps.Keys(all)), current)
	// Output: [k1-air-base k1-air-base-ar long-headline] long-headline
}

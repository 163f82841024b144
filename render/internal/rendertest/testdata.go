package rendertest

import (
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// testdataDir finds render/testdata from this file's place in the source
// tree, so every package under render/ reaches the same folder whatever
// its depth. Builds with -trimpath have no absolute source paths; the
// folder is then looked for upwards from the working directory.
var testdataDir = sync.OnceValue(func() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata")
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("render", "testdata")
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "render", "testdata")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		if filepath.Dir(dir) == dir {
			return cand
		}
	}
})

// Testdata returns the path of a file or folder of render/testdata, such
// as Testdata("photos", "coffee.jpg"); with no elements, the folder itself.
func Testdata(elem ...string) string {
	return filepath.Join(append([]string{testdataDir()}, elem...)...)
}

// ReadTestdata returns the bytes of render/testdata/name (slash-separated,
// such as "photos/coffee.jpg") or stops the test.
func ReadTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(Testdata(filepath.FromSlash(name)))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// LoadPhoto decodes the JPEG render/testdata/photos/name into an NRGBA
// image with its origin at (0, 0), with the standard library alone (no
// EXIF, no colour profile), or stops the test.
func LoadPhoto(tb testing.TB, name string) *image.NRGBA {
	tb.Helper()
	fh, err := os.Open(Testdata("photos", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	src, err := jpeg.Decode(fh)
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	// JPEGs are opaque, so RGBA (which image/draw converts YCbCr to quickly)
	// and NRGBA hold the same bytes.
	rgba := image.NewRGBA(image.Rect(0, 0, src.Bounds().Dx(), src.Bounds().Dy()))
	draw.Draw(rgba, rgba.Rect, src, src.Bounds().Min, draw.Src)
	return &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: rgba.Rect}
}

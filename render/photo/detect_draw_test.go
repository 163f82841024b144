package photo

import (
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestDrawSubjects is a tool for tuning by eye, not a check: with
// PHOTO_DRAW_SUBJECTS=dir it writes every test photo with its subjects'
// boxes (and face cores) to dir as PNG, and logs the subjects:
//
//	PHOTO_DRAW_SUBJECTS=/tmp/subjects go test ./render/photo -run TestDrawSubjects -v
//
// Colours: face red, profile magenta, person green, animal orange, object
// blue, detail yellow.
func TestDrawSubjects(t *testing.T) {
	dir := os.Getenv("PHOTO_DRAW_SUBJECTS")
	if dir == "" {
		t.Skip("set PHOTO_DRAW_SUBJECTS to a folder to draw the subjects")
	}
	f, err := NewFinder()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../testdata/photos/*.jpg")
	more, _ := filepath.Glob("testdata/detect/*.[jp][pn]g")
	for _, fn := range append(files, more...) {
		img := decodeNRGBA(t, fn)
		subs := f.Find(img)
		for _, s := range subs {
			t.Logf("%s: %s %.2f confident=%v %v core %v", filepath.Base(fn), s.Kind, s.Score, s.Confident, s.Rect, FaceCore(s))
		}
		drawSubjects(t, dir, filepath.Base(fn), img, subs)
	}
}

func decodeNRGBA(tb testing.TB, path string) *image.NRGBA {
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	m, _, err := image.Decode(fh)
	if err != nil {
		tb.Fatal(err)
	}
	out := image.NewNRGBA(image.Rect(0, 0, m.Bounds().Dx(), m.Bounds().Dy()))
	draw.Draw(out, out.Rect, m, m.Bounds().Min, draw.Src)
	return out
}

// drawSubjects writes img with the subjects' boxes to dir/name.png.
func drawSubjects(tb testing.TB, dir, name string, img *image.NRGBA, subs []Subject) {
	out := image.NewNRGBA(img.Rect)
	copy(out.Pix, img.Pix)
	colors := map[string]color.NRGBA{
		SubjectFace: {255, 0, 0, 255}, SubjectProfile: {255, 0, 255, 255}, SubjectPerson: {0, 255, 0, 255},
		SubjectAnimal: {255, 160, 0, 255}, SubjectObject: {0, 160, 255, 255}, SubjectDetail: {255, 255, 0, 255},
	}
	t := max(1, max(img.Rect.Dx(), img.Rect.Dy())/300)
	for _, s := range subs {
		c := colors[s.Kind]
		for _, r := range []image.Rectangle{s.Rect, FaceCore(s)} {
			if r.Empty() {
				continue
			}
			r = r.Add(img.Rect.Min)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					if x-r.Min.X < t || r.Max.X-1-x < t || y-r.Min.Y < t || r.Max.Y-1-y < t {
						if (image.Point{x, y}).In(out.Rect) {
							out.SetNRGBA(x, y, c)
						}
					}
				}
			}
			t = max(1, t/2)
		}
		t = max(1, max(img.Rect.Dx(), img.Rect.Dy())/300)
	}
	_ = os.MkdirAll(dir, 0o755)
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, out); err != nil {
		tb.Fatal(err)
	}
}

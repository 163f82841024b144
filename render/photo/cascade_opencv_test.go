package photo

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCascadeMatchesOpenCV checks our evaluator window by window against
// OpenCV's, on three small grey images and every embedded cascade, each cut
// to its first 1, 2, 3, 5, half and all stages (so that the windows rejected
// at every depth are compared, not only the final hits), plain and
// mirrored. The reference numbers in testdata/detect/opencv-hits.txt were
// made once with OpenCV (see the file's header); the test has no OpenCV
// dependency.
func TestCascadeMatchesOpenCV(t *testing.T) {
	cs, err := loadCascades()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*cascade{}
	for i, d := range detectors {
		byName[d.name] = cs[i]
	}
	f, err := os.Open(filepath.Join("testdata", "detect", "opencv-hits.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	images := map[string]*image.Gray{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 7 {
			t.Fatalf("line %q: %d fields, want 7", line, len(fs))
		}
		lines++
		name, cname, flip := fs[0], fs[1], fs[3] == "flip"
		stages, err1 := strconv.Atoi(fs[2])
		count, err2 := strconv.Atoi(fs[4])
		if err1 != nil || err2 != nil {
			t.Fatalf("line %q: bad numbers", line)
		}
		c := byName[cname]
		if c == nil {
			t.Fatalf("line %q: no embedded cascade %s", line, cname)
		}
		seen[cname] = true
		img := images[name]
		if img == nil {
			img = loadGrayPNG(t, filepath.Join("testdata", "detect", "opencv-"+name+".png"))
			images[name] = img
		}
		hits := openCVGrid(c, img, stages, flip)
		list := make([]string, len(hits))
		for i, p := range hits {
			list[i] = fmt.Sprintf("%d,%d", p.X, p.Y)
		}
		joined := strings.Join(list, ";")
		sum := sha256.Sum256([]byte(joined))
		if len(hits) != count || hex.EncodeToString(sum[:])[:16] != fs[5] {
			t.Errorf("%s %s, %d stages, flip %v: %d windows accepted, OpenCV %d (or a different set)", name, cname, stages, flip, len(hits), count)
			if fs[6] != "-" {
				t.Logf("ours   %s\nOpenCV %s", joined, fs[6])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines < 50 {
		t.Errorf("only %d reference lines", lines)
	}
	for _, d := range detectors {
		if !seen[d.name] {
			t.Errorf("cascade %s has no OpenCV reference", d.name)
		}
	}
}

// openCVGrid runs the first stages of c at every window position of the
// image in the order OpenCV's detectMultiScale scans one scale (rows and
// columns 2 apart; a column is skipped after a window fails the first
// stage, not after one rejected for its flatness). With flip the scan runs over the mirror image. It returns the
// accepted windows' top-left corners in the image, sorted by y then x.
func openCVGrid(c *cascade, img *image.Gray, stages int, flip bool) []image.Point {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pix := make([]uint8, w*h)
	for y := range h {
		copy(pix[y*w:], img.Pix[y*img.Stride:y*img.Stride+w])
	}
	var it integral
	it.build(pix, w, h, !c.lbp, c.tilted)
	p := c.place(w+1, flip)
	// OpenCV splits the rows of window positions into stripes for its
	// threads, one per 32 columns, each a whole number of row pairs; when
	// they do not add up to all the rows, the last ones are not scanned.
	cols, rows := w-c.w+1, h-c.h+1
	stripes := (cols + 31) / 32
	stripe := max((rows/2+stripes-1)/stripes, 1) * 2
	rows = min(rows, stripes*stripe)
	var out []image.Point
	for y := 0; y < rows; y += 2 {
		for xs := 0; xs < cols; xs += 2 {
			x := xs
			if flip {
				x = w - xs - c.w
			}
			n, _ := p.run(&it, x, y, stages)
			if n == stages {
				out = append(out, image.Pt(x, y))
			}
			if n == 0 {
				xs += 2
			}
		}
	}
	slices.SortFunc(out, func(a, b image.Point) int {
		if a.Y != b.Y {
			return a.Y - b.Y
		}
		return a.X - b.X
	})
	return out
}

func loadGrayPNG(t *testing.T, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("%s: %T, want a grey PNG", path, img)
	}
	return g
}

package photo

import (
	_ "embed" // for the face cascade
	"fmt"
	"image"
	"math"
	"sort"

	pigo "github.com/esimov/pigo/core"
)

// facefinderCascade is the trained face detector shipped with pigo (see
// models/README.md). It is a string so that it cannot be changed at run time.
//
//go:embed models/facefinder
var facefinderCascade string

// Subject kinds reported by [Finder.Find].
const (
	SubjectFace   = "face"
	SubjectDetail = "detail"
)

// Subject is a region of a photo that should stay visible in every crop.
type Subject struct {
	// Rect is the region in photo pixels, already padded for hair and chin
	// when Kind is "face".
	Rect image.Rectangle `json:"rect"`
	// Kind is "face" or "detail".
	Kind string `json:"kind"`
	// Score is the detector confidence (faces) or saliency weight (details);
	// higher is more important. Scores of different kinds are not comparable.
	Score float64 `json:"score"`
}

// Finder finds subjects in photos. It holds the parsed face-detector
// model, never changes after [NewFinder] returns, and is safe for
// concurrent use.
type Finder struct {
	cascade *pigo.Pigo
}

// Tuning of the face detector. The detection image is a grayscale copy of the
// photo whose long side is at most detectMaxSide pixels (and, for small photos,
// at least detectMinSide pixels, upscaled).
const (
	detectMaxSide = 1000
	detectMinSide = 480
	// faceMinSide is the smallest face searched for, in detection pixels
	// (2% of a 1000 px long side, that is 106 px in a 16 MP photo).
	faceMinSide = 20
	// faceCoarseBelow is the window side under which the scan is coarser.
	faceCoarseBelow = 40
	// faceCoarseShift is the step of the coarse scan, as a fraction of the
	// window side (the fine scan uses 0.1).
	faceCoarseShift = 0.15
	// faceMinQuality is the clustered detection score from which a hit is
	// a face on its own. Calibrated on render/testdata/photos: frontal faces
	// score 18 to 200, false hits on fur, foliage, brushes and rock under 8.
	faceMinQuality = 10
	// faceCompanionQuality is the lower score accepted for a face of
	// similar size next to a confident one (a turned head in a two-shot
	// scores about 5).
	faceCompanionQuality = 3
	// faceMinRelSize drops faces whose side is less than this fraction of
	// the largest face's side (people far in the background).
	faceMinRelSize = 0.25
	// maxFaces bounds the faces returned, largest scores first.
	maxFaces = 16
)

// NewFinder parses the embedded face cascade. Parse it once and share
// the finder: parsing takes a few milliseconds.
func NewFinder() (*Finder, error) {
	data := []byte(facefinderCascade)
	// pigo reads the header and trees without bounds checks; make sure the
	// embedded file at least holds its header.
	if len(data) < 16 {
		return nil, fmt.Errorf("face cascade models/facefinder is truncated (%d bytes): rebuild with the file from pigo v1.4.6", len(data))
	}
	p, err := pigo.NewPigo().Unpack(data)
	if err != nil {
		return nil, fmt.Errorf("parse face cascade models/facefinder: %w", err)
	}
	return &Finder{cascade: p}, nil
}

// Find returns the faces in img, highest score first. When it finds no face
// it returns the most salient detail region instead (at most one Subject of
// Kind "detail"), and nil for an empty image. Rectangles are in img's pixel
// coordinates relative to img.Bounds().Min. Find is deterministic: the same
// pixels give the same subjects.
func (f *Finder) Find(img *image.NRGBA) []Subject {
	if img == nil || img.Rect.Dx() <= 0 || img.Rect.Dy() <= 0 {
		return nil
	}
	small := shrinkRGB(img, detectMaxSide)
	if faces := f.faces(small, img.Rect.Dx(), img.Rect.Dy()); len(faces) > 0 {
		return faces
	}
	if d, ok := findDetail(small, img.Rect.Dx(), img.Rect.Dy()); ok {
		return []Subject{d}
	}
	return nil
}

// faces runs the cascade on a grayscale copy of small and maps the hits back
// to a w×h photo.
func (f *Finder) faces(small rgbImage, w, h int) []Subject {
	gray, gw, gh := small.gray(detectMinSide)
	maxSize := min(gw, gh)
	if maxSize < faceMinSide {
		return nil
	}
	dets := f.scan(gray, gw, gh)
	fx, fy := float64(w)/float64(gw), float64(h)/float64(gh)
	largest := 0
	for _, d := range dets {
		if d.Q >= faceMinQuality {
			largest = max(largest, d.Scale)
		}
	}
	var out []Subject
	for _, d := range dets {
		if !keepFace(d, dets, largest) {
			continue
		}
		r := padFace(d.Col, d.Row, d.Scale, fx, fy).Intersect(image.Rect(0, 0, w, h))
		if r.Empty() {
			continue
		}
		out = append(out, Subject{Rect: r, Kind: SubjectFace, Score: float64(d.Q)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return lessPoint(out[i].Rect.Min, out[j].Rect.Min)
	})
	if len(out) > maxFaces {
		out = out[:maxFaces]
	}
	return out
}

// scan runs the cascade over a gw×gh grayscale image and clusters the hits.
// Small windows (under faceCoarseBelow pixels) dominate the cost, so they are
// scanned on a coarser grid and their scores are scaled up by the ratio of
// window densities to stay comparable with the fine scan.
func (f *Finder) scan(gray []uint8, gw, gh int) []pigo.Detection {
	img := pigo.ImageParams{Pixels: gray, Rows: gh, Cols: gw, Dim: gw}
	maxSize := min(gw, gh)
	var dets []pigo.Detection
	if faceMinSide < faceCoarseBelow {
		coarse := f.cascade.RunCascade(pigo.CascadeParams{
			MinSize: faceMinSide, MaxSize: min(maxSize, faceCoarseBelow-1),
			ShiftFactor: faceCoarseShift, ScaleFactor: 1.1, ImageParams: img,
		}, 0)
		for i := range coarse {
			coarse[i].Q *= (faceCoarseShift * faceCoarseShift) / (0.1 * 0.1)
		}
		dets = coarse
	}
	if maxSize >= faceCoarseBelow {
		dets = append(dets, f.cascade.RunCascade(pigo.CascadeParams{
			MinSize: faceCoarseBelow, MaxSize: maxSize,
			ShiftFactor: 0.1, ScaleFactor: 1.1, ImageParams: img,
		}, 0)...)
	}
	return f.cascade.ClusterDetections(dets, 0.2)
}

// Margins padFace adds around a detector square of side s, as fractions of
// s: the square covers roughly forehead to mouth, so the box grows most
// upwards (hair) and downwards (chin). faceChin is the part of the bottom
// margin that is the chin itself, kept in faceCore.
const (
	facePadSide   = 0.15
	facePadTop    = 0.35
	facePadBottom = 0.30
	faceChin      = 0.25
)

// padFace turns a pigo detection (centre col,row and side s, in detection
// pixels) into a photo rectangle with room for hair and chin; fx and fy are
// photo pixels per detection pixel.
func padFace(col, row, s int, fx, fy float64) image.Rectangle {
	half, side := float64(s)/2, float64(s)
	x0 := (float64(col) - half - facePadSide*side) * fx
	x1 := (float64(col) + half + facePadSide*side) * fx
	y0 := (float64(row) - half - facePadTop*side) * fy
	y1 := (float64(row) + half + facePadBottom*side) * fy
	return image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1)))
}

// keepFace decides whether detection d is a face: a confident hit (score at
// least faceMinQuality) that is not tiny next to the largest confident face,
// or a weaker hit (faceCompanionQuality) of similar size and height as a
// confident face, as the second person in a two-shot often is.
func keepFace(d pigo.Detection, all []pigo.Detection, largest int) bool {
	if float64(d.Scale) < faceMinRelSize*float64(largest) {
		return false
	}
	if d.Q >= faceMinQuality {
		return true
	}
	if d.Q < faceCompanionQuality {
		return false
	}
	for _, o := range all {
		if o.Q < faceMinQuality {
			continue
		}
		ratio := float64(d.Scale) / float64(o.Scale)
		near := abs(d.Row-o.Row) <= 2*max(d.Scale, o.Scale)
		if ratio >= 0.5 && ratio <= 2 && near {
			return true
		}
	}
	return false
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func lessPoint(a, b image.Point) bool {
	if a.Y != b.Y {
		return a.Y < b.Y
	}
	return a.X < b.X
}

// FaceCore is the face itself inside a face subject's rectangle: the rectangle
// without the margins padFace added for hair and sides, keeping the chin.
func FaceCore(r image.Rectangle) image.Rectangle {
	w, h := float64(r.Dx()), float64(r.Dy())
	side := 1 + 2*facePadSide
	tall := 1 + facePadTop + facePadBottom
	in := image.Rect(
		r.Min.X+int(math.Round(w*facePadSide/side)),
		r.Min.Y+int(math.Round(h*facePadTop/tall)),
		r.Max.X-int(math.Round(w*facePadSide/side)),
		r.Max.Y-int(math.Round(h*(facePadBottom-faceChin)/tall)),
	)
	if in.Empty() {
		return r
	}
	return in
}

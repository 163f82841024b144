package photo

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"slices"
	"sort"
)

// Subject kinds reported by [Finder.Find].
const (
	SubjectFace    = "face"    // a frontal face; Rect is the head
	SubjectProfile = "profile" // a face in profile or turned; Rect is the head
	SubjectHead    = "head"    // a head the face detectors missed (turned away), never confident
	SubjectPerson  = "person"  // head and shoulders or a whole body, head included
	SubjectAnimal  = "animal"  // an animal's face or head (cats today)
	SubjectObject  = "object"  // a compact, sharp, distinct foreground region
	SubjectDetail  = "detail"  // the weak texture fallback, never confident
)

// Subject is a region of a photo that should stay visible in every crop.
type Subject struct {
	// Rect is the region in photo pixels. For faces and profiles it is the
	// head (face, hair and chin, the margin the head needs); for a person
	// it includes the head.
	Rect image.Rectangle `json:"rect"`
	// Kind is one of the Subject* constants.
	Kind string `json:"kind"`
	// Score is the detector's confidence (faces, profiles, persons,
	// animals: the number of overlapping detections) or the saliency
	// contrast (objects, details); higher is more important. Scores of
	// different kinds are not comparable.
	Score float64 `json:"score"`
	// Confident is true when the detector is sure enough for the subject
	// to decide a crop on its own; never for details.
	Confident bool `json:"confident,omitempty"`
}

// IsHead reports whether s is a head (a face, a profile or a head), the
// kinds whose [FaceCore] is a face that must never be cut or covered.
func (s Subject) IsHead() bool {
	switch s.Kind {
	case SubjectFace, SubjectProfile, SubjectHead:
		return true
	}
	return false
}

// kindRank orders subject kinds by importance.
var kindRank = map[string]int{
	SubjectTagged: 0, SubjectTaggedFace: 0, SubjectFace: 1, SubjectProfile: 2, SubjectHead: 3,
	SubjectPerson: 4, SubjectAnimal: 5, SubjectObject: 6, SubjectDetail: 7,
}

// Finder finds subjects in photos. It holds the parsed detector models,
// never changes after [NewFinder] returns, and is safe for concurrent use.
type Finder struct {
	cascades []*cascade
}

// NewFinder parses the embedded detector models (once per process; later
// calls share them). Share the finder: parsing takes some milliseconds.
func NewFinder() (*Finder, error) {
	cs, err := loadCascades()
	if err != nil {
		return nil, fmt.Errorf("subject finder: %w", err)
	}
	return &Finder{cascades: cs}, nil
}

// detectSide is the long side, in pixels, of the grey image the cascades
// scan (each detector then uses the pyramid levels up to its maxSide).
const detectSide = 560

// maxPerKind bounds the subjects of one kind returned, best first.
const maxPerKind = 8

// Find returns the subjects of img, most important first: faces, then
// profiles, persons, animals, then (when no face, profile or person was
// found) the most salient compact object, and the weak detail fallback
// when nothing else stands out; within a kind, highest score first. It
// returns nil for an empty image. Rectangles are in img's pixel coordinates
// relative to img.Bounds().Min. Find is deterministic: the same pixels give
// the same subjects.
func (f *Finder) Find(img *image.NRGBA) []Subject {
	if f == nil || img == nil || img.Rect.Dx() <= 0 || img.Rect.Dy() <= 0 {
		return nil
	}
	W, H := img.Rect.Dx(), img.Rect.Dy()
	// One box-shrunk copy serves the cascades and the saliency measures.
	small := shrinkRGB(img, 2*detectSide)
	var out []Subject
	if min(W, H) >= 8 {
		gray, gw, gh := detectGray(small, detectSide)
		cls := scanCascades(f.cascades, gray, gw, gh)
		out = subjectsFromClusters(cls, float64(W)/float64(gw), float64(H)/float64(gh), W, H)
		out = append(out, companionHeads(img, out)...)
	}
	people := false
	for _, s := range out {
		people = people || (s.Confident && s.Kind != SubjectAnimal)
	}
	if !people {
		if o, ok := findObject(small, W, H); ok {
			out = append(out, o)
		} else if len(out) == 0 {
			if d, ok := findDetail(small, W, H); ok {
				out = append(out, d)
			}
		}
	}
	sortSubjects(out)
	return out
}

func sortSubjects(out []Subject) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if kindRank[a.Kind] != kindRank[b.Kind] {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.Confident != b.Confident {
			return a.Confident
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return lessPoint(a.Rect.Min, b.Rect.Min)
	})
}

// Head geometry: margins added around a detector's window to make the head
// box, as fractions of the window's width (left, right) and height (top,
// bottom), and the part of the window that is the face core (never cut),
// as insets of the window (negative: beyond it).
type headGeom struct {
	left, top, right, bottom     float64
	cLeft, cTop, cRight, cBottom float64
}

var headGeoms = map[string]headGeom{
	// The frontal window spans the brows to the mouth or upper chin: add
	// the forehead and hair (or most of a cap: 0.9 window heights) above, the ears and some hair at
	// the sides (a fifth of the window each side), and
	// the chin below; the core reaches down to the chin too.
	SubjectFace: {left: 0.22, top: 0.90, right: 0.22, bottom: 0.30, cLeft: 0.02, cTop: -0.05, cRight: 0.02, cBottom: -0.24},
	// The profile window (haarcascade_profileface, 20×20) holds the face
	// from the brows to the chin and from the ear to a little in front of
	// the nose; the back of the head may lie on either side.
	SubjectProfile: {left: 0.18, top: 0.22, right: 0.18, bottom: 0.12, cLeft: 0, cTop: 0, cRight: 0, cBottom: 0},
	// A companion head is a skin blob: face and bare scalp.
	SubjectHead: {left: 0.12, top: 0.12, right: 0.12, bottom: 0.06},
	// The cat-face window holds the face and the base of the ears.
	SubjectAnimal: {left: 0.10, top: 0.20, right: 0.10, bottom: 0.08, cLeft: 0, cTop: 0, cRight: 0, cBottom: 0},
}

// headBox returns the box of a cluster of the given kind in detection
// pixels: for heads, the window with the kind's margins (headGeoms); a
// window found on a turned image gets them in the face's own frame, and
// the box is the upright bounding box of that head turned back.
func headBox(c cluster, kind string) (x0, y0, x1, y1 float64) {
	box := [4]float64{c.x, c.y, c.x + c.w, c.y + c.h}
	if c.deg != 0 {
		box = c.turned
	}
	if g, ok := headGeoms[kind]; ok {
		w, h := box[2]-box[0], box[3]-box[1]
		box = [4]float64{box[0] - g.left*w, box[1] - g.top*h, box[2] + g.right*w, box[3] + g.bottom*h}
	}
	if c.deg != 0 {
		return unrotateBox(box, c.deg, c.dw, c.dh)
	}
	return box[0], box[1], box[2], box[3]
}

// subjectsFromClusters turns detector clusters (detection pixels; fx and fy
// are photo pixels per detection pixel) into subjects of a W×H photo.
func subjectsFromClusters(cls []cluster, fx, fy float64, W, H int) []Subject {
	frame := image.Rect(0, 0, W, H)
	var out []Subject
	perKind := map[string]int{}
	strong := strongFaces(cls)
	// Within a kind, the best supported clusters first, whichever detector
	// found them (a tilted face is found better on the turned image).
	cls = slices.Clone(cls)
	slices.SortStableFunc(cls, func(a, b cluster) int {
		return cmp.Or(cmp.Compare(kindRank[detectors[a.det].kind], kindRank[detectors[b.det].kind]), cmp.Compare(b.n, a.n))
	})
	for _, c := range cls {
		d := detectors[c.det]
		companion := false
		if c.n < d.keep {
			// A weaker face or profile of similar size at the height of a
			// strong face: the second person of a two-shot, often turned.
			companion = (d.kind == SubjectFace || d.kind == SubjectProfile) && c.n >= faceCompanionHits && nearFace(c, strong)
			if !companion {
				continue
			}
		}
		x0, y0, x1, y1 := headBox(c, d.kind)
		x0, x1, y0, y1 = x0*fx, x1*fx, y0*fy, y1*fy
		r := image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1))).Intersect(frame)
		if r.Empty() {
			continue
		}
		s := Subject{Rect: r, Kind: d.kind, Score: float64(c.n), Confident: c.n >= d.confident && !companion}
		if overlapsBetter(s, out) || perKind[d.kind] >= maxPerKind {
			continue
		}
		perKind[d.kind]++
		out = append(out, s)
	}
	// A person box always includes the heads inside it.
	for i := range out {
		if out[i].Kind != SubjectPerson {
			continue
		}
		for _, h := range out {
			if h.IsHead() && overlap(h.Rect, out[i].Rect) > 0.5 {
				out[i].Rect = out[i].Rect.Union(h.Rect)
			}
		}
	}
	return out
}

// companionSide is the long side of the copy the skin-blob search of
// companionHeads works on.
const companionSide = 320

// companionHeads finds the people next to a confident frontal face that the
// cascades missed (a head turned away in a two-shot): skin-coloured blobs
// of about the face's size, at its height, beside it. They are heads, never
// confident.
func companionHeads(img *image.NRGBA, found []Subject) []Subject {
	var faces []Subject
	for _, s := range found {
		if s.Kind == SubjectFace && s.Confident {
			faces = append(faces, s)
		}
	}
	if len(faces) == 0 {
		return nil
	}
	W, H := img.Rect.Dx(), img.Rect.Dy()
	m := shrinkRGB(img, companionSide)
	fx, fy := float64(W)/float64(m.w), float64(H)/float64(m.h)
	var out []Subject
	for _, f := range faces {
		// The face's head box and row band in the copy's pixels.
		hw, hh := float64(f.Rect.Dx())/fx, float64(f.Rect.Dy())/fy
		cy := float64(f.Rect.Min.Y+f.Rect.Max.Y) / 2 / fy
		y0, y1 := max(0, int(cy-1.2*hh)), min(m.h, int(cy+1.2*hh)+1)
		mask := make([]bool, m.w*(y1-y0))
		for y := y0; y < y1; y++ {
			for x := 0; x < m.w; x++ {
				p := m.pix[(y*m.w+x)*3:]
				mask[(y-y0)*m.w+x] = isSkin(p[0], p[1], p[2])
			}
		}
		// Erode once so that a head does not join the outline of an arm.
		rows := y1 - y0
		core := make([]bool, len(mask))
		for y := 1; y < rows-1; y++ {
			for x := 1; x < m.w-1; x++ {
				i := y*m.w + x
				core[i] = mask[i] && mask[i-1] && mask[i+1] && mask[i-m.w] && mask[i+m.w]
			}
		}
		for _, b := range blobs(core, m.w) {
			box := b.box.Inset(-1).Add(image.Pt(0, y0))
			bw, bh := float64(box.Dx()), float64(box.Dy())
			bcy := float64(box.Min.Y+box.Max.Y) / 2
			fill := float64(b.n) / (bw * bh)
			if bw < 0.5*hw || bw > 1.8*hw || bh < 0.5*hh || bh > 1.8*hh || math.Abs(bcy-cy) > 0.6*hh || fill < 0.45 {
				continue
			}
			g := headGeoms[SubjectHead]
			r := image.Rect(
				int(math.Floor((float64(box.Min.X)-g.left*bw)*fx)), int(math.Floor((float64(box.Min.Y)-g.top*bh)*fy)),
				int(math.Ceil((float64(box.Max.X)+g.right*bw)*fx)), int(math.Ceil((float64(box.Max.Y)+g.bottom*bh)*fy)),
			).Intersect(image.Rect(0, 0, W, H))
			s := Subject{Rect: r, Kind: SubjectHead, Score: math.Round(fill*100) / 100}
			if r.Empty() || overlapsAny(r, found) || overlapsAny(r, out) {
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

// overlapsAny reports whether r overlaps a face, profile or head of subs.
func overlapsAny(r image.Rectangle, subs []Subject) bool {
	for _, s := range subs {
		if s.IsHead() && s.Rect.Overlaps(r) {
			return true
		}
	}
	return false
}

// blob is a 4-connected set of true pixels: its box and pixel count.
type blob struct {
	box image.Rectangle
	n   int
}

// blobs labels the 4-connected components of mask (w wide).
func blobs(mask []bool, w int) []blob {
	seen := make([]bool, len(mask))
	var out []blob
	var stack []int
	for start, on := range mask {
		if !on || seen[start] {
			continue
		}
		seen[start] = true
		stack = append(stack[:0], start)
		b := blob{box: image.Rect(start%w, start/w, start%w+1, start/w+1)}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			b.n++
			b.box = b.box.Union(image.Rect(x, y, x+1, y+1))
			for _, nb := range [4]int{i - 1, i + 1, i - w, i + w} {
				if nb < 0 || nb >= len(mask) || seen[nb] || !mask[nb] || (nb == i-1 && x == 0) || (nb == i+1 && x == w-1) {
					continue
				}
				seen[nb] = true
				stack = append(stack, nb)
			}
		}
		out = append(out, b)
	}
	return out
}

// strongFaces returns the confident face and profile clusters.
func strongFaces(cls []cluster) []cluster {
	var strong []cluster
	for _, c := range cls {
		if d := detectors[c.det]; c.n >= d.confident && (d.kind == SubjectFace || d.kind == SubjectProfile) {
			strong = append(strong, c)
		}
	}
	return strong
}

// faceCompanionHits is the cluster size from which a face or profile next
// to a strong face is kept (see nearFace).
const faceCompanionHits = 3

// nearFace reports whether cluster c is a face of similar size (half to
// twice) whose centre is within one and a half face heights of a strong
// face's row, and not on it.
func nearFace(c cluster, strong []cluster) bool {
	for _, o := range strong {
		ratio := c.h / o.h
		dy := math.Abs((c.y + c.h/2) - (o.y + o.h/2))
		dx := math.Abs((c.x + c.w/2) - (o.x + o.w/2))
		if ratio >= 0.5 && ratio <= 2 && dy <= 1.5*max(c.h, o.h) && dx >= max(c.w, o.w) {
			return true
		}
	}
	return false
}

// overlapsBetter reports whether s mostly overlaps a subject already kept
// (clusters come best first within a detector, and detectors in order of
// importance): a profile on a frontal face, or two persons.
func overlapsBetter(s Subject, kept []Subject) bool {
	for _, k := range kept {
		if k.Kind == SubjectPerson && s.Kind != SubjectPerson {
			continue
		}
		if s.Kind == SubjectPerson && k.Kind != SubjectPerson {
			continue
		}
		if overlap(s.Rect, k.Rect) > 0.4 {
			return true
		}
	}
	return false
}

// overlap is the area of a∩b over the smaller area.
func overlap(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() {
		return 0
	}
	return float64(area(in)) / float64(min(area(a), area(b)))
}

func area(r image.Rectangle) int {
	return r.Dx() * r.Dy()
}

func lessPoint(a, b image.Point) bool {
	if a.Y != b.Y {
		return a.Y < b.Y
	}
	return a.X < b.X
}

// FaceCore is the part of a subject that must never be cut: for faces,
// profiles and animal faces the face itself (the head box without the
// margins for hair, ears and the back of the head); for other kinds the
// whole rectangle.
//
// It accepts a Subject or, for callers written before subject kinds, a
// face's rectangle (taken as a frontal face).
func FaceCore[T Subject | image.Rectangle](v T) image.Rectangle {
	switch s := any(v).(type) {
	case Subject:
		return subjectCore(s)
	case image.Rectangle:
		return subjectCore(Subject{Rect: s, Kind: SubjectFace})
	}
	return image.Rectangle{}
}

// subjectCore undoes the head margins of s's kind to find the detector's
// window, then applies the core insets.
func subjectCore(s Subject) image.Rectangle {
	g, ok := headGeoms[s.Kind]
	r := s.Rect
	if !ok || r.Empty() {
		return r
	}
	w := float64(r.Dx()) / (1 + g.left + g.right)
	h := float64(r.Dy()) / (1 + g.top + g.bottom)
	x0 := float64(r.Min.X) + g.left*w
	y0 := float64(r.Min.Y) + g.top*h
	in := image.Rect(
		int(math.Round(x0+g.cLeft*w)), int(math.Round(y0+g.cTop*h)),
		int(math.Round(x0+w-g.cRight*w)), int(math.Round(y0+h-g.cBottom*h)),
	).Intersect(r)
	if in.Empty() {
		return r
	}
	return in
}

package plan

import (
	"fmt"
	"image"
	"math"
	"sharecard/render/article"
	"sharecard/render/photo"
)

// DefaultMaxUpscale is the largest factor a photo is enlarged by when
// CropInput.MaxUpscale is zero.
const DefaultMaxUpscale = 1.5

// CropInput describes one crop decision. All sizes are in pixels.
type CropInput struct {
	// Photo is the source photo size, upright (after EXIF rotation).
	Photo image.Point
	// Box is the size of the photo box on the canvas.
	Box image.Point
	// MaxUpscale is the largest allowed scale factor; 0 (or a negative or
	// NaN value) means DefaultMaxUpscale.
	MaxUpscale float64
	// Focus is the editor's focus point. When set it overrides Subjects and
	// Avoid: the crop is centred on it as far as the photo allows.
	Focus *article.FocusPoint
	// Subjects are the regions to keep visible, as found by
	// [photo.Finder.Find], in photo pixels.
	Subjects []photo.Subject
	// Avoid are the text boxes in Box coordinates ((0,0) is the top-left of
	// the box): crops where no face lands under them are preferred.
	Avoid []image.Rectangle
}

// CropResult is where the photo goes.
type CropResult struct {
	// Src is the region of the photo shown, in photo pixels.
	Src image.Rectangle
	// Dst is where Src is drawn, in Box coordinates; the whole box unless
	// Fill is set.
	Dst image.Rectangle
	// Fill reports that the box is not fully covered (the photo is too
	// small, or its faces are too far apart): the caller paints a blurred,
	// darkened backdrop or a brand colour behind Dst.
	Fill bool
	// Scale is Dst's width divided by Src's width. The two axes may differ by
	// a pixel's worth of rounding.
	Scale float64
	// Note explains, for people, why Fill is set; it is empty otherwise.
	Note string
}

// Composition targets, as fractions of the box: subjects are centred
// horizontally, and faces sit a little above the middle (towards the upper
// third), where portraits usually put the eyes.
const (
	faceTargetY    = 0.4
	detailTargetY  = 0.5
	maxAvoidZoomUp = 3 // extra zoom-out steps of 5% tried to clear text boxes
)

// ChooseCrop decides which part of a photo fills a box. It is pure integer
// geometry: deterministic, no pixels, and it returns the zero CropResult
// when the photo or the box has a zero or negative size.
//
// The rules, in order:
//
//   - Scale: cover the box (the larger of the two axis ratios), but never
//     enlarge past MaxUpscale. A photo too small is drawn at MaxUpscale,
//     centred, over a backdrop (Fill).
//   - Faces: the face itself (the subject rectangle without its margin for
//     hair and chin, see photo.FaceCore) is never cut. When the faces do not fit in
//     a crop of the box's aspect, the crop zooms out until they do, keeping
//     the box's aspect while the photo allows and otherwise showing the
//     photo's full width or height over a backdrop (Fill).
//   - Text boxes: among the crops that keep every face, those where no face
//     lands under an Avoid rectangle win; otherwise the one with the least
//     overlapped area. To get there the crop may zoom out by up to 15% more
//     (never turning a covering crop into a Fill one), and the hair margin
//     may be trimmed as little as possible. When the photo is drawn smaller
//     than the box, its position in the box moves instead.
//   - Hair margin: kept whole whenever the rules above allow.
//   - Composition: faces are centred horizontally with their centre at 40%
//     of the box height; details (used only when there is no face) are
//     centred and kept whole when they fit, but never force a zoom-out.
//   - Focus: when set, the crop is centred on the focus point, clamped so
//     it stays inside the photo; subjects and Avoid are ignored.
func ChooseCrop(in CropInput) CropResult {
	P, B := in.Photo, in.Box
	if P.X <= 0 || P.Y <= 0 || B.X <= 0 || B.Y <= 0 {
		return CropResult{}
	}
	maxUp := in.MaxUpscale
	if !(maxUp > 0) {
		maxUp = DefaultMaxUpscale
	}
	cover := math.Max(float64(B.X)/float64(P.X), float64(B.Y)/float64(P.Y))
	sc := math.Min(cover, maxUp)
	tooSmall := cover > maxUp

	var c cropCtx
	c.init(in)
	faceZoom := false
	if c.faces > 0 {
		// Zoom out until the padded faces fit in a crop of the box's aspect.
		need := c.padU
		z := math.Max(float64(need.Dx())*sc/float64(B.X), float64(need.Dy())*sc/float64(B.Y))
		if z > 1 {
			sc /= z
			faceZoom = true
		}
	}
	base := newGeom(P, B, sc)
	best, bestZoom := c.place(base), 0
	if c.faces > 0 && len(in.Avoid) > 0 {
		for k := 1; k <= maxAvoidZoomUp && best.cost.overlap > 0; k++ {
			l := newGeom(P, B, sc/(1+0.05*float64(k)))
			if l.fill() && !base.fill() {
				break
			}
			if p := c.place(l); p.cost.betterAvoid(best.cost) {
				best, bestZoom = p, k
			}
		}
	}
	return result(best, faceZoom || (bestZoom > 0 && !tooSmall), maxUp)
}

// geom is the size part of a crop: Src and Dst sizes for one scale.
type geom struct {
	P, B   image.Point
	sw, sh int // Src size, photo pixels
	dw, dh int // Dst size, box pixels
}

func (l geom) fill() bool { return l.dw < l.B.X || l.dh < l.B.Y }

// newGeom sizes Src and Dst for drawing a photo of size P at scale sc into
// a box of size B: Src is what covers the box at that scale, clamped to the
// photo; Dst is Src scaled, rounded down and clamped to the box.
func newGeom(P, B image.Point, sc float64) geom {
	l := geom{P: P, B: B}
	l.sw, l.dw = axisSize(P.X, B.X, sc)
	l.sh, l.dh = axisSize(P.Y, B.Y, sc)
	// When one axis shows the whole photo side (its drawn size rounded to
	// whole pixels) and the other is cropped, size the crop at the whole
	// side's actual scale so that the two axes agree.
	// (A side drawn 1 px only because 0 px is no size keeps sc.)
	switch ax, ay := float64(l.dw)/float64(P.X), float64(l.dh)/float64(P.Y); {
	case l.sw == P.X && l.sh < P.Y && ax <= sc:
		l.sh, l.dh = axisSize(P.Y, B.Y, ax)
	case l.sh == P.Y && l.sw < P.X && ay <= sc:
		l.sw, l.dw = axisSize(P.X, B.X, ay)
	}
	return l
}

func axisSize(photo, box int, sc float64) (src, dst int) {
	src = int(math.Ceil(float64(box)/sc - 1e-6))
	if src < photo && src >= 1 {
		return src, box
	}
	// Rounded down so that the scale never exceeds sc.
	dst = int(math.Floor(float64(photo)*sc + 1e-6))
	return photo, clampI(dst, 1, box)
}

// placement is one candidate position of a geom.
type placement struct {
	l      geom
	sx, sy int // Src offset in the photo
	dx, dy int // Dst offset in the box
	cost   cost
}

// cost ranks placements; lower is better, compared field by field.
type cost struct {
	overlap int64   // box pixels of face cores under Avoid rectangles
	cut     int64   // photo pixels of face margins outside Src
	comp    float64 // distance of the subjects from their target, box pixels
}

func (a cost) better(b cost) bool {
	if a.overlap != b.overlap {
		return a.overlap < b.overlap
	}
	if a.cut != b.cut {
		return a.cut < b.cut
	}
	return a.comp < b.comp
}

// betterAvoid reports whether a zoomed-out placement is worth its zoom: it
// must reduce the text overlap, or keep it and trim less hair.
func (a cost) betterAvoid(b cost) bool {
	return a.overlap < b.overlap || (a.overlap == b.overlap && a.cut < b.cut)
}

// result turns a placement into a CropResult; facesApart selects the
// explanation for Fill.
func result(p placement, facesApart bool, maxUp float64) CropResult {
	l := p.l
	r := CropResult{
		Src:   image.Rect(p.sx, p.sy, p.sx+l.sw, p.sy+l.sh),
		Dst:   image.Rect(p.dx, p.dy, p.dx+l.dw, p.dy+l.dh),
		Fill:  l.fill(),
		Scale: float64(l.dw) / float64(l.sw),
	}
	if !r.Fill {
		return r
	}
	if facesApart {
		r.Note = fmt.Sprintf("faces in photo %dx%d do not fit a %dx%d crop together: shown at %.3gx over a backdrop so no face is cut",
			l.P.X, l.P.Y, l.B.X, l.B.Y, r.Scale)
	} else {
		r.Note = fmt.Sprintf("photo %dx%d is too small for %dx%d: shown at %.3gx over a backdrop (enlarging more than %.3gx would blur it)",
			l.P.X, l.P.Y, l.B.X, l.B.Y, r.Scale, maxUp)
	}
	return r
}

// cropCtx is what ChooseCrop knows about the photo's content.
type cropCtx struct {
	in      CropInput
	faces   int
	coreU   image.Rectangle // union of face cores (never cut)
	padU    image.Rectangle // union of padded face rectangles
	details int
	detU    image.Rectangle
	focus   image.Point // focus point in photo pixels, when in.Focus is set
}

func (c *cropCtx) init(in CropInput) {
	c.in = in
	frame := image.Rect(0, 0, in.Photo.X, in.Photo.Y)
	if f := in.Focus; f != nil {
		c.focus = image.Pt(int(math.Round(clampUnit(f.X)*float64(in.Photo.X))), int(math.Round(clampUnit(f.Y)*float64(in.Photo.Y))))
		return
	}
	for _, s := range in.Subjects {
		r := s.Rect.Intersect(frame)
		if r.Empty() {
			continue
		}
		if s.Kind == photo.SubjectFace {
			c.faces++
			c.coreU = c.coreU.Union(photo.FaceCore(r))
			c.padU = c.padU.Union(r)
		} else {
			c.details++
			c.detU = c.detU.Union(r)
		}
	}
}

// axisPlan is the free variable of one axis: either the Src offset (the
// photo is cropped along this axis) or the Dst offset (the photo is drawn
// smaller than the box along it).
type axisPlan struct {
	srcFree bool
	lo, hi  int     // range of the free offset
	src     int     // Src size along the axis, photo pixels
	fixed   int     // the other offset
	ideal   float64 // best offset for composition
	scale   float64 // box pixels per photo pixel
}

// plan returns the free variable of one axis for geom sizes src (photo
// pixels) and dst (box pixels); photo and box are the full sizes; need is the
// extent that must stay inside Src ([0,0) for none); want is the interval to
// centre and target its place as a fraction of the box.
func (c *cropCtx) plan(photo, box, src, dst, needLo, needHi, wantLo, wantHi int, target float64, focus int) axisPlan {
	a := axisPlan{scale: float64(dst) / float64(src), src: src}
	if src >= photo {
		a.hi = box - dst
		a.ideal = float64(a.hi / 2)
		return a
	}
	a.srcFree = true
	a.fixed = (box - dst) / 2
	a.hi = photo - src
	if needHi > needLo {
		a.lo = max(0, needHi-src)
		a.hi = min(a.hi, needLo)
		if a.lo > a.hi { // rounding: the need is a pixel too big
			a.lo = clampI((needLo+needHi-src)/2, 0, photo-src)
			a.hi = a.lo
		}
	}
	switch {
	case focus >= 0:
		a.ideal = float64(focus) - float64(src)/2
	case wantHi > wantLo:
		centre := float64(wantLo+wantHi) / 2
		a.ideal = centre - (target*float64(box)-float64(a.fixed))/a.scale
	default:
		a.ideal = float64(photo-src) / 2
	}
	return a
}

// cands is a small fixed-size set of candidate offsets within [lo, hi].
type cands struct {
	v      [96]int
	n      int
	lo, hi int
}

func (s *cands) add(v int) {
	v = clampI(v, s.lo, s.hi)
	for _, w := range s.v[:s.n] {
		if w == v {
			return
		}
	}
	if s.n < len(s.v) {
		s.v[s.n] = v
		s.n++
	}
}

// place finds the best position for geom l.
func (c *cropCtx) place(l geom) placement {
	need, want, target := image.Rectangle{}, image.Rectangle{}, detailTargetY
	switch {
	case c.faces > 0:
		need, want, target = c.coreU, c.coreU, faceTargetY
	case c.details > 0:
		want = c.detU
		if c.detU.Dx() <= l.sw && c.detU.Dy() <= l.sh {
			need = c.detU
		}
	}
	fx, fy := -1, -1
	if c.in.Focus != nil {
		fx, fy = c.focus.X, c.focus.Y
	}
	ax := c.plan(l.P.X, l.B.X, l.sw, l.dw, need.Min.X, need.Max.X, want.Min.X, want.Max.X, 0.5, fx)
	ay := c.plan(l.P.Y, l.B.Y, l.sh, l.dh, need.Min.Y, need.Max.Y, want.Min.Y, want.Max.Y, target, fy)
	xs, ys := c.candidates(ax, 0), c.candidates(ay, 1)
	best := c.at(l, ax, ay, xs.v[0], ys.v[0])
	for _, x := range xs.v[:xs.n] {
		for _, y := range ys.v[:ys.n] {
			if p := c.at(l, ax, ay, x, y); p.cost.better(best.cost) {
				best = p
			}
		}
	}
	return best
}

// candidates lists the offsets worth trying along one axis (0 = x, 1 = y):
// the ideal one, the ends of the range, those that just keep each face's
// margin inside Src, and those that put each face just beside each Avoid
// rectangle.
func (c *cropCtx) candidates(a axisPlan, axis int) cands {
	s := cands{lo: a.lo, hi: a.hi}
	s.add(int(math.Round(a.ideal)))
	s.add(a.lo)
	s.add(a.hi)
	if c.faces == 0 {
		return s
	}
	for _, sub := range c.in.Subjects {
		if sub.Kind != photo.SubjectFace {
			continue
		}
		pad := sub.Rect.Intersect(image.Rect(0, 0, c.in.Photo.X, c.in.Photo.Y))
		if pad.Empty() {
			continue
		}
		plo, phi := span(pad, axis)
		if a.srcFree {
			s.add(plo)
			s.add(phi - a.src)
		}
		clo, chi := span(photo.FaceCore(pad), axis)
		for _, av := range c.in.Avoid {
			alo, ahi := span(av, axis)
			var before, after float64 // offsets putting the face just before/after av
			if a.srcFree {
				before = float64(chi) - (float64(alo)-float64(a.fixed))/a.scale
				after = float64(clo) - (float64(ahi)-float64(a.fixed))/a.scale
			} else {
				before = float64(alo) - float64(chi)*a.scale
				after = float64(ahi) - float64(clo)*a.scale
			}
			for _, v := range [2]float64{before, after} {
				r := int(math.Round(v))
				s.add(r - 1)
				s.add(r)
				s.add(r + 1)
			}
		}
	}
	return s
}

func span(r image.Rectangle, axis int) (lo, hi int) {
	if axis == 0 {
		return r.Min.X, r.Max.X
	}
	return r.Min.Y, r.Max.Y
}

// at builds and scores the placement with free offsets x and y.
func (c *cropCtx) at(l geom, ax, ay axisPlan, x, y int) placement {
	p := placement{l: l}
	p.sx, p.dx = offsets(ax, x)
	p.sy, p.dy = offsets(ay, y)
	p.cost.comp = dist(ax, x) + dist(ay, y)
	if c.faces == 0 {
		return p
	}
	frame := image.Rect(0, 0, l.P.X, l.P.Y)
	src := image.Rect(p.sx, p.sy, p.sx+l.sw, p.sy+l.sh)
	for _, sub := range c.in.Subjects {
		pad := sub.Rect.Intersect(frame)
		if sub.Kind != photo.SubjectFace || pad.Empty() {
			continue
		}
		p.cost.cut += Area(pad) - Area(pad.Intersect(src))
		if len(c.in.Avoid) == 0 {
			continue
		}
		core := photo.FaceCore(pad)
		m := image.Rect(
			int(math.Floor(float64(p.dx)+float64(core.Min.X-p.sx)*ax.scale)),
			int(math.Floor(float64(p.dy)+float64(core.Min.Y-p.sy)*ay.scale)),
			int(math.Ceil(float64(p.dx)+float64(core.Max.X-p.sx)*ax.scale)),
			int(math.Ceil(float64(p.dy)+float64(core.Max.Y-p.sy)*ay.scale)),
		)
		for _, av := range c.in.Avoid {
			p.cost.overlap += Area(m.Intersect(av))
		}
	}
	return p
}

func offsets(a axisPlan, v int) (src, dst int) {
	if a.srcFree {
		return v, a.fixed
	}
	return a.fixed, v
}

func dist(a axisPlan, v int) float64 {
	d := math.Abs(float64(v) - a.ideal)
	if a.srcFree {
		d *= a.scale
	}
	return d
}

func Area(r image.Rectangle) int64 {
	if r.Empty() {
		return 0
	}
	return int64(r.Dx()) * int64(r.Dy())
}

// clampI limits v to lo..hi.
func clampI(v, lo, hi int) int { return max(lo, min(v, hi)) }

// clampUnit limits v to 0..1 (NaN gives 0).
func clampUnit(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return min(v, 1)
}

package plan

import (
	"cmp"
	"fmt"
	"image"
	"math"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/photo"
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

// Composition targets, as fractions of the box or of a head: subjects are
// centred horizontally; the eyes of a head (eyeLine of the way down its
// box) go near the upper third of the box (eyeTargetY); other subjects are
// centred. Headroom is the part of a head's height kept above it.
const (
	eyeLine        = 0.42
	eyeTargetY     = 0.36
	subjectTargetY = 0.5
	headroom       = 0.15
	// minHeadroom is the room above heads that a zoom-out forced by the
	// heads (they do not fit the box's aspect) keeps too: a head that
	// fills the frame still does not touch its top.
	minHeadroom = 0.06
	// upwardBias is where the crop sits, as a fraction of the free height
	// above it, when no subject is confident: the upper part of a photo
	// rather than its middle or bottom.
	upwardBias     = 0.25
	maxAvoidZoomUp = 3 // extra zoom-out steps of 5% tried to clear text boxes
)

// HeadKind reports whether a subject kind is a head: a face, frontal or in
// profile, a head, or an animal's head. The crop keeps heads whole, with
// headroom, and never cuts their photo.FaceCore; an optional layer over one
// is left out (see Card).
func HeadKind(kind string) bool {
	switch kind {
	case photo.SubjectFace, photo.SubjectProfile, photo.SubjectHead, photo.SubjectAnimal, photo.SubjectTaggedFace:
		return true
	}
	return false
}

// Primary reports whether a subject must be kept out from under text and
// opaque layers: heads, subjects the detector is confident of (people,
// objects), and regions tagged in the photo's metadata. The texture
// fallback ("detail") and unconfident finds only steer the crop.
func Primary(s photo.Subject) bool {
	return HeadKind(s.Kind) || s.Confident || s.Kind == photo.SubjectTagged
}

// ChooseCrop decides which part of a photo fills a box. It is pure integer
// geometry: deterministic, no pixels, and it returns the zero CropResult
// when the photo or the box has a zero or negative size.
//
// The rules, in order:
//
//   - Scale: cover the box (the larger of the two axis ratios), but never
//     enlarge past MaxUpscale. A photo too small is drawn at MaxUpscale,
//     centred, over a backdrop (Fill).
//   - Heads (faces, frontal or in profile, see HeadKind): the face itself
//     (photo.FaceCore of the subject rectangle) is never cut. The head is
//     kept whole: when the head rectangles do not fit in a crop of the
//     box's aspect, the crop zooms out until they do, keeping the box's
//     aspect while the photo allows and otherwise showing the photo's full
//     width or height over a backdrop (Fill). Headroom (15% of the head's
//     height above it, clamped to the photo, so a head at the photo's top
//     edge starts the crop there) is kept whenever the rules below allow,
//     but never forces a zoom-out.
//   - Tagged regions: a face the photo desk tagged (photo.SubjectTaggedFace)
//     is a head, and what the crop cuts of it, or of another confident
//     tagged region, weighs before every rule below: the desk's choice wins
//     over a detected face when not both can be whole and clear.
//   - Avoid rectangles (text, badges, opaque boxes and strips, logos): among
//     the crops that keep every face, those where no face (FaceCore) lands
//     under an Avoid rectangle win, then those where no head does;
//     otherwise the one with the least overlapped area. To get there the crop may zoom out by up to 15% more (never
//     turning a covering crop into a Fill one), and the headroom may be
//     trimmed as little as possible. When the photo is drawn smaller than
//     the box, its position in the box moves instead.
//   - Headroom: kept whole whenever the rules above allow; then a gap of
//     6% of a head's size between it and the Avoid rectangles.
//   - Tops: the top of every other primary subject (as wide as the
//     subject and half as tall as it is wide, or half its height if
//     smaller: a person's head, a dog's, a bottle's neck) is kept inside
//     the crop with headroom like a head, without forcing a zoom-out, so a
//     whole-body person or a dog loses feet rather than a head; it is kept
//     clear of Avoid rectangles with the rest of the subject.
//   - Other primary subjects (see Primary: people as a whole, objects,
//     tagged regions): next, the crop keeps them out from under Avoid
//     rectangles, then keeps them whole, as far as the rules above allow;
//     they never force a zoom-out.
//   - Composition: heads are centred horizontally with their eyes (42% of
//     the way down the head) at 36% of the box height, near the upper
//     third; without a head, the top of a person is placed the same way;
//     without either, other primary subjects are centred.
//   - At most 32 primary subjects are weighed; more are ignored.
//   - Unconfident finds (a person, animal or object the detector is not
//     sure of) that cover at most a quarter of the photo are kept out from
//     under Avoid rectangles last, when nothing above is at stake.
//   - No primary subject: the crop is biased upward: it sits a quarter of
//     the way down the free height. A detail subject (the texture
//     fallback) centres the crop across, and may raise it, but never
//     lowers it past that: a texture at the bottom edge does not decide.
//   - Focus: when set, the crop is centred on the focus point, clamped so
//     it stays inside the photo; subjects and Avoid are ignored.
//
// Rectangles are compared in whole pixels; there is no randomness, and
// ChooseCrop does not allocate.
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
	if c.heads > 0 {
		// Zoom out until the padded faces fit in a crop of the box's aspect.
		need := c.roomU
		z := math.Max(float64(need.Dx())*sc/float64(B.X), float64(need.Dy())*sc/float64(B.Y))
		if z > 1 {
			sc /= z
			faceZoom = true
		}
	}
	base := newGeom(P, B, sc)
	best, bestZoom := c.place(base), 0
	if c.n > 0 && len(in.Avoid) > 0 {
		for k := 1; k <= maxAvoidZoomUp && (best.cost.overlap > 0 || best.cost.headOver > 0 || best.cost.bodyOver > 0); k++ {
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
	avoid  []image.Rectangle
}

// cost ranks placements; lower is better, compared field by field.
type cost struct {
	tagCut   int64   // photo pixels of the regions the desk tagged outside Src
	overlap  int64   // box pixels of faces (photo.FaceCore) under Avoid rectangles
	headOver int64   // box pixels of heads (whole rectangles) under Avoid rectangles
	cut      int64   // photo pixels of heads with headroom outside Src
	gapOver  int64   // box pixels of heads with a gap around them under Avoid rectangles
	bodyOver int64   // box pixels of other primary subjects under Avoid rectangles
	bodyCut  int64   // photo pixels of other primary subjects outside Src
	weakOver int64   // box pixels of unconfident finds under Avoid rectangles
	comp     float64 // distance of the subjects from their target, box pixels
}

// better orders crops: faces clear of the text first, then heads clear
// and whole, then the gap around heads, other subjects clear and whole,
// unconfident finds clear, and last the composition.
func (a cost) better(b cost) bool {
	return cmp.Or(a.headFirst(b),
		cmp.Compare(a.gapOver, b.gapOver),
		cmp.Compare(a.bodyOver, b.bodyOver),
		cmp.Compare(a.bodyCut, b.bodyCut),
		cmp.Compare(a.weakOver, b.weakOver),
		cmp.Compare(a.comp, b.comp)) < 0
}

// betterAvoid reports whether a zoomed-out placement is worth its zoom: it
// must reduce the overlap of heads, or keep it and trim less headroom, or
// keep both and reduce the overlap of other subjects.
func (a cost) betterAvoid(b cost) bool {
	return cmp.Or(a.headFirst(b), cmp.Compare(a.bodyOver, b.bodyOver)) < 0
}

// headFirst compares what both orders put first: regions the photo desk
// tagged cut, faces under text, heads under text, heads cut.
func (a cost) headFirst(b cost) int {
	return cmp.Or(cmp.Compare(a.tagCut, b.tagCut),
		cmp.Compare(a.overlap, b.overlap),
		cmp.Compare(a.headOver, b.headOver),
		cmp.Compare(a.cut, b.cut))
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

// part is one region the crop weighs: a head (whole, with headroom, its
// core never cut), the top of a person (like a head, without a core), or
// another primary subject.
type part struct {
	rect  image.Rectangle
	core  image.Rectangle // never cut; empty for none
	clear image.Rectangle // kept clear of Avoid rectangles (head tier)
	head  bool            // head tier: headroom and the higher costs
	weak  bool            // an unconfident find: kept clear last
	top   bool            // the top of a subject: kept whole like a head, kept clear like a body
	// tagged: a region the photo desk tagged, kept whole before all else.
	tagged bool
}

// headGap is the margin kept between a head and an Avoid rectangle, as a
// fraction of the head's size on each side: text does not touch hair.
const headGap = 0.06

// withGap is r grown by headGap on each side, inside frame.
func withGap(r, frame image.Rectangle) image.Rectangle {
	gx, gy := int(math.Round(headGap*float64(r.Dx()))), int(math.Round(headGap*float64(r.Dy())))
	return image.Rect(r.Min.X-gx, r.Min.Y-gy, r.Max.X+gx, r.Max.Y+gy).Intersect(frame)
}

// maxParts bounds the parts a crop weighs, so ChooseCrop does not allocate.
const maxParts = 32

// cropCtx is what ChooseCrop knows about the photo's content.
type cropCtx struct {
	in      CropInput
	frame   image.Rectangle
	parts   [maxParts]part
	n       int             // parts used
	heads   int             // heads with a core
	coreU   image.Rectangle // union of face cores (never cut)
	padU    image.Rectangle // union of heads (their rectangles)
	roomU   image.Rectangle // union of heads with minHeadroom above them
	eyeY    float64         // eye line of the heads, photo pixels
	tops    int             // tops of people
	topU    image.Rectangle
	topEyeY float64
	bodies  int
	bodyU   image.Rectangle // union of other primary subjects
	details int
	detU    image.Rectangle
	focus   image.Point // focus point in photo pixels, when in.Focus is set
}

// withHeadroom is a head's rectangle with headroom above it, inside frame.
func withHeadroom(r, frame image.Rectangle) image.Rectangle {
	return withRoom(r, frame, headroom)
}

// withRoom is a head's rectangle with room of share of its height above
// it, inside frame.
func withRoom(r, frame image.Rectangle, share float64) image.Rectangle {
	r.Min.Y -= int(math.Round(share * float64(r.Dy())))
	return r.Intersect(frame)
}

func (c *cropCtx) add(p part) {
	if c.n < maxParts {
		c.parts[c.n] = p
		c.n++
	}
}

func (c *cropCtx) init(in CropInput) {
	c.in = in
	c.frame = image.Rect(0, 0, in.Photo.X, in.Photo.Y)
	if f := in.Focus; f != nil {
		c.focus = image.Pt(int(math.Round(clampUnit(f.X)*float64(in.Photo.X))), int(math.Round(clampUnit(f.Y)*float64(in.Photo.Y))))
		return
	}
	eyes, topEyes := 0.0, 0.0
	for _, s := range in.Subjects {
		r := s.Rect.Intersect(c.frame)
		if r.Empty() {
			continue
		}
		switch {
		case HeadKind(s.Kind):
			core := photo.FaceCore(photo.Subject{Rect: r, Kind: s.Kind}).Intersect(r)
			if core.Empty() {
				core = r
			}
			c.add(part{rect: r, core: core, head: true, clear: withGap(r, c.frame), tagged: s.Kind == photo.SubjectTaggedFace})
			c.heads++
			c.coreU = c.coreU.Union(core)
			c.padU = c.padU.Union(r)
			c.roomU = c.roomU.Union(withRoom(r, c.frame, minHeadroom))
			eyes += float64(r.Min.Y) + eyeLine*float64(r.Dy())
		case Primary(s):
			// The top of a subject (a person's head, a dog's, a bottle's
			// neck) is kept like a head, without a core.
			top := image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+max(1, min(r.Dx(), r.Dy())/2))
			c.add(part{rect: top, head: true, top: true})
			if s.Kind == photo.SubjectPerson {
				c.tops++
				c.topU = c.topU.Union(top)
				topEyes += float64(top.Min.Y) + eyeLine*float64(top.Dy())
			}
			c.add(part{rect: r, tagged: s.Kind == photo.SubjectTagged && s.Confident})
			c.bodies++
			c.bodyU = c.bodyU.Union(r)
		default:
			if s.Kind != photo.SubjectDetail && 4*Area(r) <= Area(c.frame) {
				c.add(part{rect: r, weak: true})
			}
			c.details++
			c.detU = c.detU.Union(r)
		}
	}
	if c.heads > 0 {
		c.eyeY = eyes / float64(c.heads)
	}
	if c.tops > 0 {
		c.topEyeY = topEyes / float64(c.tops)
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

// axisWant is what one axis should show: need is the extent that must stay
// inside Src (empty for none); centre, when has is set, is the photo
// coordinate to put at target (a fraction of the box); upward caps the
// ideal offset at upwardBias of the free range; focus (≥ 0) overrides.
type axisWant struct {
	needLo, needHi int
	has            bool
	centre, target float64
	upward         bool
	focus          int
}

// plan returns the free variable of one axis for geom sizes src (photo
// pixels) and dst (box pixels); photo and box are the full sizes.
func (c *cropCtx) plan(photo, box, src, dst int, w axisWant) axisPlan {
	a := axisPlan{scale: float64(dst) / float64(src), src: src}
	if src >= photo {
		a.hi = box - dst
		a.ideal = float64(a.hi / 2)
		return a
	}
	a.srcFree = true
	a.fixed = (box - dst) / 2
	a.hi = photo - src
	if w.needHi > w.needLo {
		a.lo = max(0, w.needHi-src)
		a.hi = min(a.hi, w.needLo)
		if a.lo > a.hi { // rounding: the need is a pixel too big
			a.lo = clampI((w.needLo+w.needHi-src)/2, 0, photo-src)
			a.hi = a.lo
		}
	}
	switch {
	case w.focus >= 0:
		a.ideal = float64(w.focus) - float64(src)/2
	case w.has:
		a.ideal = w.centre - (w.target*float64(box)-float64(a.fixed))/a.scale
	default:
		a.ideal = float64(photo-src) / 2
	}
	if w.upward && w.focus < 0 {
		a.ideal = math.Min(a.ideal, upwardBias*float64(photo-src))
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
	wx, wy := axisWant{focus: -1, target: 0.5}, axisWant{focus: -1, target: subjectTargetY}
	mid := func(lo, hi int) float64 { return float64(lo+hi) / 2 }
	switch {
	case c.in.Focus != nil:
		wx.focus, wy.focus = c.focus.X, c.focus.Y
	case c.heads > 0:
		wx.needLo, wx.needHi, wy.needLo, wy.needHi = c.coreU.Min.X, c.coreU.Max.X, c.coreU.Min.Y, c.coreU.Max.Y
		wx.has, wx.centre = true, mid(c.coreU.Min.X, c.coreU.Max.X)
		wy.has, wy.centre, wy.target = true, c.eyeY, eyeTargetY
	case c.tops > 0:
		wx.has, wx.centre = true, mid(c.topU.Min.X, c.topU.Max.X)
		wy.has, wy.centre, wy.target = true, c.topEyeY, eyeTargetY
	case c.bodies > 0:
		wx.has, wx.centre = true, mid(c.bodyU.Min.X, c.bodyU.Max.X)
		wy.has, wy.centre = true, mid(c.bodyU.Min.Y, c.bodyU.Max.Y)
	case c.details > 0:
		wx.has, wx.centre = true, mid(c.detU.Min.X, c.detU.Max.X)
		wy.has, wy.centre, wy.upward = true, mid(c.detU.Min.Y, c.detU.Max.Y), true
	default:
		wy.upward = true
	}
	ax := c.plan(l.P.X, l.B.X, l.sw, l.dw, wx)
	ay := c.plan(l.P.Y, l.B.Y, l.sh, l.dh, wy)
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
	if c.in.Focus != nil {
		return s
	}
	for _, pt := range c.parts[:c.n] {
		pad := pt.rect
		if pt.head {
			pad = withHeadroom(pt.rect, c.frame)
		}
		plo, phi := span(pad, axis)
		if a.srcFree {
			s.add(plo)
			s.add(phi - a.src)
		}
		c.besideAvoid(&s, a, pt.rect, axis)
		if pt.head && !pt.top {
			c.besideAvoid(&s, a, pt.clear, axis)
		}
		if !pt.core.Empty() {
			c.besideAvoid(&s, a, pt.core, axis)
		}
	}
	return s
}

// besideAvoid adds the offsets that put photo rectangle r just before or
// just after each Avoid rectangle along one axis.
func (c *cropCtx) besideAvoid(s *cands, a axisPlan, r image.Rectangle, axis int) {
	clo, chi := span(r, axis)
	for _, av := range c.in.Avoid {
		alo, ahi := span(av, axis)
		var before, after float64 // offsets putting r just before/after av
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

func span(r image.Rectangle, axis int) (lo, hi int) {
	if axis == 0 {
		return r.Min.X, r.Max.X
	}
	return r.Min.Y, r.Max.Y
}

// at builds and scores the placement with free offsets x and y.
func (c *cropCtx) at(l geom, ax, ay axisPlan, x, y int) placement {
	p := placement{l: l, avoid: c.in.Avoid}
	p.sx, p.dx = offsets(ax, x)
	p.sy, p.dy = offsets(ay, y)
	p.cost.comp = dist(ax, x) + dist(ay, y)
	if c.in.Focus != nil {
		return p
	}
	src := image.Rect(p.sx, p.sy, p.sx+l.sw, p.sy+l.sh)
	for _, pt := range c.parts[:c.n] {
		if pt.tagged {
			p.cost.tagCut += Area(pt.rect) - Area(pt.rect.Intersect(src))
		}
		if pt.weak {
			p.cost.weakOver += p.under(pt.rect, ax, ay)
			continue
		}
		if !pt.head {
			p.cost.bodyCut += Area(pt.rect) - Area(pt.rect.Intersect(src))
			p.cost.bodyOver += p.under(pt.rect, ax, ay)
			continue
		}
		pad := withHeadroom(pt.rect, c.frame)
		p.cost.cut += Area(pad) - Area(pad.Intersect(src))
		if pt.top {
			p.cost.bodyOver += p.under(pt.rect, ax, ay)
			continue
		}
		p.cost.headOver += p.under(pt.rect, ax, ay)
		p.cost.gapOver += p.under(pt.clear, ax, ay)
		if !pt.core.Empty() {
			p.cost.overlap += p.under(pt.core, ax, ay)
		}
	}
	return p
}

// under is the area of photo rectangle r, drawn by p, under the Avoid
// rectangles, in box pixels.
func (p *placement) under(r image.Rectangle, ax, ay axisPlan) int64 {
	if len(p.avoid) == 0 {
		return 0
	}
	m := image.Rect(
		int(math.Floor(float64(p.dx)+float64(r.Min.X-p.sx)*ax.scale)),
		int(math.Floor(float64(p.dy)+float64(r.Min.Y-p.sy)*ay.scale)),
		int(math.Ceil(float64(p.dx)+float64(r.Max.X-p.sx)*ax.scale)),
		int(math.Ceil(float64(p.dy)+float64(r.Max.Y-p.sy)*ay.scale)),
	)
	var n int64
	for _, av := range p.avoid {
		n += Area(m.Intersect(av))
	}
	return n
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

// Area is the number of pixels of r; 0 when r is empty.
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

package photo

import (
	"context"
	"image"
	"math"
	"time"
)

// Prepared is a photo decoded once at a working size, with its pyramid and
// the subjects found in it: everything later stages need from the photo,
// so one photo serves many cards (a live preview renders the same photo
// after every edit, a server many card sizes). It is read-only once made
// and safe to share between goroutines; do not modify its fields.
type Prepared struct {
	// Pyramid holds the upright sRGB pixels at the working size.
	Pyramid *Pyramid
	// Scale is working pixels per source pixel (≤ 1).
	Scale float64
	// Source is the upright size of the photo as sent, in pixels.
	Source image.Point
	// Format is the encoding detected from the content, such as "jpeg".
	Format string
	// Notes says what decoding did that a user may want to know.
	Notes []string
	// Subjects are the faces and details found, in working pixels; nil
	// when the search was not asked for.
	Subjects []Subject
	// Embedded is the metadata a photo desk wrote into the file (see
	// [ReadEmbedded]), read whether or not subjects are searched for; its
	// regions are in working pixels, like Subjects, and not among them:
	// the caller ranks them. What of it was ignored is in its Notes and
	// in Notes.
	Embedded Embedded
	// Decode, Resample and Detect are the time spent in each step.
	Decode, Resample, Detect time.Duration
}

// PrepareOptions says how to prepare a photo.
type PrepareOptions struct {
	// Limits bound the photo's bytes and pixels (zero: the defaults).
	Limits Limits
	// ScaleFor, when set, is asked with the upright size for the factor
	// (≤ 1) to shrink the photo by, once, straight from the decoder.
	ScaleFor func(w, h int) float64
	// Finder, when set, searches the photo for subjects.
	Finder *Finder
	// Keep keeps every region the pyramid resizes, for later cards with
	// the same crops (see [Pyramid]).
	Keep bool
	// KeepBytes bounds the pixels Keep keeps, in bytes; past it the least
	// recently used regions are dropped (and made again if asked for).
	// 0 means 256 MB.
	KeepBytes int64
	// Admit, when set, is called once the photo's header passed
	// [Inspect] and the limits, before any pixel is decoded: it may wait
	// for room (until ctx is done) or refuse, with an error that Prepare
	// returns as it is. The release it returns is called when Prepare
	// returns, its transient memory ([Header.PrepareBytes]) freed for
	// reuse; the prepared photo it leaves is sized by the working size.
	Admit func(ctx context.Context, h *Header) (release func(), err error)
}

// Prepare decodes data once (see [Decode]), shrinks it as opt.ScaleFor
// asks, builds its pyramid and, with a Finder, looks for subjects. When
// ctx is done it stops early, decoding included, with ctx.Err().
func Prepare(ctx context.Context, data []byte, opt PrepareOptions) (*Prepared, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hdr, err := inspectWithin(data, opt.Limits.withDefaults())
	if err != nil {
		return nil, err
	}
	if opt.Admit != nil {
		release, err := opt.Admit(ctx, hdr)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	p := &Prepared{}
	t := time.Now()
	ph, st, err := decodeScaled(ctx, data, hdr, opt.ScaleFor)
	if err != nil {
		return nil, err
	}
	p.Resample = st.Resample
	p.Decode = time.Since(t) - st.Resample
	p.Source = st.Upright
	p.Scale = float64(ph.Image.Bounds().Dx()) / float64(st.Upright.X)
	p.Format, p.Notes = ph.Format, ph.Notes

	t = time.Now()
	p.Pyramid = newPyramid(ph.Image, !ph.HasAlpha) // decoding checked every pixel that may be translucent
	if opt.Keep {
		p.Pyramid.keep(opt.KeepBytes)
	}
	p.Resample += time.Since(t)

	p.Embedded = readEmbedded(data, hdr)
	size := p.Pyramid.Bounds().Size()
	for i := range p.Embedded.Regions {
		r := &p.Embedded.Regions[i]
		r.Rect = scaleRect(r.Rect, p.Scale, size)
	}
	p.Notes = append(p.Notes, p.Embedded.Notes...)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if opt.Finder != nil {
		t = time.Now()
		// Faces are found on the smallest level of at least 900 px (the
		// detector works at up to 1000 px anyway) and mapped back.
		lvl, f := p.Pyramid.Level(900)
		for _, s := range opt.Finder.Find(lvl) {
			s.Rect = scaleRect(s.Rect, f, size)
			p.Subjects = append(p.Subjects, s)
		}
		p.Detect = time.Since(t)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Bytes is the memory the prepared photo holds at most, pixels and the
// resized regions it may keep (see [PrepareOptions.KeepBytes]): what a
// cache of prepared photos counts it as.
func (p *Prepared) Bytes() int64 {
	const fixed = 16 << 10 // subjects, metadata, notes
	return p.Pyramid.Bytes() + fixed
}

// ToSource maps a rectangle in working pixels to source pixels.
func (p *Prepared) ToSource(r image.Rectangle) image.Rectangle {
	return scaleRect(r, 1/p.Scale, p.Source)
}

// Meta describes the photo for a manifest; with subjects false its
// Subjects are left out (an editor's focus point overrode them). The
// regions tagged in the photo's metadata come first, then the subjects
// found.
func (p *Prepared) Meta(subjects bool) *Meta {
	m := &Meta{Width: p.Source.X, Height: p.Source.Y, Format: p.Format, Notes: append([]string(nil), p.Notes...)}
	if subjects {
		for _, t := range p.Embedded.Regions {
			r := p.ToSource(t.Rect)
			m.Subjects = append(m.Subjects, SubjectBox{Kind: t.Kind, Score: math.Round(t.Score*100) / 100, Confident: t.Confident, Name: t.Name, Box: Box{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()}})
		}
		for _, s := range p.Subjects {
			r := p.ToSource(s.Rect)
			m.Subjects = append(m.Subjects, SubjectBox{Kind: s.Kind, Score: math.Round(s.Score*100) / 100, Confident: s.Confident, Box: Box{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()}})
		}
	}
	return m
}

// Meta describes the source photo of a card set, as the manifest reports it.
type Meta struct {
	Width    int          `json:"width"`
	Height   int          `json:"height"`
	Format   string       `json:"format"`
	Notes    []string     `json:"notes,omitempty"`
	Subjects []SubjectBox `json:"subjects,omitempty"`
	// ArticleFields are the article fields the article left empty and
	// the photo's embedded metadata filled ("credit", "caption"), with
	// the tags they came from.
	ArticleFields map[string]Field `json:"article_fields,omitempty"`
}

// SubjectBox is a subject found in the photo, in source pixels.
type SubjectBox struct {
	Kind  string  `json:"kind"`
	Score float64 `json:"score"`
	// Confident is set when the detector (or the photo desk's tag) is
	// sure; a photo with no confident subject and no focus point gets
	// the warning "no subject found: set a focus point".
	Confident bool `json:"confident"`
	// Name is the name a tagged region was given (kind "tagged").
	Name string `json:"name,omitempty"`
	Box
}

// Box is a rectangle of the source photo, in source pixels.
type Box struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// scaleRect maps a rectangle by factor s, rounding outwards, clipped to
// bounds.
func scaleRect(r image.Rectangle, s float64, bounds image.Point) image.Rectangle {
	out := image.Rect(
		int(math.Floor(float64(r.Min.X)*s)), int(math.Floor(float64(r.Min.Y)*s)),
		int(math.Ceil(float64(r.Max.X)*s)), int(math.Ceil(float64(r.Max.Y)*s)),
	)
	return out.Intersect(image.Rectangle{Max: bounds})
}

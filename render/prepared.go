package render

import (
	"bytes"
	"context"
	"image"
	"math"
	"time"
)

// PreparedPhoto is a photo decoded once at the working size a set of
// presets needs, with its pyramid and the subjects found in it, ready to
// render many jobs without decoding again (a live preview renders the same
// photo after every edit). It is read-only once made and safe to share
// between concurrent renders. It keeps the photo regions renders resize
// (up to a few hundred megabytes), so later renders with the same crops
// skip that work.
type PreparedPhoto struct {
	work     *Pyramid
	scale    float64   // working pixels per source pixel
	meta     PhotoMeta // Subjects empty: forArticle adds them
	subjects []Subject // in working pixels
	timings  Timings   // Decode, Resample and Detect
}

// PreparePhoto decodes photo once, scaled to the largest size any of
// presets draws it at (as Render would for a job with those presets),
// builds its pyramid and looks for subjects whatever the article's focus,
// which Render applies later. Rendering a Job whose Prepared comes from
// PreparePhoto(photo, presets) gives the same outputs as rendering photo
// itself with the same presets; with other presets the outputs are still
// correct but may differ slightly in the photo's pixels, since it was
// resampled from another working size. It is safe for concurrent use.
func (e *Engine) PreparePhoto(ctx context.Context, data []byte, presets []Preset) (*PreparedPhoto, error) {
	return e.preparePhoto(ctx, data, presets, true, true)
}

// Meta returns what Render reports about the photo, with every subject
// found (Render leaves them out for an article with a focus point).
func (p *PreparedPhoto) Meta() PhotoMeta {
	m := p.meta
	m.Notes = append([]string(nil), p.meta.Notes...)
	m.Subjects = p.subjectBoxes()
	return m
}

// Timings returns the time spent preparing: Decode, Resample and Detect
// are set, the other stages are zero.
func (p *PreparedPhoto) Timings() Timings { return p.timings }

// preparePhoto decodes, scales and searches the photo for a job with
// presets; detect false skips the subject finder, keep true keeps every
// region of the photo resized for later renders.
func (e *Engine) preparePhoto(ctx context.Context, data []byte, presets []Preset, detect, keep bool) (*PreparedPhoto, error) {
	p := &PreparedPhoto{}
	t := time.Now()
	ph, st, err := decodePhotoScaled(bytes.NewReader(data), e.Limits, workingScale(presets))
	if err != nil {
		return nil, err
	}
	src := st.Upright
	p.timings.Resample = st.Resample
	p.timings.Decode = time.Since(t) - st.Resample
	p.scale = float64(ph.Image.Bounds().Dx()) / float64(src.X)
	p.meta = PhotoMeta{Width: src.X, Height: src.Y, Format: ph.Format, Notes: ph.Notes}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	t = time.Now()
	p.work = NewPyramid(ph.Image)
	p.work.keepAll = keep
	p.timings.Resample += time.Since(t)

	t = time.Now()
	if e.Finder != nil && detect {
		// Faces are found on the smallest level of at least 900 px (the
		// detector works at up to 1000 px anyway) and mapped back.
		size := p.work.Bounds().Size()
		lvl, f := p.work.Level(900)
		for _, s := range e.Finder.Find(lvl) {
			s.Rect = scaleRect(s.Rect, f, size)
			p.subjects = append(p.subjects, s)
		}
	}
	p.timings.Detect = time.Since(t)
	return p, nil
}

// forArticle returns what planning needs to know about the photo for an
// article, and the photo's metadata for the result; subjects are left out
// when the article's focus point overrides them.
func (p *PreparedPhoto) forArticle(a *Article) (PhotoInfo, *PhotoMeta) {
	info := PhotoInfo{Size: p.work.Bounds().Size(), Focus: a.Focus}
	meta := p.meta
	meta.Notes = append([]string(nil), p.meta.Notes...)
	if a.Focus == nil {
		info.Subjects = p.subjects
		meta.Subjects = p.subjectBoxes()
	}
	return info, &meta
}

// subjectBoxes reports the subjects in source pixels.
func (p *PreparedPhoto) subjectBoxes() []SubjectBox {
	var out []SubjectBox
	src := image.Pt(p.meta.Width, p.meta.Height)
	for _, s := range p.subjects {
		r := scaleRect(s.Rect, 1/p.scale, src)
		out = append(out, SubjectBox{Kind: s.Kind, Score: math.Round(s.Score*100) / 100, CropRect: CropRect{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()}})
	}
	return out
}

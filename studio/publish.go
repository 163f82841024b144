package studio

import (
	"image"
	"sync"
	"time"

	"github.com/sharecard/sharecard/render"
)

// publishEvery is the shortest time between two snapshots showing a
// generation's images as they come, so the page does not reload images
// more often than a person can follow.
const publishEvery = 100 * time.Millisecond

// publisher shows the images of one batch of a generation as soon as each
// is ready, gathering those that come within publishEvery of the last
// snapshot into one. It is safe for concurrent use (the engine's workers
// call add).
type publisher struct {
	p   *previewer
	gen uint64

	mu      sync.Mutex // held while publishing, so stop waits for a publication under way
	pending []readyOutput
	timer   *time.Timer // set while a publication is due
	last    time.Time   // of the last publication
	firstAt time.Time   // when the first image came
	stopped bool
}

// readyOutput is one image and the size of the photo its Crop refers to
// (zero without a photo).
type readyOutput struct {
	out   *render.Output
	photo image.Point
}

func newPublisher(p *previewer, gen uint64) *publisher {
	return &publisher{p: p, gen: gen}
}

// add queues an image for the next snapshot, publishing it at once when
// the last snapshot is old enough.
func (b *publisher) add(o *render.Output, photo image.Point) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	if b.firstAt.IsZero() {
		b.firstAt = time.Now()
	}
	b.pending = append(b.pending, readyOutput{o, photo})
	if b.timer == nil {
		b.timer = time.AfterFunc(max(0, publishEvery-time.Since(b.last)), b.flush)
	}
}

// flush publishes the queued images.
func (b *publisher) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.timer = nil
	if b.stopped || len(b.pending) == 0 {
		return
	}
	ready := b.pending
	b.pending = nil
	b.last = time.Now()
	b.p.finish(b.gen, func(s *snapshot) {
		s.gen = b.gen
		for _, r := range ready {
			s.put(r.out, r.photo)
		}
	})
}

// stop ends publications and drops the queued images (the batch's result
// publishes them all); it returns when the first image came, zero if none.
func (b *publisher) stop() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.pending = nil
	return b.firstAt
}

// put shows o, an image of s.gen.
func (s *snapshot) put(o *render.Output, photo image.Point) {
	s.outs[o.Preset.ID] = o
	if photo != (image.Point{}) {
		s.photoSize[o.Preset.ID] = photo
	} else {
		delete(s.photoSize, o.Preset.ID)
	}
}
